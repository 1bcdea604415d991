"""Click-to-chat links that open a conversation with the bot already saying what the person came for.

A poster, a social-media post or a staff member pasting a link all use these: `wa.me/<number>?text=DAFTAR`
(the message is typed for them, they press Send) and `t.me/<bot>?start=daftar` (Telegram's Start button sends
`/start daftar`). For one opening the word carries its code (`DAFTAR t12`, `?start=t12`), which the chat reads
with `OpeningRef.from_code`. Pure functions: the chat, the command line and the dashboard build the same links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

import phonenumbers
from phonenumbers import NumberParseException

REGISTER_WORD = "DAFTAR"
"""What a person sends to start registering; the chat reads it in any case ("daftar")."""
TELEGRAM_REGISTER = "daftar"
"""The deep-link parameter of the office's own link: Telegram allows only A-Z, a-z, 0-9, _ and - there."""

_MAX_INPUT = 64
_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,30}[A-Za-z0-9]")
_OPENING_CODE = re.compile(r"[at][0-9]{1,9}")


class NotALinkTarget(ValueError):
    """The number or name cannot be put in a link; the message says what to fix."""


def whatsapp_digits(raw: str, default_region: str = "ID") -> str:
    """The number as wa.me wants it: country code and number, digits only ("0812-3456-7890" -> "6281234567890").

    Any valid number is taken, landlines too: a WhatsApp Business number may be the office's fixed line."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text or len(text) > _MAX_INPUT:
        raise NotALinkTarget("is not a phone number: write it as +62 812 3456 7890 or 0812 3456 7890")
    try:
        number = phonenumbers.parse(text, default_region)
    except NumberParseException as error:
        raise NotALinkTarget("is not a phone number: write it as +62 812 3456 7890 or 0812 3456 7890") from error
    if not phonenumbers.is_valid_number(number):
        raise NotALinkTarget("is not a valid phone number (check the digits and the country code)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).removeprefix("+")


def telegram_username(raw: str) -> str:
    """The bot's username without '@' or 't.me/' ("@DisnakerTabalongBot" -> "DisnakerTabalongBot")."""
    text = raw.strip() if isinstance(raw, str) else ""
    for prefix in ("https://", "http://", "t.me/", "telegram.me/", "@"):
        text = text.removeprefix(prefix)
    if not _USERNAME.fullmatch(text) or not text.casefold().endswith("bot"):
        raise NotALinkTarget("is not a Telegram bot username: 5 to 32 letters, digits or _, ending in 'bot'")
    return text


def checked_code(code: str | None) -> str | None:
    """An opening's code as links carry it (lower case, 't12'), or None for the office's own link."""
    if code is None:
        return None
    if not _OPENING_CODE.fullmatch(code.strip().casefold()):
        raise NotALinkTarget(f"{code[:20]!r} is not an opening's code such as t12 or a3")
    return code.strip().casefold()


def whatsapp_link(digits: str, code: str | None = None) -> str:
    """https://wa.me/6281234567890?text=DAFTAR, or ...?text=DAFTAR%20t12 for one opening."""
    opening = checked_code(code)
    text = f"{REGISTER_WORD} {opening}" if opening else REGISTER_WORD
    return f"https://wa.me/{digits}?text={quote(text)}"


def telegram_link(username: str, code: str | None = None) -> str:
    """https://t.me/<bot>?start=daftar, or ...?start=t12 for one opening."""
    return f"https://t.me/{username}?start={checked_code(code) or TELEGRAM_REGISTER}"


@dataclass(frozen=True, slots=True)
class ChatLinks:
    """Where people reach the bot: its public WhatsApp number (digits) and Telegram username, either unknown."""

    whatsapp: str | None = None
    telegram: str | None = None

    def whatsapp_for(self, code: str | None = None) -> str | None:
        return whatsapp_link(self.whatsapp, code) if self.whatsapp else None

    def telegram_for(self, code: str | None = None) -> str | None:
        return telegram_link(self.telegram, code) if self.telegram else None

    def register_text(self, code: str | None = None) -> str:
        """What a WhatsApp user sends ("DAFTAR t12"), as the poster tells them."""
        opening = checked_code(code)
        return f"{REGISTER_WORD} {opening}" if opening else REGISTER_WORD
