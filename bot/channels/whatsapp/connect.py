"""The WhatsApp channel plugged into a running bot: its settings, the sender, and the webhook routes.

What the channel needs from the database it asks the engine (`EnginePort`): who a recipient is (their language,
and when they last wrote, for the 24-hour window: `last_seen_at`, kept to five minutes, so the window counts as
closed at most five minutes early and a template goes instead), which list a "more" tap continues, and where a
delivery status is recorded (against the outbox row of the message it names; a failure fails that row, with
WhatsApp's reason, where staff see it), which templates WhatsApp approved, and their new review states.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from redis.asyncio import Redis

from bot.channels.base import ChannelSettings, ChannelStartError, Connection, EnginePort, secret
from bot.channels.rate_limits import RateLimiter, SharedRate, SharedSendRateLimiter
from bot.channels.registry import WHATSAPP as CHANNEL
from bot.channels.whatsapp.channel import WhatsAppChannel, WhatsAppConfig
from bot.channels.whatsapp.inbound import DeliveryStatus
from bot.channels.whatsapp.webhook import WEBHOOK_PATH, whatsapp_webhook_router

log = logging.getLogger(__name__)

FAILED = "failed"


def whatsapp_config(settings: ChannelSettings, **more: Any) -> WhatsAppConfig | None:
    """The channel's configuration from settings, or None when WhatsApp is not configured.

    `more` overrides or adds to what the settings give (templates, rate_per_second, daily_unique_recipients).
    """
    token = secret(settings.get("whatsapp_token"))
    if not token or not settings.get("whatsapp_phone_number_id"):
        return None
    given: dict[str, Any] = {
        "templates": settings.get("whatsapp_templates") or {},
        "rate_per_second": settings.get("whatsapp_messages_per_second", 80.0),
        "daily_unique_recipients": settings.get("whatsapp_daily_unique_recipients", 1000),
    }
    return WhatsAppConfig(
        token=token,
        phone_number_id=settings["whatsapp_phone_number_id"],
        app_secret=secret(settings.get("whatsapp_app_secret")),
        verify_token=secret(settings.get("whatsapp_verify_token")),
        api_base=settings.get("whatsapp_api_base") or "https://graph.facebook.com",
        default_locale=settings.get("default_locale") or "id",
        **{**given, **more},
    )


def shared_limiter(config: WhatsAppConfig, redis: Redis | None) -> RateLimiter | None:
    """With Redis, the number's rate shared by every process; else the channel keeps its own."""
    if redis is None:
        return None
    return SharedSendRateLimiter(SharedRate(redis, f"whatsapp:{config.phone_number_id}"), config.rate_per_second)


def connect(settings: ChannelSettings, port: EnginePort, redis: Redis | None) -> Connection | None:
    """The WhatsApp channel and its webhook, or None when WHATSAPP_TOKEN is not set."""
    if secret(settings.get("whatsapp_token")) and not settings.get("whatsapp_phone_number_id"):
        raise ChannelStartError("Configuration error: WHATSAPP_PHONE_NUMBER_ID is required with WHATSAPP_TOKEN")
    config = whatsapp_config(settings)
    if config is None:
        return None
    channel = WhatsAppChannel(config, port=port, limiter=shared_limiter(config, redis))

    async def record_status(status: DeliveryStatus) -> None:
        reason = "; ".join(f"{error.code} {error.title}" for error in status.errors) or None
        if status.status == FAILED:
            log.warning("WhatsApp could not deliver %s to %s: %s", status.message_id, status.recipient,
                        reason or "no reason given")
        await port.record_status(CHANNEL, status.message_id, status.status, status.at, reason)

    router = whatsapp_webhook_router(
        verify_token=config.verify_token, app_secret=config.app_secret, phone_number_id=config.phone_number_id,
        accept=port.accept, on_status=record_status, on_page_tap=channel.show_page,
        fetch_document=channel.fetch_document, on_number_event=partial(port.record_number_event, CHANNEL),
        on_template_status=partial(port.record_template_status, CHANNEL),
        business_account_id=settings.get("whatsapp_business_account_id") or None,
    )
    return Connection(channel, routes=[router], served=[f"WhatsApp webhook {WEBHOOK_PATH}"], close=channel.aclose)
