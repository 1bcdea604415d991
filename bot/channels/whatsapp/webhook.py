"""The WhatsApp webhook: Meta's GET verification, the signature over the raw body, and a router to mount.

The signature (`X-Hub-Signature-256`, HMAC-SHA256 of the exact bytes with the app secret) is checked before
anything is parsed; a body without a valid one is refused and nothing in it is processed. Meta redelivers
what it could not deliver, so a message id seen before is dropped by the dispatcher, not here.

Meta is answered 200 once the messages are handled and their replies committed; the replies (and the next
page of a list) are sent after the answer, so a slow Graph API never holds Meta's request until it retries.
A crash before they are sent leaves them in the outbox, for the sweep.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial

from fastapi import APIRouter, BackgroundTasks, Request, Response

from bot.channels.base import NumberEvent, SendReplies, TemplateReport, json_of
from bot.channels.whatsapp.account_events import number_events
from bot.channels.whatsapp.inbound import DeliveryStatus, MediaRef, PageTap, parse_webhook
from bot.channels.whatsapp.template_events import template_events
from bot.engine.messages import Document, Incoming, IncomingKind

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
SIGNATURE_PREFIX = "sha256="
WEBHOOK_PATH = "/webhooks/whatsapp"


def verify_subscription(mode: str | None, token: str | None, challenge: str | None, verify_token: str) -> str | None:
    """The challenge to echo when Meta subscribes with our verify token; None (refuse) otherwise."""
    if mode != "subscribe" or token is None or challenge is None or not verify_token:
        return None
    return challenge if hmac.compare_digest(token.encode(), verify_token.encode()) else None


def signature_is_valid(raw_body: bytes, header: str | None, app_secret: str) -> bool:
    """Whether `header` is `sha256=<hex HMAC of raw_body with app_secret>`."""
    if not header or not header.startswith(SIGNATURE_PREFIX) or not app_secret:
        return False
    expected = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.removeprefix(SIGNATURE_PREFIX).strip().lower(), expected)


def whatsapp_webhook_router(
    *,
    verify_token: str,
    app_secret: str,
    phone_number_id: str | None,
    accept: Callable[[Incoming], Awaitable[SendReplies]],
    on_status: Callable[[DeliveryStatus], Awaitable[None]],
    on_page_tap: Callable[[PageTap], Awaitable[None]] | None = None,
    fetch_document: Callable[[MediaRef], Awaitable[Document | None]] | None = None,
    on_number_event: Callable[[NumberEvent], Awaitable[None]] | None = None,
    on_template_status: Callable[[TemplateReport], Awaitable[None]] | None = None,
    business_account_id: str | None = None,
    path: str = WEBHOOK_PATH,
) -> APIRouter:
    """Routes for Meta's calls: GET `path` (subscription check) and POST `path` (messages and statuses).

    `accept` handles a message and commits its replies (`EnginePort.accept`); `on_status` records a delivery
    status against the outbox row; `on_page_tap` shows the next page of a list (`WhatsAppChannel.show_page`);
    `fetch_document` downloads a file a user sent (`WhatsAppChannel.fetch_document`; without it, or when the
    download fails, a file is an unsupported message). Messages of one POST are handled in order.
    `on_number_event` keeps Meta's reports on the number itself (tier, quality, restrictions).
    `on_template_status` records a template's new review state (`template_events`).
    """
    router = APIRouter()

    @router.get(path)
    async def verify(request: Request) -> Response:
        params = request.query_params
        challenge = verify_subscription(params.get("hub.mode"), params.get("hub.verify_token"),
                                        params.get("hub.challenge"), verify_token)
        if challenge is None:
            return Response(status_code=403)
        return Response(challenge, media_type="text/plain")

    @router.post(path)
    async def receive(request: Request, background: BackgroundTasks) -> Response:
        raw = await request.body()
        if not signature_is_valid(raw, request.headers.get(SIGNATURE_HEADER), app_secret):
            log.warning("refused a WhatsApp webhook without a valid signature")
            return Response(status_code=401)
        try:
            payload = json_of(raw)
        except ValueError:
            return Response(status_code=400)
        batch = parse_webhook(payload, phone_number_id)
        replies = [await accept(await _with_document(incoming, batch.media, fetch_document))
                   for incoming in batch.messages]
        for status in batch.statuses:
            await on_status(status)
        if on_number_event is not None:
            for event in number_events(payload):
                await on_number_event(event)
        if on_template_status is not None:
            for report in template_events(payload, business_account_id):
                await on_template_status(report)
        taps = [partial(on_page_tap, tap) for tap in batch.page_taps] if on_page_tap is not None else []
        background.add_task(_send_after_answering, [*replies, *taps])
        return Response(status_code=200)

    return router


async def _send_after_answering(sends: list[Callable[[], Awaitable[None]]]) -> None:
    """After Meta has its 200: what cannot be sent now stays in the outbox for the sweep."""
    for send in sends:
        try:
            await send()
        except Exception:
            log.exception("sending WhatsApp replies failed; the outbox sweep will retry")


async def _with_document(
    incoming: Incoming,
    media: dict[str, MediaRef],
    fetch: Callable[[MediaRef], Awaitable[Document | None]] | None,
) -> Incoming:
    if incoming.kind is not IncomingKind.DOCUMENT:
        return incoming
    ref = media.get(incoming.event_id or "")
    document = await fetch(ref) if fetch is not None and ref is not None else None
    if document is None:
        return replace(incoming, kind=IncomingKind.UNSUPPORTED)
    return replace(incoming, document=document)
