"""Parse Indonesian NIKs (Nomor Induk Kependudukan) as people type them by hand into a chat: separators
and Unicode digits are forgiven, but anything that cannot be a real NIK gets a precise, explainable reason."""

import datetime
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

NIK_LENGTH = 16
_MAX_INPUT = 64
_FEMALE_DAY_OFFSET = 40
_SEP = " .\\-\u2010-\u2015"  # space, dot, ASCII and Unicode dashes
_SEPARATORS = re.compile(f"[{_SEP}]+")
_ASCII_DIGITS_AND_SEPARATORS = re.compile(f"[0-9{_SEP}]*")

# Kemendagri province codes, including the Papua provinces created in 2022 (93-97).
PROVINCE_CODES: frozenset[str] = frozenset({
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36",
    "51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76",
    "81", "82", "91", "92", "93", "94", "95", "96", "97",
})  # fmt: skip


class NikProblem(StrEnum):
    """Why a string is not a valid NIK."""

    EMPTY = "empty"
    NOT_DIGITS = "not_digits"
    WRONG_LENGTH = "wrong_length"
    UNKNOWN_PROVINCE = "unknown_province"
    BAD_DATE = "bad_date"
    ZERO_SERIAL = "zero_serial"


_MESSAGES: dict[NikProblem, str] = {
    NikProblem.EMPTY: "NIK is empty",
    NikProblem.NOT_DIGITS: "NIK contains characters other than digits and separators",
    NikProblem.WRONG_LENGTH: f"NIK must have exactly {NIK_LENGTH} digits",
    NikProblem.UNKNOWN_PROVINCE: "NIK starts with an unknown province code",
    NikProblem.BAD_DATE: "NIK digits 7-12 are not a real birth date (DDMMYY, women +40 on the day)",
    NikProblem.ZERO_SERIAL: "NIK serial (digits 13-16) must not be 0000",
}


class InvalidNik(ValueError):
    """Raised for any input that is not a valid NIK; ``problem`` says why."""

    def __init__(self, problem: NikProblem) -> None:
        super().__init__(problem)
        self.problem: NikProblem = NikProblem(problem)

    def __str__(self) -> str:
        return _MESSAGES[self.problem]


def _check_digits(digits: str) -> None:
    """Raise InvalidNik unless ``digits`` is 16 ASCII digits forming a valid NIK."""
    if not digits:
        raise InvalidNik(NikProblem.EMPTY)
    if not digits.isascii() or not digits.isdigit():
        raise InvalidNik(NikProblem.NOT_DIGITS)
    if len(digits) != NIK_LENGTH:
        raise InvalidNik(NikProblem.WRONG_LENGTH)
    if digits[:2] not in PROVINCE_CODES:
        raise InvalidNik(NikProblem.UNKNOWN_PROVINCE)
    day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    if day > _FEMALE_DAY_OFFSET:
        day -= _FEMALE_DAY_OFFSET
    try:  # 20yy is a leap year whenever 19yy is (and 2000 is, 1900 is not), so 20yy alone decides
        datetime.date(2000 + yy, month, day)
    except ValueError:
        raise InvalidNik(NikProblem.BAD_DATE) from None
    if digits[12:] == "0000":
        raise InvalidNik(NikProblem.ZERO_SERIAL)


@dataclass(frozen=True, slots=True)
class Nik:
    """A validated NIK; build it with ``parse_nik`` (the constructor re-validates)."""

    digits: str

    def __post_init__(self) -> None:
        _check_digits(self.digits)

    @property
    def province_code(self) -> str:
        """Two-digit province code, e.g. "63"."""
        return self.digits[:2]

    @property
    def regency_code(self) -> str:
        """Four-digit regency/city code, e.g. "6309"."""
        return self.digits[:4]

    @property
    def district_code(self) -> str:
        """Six-digit district (kecamatan) code, e.g. "630901"."""
        return self.digits[:6]

    @property
    def gender(self) -> Literal["female", "male"]:
        """Women have 40 added to the day of birth."""
        return "female" if int(self.digits[6:8]) > _FEMALE_DAY_OFFSET else "male"

    @property
    def birth_day(self) -> int:
        """Day of month of birth (1-31), with the female offset removed."""
        return int(self.digits[6:8]) % _FEMALE_DAY_OFFSET  # valid days are 1-31 or 41-71

    @property
    def birth_month(self) -> int:
        """Month of birth (1-12)."""
        return int(self.digits[8:10])

    @property
    def birth_year_2digits(self) -> int:
        """Last two digits of the birth year; the century is not encoded."""
        return int(self.digits[10:12])

    def birth_date_matches(self, born: datetime.date) -> bool:
        """True if ``born`` agrees on day, month and year modulo 100."""
        expected = (self.birth_day, self.birth_month, self.birth_year_2digits)
        return (born.day, born.month, born.year % 100) == expected

    def masked(self) -> str:
        """Show only the first and last four digits, e.g. "6309********0001"."""
        return mask(self.digits)


def mask(nik: str) -> str:
    """A NIK as staff and the profile view see it: its region (first four) and serial (last four) only."""
    return f"{nik[:4]}{'*' * 8}{nik[-4:]}"


def parse_nik(raw: str) -> Nik:
    """Parse a hand-typed NIK; raises only InvalidNik."""
    if not isinstance(raw, str) or not (text := raw.strip()):
        raise InvalidNik(NikProblem.EMPTY)
    if len(text) > _MAX_INPUT:  # cheap C-level scan only; no normalisation of huge input
        ascii_only = _ASCII_DIGITS_AND_SEPARATORS.fullmatch(text) is not None
        raise InvalidNik(NikProblem.WRONG_LENGTH if ascii_only else NikProblem.NOT_DIGITS)
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    if not digits:
        raise InvalidNik(NikProblem.NOT_DIGITS)
    return Nik(digits)
