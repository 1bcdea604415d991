"""Normalise hand-typed phone numbers to E.164 with the ``phonenumbers`` library.

The bot contacts people over chat apps, so we store one canonical form ("+6281234567890")
and only accept numbers that can be mobile; landlines are rejected with a clear reason.
"""

from __future__ import annotations

from enum import StrEnum

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

_MAX_INPUT = 64
_CHAT_CAPABLE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


class PhoneProblem(StrEnum):
    """Why a string is not a usable phone number."""

    EMPTY = "empty"
    NOT_A_NUMBER = "not_a_number"
    INVALID = "invalid"
    NOT_MOBILE = "not_mobile"
    NOT_INDONESIAN = "not_indonesian"


_MESSAGES: dict[PhoneProblem, str] = {
    PhoneProblem.EMPTY: "phone number is empty",
    PhoneProblem.NOT_A_NUMBER: "input could not be parsed as a phone number",
    PhoneProblem.INVALID: "phone number was parsed but is not valid",
    PhoneProblem.NOT_MOBILE: "phone number is valid but not a mobile number",
    PhoneProblem.NOT_INDONESIAN: "phone number is valid but not Indonesian",
}


class InvalidPhone(ValueError):
    """Raised for any input that is not a usable phone number; ``problem`` says why."""

    def __init__(self, problem: PhoneProblem) -> None:
        super().__init__(problem)
        self.problem: PhoneProblem = PhoneProblem(problem)

    def __str__(self) -> str:
        return _MESSAGES[self.problem]


def normalize_phone(raw: str, default_region: str = "ID", *, foreign_allowed: bool = True) -> str:
    """Return the E.164 form of a mobile number; raises only InvalidPhone. With `foreign_allowed` False, only
    numbers of `default_region` are accepted (an office can only call and message Indonesian numbers)."""
    if not isinstance(raw, str) or not (text := raw.strip()):
        raise InvalidPhone(PhoneProblem.EMPTY)
    if len(text) > _MAX_INPUT:
        raise InvalidPhone(PhoneProblem.NOT_A_NUMBER)
    try:
        number = phonenumbers.parse(text, default_region)
    except NumberParseException as exc:
        raise InvalidPhone(PhoneProblem.NOT_A_NUMBER) from exc
    if not foreign_allowed and number.country_code != phonenumbers.country_code_for_region(default_region):
        raise InvalidPhone(PhoneProblem.NOT_INDONESIAN)
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(PhoneProblem.INVALID)
    if phonenumbers.number_type(number) not in _CHAT_CAPABLE_TYPES:
        raise InvalidPhone(PhoneProblem.NOT_MOBILE)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)
