"""Turns a `Reply` into WhatsApp Cloud API message bodies: text, reply buttons, a list paged by a "more" row, or
an uploaded picture with its caption.

WhatsApp's limits decide the shape (3 buttons of 20 characters, 10 list rows of 24, bodies of 1,024 inside an
interactive message and 4,096 in a text), so long texts are split on line or word boundaries and long option
lists are cut into pages. The page to show next travels in the "more" row's id, so paging keeps no state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.engine.messages import Reply, parse_id

TEXT_MAX = 4096
INTERACTIVE_BODY_MAX = 1024
BUTTONS_MAX, BUTTON_TITLE_MAX, BUTTON_ID_MAX = 3, 20, 256
ROWS_MAX, ROW_TITLE_MAX, ROW_DESCRIPTION_MAX, ROW_ID_MAX = 10, 24, 72, 200
LIST_BUTTON_MAX = 20
TEMPLATE_TEXT_MAX = 1024
IMAGE_CAPTION_MAX = 1024

RESERVED_PREFIX = "wa:"  # ids the adapter answers itself; handlers' tokens never start so
CONTACT_ID = "wa:contact"
"""The id of the button that answers a phone-number question with the sender's own WhatsApp number."""
MORE_PREFIX = "wa:more:"
EMPTY_BODY = "…"  # WhatsApp refuses an empty body; a question without words still needs its options shown
ELLIPSIS = "…"
FIXED_ROWS_MAX = 6  # rows repeated on every page (contact, navigation); more would leave no room for options


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One message to send: its `type` and the object under that type, as `POST /{phone-id}/messages` takes."""

    type: str
    content: dict[str, Any]

    def body(self, to: str) -> dict[str, Any]:
        return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": self.type,
                self.type: self.content}


@dataclass(frozen=True, slots=True)
class MoreRequest:
    """A tap on a list's "more" row: show `page` of the reply whose first option there is `first_token`."""

    page: int
    first_token: str


@dataclass(frozen=True, slots=True)
class _Choice:
    id: str
    label: str
    number: int | None = None  # options are numbered, as a user may type the number instead of tapping


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut after a line break if possible, else after a space."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = _cut(rest, limit)
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    return [piece.strip() for piece in pieces if piece.strip()]


def _cut(text: str, limit: int) -> int:
    window = text[:limit]
    return window.rfind("\n") + 1 or window.rfind(" ") + 1 or limit


def media_messages(media_id: str, text: str, *, document_name: str | None = None) -> list[OutboundMessage]:
    """A picture (or, with `document_name`, a document) uploaded as `media_id` with the text as its caption;
    what does not fit the caption follows as text messages."""
    rest = text.strip()
    cut = len(rest) if len(rest) <= IMAGE_CAPTION_MAX else _cut(rest, IMAGE_CAPTION_MAX)
    caption = rest[:cut].strip()
    media = {"id": media_id} | ({"caption": caption} if caption else {})
    if document_name is not None:
        media["filename"] = document_name
    kind = "image" if document_name is None else "document"
    return [OutboundMessage(kind, media), *(_text(part) for part in split_text(rest[cut:], TEXT_MAX))]


def _split_for_interactive(text: str) -> tuple[list[str], str]:
    """Leading text messages and the last piece, short enough for an interactive body."""
    if len(text) <= INTERACTIVE_BODY_MAX:
        return [], text.strip() or EMPTY_BODY
    tail = text[-INTERACTIVE_BODY_MAX:]
    start = tail.find("\n") + 1 or tail.find(" ") + 1
    cut = len(text) - INTERACTIVE_BODY_MAX + start
    body = text[cut:].strip()
    return split_text(text[:cut], TEXT_MAX), body or EMPTY_BODY


def shorten(label: str, limit: int) -> str:
    """`label` on one line in at most `limit` characters, cut at a word when one ends late enough."""
    flat = re.sub(r"\s+", " ", label).strip()
    if len(flat) <= limit:
        return flat
    room = flat[: limit - 1]
    space = room.rfind(" ")
    return (room[:space] if space >= limit // 2 else room).rstrip() + ELLIPSIS


@dataclass(frozen=True, slots=True)
class _Choices:
    contact: list[_Choice]
    options: list[_Choice]
    nav: list[_Choice]

    @property
    def all(self) -> list[_Choice]:
        return [*self.contact, *self.options, *self.nav]

    @property
    def fixed_count(self) -> int:
        """Rows shown on every page of a list: the contact button and the navigation."""
        return len(self.contact) + len(self.nav)


def _choices(reply: Reply) -> _Choices:
    return _Choices(
        contact=[_Choice(CONTACT_ID, reply.contact_label)] if reply.contact_label else [],
        options=[_Choice(o.token, o.label, number) for number, o in enumerate(reply.options, start=1)],
        nav=[_Choice(n.token, n.label) for n in reply.nav],
    )


def _interactive_possible(choices: _Choices) -> bool:
    """Whether every choice can come back by its id: unique, short enough, and not one of the adapter's own."""
    ids = [c.id for c in choices.all]
    own = [c.id for c in (*choices.options, *choices.nav) if c.id.startswith(RESERVED_PREFIX)]
    return (len(set(ids)) == len(ids) and all(0 < len(i) <= ROW_ID_MAX for i in ids) and not own
            and choices.fixed_count <= FIXED_ROWS_MAX)


def render_reply(reply: Reply, page: int = 0) -> list[OutboundMessage]:
    """The messages that show `reply` (its `page` of options, when a "more" row was tapped)."""
    choices = _choices(reply)
    if not choices.all:
        return [_text(piece) for piece in split_text(reply.text, TEXT_MAX)]
    if not _interactive_possible(choices):
        return [_text(piece) for piece in split_text(_numbered_text(reply.text, choices.all), TEXT_MAX)]
    leading, body = _split_for_interactive(reply.text)
    buttons = _buttons(choices.all)
    if buttons is not None:
        return [*(_text(piece) for piece in leading), _interactive("button", body, {"buttons": buttons})]
    if page > 0:
        leading = []  # the text was shown with the first page; later pages repeat only the question
    return [*(_text(piece) for piece in leading), _interactive("list", body, _list_page(choices, page))]


def _text(body: str) -> OutboundMessage:
    return OutboundMessage("text", {"body": body, "preview_url": False})


def _interactive(kind: str, body: str, action: dict[str, Any]) -> OutboundMessage:
    return OutboundMessage("interactive", {"type": kind, "body": {"text": body}, "action": action})


def _numbered_text(text: str, choices: list[_Choice]) -> str:
    lines = [text] + [f"{c.number}. {shorten(c.label, 200)}" for c in choices if c.number is not None]
    return "\n".join(line for line in lines if line) or EMPTY_BODY


def _buttons(choices: list[_Choice]) -> list[dict[str, Any]] | None:
    """Reply buttons when every choice fits one (labels whole, except the contact button's own label)."""
    if len(choices) > BUTTONS_MAX:
        return None
    titles = [shorten(c.label, BUTTON_TITLE_MAX) if c.id == CONTACT_ID else re.sub(r"\s+", " ", c.label).strip()
              for c in choices]
    if any(not t or len(t) > BUTTON_TITLE_MAX for t in titles) or len(set(titles)) != len(titles):
        return None
    return [{"type": "reply", "reply": {"id": c.id, "title": t}} for c, t in zip(choices, titles, strict=True)]


def _row(choice: _Choice) -> dict[str, Any]:
    label = re.sub(r"\s+", " ", choice.label).strip()
    title = f"{choice.number}. {label}" if choice.number is not None else label
    row: dict[str, Any] = {"id": choice.id, "title": shorten(title, ROW_TITLE_MAX) or EMPTY_BODY}
    if len(title) > ROW_TITLE_MAX:
        row["description"] = shorten(label, ROW_DESCRIPTION_MAX)
    return row


def options_per_page(option_count: int, fixed_count: int) -> int:
    """How many options one list page holds beside the fixed rows (and a "more" row, when one is needed)."""
    room = ROWS_MAX - fixed_count
    return room if option_count <= room else room - 1


def _list_page(choices: _Choices, page: int) -> dict[str, Any]:
    options = choices.options
    size = options_per_page(len(options), choices.fixed_count)
    last_page = max(0, (len(options) - 1) // size)
    page = min(max(page, 0), last_page)
    shown = options[page * size:(page + 1) * size]
    rows = [_row(c) for c in (*choices.contact, *shown)]
    if page < last_page:
        following = options[(page + 1) * size:(page + 2) * size]
        more_id = more_row_id(page + 1, following[0].id)
        rows.append({"id": more_id, "title": f"▸ {following[0].number}–{following[-1].number}"})
    rows += [_row(c) for c in choices.nav]
    button = f"☰ {shown[0].number}–{shown[-1].number}" if shown else "☰"
    return {"button": button, "sections": [{"rows": rows}]}


def more_row_id(page: int, first_token: str) -> str:
    row_id = f"{MORE_PREFIX}{page}:{first_token}"
    return row_id if len(row_id) <= ROW_ID_MAX else f"{MORE_PREFIX}{page}:"


def parse_more_row_id(row_id: str) -> MoreRequest | None:
    if not row_id.startswith(MORE_PREFIX):
        return None
    page, _sep, token = row_id.removeprefix(MORE_PREFIX).partition(":")
    number = parse_id(page)
    return MoreRequest(number, token) if number is not None else None


def page_of(reply: Reply, request: MoreRequest) -> int | None:
    """The page a "more" tap asks for, if `reply` is still the list it was tapped in (else None: stale)."""
    choices = _choices(reply)
    options = choices.options
    size = options_per_page(len(options), choices.fixed_count)
    index = request.page * size
    if request.page < 1 or index >= len(options):
        return None
    if request.first_token and options[index].id != request.first_token:
        return None
    return request.page


def template_message(name: str, language_code: str, text: str) -> OutboundMessage:
    """An approved template whose body has one text parameter, `{{1}}`, that carries the message itself."""
    flat = shorten(text, TEMPLATE_TEXT_MAX) or EMPTY_BODY  # parameters may not hold line breaks or tabs
    return OutboundMessage("template", {
        "name": name,
        "language": {"policy": "deterministic", "code": language_code},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": flat}]}],
    })
