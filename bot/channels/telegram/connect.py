"""The Telegram channel plugged into a running bot: its settings, its bot and send budget, and how updates
arrive (long polling by default, or the webhook when a public URL and a secret are configured).

The webhook answers only requests carrying the secret given to `setWebhook` (Telegram sends it back in
`X-Telegram-Bot-Api-Secret-Token`); anyone else gets 403 and nothing is handled. An update is answered 200
once it is handled and its replies are committed (Telegram redelivers it if the process dies first, and
de-duplication makes that harmless); the replies are sent after the answer, so a send waiting on the rate
budget or a 429 never holds Telegram's connection.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from aiogram.exceptions import AiogramError, TelegramUnauthorizedError
from aiogram.types import Update
from fastapi import APIRouter, BackgroundTasks, Header, HTTPException, Request
from pydantic import ValidationError
from redis.asyncio import Redis

from bot.channels.base import ChannelSettings, ChannelStartError, Connection, EnginePort, json_of, secret
from bot.channels.rate_limits import Budget, SendBudget, SharedRate, SharedSendBudget
from bot.channels.telegram.adapter import TelegramAdapter, create_bot

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    """What the channel needs from settings (`TELEGRAM_*`)."""

    token: str
    api_base: str = "https://api.telegram.org"
    webhook_url: str = ""
    webhook_secret: str = ""
    messages_per_second: float = 30.0
    messages_per_chat_per_second: float = 1.0

    @classmethod
    def from_settings(cls, settings: ChannelSettings) -> TelegramConfig | None:
        """None when no bot token is set; a webhook URL without its secret is a configuration error."""
        token = secret(settings.get("telegram_bot_token"))
        if not token:
            return None
        config = cls(
            token=token, api_base=settings["telegram_api_base"], webhook_url=settings.get("telegram_webhook_url") or "",
            webhook_secret=secret(settings.get("telegram_webhook_secret")),
            messages_per_second=settings["telegram_messages_per_second"],
            messages_per_chat_per_second=settings["telegram_messages_per_chat_per_second"],
        )
        if config.webhook_url and not config.webhook_secret:
            raise ChannelStartError(
                "Configuration error: TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL")
        return config

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.webhook_url).path or WEBHOOK_PATH


def budget_for(config: TelegramConfig, bot_id: int, redis: Redis | None) -> Budget:
    """This process's own budget, or with Redis the one every process of the bot shares."""
    bot_rate, chat_rate = config.messages_per_second, config.messages_per_chat_per_second
    if redis is None:
        return SendBudget(bot_rate=bot_rate, chat_rate=chat_rate)
    return SharedSendBudget(SharedRate(redis, f"telegram:{bot_id}"), bot_rate=bot_rate, chat_rate=chat_rate)


def connect(settings: ChannelSettings, port: EnginePort, redis: Redis | None) -> Connection | None:
    """The Telegram channel, or None when TELEGRAM_BOT_TOKEN is not set."""
    config = TelegramConfig.from_settings(settings)
    if config is None:
        return None
    bot = create_bot(config.token, config.api_base)
    adapter = TelegramAdapter(bot, port, budget_for(config, bot.id, redis))

    async def start() -> None:
        await _set_commands(adapter)
        if config.webhook_url:
            try:
                await adapter.set_webhook(config.webhook_url, config.webhook_secret)
            except (AiogramError, OSError, TimeoutError) as error:
                raise ChannelStartError(f"Telegram did not accept the webhook {config.webhook_url}: {error}",
                                        exit_code=1) from error

    async def close() -> None:
        await bot.session.close()

    if config.webhook_url:
        return Connection(adapter.channel, routes=[webhook_router(adapter, config.webhook_secret, config.webhook_path)],
                          served=[f"Telegram webhook {config.webhook_path}"], start=start, close=close)
    return Connection(adapter.channel, served=["Telegram long polling"], start=start, listen=adapter.poll, close=close)


async def _set_commands(adapter: TelegramAdapter) -> None:
    try:
        await adapter.set_commands()
    except TelegramUnauthorizedError as error:
        raise ChannelStartError("Configuration error: TELEGRAM_BOT_TOKEN was refused by Telegram") from error
    except (AiogramError, OSError, TimeoutError) as error:
        log.warning("could not set the command menu (%r); the bot works without it", error)


def webhook_router(adapter: TelegramAdapter, webhook_secret: str, path: str = WEBHOOK_PATH) -> APIRouter:
    """POST `path`: one update pushed by Telegram, checked against the secret given to `setWebhook`."""
    if not webhook_secret:
        raise ValueError("the Telegram webhook needs a secret")
    router = APIRouter()

    @router.post(path)
    async def telegram_webhook(
        request: Request,
        background: BackgroundTasks,
        token: Annotated[str | None, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = None,
    ) -> dict[str, Any]:
        """One update pushed by Telegram."""
        if token is None or not hmac.compare_digest(token.encode(), webhook_secret.encode()):
            raise HTTPException(status_code=403, detail="wrong or missing secret token")
        try:
            update = Update.model_validate(json_of(await request.body()))
        except (ValueError, ValidationError, RecursionError):
            log.warning("the Telegram webhook received a body that is not an Update")
            raise HTTPException(status_code=400, detail="not a Telegram update") from None
        background.add_task(adapter.deliver, await adapter.receive(update))
        return {"ok": True}

    return router
