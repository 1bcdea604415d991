"""Typed answers: option numbers and dates are read from ASCII digits only.

Hypothesis found that '᠒' (Mongolian digit two) chose option 2, because `str.isdigit` accepts every
script's digits. Nobody types those on purpose, so they must be refused like any other unclear answer.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.engine.messages import split_option_token
from handlers.choices import Choice, understand
from models.answers import AnswerError, AnswerProblem, parse_typed_date

OPTIONS = (Choice("agree", "Saya setuju"), Choice("decline", "Saya tidak setuju"))


@pytest.mark.parametrize("typed", ["2", " 2 ", "２", "saya tidak setuju", "SAYA TIDAK SETUJU"])
def test_a_number_label_or_full_width_digit_chooses_the_option(typed: str) -> None:
    assert understand(typed, OPTIONS).option_id == "decline"


@pytest.mark.parametrize("typed", ["᠒", "٢", "3", "0", "02x", "1234"])
def test_other_digits_and_numbers_out_of_range_choose_nothing(typed: str) -> None:
    assert understand(typed, OPTIONS).option_id is None


def test_a_token_with_a_foreign_digit_sequence_is_not_a_current_token() -> None:
    assert split_option_token("᠒|agree") == (None, "᠒|agree")
    assert split_option_token("12|agree") == (12, "agree")


@pytest.mark.parametrize("typed", ["05-08-1999", "5/8/1999", "1999-08-05", "5 Agustus 1999"])
def test_usual_date_forms_are_read(typed: str) -> None:
    assert parse_typed_date(typed) == date(1999, 8, 5)


@pytest.mark.parametrize("typed", ["٠٥-٠٨-١٩٩٩", "᠐᠕-᠐᠘-᠑᠙᠙᠙"])
def test_dates_in_other_digits_are_refused(typed: str) -> None:
    with pytest.raises(AnswerError):
        parse_typed_date(typed)


@pytest.mark.parametrize("typed", ["3 April 2001", "April 3, 2001", "03/04/2001", "3-4-2001", "Apr 3rd, 2001",
                                   "3 Apr 2001"])
def test_written_forms_of_a_date_in_both_languages(typed: str) -> None:
    assert parse_typed_date(typed) == date(2001, 4, 3)


@pytest.mark.parametrize(("typed", "day", "month"), [("31-02-2000", 31, 2), ("29/02/2001", 29, 2),
                                                     ("31 April 2001", 31, 4)])
def test_a_day_the_month_does_not_have_is_told_apart(typed: str, day: int, month: int) -> None:
    with pytest.raises(AnswerError) as raised:
        parse_typed_date(typed)
    assert (raised.value.problem, raised.value.day, raised.value.month) == (AnswerProblem.NO_SUCH_DAY, day, month)
