"""Stories about the phone numbers people type and the E.164 form the bot stores."""

from __future__ import annotations

import pickle

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.phone import InvalidPhone, PhoneProblem, normalize_phone

MOBILE_PREFIXES = [
    "0811", "0812", "0813", "0821", "0822", "0823", "0851", "0852", "0853",
    "0855", "0856", "0857", "0858", "0859", "0877", "0878",
    "0881", "0882", "0883", "0884", "0885", "0886", "0887", "0888", "0889",
    "0895", "0896", "0897", "0898", "0899",
]  # fmt: skip


def problem_of(raw: str, region: str = "ID") -> PhoneProblem:
    with pytest.raises(InvalidPhone) as info:
        normalize_phone(raw, region)
    return info.value.problem


@pytest.mark.parametrize(
    "typed",
    [
        "081234567890",
        "0812-3456-7890",
        "+62 812 3456 7890",
        "6281234567890",
        "(0812) 3456 7890",
        " 0812.3456.7890 ",
    ],
)
def test_every_way_of_typing_the_same_mobile_gives_one_e164(typed: str) -> None:
    assert normalize_phone(typed) == "+6281234567890"


def test_a_jakarta_landline_cannot_chat_so_it_is_not_mobile() -> None:
    assert problem_of("021 5551234") is PhoneProblem.NOT_MOBILE


def test_a_two_digit_number_is_rejected() -> None:
    assert problem_of("12") in {PhoneProblem.INVALID, PhoneProblem.NOT_A_NUMBER}


@pytest.mark.parametrize("typed", ["", "   ", "\n"])
def test_an_empty_message_is_empty(typed: str) -> None:
    assert problem_of(typed) is PhoneProblem.EMPTY


@pytest.mark.parametrize("typed", ["nomor saya", "abc", "😀"])
def test_words_instead_of_digits_are_not_a_number(typed: str) -> None:
    assert problem_of(typed) is PhoneProblem.NOT_A_NUMBER


def test_a_huge_paste_is_not_handed_to_the_parser() -> None:
    assert problem_of("0812" * 100_000) is PhoneProblem.NOT_A_NUMBER


def test_a_foreign_mobile_written_with_plus_is_kept_as_is() -> None:
    assert normalize_phone("+44 7911 123456") == "+447911123456"
    assert normalize_phone("+60 12-345 6789") == "+60123456789"


def test_a_local_number_is_read_in_the_region_the_caller_says() -> None:
    assert normalize_phone("07911 123456", default_region="GB") == "+447911123456"


def test_the_error_is_a_value_error_with_a_message_and_survives_pickling() -> None:
    error = InvalidPhone(PhoneProblem.NOT_MOBILE)
    assert isinstance(error, ValueError)
    assert "mobile" in str(error)
    assert pickle.loads(pickle.dumps(error)).problem is PhoneProblem.NOT_MOBILE


@given(st.text())
def test_arbitrary_text_only_ever_raises_invalid_phone(raw: str) -> None:
    try:
        result = normalize_phone(raw)
    except InvalidPhone as error:
        assert isinstance(error.problem, PhoneProblem)
    else:
        assert result.startswith("+")
        assert result[1:].isdigit()


@st.composite
def typed_indonesian_mobiles(draw: st.DrawFn) -> tuple[str, str]:
    """Return (what the user typed, the number without its leading 0)."""
    prefix = draw(st.sampled_from(MOBILE_PREFIXES))
    tail = draw(st.text("0123456789", min_size=7, max_size=8))
    national = (prefix + tail)[1:]
    start = draw(st.sampled_from(["0", "62", "+62", "+62 ", "(0", "+62 ("]))
    digits = national[:3] + (")" if "(" in start else "") + national[3:]
    separators = draw(
        st.lists(st.sampled_from(["", "", " ", "-", "."]), min_size=len(digits), max_size=len(digits))
    )
    typed = start + "".join(ch + sep for ch, sep in zip(digits, separators, strict=True))
    return typed.rstrip(" -."), national


@given(typed_indonesian_mobiles())
def test_any_indonesian_mobile_normalises_whatever_the_separators(case: tuple[str, str]) -> None:
    typed, national = case
    assert phonenumbers.is_valid_number(phonenumbers.parse("0" + national, "ID"))
    assert normalize_phone(typed) == "+62" + national


def test_a_foreign_number_is_refused_when_only_indonesian_ones_are_allowed() -> None:
    with pytest.raises(InvalidPhone) as raised:
        normalize_phone("+1 202 555 0123", foreign_allowed=False)
    assert raised.value.problem is PhoneProblem.NOT_INDONESIAN
    assert normalize_phone("0812-5100-0001", foreign_allowed=False) == "+6281251000001"
