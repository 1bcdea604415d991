"""Parsing of typed answers that are not identity numbers: names and dates as people write them.

Each function returns the clean value or raises `AnswerError` with a problem code; handlers turn the code
into a localized sentence. Month names come from Babel's CLDR data, in Indonesian and English.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import MINYEAR, date, datetime, time
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo

from babel.dates import get_month_names

MAX_NAME_LENGTH = 100
MIN_NAME_LENGTH = 2
NAME_PUNCTUATION = frozenset(" .'-,’")


class AnswerProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    TOO_SHORT = "too_short"
    BAD_CHARACTERS = "bad_characters"
    NOT_A_DATE = "not_a_date"
    NO_SUCH_DAY = "no_such_day"


class AnswerError(ValueError):
    def __init__(self, problem: AnswerProblem, *, day: int = 0, month: int = 0, year: int = 0) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.day = day
        self.month = month
        self.year = year
        """With NO_SUCH_DAY: the day, month and year that do not exist together (31-02-2000), to say so."""


def clean_free_text(raw: str, *, max_length: int) -> str:
    """NFC-normalise, drop control and invisible format characters, collapse white space."""
    if len(raw) > max_length * 4:
        raise AnswerError(AnswerProblem.TOO_LONG)
    text = unicodedata.normalize("NFC", raw)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n")
    text = " ".join(text.split())
    if not text:
        raise AnswerError(AnswerProblem.EMPTY)
    if len(text) > max_length:
        raise AnswerError(AnswerProblem.TOO_LONG)
    return text


def clean_full_name(raw: str) -> str:
    """A person's name as on their KTP: letters (any script), spaces and . ' - , only."""
    name = clean_free_text(raw, max_length=MAX_NAME_LENGTH)
    if any(not (ch.isalpha() or ch in NAME_PUNCTUATION) for ch in name):
        raise AnswerError(AnswerProblem.BAD_CHARACTERS)
    if sum(ch.isalpha() for ch in name) < MIN_NAME_LENGTH:
        raise AnswerError(AnswerProblem.TOO_SHORT)
    return name


def name_case(name: str) -> str:
    """How a name is shown: 'BUDI SANTOSO' and 'budi santoso' as 'Budi Santoso'. A name typed in mixed case
    ('McDonald', 'de Souza') is shown as typed: its writer chose that case. Names are stored as typed."""
    if name != name.lower() and name != name.upper():
        return name
    return _capitalize_words(name.lower())


def _capitalize_words(lowered: str) -> str:
    """Each word's first letter upper case, where a word starts after a space, a hyphen or a dot (not an
    apostrophe: "Nur'aini")."""
    letters = list(lowered)
    for index, letter in enumerate(letters):
        if letter.isalpha() and (index == 0 or letters[index - 1] in " -."):
            letters[index] = letter.upper()
    return "".join(letters)


_NUMERIC_DATE = re.compile(r"^(\d{1,2})[\s./-](\d{1,2})[\s./-](\d{4})$", re.ASCII)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_WORDED_DATE = re.compile(r"^([0-9]{1,2})[\s.-]+([^\W\d_]+)\.?[\s.,-]+([0-9]{4})$")
_MONTH_FIRST_DATE = re.compile(r"^([^\W\d_]+)\.?\s+([0-9]{1,2})(?:st|nd|rd|th)?,?\s+([0-9]{4})$")
MONTHS_IN_YEAR = 12
DAYS_IN_LONGEST_MONTH = 31


@cache
def _month_numbers() -> dict[str, int]:
    names: dict[str, int] = {}
    for locale in ("id", "en"):
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                names[name.lower().rstrip(".")] = int(number)
    names["agust"] = 8  # common Indonesian abbreviation beside CLDR's "Agu"
    return names


def month_number(name: str) -> int | None:
    """The month a typed name stands for, Indonesian or English, full or abbreviated ('Agustus', 'aug.')."""
    return _month_numbers().get(name.lower().rstrip("."))


def parse_typed_date(raw: str) -> date:
    """Read '17-08-1995', '17/8/1995', '1995-08-17', '17 Agustus 1995' or 'August 17, 1995' (Indonesian or
    English months). A date that does not exist ('31-02-2000') is told apart from one that cannot be read."""
    text = " ".join(raw.strip().split()).lower()
    if len(text) > 40:
        raise AnswerError(AnswerProblem.NOT_A_DATE)
    if match := _NUMERIC_DATE.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _WORDED_DATE.match(text):
        day, month, year = int(match.group(1)), _typed_month(match.group(2)), int(match.group(3))
    elif match := _MONTH_FIRST_DATE.match(text):
        day, month, year = int(match.group(2)), _typed_month(match.group(1)), int(match.group(3))
    else:
        raise AnswerError(AnswerProblem.NOT_A_DATE)
    try:
        return date(year, month, day)
    except ValueError as error:
        if 1 <= month <= MONTHS_IN_YEAR and 1 <= day <= DAYS_IN_LONGEST_MONTH and year >= MINYEAR:
            raise AnswerError(AnswerProblem.NO_SUCH_DAY, day=day, month=month, year=year) from error
        raise AnswerError(AnswerProblem.NOT_A_DATE) from error


def _typed_month(name: str) -> int:
    number = _month_numbers().get(name)
    if number is None:
        raise AnswerError(AnswerProblem.NOT_A_DATE)
    return number


_TIME_OF_DAY = re.compile(r"^(?:pukul\s+|jam\s+|at\s+)?([01]?\d|2[0-3])[.:]([0-5]\d)$", re.ASCII | re.IGNORECASE)


def parse_typed_moment(raw: str, timezone: str) -> datetime:
    """Read '24-12-2026 09:00' (or '24 Desember 2026 pukul 09.00') as a moment in the office's time zone."""
    text = " ".join(raw.strip().split())
    if len(text) > 60:
        raise AnswerError(AnswerProblem.NOT_A_DATE)
    date_part, _sep, time_part = text.rpartition(" ")
    if time_part.lower() in ("pukul", "jam", "at"):
        raise AnswerError(AnswerProblem.NOT_A_DATE)
    for prefix in (" pukul", " jam", " at"):
        date_part = date_part.removesuffix(prefix)
    match = _TIME_OF_DAY.match(time_part)
    if not date_part or match is None:
        raise AnswerError(AnswerProblem.NOT_A_DATE)
    day = parse_typed_date(date_part)
    return datetime.combine(day, time(int(match.group(1)), int(match.group(2))), tzinfo=ZoneInfo(timezone))
