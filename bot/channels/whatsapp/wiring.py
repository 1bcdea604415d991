"""The WhatsApp channel wired to a runtime: the channel, with what it asks of the database, and its webhook.

The channel asks two things: who a recipient is (their language, and when they last wrote, for the 24-hour
window: `last_seen_at`, kept to five minutes, so the window counts as closed at most five minutes early and
a template goes instead) and which list a "more" tap continues (the last message with options in the
outbox). Delivery statuses are recorded against the outbox row of the message they name (models/receipts.py);
a failure also fails that row, with WhatsApp's reason, where staff see it.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter

from bot.channels.whatsapp.channel import RateLimiter, Recipient, WhatsAppChannel, whatsapp_config
from bot.channels.whatsapp.inbound import DeliveryStatus
from bot.channels.whatsapp.webhook import whatsapp_webhook_router
from bot.engine.messages import Reply
from bot.engine.runtime import Runtime
from bot.settings import Settings
from models.outbox import last_payload_with_options
from models.receipts import FAILED, Receipt, record_receipt
from models.users import find_user

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"


def build_whatsapp(
    settings: Settings, runtime: Runtime, *, limiter: RateLimiter | None = None
) -> tuple[WhatsAppChannel, APIRouter] | None:
    """The channel (added to the runtime's delivery) and the webhook routes; None when not configured.
    `limiter`: a rate shared with other processes (else the channel paces itself)."""
    config = whatsapp_config(
        settings, templates=settings.whatsapp_templates, rate_per_second=settings.whatsapp_rate_per_second,
        daily_unique_recipients=settings.whatsapp_daily_unique_recipients,
    )
    if config is None:
        return None

    async def recipient(address: str) -> Recipient | None:
        async with runtime.session_factory() as session:
            user = await find_user(session, CHANNEL, address)
            return None if user is None else Recipient(locale=user.locale, last_inbound_at=user.last_seen_at)

    async def recall(address: str) -> Reply | None:
        async with runtime.session_factory() as session:
            payload = await last_payload_with_options(session, CHANNEL, address)
        return None if payload is None else Reply.from_json(payload)

    async def record_status(status: DeliveryStatus) -> None:
        reason = "; ".join(f"{error.code} {error.title}" for error in status.errors) or None
        if status.status == FAILED:
            log.warning("WhatsApp could not deliver %s to %s: %s", status.message_id, status.recipient,
                        reason or "no reason given")
        receipt = Receipt(CHANNEL, status.message_id, status.status, status.at or runtime.clock(), reason)
        async with runtime.session_factory() as session, session.begin():
            await record_receipt(session, receipt)

    channel = WhatsAppChannel(config, recipient=recipient, recall=recall, clock=runtime.clock, limiter=limiter)
    runtime.delivery.add_channel(channel)
    router = whatsapp_webhook_router(
        verify_token=config.verify_token, app_secret=config.app_secret, phone_number_id=config.phone_number_id,
        handle=runtime.handle, on_status=record_status, on_page_tap=channel.show_page,
        fetch_document=channel.fetch_document,
    )
    return channel, router
