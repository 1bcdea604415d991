"""How a `Reply` looks on Telegram: HTML-escaped text cut to the 4096-character limit, inline keyboards whose
callback_data fits in 64 bytes, and the contact-request keyboard for the phone question.

Pure functions only, so the limits Telegram enforces can be checked with hypothesis without a server.
"""

from __future__ import annotations

import base64
import hashlib
import html
from dataclasses import dataclass

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.engine.messages import Reply

PARSE_MODE = "HTML"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
DIGEST_MARK = "~"
"""callback_data starting with this is the digest of a token too long to send whole (see `callback_data_for`)."""

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup


@dataclass(frozen=True, slots=True)
class Chunk:
    """One sendMessage: text already escaped for PARSE_MODE, and the keyboard (on the last chunk only)."""

    text: str
    markup: Markup | None = None


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut `text` into parts of at most `limit` UTF-16 units (Telegram's "characters"), at a line break if one is
    in the second half of the part, else at a space, else anywhere. Parts empty after stripping are dropped,
    as Telegram refuses blank messages."""
    parts: list[str] = []
    rest = text.strip()
    while utf16_length(rest) > limit:
        cut = _cut(rest, limit)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].strip()
    parts.append(rest)
    return [part for part in parts if part] or ["…"]


def _cut(text: str, limit: int) -> int:
    head = _prefix_within(text, limit)
    return _boundary(head, "\n") or _boundary(head, " ") or len(head)


def split_caption(text: str) -> tuple[str, list[str]]:
    """A photo's caption (at most MAX_CAPTION, cut as `split_text` cuts) and what did not fit in it, as the text
    messages that follow the photo. Both are plain text, to escape."""
    rest = text.strip()
    if utf16_length(rest) <= MAX_CAPTION:
        return rest, []
    cut = _cut(rest, MAX_CAPTION)
    return rest[:cut].rstrip(), split_text(rest[cut:], MAX_TEXT)


def _prefix_within(text: str, limit: int) -> str:
    """The longest prefix of `text` that is at most `limit` UTF-16 units (never half a surrogate pair)."""
    count = 0
    for index, character in enumerate(text):
        count += 2 if ord(character) > 0xFFFF else 1
        if count > limit:
            return text[:index]
    return text


def _boundary(head: str, separator: str) -> int:
    position = head.rfind(separator)
    return position if position > len(head) // 2 else 0


def escape(text: str) -> str:
    """Plain text made safe for HTML parse mode: handler text and user input are never markup."""
    return html.escape(text, quote=False)


def callback_data_for(token: str) -> str:
    """The option token itself when it fits Telegram's 64 bytes (always, for today's ids); otherwise a digest,
    which the adapter maps back to the token through the outbox row that offered it."""
    if len(token.encode("utf-8")) <= MAX_CALLBACK_DATA and not token.startswith(DIGEST_MARK):
        return token
    return token_digest(token)


def token_digest(token: str) -> str:
    digest = hashlib.blake2b(token.encode("utf-8"), digest_size=30).digest()
    return DIGEST_MARK + base64.urlsafe_b64encode(digest).decode("ascii")


def inline_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """One option per row (labels are sentences), navigation together on the last row."""
    rows = [[InlineKeyboardButton(text=o.label, callback_data=callback_data_for(o.token))] for o in reply.options]
    if reply.nav:
        rows.append([InlineKeyboardButton(text=o.label, callback_data=callback_data_for(o.token))
                     for o in reply.nav])
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def contact_keyboard(reply: Reply) -> ReplyKeyboardMarkup:
    """The phone question: a button that shares the user's own number, plus the other answers as typed text
    (a message carries one keyboard; typing the number instead still works)."""
    assert reply.contact_label is not None
    rows = [[KeyboardButton(text=reply.contact_label, request_contact=True)]]
    rows += [[KeyboardButton(text=o.label)] for o in reply.options]
    if reply.nav:
        rows.append([KeyboardButton(text=o.label) for o in reply.nav])
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, one_time_keyboard=True)


def chunks_of(reply: Reply) -> list[Chunk]:
    parts = [escape(part) for part in split_text(reply.text)]
    markup: Markup | None = contact_keyboard(reply) if reply.contact_label else inline_keyboard(reply)
    return [Chunk(part) for part in parts[:-1]] + [Chunk(parts[-1], markup)]
