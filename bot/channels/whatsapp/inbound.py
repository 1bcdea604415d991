"""Turns a WhatsApp webhook payload into channel-neutral `Incoming` messages and delivery status records.

Users are addressed by their WhatsApp id (`wa_id`), which is their phone number in international form without
"+": that is `Incoming.external_id`. The wamid of each message is its event id, so a redelivered webhook is
dropped by the dispatcher. Taps on a list's "more" row never reach the handlers: they are `PageTap`s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.channels.registry import WHATSAPP as CHANNEL
from bot.channels.whatsapp.render import CONTACT_ID, MoreRequest, parse_more_row_id
from bot.engine.messages import Incoming, IncomingKind


@dataclass(frozen=True, slots=True)
class StatusError:
    code: int | None
    title: str
    details: str


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """What WhatsApp says became of a message the bot sent (`sent`, `delivered`, `read` or `failed`)."""

    message_id: str
    status: str
    recipient: str
    at: datetime | None
    errors: tuple[StatusError, ...] = ()


@dataclass(frozen=True, slots=True)
class PageTap:
    """A tap on a list's "more" row: the adapter shows the next page itself."""

    address: str
    request: MoreRequest
    event_id: str


@dataclass(frozen=True, slots=True)
class MediaRef:
    """A file a user sent, still on WhatsApp's servers: fetched by the channel before the message is handled."""

    media_id: str
    filename: str
    mime_type: str


@dataclass(slots=True)
class WebhookBatch:
    """One POST's content; a DOCUMENT message's file (a document or a photo; its caption is the message's text)
    is in `media` under the message's event id."""

    messages: list[Incoming] = field(default_factory=list)
    statuses: list[DeliveryStatus] = field(default_factory=list)
    page_taps: list[PageTap] = field(default_factory=list)
    media: dict[str, MediaRef] = field(default_factory=dict)


def parse_webhook(payload: Any, phone_number_id: str | None = None) -> WebhookBatch:
    """Everything in one webhook POST for our number; malformed parts are skipped, never raised on."""
    batch = WebhookBatch()
    if not isinstance(payload, Mapping) or payload.get("object") != "whatsapp_business_account":
        return batch
    for entry in _dicts(payload.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, Mapping):
                continue
            metadata = value.get("metadata")
            number = metadata.get("phone_number_id") if isinstance(metadata, Mapping) else None
            if phone_number_id is not None and number != phone_number_id:
                continue  # a webhook for another number of the same business account
            for message in _dicts(value.get("messages")):
                _add_message(batch, message)
            batch.statuses += [s for s in map(_status, _dicts(value.get("statuses"))) if s is not None]
    return batch


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _text(value: Any, key: str) -> str:
    found = value.get(key) if isinstance(value, Mapping) else None
    return found if isinstance(found, str) else ""


def _timestamp(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _add_message(batch: WebhookBatch, message: Mapping[str, Any]) -> None:
    sender, wamid, kind = _text(message, "from"), _text(message, "id"), _text(message, "type")
    if not sender or not wamid:
        return
    common: dict[str, Any] = {"channel": CHANNEL, "external_id": sender, "event_id": wamid,
                              "received_at": _timestamp(message.get("timestamp"))}
    if kind == "text":
        batch.messages.append(Incoming(text=_text(message.get("text"), "body"), **common))
    elif kind == "interactive":
        interactive = message.get("interactive")
        reply = _text(interactive, "type")
        chosen = _text(interactive.get(reply) if isinstance(interactive, Mapping) else None, "id")
        more = parse_more_row_id(chosen)
        if reply not in ("button_reply", "list_reply") or not chosen:
            batch.messages.append(Incoming(kind=IncomingKind.UNSUPPORTED, **common))
        elif more is not None:
            batch.page_taps.append(PageTap(sender, more, wamid))
        elif chosen == CONTACT_ID:
            batch.messages.append(Incoming(kind=IncomingKind.CONTACT, contact_phone=f"+{sender}", **common))
        else:
            batch.messages.append(Incoming(kind=IncomingKind.OPTION, option=chosen, **common))
    elif kind == "button":  # a quick-reply button of a template: its text is what the user means
        batch.messages.append(Incoming(text=_text(message.get("button"), "text"), **common))
    elif kind == "contacts" and (phone := _shared_phone(message.get("contacts"))):
        batch.messages.append(Incoming(kind=IncomingKind.CONTACT, contact_phone=phone, **common))
    elif kind in ("document", "image") and (media_id := _text(message.get(kind), "id")):
        media = message.get(kind)
        name = _text(media, "filename") or (f"photo-{media_id}.jpg" if kind == "image" else "document")
        batch.media[wamid] = MediaRef(media_id, name, _text(media, "mime_type"))
        batch.messages.append(Incoming(kind=IncomingKind.DOCUMENT, text=_text(media, "caption"), **common))
    else:  # voice notes, videos, locations, reactions, stickers ...
        batch.messages.append(Incoming(kind=IncomingKind.UNSUPPORTED, **common))


def _shared_phone(contacts: Any) -> str:
    """The first phone number of a shared contact card, preferring its WhatsApp id."""
    for contact in _dicts(contacts):
        for phone in _dicts(contact.get("phones")):
            if wa_id := _text(phone, "wa_id"):
                return f"+{wa_id.lstrip('+')}"
            if number := _text(phone, "phone"):
                return number
    return ""


def _status(status: Mapping[str, Any]) -> DeliveryStatus | None:
    message_id, state = _text(status, "id"), _text(status, "status")
    if not message_id or not state:
        return None
    errors = tuple(
        StatusError(
            code=error.get("code") if isinstance(error.get("code"), int) else None,
            title=_text(error, "title") or _text(error, "message"),
            details=_text(error.get("error_data"), "details"),
        )
        for error in _dicts(status.get("errors"))
    )
    return DeliveryStatus(message_id, state, _text(status, "recipient_id"), _timestamp(status.get("timestamp")),
                          errors)
