"""Typed replies to a question with options: what people write on WhatsApp instead of tapping a button."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.choices import Choice, Understood, understand, understand_many

CONSENT = (Choice("agree", "Saya setuju"), Choice("decline", "Saya tidak setuju"))
CONFIRM_EN = (Choice("yes", "Yes, send it"), Choice("no", "No, not now"))
GENDER = (Choice("female", "Perempuan"), Choice("male", "Laki-laki"))
KECAMATAN = (Choice("tanjung", "Tanjung"), Choice("murung_pudak", "Murung Pudak"), Choice("tanta", "Tanta"),
             Choice("kelua", "Kelua"), Choice("muara_harus", "Muara Harus"))
SKILLS = (Choice("sewing", "Menjahit"), Choice("welding", "Pengelasan"), Choice("cooking", "Tata boga"),
          Choice("done", "Selesai, lanjut"))


@pytest.mark.parametrize("typed", ["setuju", "Setuju", "ya", "iya", "Iyaa", "yes", "ok", "oke", "benar", "1", "1."])
def test_words_of_agreement_agree(typed: str) -> None:
    assert understand(typed, CONSENT) == Understood("agree")


@pytest.mark.parametrize("typed", ["tidak", "nggak", "gak", "no", "bukan", "tidak setuju", "2"])
def test_words_of_refusal_decline_even_beside_the_word_agree(typed: str) -> None:
    assert understand(typed, CONSENT) == Understood("decline")


@pytest.mark.parametrize(("typed", "meant"), [("ya", "yes"), ("yes", "yes"), ("iya", "yes"), ("nope", "no"),
                                              ("tidak", "no")])
def test_yes_and_no_in_either_language(typed: str, meant: str) -> None:
    assert understand(typed, CONFIRM_EN) == Understood(meant)


@pytest.mark.parametrize(("typed", "meant"), [("wanita", "female"), ("perempuan", "female"), ("P", "female"),
                                              ("pria", "male"), ("laki laki", "male"), ("LAKI-LAKI", "male")])
def test_common_words_for_gender(typed: str, meant: str) -> None:
    assert understand(typed, GENDER) == Understood(meant)


@pytest.mark.parametrize(("typed", "meant"), [("tanjng", "tanjung"), ("Murung Pudk", "murung_pudak"),
                                              ("pudak", "murung_pudak"), ("muara", "muara_harus")])
def test_a_small_typo_or_one_word_of_a_kecamatan_finds_it(typed: str, meant: str) -> None:
    assert understand(typed, KECAMATAN) == Understood(meant)


@pytest.mark.parametrize("typed", ["selesai", "Sudah", "done", "udah"])
def test_done_words_finish_a_list(typed: str) -> None:
    assert understand(typed, SKILLS) == Understood("done")


@pytest.mark.parametrize("typed", ["-1", "0", "5", "+1", "1234", "1e1", "᠒"])
def test_only_a_plain_number_in_range_chooses_by_position(typed: str) -> None:
    assert understand(typed, SKILLS).option_id is None


def test_two_close_options_are_asked_back_not_guessed() -> None:
    assert understand("saya", CONSENT) == Understood(did_you_mean=("decline", "agree"))
    assert understand("jahit", SKILLS) == Understood(did_you_mean=("sewing",))


def test_long_text_is_never_read_as_an_option() -> None:
    assert understand("tidak ada pelatihan minggu ini ya", CONFIRM_EN) == Understood()


def test_several_numbers_at_once() -> None:
    assert understand_many("1, 3", SKILLS) is not None
    assert understand_many("1, 3", SKILLS).option_ids == ("sewing", "cooking")  # type: ignore[union-attr]
    assert understand_many("1 dan 2 dan 1", SKILLS).option_ids == ("sewing", "welding")  # type: ignore[union-attr]
    assert understand_many("1, 9", SKILLS) is None
    assert understand_many("1", SKILLS) is None
    assert understand_many("-1, 2", SKILLS) is None


labels = st.text(min_size=1, max_size=30)


@given(typed=st.text(max_size=60), raw=st.lists(labels, min_size=1, max_size=8, unique=True))
def test_whatever_is_typed_the_answer_is_one_of_the_options_or_none(typed: str, raw: list[str]) -> None:
    choices = tuple(Choice(f"o{i}", label) for i, label in enumerate(raw))
    ids = {choice.id for choice in choices}
    result = understand(typed, choices)
    assert result.option_id is None or result.option_id in ids
    assert set(result.did_you_mean) <= ids
    assert not (result.option_id and result.did_you_mean)
    many = understand_many(typed, choices)
    assert many is None or set(many.option_ids) <= ids


DISABILITY = (Choice("none", "Bukan penyandang disabilitas"), Choice("physical", "Disabilitas fisik"),
              Choice("not_said", "Saya memilih tidak menjawab"))


def test_no_at_the_disability_question_means_no_disability() -> None:
    assert understand("tidak", DISABILITY) == Understood("none")
    assert understand("nggak", DISABILITY) == Understood("none")
    assert understand("fisik", DISABILITY) == Understood("physical")
