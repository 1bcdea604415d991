"""`python -m bot run` on the configured channels: Telegram by long polling by default, or by its webhook when a
public URL and a secret are configured; WhatsApp by its webhook; the webhooks served by one uvicorn. Builds the
runtime, the channels and the scheduler, runs until SIGTERM or Ctrl-C, closes all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from urllib.parse import urlsplit

import uvicorn
from aiogram.exceptions import AiogramError, TelegramUnauthorizedError
from fastapi import APIRouter
from redis.asyncio import Redis

from bot.channels.shared_budgets import SharedSendBudget, SharedSendRateLimiter
from bot.channels.shared_rate import SharedRate
from bot.channels.telegram.adapter import TelegramAdapter, create_bot
from bot.channels.telegram.budget import Budget, SendBudget
from bot.channels.whatsapp.channel import RateLimiter, WhatsAppChannel
from bot.channels.whatsapp.webhook import WEBHOOK_PATH as WHATSAPP_WEBHOOK_PATH
from bot.channels.whatsapp.wiring import build_whatsapp
from bot.scheduler import build_scheduler
from bot.settings import Settings
from bot.webhooks import TELEGRAM_WEBHOOK_PATH, create_app
from bot.wiring import build_runtime

log = logging.getLogger(__name__)


async def serve(settings: Settings) -> int:
    """Telegram (polling, or its webhook) and WhatsApp (its webhook), whichever are configured, in one process."""
    if settings.telegram_webhook_url and not settings.telegram_webhook_secret:
        print("Configuration error: TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL", file=sys.stderr)
        return 2
    runtime = build_runtime(settings, flush_when_idle=True)  # after a crash, repeat nothing already sent
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    bot = create_bot(settings) if settings.telegram_bot_token else None
    adapter = None
    if bot is not None:
        adapter = TelegramAdapter(bot, runtime, telegram_budget(settings, bot.id, redis))
    whatsapp = build_whatsapp(settings, runtime, limiter=whatsapp_limiter(settings, redis))
    scheduler = build_scheduler(runtime)
    scheduler.start()
    try:
        return await _serve_channels(settings, adapter, whatsapp)
    finally:
        scheduler.shutdown(wait=False)
        if bot is not None:
            await bot.session.close()
        if whatsapp is not None:
            await whatsapp[0].aclose()
        await runtime.aclose()
        if redis is not None:
            await redis.aclose()


def telegram_budget(settings: Settings, bot_id: int, redis: Redis | None) -> Budget:
    """This process's own budget, or with REDIS_URL the one every process of the bot shares."""
    bot_rate, chat_rate = settings.telegram_messages_per_second, settings.telegram_messages_per_chat_per_second
    if redis is None:
        return SendBudget(bot_rate=bot_rate, chat_rate=chat_rate)
    return SharedSendBudget(SharedRate(redis, f"telegram:{bot_id}"), bot_rate=bot_rate, chat_rate=chat_rate)


def whatsapp_limiter(settings: Settings, redis: Redis | None) -> RateLimiter | None:
    """With REDIS_URL, the number's rate shared by every process; else the channel keeps its own."""
    if redis is None or not settings.whatsapp_phone_number_id:
        return None
    return SharedSendRateLimiter(SharedRate(redis, f"whatsapp:{settings.whatsapp_phone_number_id}"),
                                 settings.whatsapp_rate_per_second)


async def _serve_channels(settings: Settings, adapter: TelegramAdapter | None,
                          whatsapp: tuple[WhatsAppChannel, APIRouter] | None) -> int:
    webhook_secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else ""
    telegram_webhook = adapter is not None and bool(settings.telegram_webhook_url and webhook_secret)
    if adapter is not None:
        try:
            await adapter.set_commands()
        except TelegramUnauthorizedError:
            print("Configuration error: TELEGRAM_BOT_TOKEN was refused by Telegram", file=sys.stderr)
            return 2
        except (AiogramError, OSError, TimeoutError) as error:
            log.warning("could not set the command menu (%r); the bot works without it", error)
    path = TELEGRAM_WEBHOOK_PATH
    if adapter is not None and telegram_webhook and settings.telegram_webhook_url:
        try:
            await adapter.set_webhook(settings.telegram_webhook_url, webhook_secret)
        except (AiogramError, OSError, TimeoutError) as error:
            print(f"Telegram did not accept the webhook {settings.telegram_webhook_url}: {error}", file=sys.stderr)
            return 1
        path = urlsplit(settings.telegram_webhook_url).path or TELEGRAM_WEBHOOK_PATH
    if not telegram_webhook and whatsapp is None:
        assert adapter is not None
        print("Telegram: long polling. Ctrl-C to stop.", file=sys.stderr)
        await adapter.poll(_stop_on_signals())
        return 0
    app = create_app(adapter if telegram_webhook else None, telegram_secret=webhook_secret, telegram_path=path,
                     routers=[whatsapp[1]] if whatsapp is not None else [])
    config = uvicorn.Config(app, host=settings.web_host, port=settings.web_port, lifespan="off",
                            log_level=settings.log_level.lower(), access_log=False)
    served = [name for name, on in (("Telegram webhook " + path, telegram_webhook),
                                    ("WhatsApp webhook " + WHATSAPP_WEBHOOK_PATH, whatsapp is not None)) if on]
    print(f"Serving {', '.join(served)} on {settings.web_host}:{settings.web_port}", file=sys.stderr)
    stop = asyncio.Event()
    polling = asyncio.create_task(adapter.poll(stop)) if adapter is not None and not telegram_webhook else None
    try:
        await uvicorn.Server(config).serve()  # until SIGTERM or Ctrl-C, which uvicorn catches
    finally:
        stop.set()
        if polling is not None:
            await polling
    return 0


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for name in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(name, stop.set)
    return stop
