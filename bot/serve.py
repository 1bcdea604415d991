"""`python -m bot run` on Telegram: long polling by default, the webhook under uvicorn when a public URL and a
secret are configured. Builds the runtime, the bot and the scheduler, runs until SIGTERM or Ctrl-C, closes all.
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

from bot.channels.telegram import TelegramAdapter, create_bot
from bot.channels.telegram_budget import SendBudget
from bot.runtime import build_runtime
from bot.scheduler import build_scheduler
from bot.settings import Settings
from bot.web import TELEGRAM_WEBHOOK_PATH, create_app

log = logging.getLogger(__name__)


async def serve_telegram(settings: Settings) -> int:
    if settings.telegram_webhook_url and not settings.telegram_webhook_secret:
        print("Configuration error: TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL", file=sys.stderr)
        return 2
    runtime = build_runtime(settings, flush_when_idle=True)  # after a crash, repeat nothing already sent
    bot = create_bot(settings)
    budget = SendBudget(bot_rate=settings.telegram_messages_per_second,
                        chat_rate=settings.telegram_messages_per_chat_per_second)
    adapter = TelegramAdapter(bot, runtime, budget)
    scheduler = build_scheduler(runtime)
    scheduler.start()
    try:
        try:
            await adapter.set_commands()
        except TelegramUnauthorizedError:
            print("Configuration error: TELEGRAM_BOT_TOKEN was refused by Telegram", file=sys.stderr)
            return 2
        except (AiogramError, OSError, TimeoutError) as error:
            log.warning("could not set the command menu (%r); the bot works without it", error)
        if settings.telegram_webhook_url and settings.telegram_webhook_secret:
            secret = settings.telegram_webhook_secret.get_secret_value()
            try:
                await adapter.set_webhook(settings.telegram_webhook_url, secret)
            except (AiogramError, OSError, TimeoutError) as error:
                print(f"Telegram did not accept the webhook {settings.telegram_webhook_url}: {error}", file=sys.stderr)
                return 1
            path = urlsplit(settings.telegram_webhook_url).path or TELEGRAM_WEBHOOK_PATH
            app = create_app(adapter, telegram_secret=secret, telegram_path=path)
            config = uvicorn.Config(app, host=settings.web_host, port=settings.web_port, lifespan="off",
                                    log_level=settings.log_level.lower(), access_log=False)
            print(f"Telegram webhook: serving {path} on {settings.web_host}:{settings.web_port}", file=sys.stderr)
            await uvicorn.Server(config).serve()
        else:
            print("Telegram: long polling. Ctrl-C to stop.", file=sys.stderr)
            await adapter.poll(_stop_on_signals())
    finally:
        scheduler.shutdown(wait=False)
        await bot.session.close()
        await runtime.aclose()
    return 0


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for name in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(name, stop.set)
    return stop
