"""Signed inbound webhook payloads in the exact shape Meta posts, so tests feed the bot what production does.

Shapes follow the v23.0 spec's webhook examples plus `contacts[].user_id` (BSUID, 2026), which pywa 4.5 needs.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
from typing import Any

DEFAULT_PHONE_NUMBER_ID = "1234567890"
DEFAULT_DISPLAY_PHONE_NUMBER = "6281100001111"
DEFAULT_WABA_ID = "102290129340398"
SIGNATURE_HEADER = "X-Hub-Signature-256"

_counter = itertools.count(1)

# Realistic failure details for `status_update(..., errors=status_error(code))`.
STATUS_ERRORS: dict[int, tuple[str, str]] = {
    131047: ("Re-engagement message",
             "Message failed to send because more than 24 hours have passed since the customer last "
             "replied to this number."),
    131026: ("Message undeliverable", "Message Undeliverable."),
    131049: ("This message was not delivered to maintain healthy ecosystem engagement.",
             "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."),
    131051: ("Message type unknown", "Message type is currently not supported."),
}

Payload = dict[str, Any]
PAUSED_FOR = "Your WhatsApp message template has been paused for 3 hours due to low quality."


def new_wamid() -> str:
    """A unique message id in the `wamid.` form the Cloud API uses."""
    return f"wamid.HBgM{next(_counter):08d}{secrets.token_hex(10).upper()}"


def bsuid_for(wa_id: str) -> str:
    """A stable business-scoped user id for `wa_id`, shaped like Meta's (`ID.123...`)."""
    country = "ID" if wa_id.startswith("62") else "US"
    return f"{country}.{int(hashlib.sha256(wa_id.encode()).hexdigest()[:12], 16):015d}"


def _now() -> str:
    return str(int(time.time()))


def signed_webhook(body: Payload, app_secret: str) -> tuple[bytes, dict[str, str]]:
    """Serialise `body` as Meta does and sign the raw bytes: `X-Hub-Signature-256: sha256=<hex>`."""
    raw = json.dumps(body, separators=(",", ":")).encode()  # ASCII-escaped, like Meta's payloads
    digest = hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"Content-Type": "application/json", SIGNATURE_HEADER: f"sha256={digest}"}


def envelope(
    value: Payload,
    *,
    field: str = "messages",
    phone_number_id: str = DEFAULT_PHONE_NUMBER_ID,
    display_phone_number: str = DEFAULT_DISPLAY_PHONE_NUMBER,
    waba_id: str = DEFAULT_WABA_ID,
) -> Payload:
    """Wrap a change value: object → entry[id=WABA] → changes[field] → value (+ metadata)."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": display_phone_number, "phone_number_id": phone_number_id},
        **value,
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": waba_id, "changes": [{"value": value, "field": field}]}],
    }


def inbound(
    wa_id: str,
    message_type: str,
    content: Any,
    *,
    msg_id: str | None = None,
    name: str = "Budi",
    context_id: str | None = None,
    timestamp: str | None = None,
    **envelope_kwargs: str,
) -> Payload:
    """One inbound user message of `message_type` with its `content` object."""
    message: Payload = {"from": wa_id, "id": msg_id or new_wamid(), "timestamp": timestamp or _now()}
    if context_id is not None:
        display = envelope_kwargs.get("display_phone_number", DEFAULT_DISPLAY_PHONE_NUMBER)
        message["context"] = {"from": display, "id": context_id}
    message |= {"type": message_type, message_type: content}
    contact = {"profile": {"name": name}, "wa_id": wa_id, "user_id": bsuid_for(wa_id)}
    value = {"contacts": [contact], "messages": [message]}
    return envelope(value, **envelope_kwargs)


def text_message(
    wa_id: str, text: str, msg_id: str | None = None, name: str = "Budi", **kwargs: Any
) -> Payload:
    """A user's text message."""
    return inbound(wa_id, "text", {"body": text}, msg_id=msg_id, name=name, **kwargs)


def button_reply(
    wa_id: str,
    id: str,  # noqa: A002 - the Cloud API's field name
    title: str,
    *,
    context_id: str | None = None,
    **kwargs: Any,
) -> Payload:
    """A tap on a reply button (`interactive.button_reply`), replying to `context_id`."""
    reply = {"type": "button_reply", "button_reply": {"id": id, "title": title}}
    return inbound(wa_id, "interactive", reply, context_id=context_id or new_wamid(), **kwargs)


def list_reply(
    wa_id: str,
    id: str,  # noqa: A002 - the Cloud API's field name
    title: str,
    description: str | None = None,
    *,
    context_id: str | None = None,
    **kwargs: Any,
) -> Payload:
    """A choice from a list message (`interactive.list_reply`), replying to `context_id`."""
    row = {"id": id, "title": title} | ({"description": description} if description is not None else {})
    reply = {"type": "list_reply", "list_reply": row}
    return inbound(wa_id, "interactive", reply, context_id=context_id or new_wamid(), **kwargs)


def image_message(
    wa_id: str,
    media_id: str = "1003383421387256",
    caption: str | None = None,
    mime_type: str = "image/jpeg",
    **kwargs: Any,
) -> Payload:
    """A photo; fetch it with GET /{media_id}."""
    image = {"mime_type": mime_type, "sha256": secrets.token_urlsafe(32), "id": media_id}
    if caption is not None:
        image["caption"] = caption
    return inbound(wa_id, "image", image, **kwargs)


def audio_message(
    wa_id: str,
    media_id: str = "1003383421387257",
    voice: bool = True,
    mime_type: str = "audio/ogg; codecs=opus",
    **kwargs: Any,
) -> Payload:
    """An audio clip; `voice=True` is a voice note recorded in WhatsApp."""
    audio = {"mime_type": mime_type, "sha256": secrets.token_urlsafe(32), "id": media_id, "voice": voice}
    return inbound(wa_id, "audio", audio, **kwargs)


def location_message(
    wa_id: str,
    latitude: float,
    longitude: float,
    *,
    name: str | None = None,
    address: str | None = None,
    url: str | None = None,
    **kwargs: Any,
) -> Payload:
    """A shared location (name/address/url are present only for named places)."""
    location: Payload = {"latitude": latitude, "longitude": longitude}
    location |= {k: v for k, v in (("name", name), ("address", address), ("url", url)) if v is not None}
    return inbound(wa_id, "location", location, **kwargs)


def reaction_message(wa_id: str, message_id: str, emoji: str, **kwargs: Any) -> Payload:
    """An emoji reaction to `message_id` (an empty emoji removes the reaction)."""
    return inbound(wa_id, "reaction", {"message_id": message_id, "emoji": emoji}, **kwargs)


def status_error(code: int, details: str | None = None) -> Payload:
    """One `errors[]` entry of a failed status, e.g. `status_error(131047)`."""
    title, default_details = STATUS_ERRORS.get(code, ("Unknown error", "Unknown error."))
    return {
        "code": code,
        "title": title,
        "message": title,
        "error_data": {"details": details or default_details},
        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
    }


def status_update(
    message_id: str,
    status: str,
    recipient_id: str,
    errors: list[Payload] | None = None,
    *,
    timestamp: str | None = None,
    category: str = "service",
    **envelope_kwargs: str,
) -> Payload:
    """A delivery status (sent, delivered, read, failed) for a message the bot sent.

    Failed statuses carry only `wa_id` in `contacts` and no `recipient_user_id`, as Meta sends them.
    """
    entry: Payload = {
        "id": message_id,
        "status": status,
        "timestamp": timestamp or _now(),
        "recipient_id": recipient_id,
    }
    contact = {"wa_id": recipient_id}
    if status != "failed":
        contact["user_id"] = entry["recipient_user_id"] = bsuid_for(recipient_id)
    if status in {"sent", "delivered"}:
        entry["conversation"] = {"id": secrets.token_hex(16), "origin": {"type": category}}
        entry["pricing"] = {"billable": category != "service", "pricing_model": "PMP", "category": category}
    if status == "failed":
        entry["errors"] = errors if errors is not None else [status_error(131026)]
    elif errors is not None:
        entry["errors"] = errors
    return envelope({"contacts": [contact], "statuses": [entry]}, **envelope_kwargs)


def _account_change(field: str, value: Payload, waba_id: str = DEFAULT_WABA_ID) -> Payload:
    """An account-level change: no `messaging_product` or `metadata`, the WABA's id and the time on the entry."""
    return {"object": "whatsapp_business_account",
            "entry": [{"id": waba_id, "time": int(time.time()), "changes": [{"value": value, "field": field}]}]}


def quality_update(event: str, current_limit: str, old_limit: str | None = None, *,
                   display_phone_number: str = DEFAULT_DISPLAY_PHONE_NUMBER) -> Payload:
    """`phone_number_quality_update`: the number's messaging limit or quality changed (`DOWNGRADE`, `UPGRADE`,
    `FLAGGED`, `UNFLAGGED`, `ONBOARDING`, `THROUGHPUT_UPGRADE`); `old_limit` comes with limit changes only."""
    value: Payload = {"display_phone_number": display_phone_number, "event": event, "current_limit": current_limit}
    if old_limit is not None:
        value["old_limit"] = old_limit
    return _account_change("phone_number_quality_update", value)


def account_update(event: str, *, restriction_type: str | None = None, violation_type: str | None = None,
                   phone_number: str = DEFAULT_DISPLAY_PHONE_NUMBER) -> Payload:
    """`account_update`: a change to the business account (`ACCOUNT_VIOLATION`, `ACCOUNT_RESTRICTION`,
    `DISABLED_UPDATE`, `VERIFIED_ACCOUNT`, ...), with its restriction or violation when there is one."""
    value: Payload = {"phone_number": phone_number, "event": event}
    if restriction_type is not None:
        value["restriction_info"] = [{"restriction_type": restriction_type,
                                      "expiration": int(time.time()) + 86400}]
    if violation_type is not None:
        value["violation_info"] = {"violation_type": violation_type}
    return _account_change("account_update", value)


def template_status_update(
    name: str, language: str, event: str, *, template_id: str, reason: str = "NONE",
    category: str = "UTILITY", waba_id: str = DEFAULT_WABA_ID,
) -> Payload:
    """Meta's `message_template_status_update` webhook: a template's review decided or its state changed. Its
    value has no metadata (it is about the business account, not a number) and the entry carries `time`."""
    value: Payload = {"event": event, "message_template_id": int(template_id), "message_template_name": name,
                      "message_template_language": language, "message_template_category": category,
                      "reason": reason}
    if event == "DISABLED":
        value["disable_info"] = {"disable_date": int(time.time())}
    if event == "PAUSED":
        value["other_info"] = {"title": "FIRST_PAUSE", "description": PAUSED_FOR}
    return {"object": "whatsapp_business_account",
            "entry": [{"id": waba_id, "time": int(time.time()),
                       "changes": [{"value": value, "field": "message_template_status_update"}]}]}
