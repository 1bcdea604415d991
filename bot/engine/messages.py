"""The one message model every channel speaks: `Incoming` from users, `Outgoing` to them.

Handlers build `Outgoing` from `Msg` values (a gettext message id plus the values to put in after
translation); the dispatcher renders them into a `Reply` in the user's language, which is what the outbox
stores and what channel adapters turn into keyboards, buttons or numbered lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, slots=True)
class Msg:
    """A sentence to translate, with the values to format into it after translation."""

    msgid: str
    values: Mapping[str, Any] = field(default_factory=dict)
    plural: str | None = None
    count: int | None = None

    def format(self, **values: Any) -> Msg:
        return Msg(self.msgid, {**self.values, **values}, self.plural, self.count)


class Items(tuple[Any, ...]):
    """Several translatable values shown as one, joined by commas (a user's chosen skills, say)."""


@dataclass(frozen=True, slots=True)
class Rupiah:
    """An amount of money in whole Rupiah, written "Rp3.500.000" in every language."""

    amount: int


@dataclass(frozen=True, slots=True)
class MonthName:
    """A month (1-12), written out in the reader's language: "Februari", "February"."""

    number: int


@dataclass(frozen=True, slots=True)
class Weekday:
    """A day of the week (`date.weekday()`, 0 is Monday), written out in the reader's language: "Senin"."""

    number: int


@dataclass(frozen=True, slots=True)
class ClockTime:
    """A time of day on the 24-hour clock as the reader writes it: "08.00" in Indonesian, "08:00" in English."""

    hour: int
    minute: int = 0


def one_line(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis: a glimpse of something longer in a list."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _(msgid: str) -> Msg:
    """Mark a sentence for translation; it is translated when the reply is rendered for its reader."""
    return Msg(msgid)


def ngettext(singular: str, plural: str, count: int) -> Msg:
    """A sentence whose form depends on `count`; `{count}` is available inside it."""
    return Msg(singular, {"count": count}, plural, count)


class Nav(StrEnum):
    """Navigation offered beside the options of a question."""

    BACK = "nav:back"
    CANCEL = "nav:cancel"
    MENU = "nav:menu"


class Purpose(StrEnum):
    """Why the bot writes first. WhatsApp needs an approved template per purpose (and language) to reach a user
    whose 24-hour window has closed; replies to what a user just wrote carry none."""

    NOTIFICATION = "notification"
    STATUS_CHANGE = "status_change"
    CHECK_IN = "check_in"
    REMINDER = "reminder"
    BROADCAST = "broadcast"
    OPENING_ALERT = "opening_alert"
    TICKET_REPLY = "ticket_reply"
    """A staff answer to a user's question; outside the window only its announcement goes, as the template's
    parameter ("Staff have answered your question #12: reply to read it"), and the answer follows their reply."""


@dataclass(frozen=True, slots=True)
class Option:
    """A choice offered to the user. `label` is a `Msg`, or a plain `str` only for proper nouns."""

    id: str
    label: Msg | str


PNG = "image/png"
PLAIN_TEXT = "text/plain"


@dataclass(frozen=True, slots=True)
class Image:
    """A file sent with a message, the message's text as its caption: a picture shown as one (the placement
    chart), or any other file, sent as a document to keep (a person's data export, `media_type` text/plain).

    The file itself is a stored file (`models.files`), named here by id, so the outbox row stays small and
    any worker can still send it. `content` travels along in the process that stored it; the sender loads it
    from the database otherwise.
    """

    file_id: int
    name: str
    media_type: str = PNG
    content: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def data(self) -> bytes:
        """The bytes to upload; the sender (`bot.engine.delivery`) loads them before a channel is asked to send."""
        if self.content is None:
            raise ValueError(f"the content of stored file {self.file_id} was not loaded before sending")
        return self.content

    @property
    def is_picture(self) -> bool:
        """Shown as a picture; anything else goes as a document with its file name."""
        return self.media_type.startswith("image/")

    def to_json(self) -> dict[str, Any]:
        return {"file_id": self.file_id, "name": self.name, "media_type": self.media_type}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Image:
        return cls(int(data["file_id"]), data["name"], data.get("media_type", PNG))


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to a user, before translation."""

    text: tuple[Msg | str, ...]
    options: tuple[Option, ...] = ()
    nav: tuple[Nav, ...] = ()
    request_contact: bool = False
    prompt_seq: int | None = None
    purpose: Purpose | None = None
    image: Image | None = None
    """A picture with the text as its caption; such a message offers no options (WhatsApp images cannot)."""
    sensitive: bool = False
    """It shows what is otherwise kept encrypted (a full NIK): its text is wiped from the outbox when its delivery
    (or its failure for good) is recorded."""
    several: bool = False
    """The reader may choose several of the options: a typed list (`1, 3, 5`) adds them all and `hapus 3` takes
    one off, besides tapping them one at a time."""

    def __post_init__(self) -> None:
        if self.image is not None and (self.options or self.nav or self.request_contact):
            raise ValueError("a message with an image cannot also offer options")


def say(
    *parts: Msg | str, options: tuple[Option, ...] = (), nav: tuple[Nav, ...] = (), purpose: Purpose | None = None,
    sensitive: bool = False, several: bool = False,
) -> Outgoing:
    return Outgoing(text=parts, options=options, nav=nav, purpose=purpose, sensitive=sensitive, several=several)


def with_purpose(message: Outgoing, purpose: Purpose) -> Outgoing:
    """`message` as the bot sends it unasked, for `purpose`, unless it already names its own."""
    return message if message.purpose is not None else replace(message, purpose=purpose)


class IncomingKind(StrEnum):
    TEXT = "text"
    OPTION = "option"
    CONTACT = "contact"
    DOCUMENT = "document"
    UNSUPPORTED = "unsupported"


MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
"""Files larger than this are not fetched by the channels: a spreadsheet of openings or a phone's photo of a
letter is far smaller."""


@dataclass(frozen=True, slots=True)
class Document:
    """A file the user sent (a document or a photo), fetched by the channel adapter: its name (for the format),
    its bytes and the media type the platform gave (empty when it gave none). A caption comes as the `Incoming`'s
    text."""

    name: str
    content: bytes = field(repr=False)
    media_type: str = ""


@dataclass(frozen=True, slots=True)
class Incoming:
    """What a user sent, whatever the channel: typed text, a chosen option, a shared contact, a file."""

    channel: str
    external_id: str
    kind: IncomingKind = IncomingKind.TEXT
    text: str = ""
    option: str = ""
    contact_phone: str = ""
    document: Document | None = None
    event_id: str | None = None
    locale_hint: str | None = None
    received_at: datetime | None = None
    source_message: str | None = None
    """The platform id of the bot message whose option was chosen, when the platform says (Telegram does)."""

    @property
    def user_key(self) -> str:
        return f"{self.channel}:{self.external_id}"


@dataclass(frozen=True, slots=True)
class RenderedOption:
    """An option in the reader's language; `token` is what comes back when it is chosen."""

    token: str
    label: str


@dataclass(frozen=True, slots=True)
class Reply:
    """A rendered message: plain strings only, ready for any channel and for the outbox."""

    text: str
    options: tuple[RenderedOption, ...] = ()
    nav: tuple[RenderedOption, ...] = ()
    contact_label: str | None = None
    replaces: str | None = None
    """The platform id of an earlier message this one replaces in place (the next page of a list), if any."""
    purpose: str | None = None
    """Why the bot wrote it first (a `Purpose`), for messages nobody asked for; None for replies."""
    image: Image | None = None
    sensitive: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": self.text,
            "options": [[o.token, o.label] for o in self.options],
            "nav": [[o.token, o.label] for o in self.nav],
            "contact_label": self.contact_label,
        }
        if self.replaces is not None:
            data["replaces"] = self.replaces
        if self.purpose is not None:
            data["purpose"] = self.purpose
        if self.image is not None:
            data["image"] = self.image.to_json()
        if self.sensitive:
            data["sensitive"] = True
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Reply:
        return cls(
            text=data["text"],
            options=tuple(RenderedOption(t, label) for t, label in data.get("options", [])),
            nav=tuple(RenderedOption(t, label) for t, label in data.get("nav", [])),
            contact_label=data.get("contact_label"),
            replaces=data.get("replaces"),
            purpose=data.get("purpose"),
            image=Image.from_json(data["image"]) if data.get("image") else None,
            sensitive=bool(data.get("sensitive")),
        )


MAX_ID = 2**31 - 1
"""The largest row id both databases hold in an INTEGER column (PostgreSQL's are 32-bit)."""


def parse_id(text: str) -> int | None:
    """A number a client sent back (in a button's id, a list row, a ticket number), parsed in one place: whoever
    holds a client can type anything there, so only ASCII digits (no sign, space or other script's digits) up to
    MAX_ID are a number; anything else is None, never an `int()` that raises or a value the database cannot
    hold."""
    if not (0 < len(text) <= len(str(MAX_ID)) and text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


_DIGIT_RUNS = re.compile(r"[0-9]+")
STALE_BUTTON_TOKEN = "\x00stale"
"""What a channel hands on for a button it knows is stale (a "more" row of an older WhatsApp list): no option
is ever called this (`is_option_token` refuses it), so the router answers it as every stale button."""
OPTION_TOKEN_SEPARATOR = "|"
MAX_OPTION_TOKEN = 200
"""No token the bot makes is longer (a WhatsApp list row's id may hold 200 characters, Telegram's callback data
64 bytes)."""


def option_token(prompt_seq: int | None, option_id: str) -> str:
    """The token a channel sends back for an option; it carries the question it belongs to."""
    return option_id if prompt_seq is None else f"{prompt_seq}{OPTION_TOKEN_SEPARATOR}{option_id}"


def split_option_token(token: str) -> tuple[int | None, str]:
    seq, sep, option_id = token.partition(OPTION_TOKEN_SEPARATOR)
    if sep and (number := parse_id(seq)) is not None:
        return number, option_id
    return None, token


def is_option_token(token: str) -> bool:
    """Whether `token` could be one the bot made: short printable ASCII whose numbers are all ids `parse_id`
    takes. A client may send anything back (a 20-digit id, a 5,000-digit one, Arabic-Indic digits)."""
    if not (0 < len(token) <= MAX_OPTION_TOKEN and token.isascii() and token.isprintable()):
        return False
    return all(parse_id(number) is not None for number in _DIGIT_RUNS.findall(token))
