"""Benchmark: the Telegram sender against the fake Bot API enforcing a rate limit, and polling throughput.

1. Sending: 10,000 outbox messages to 10,000 chats go through the real delivery path (`Delivery` ->
   `TelegramChannel` -> send budget -> aiogram -> HTTP) to a FakeTelegram that enforces `--rate` messages/s per
   bot (token bucket) and 1/s per chat, answering 429 beyond. Telegram's limit is 30/s; the run scales it to
   300/s so it takes half a minute. Reported: achieved rate as a fraction of the limit (measured at the fake,
   first to last accepted message), 429s, messages lost and duplicated, outbox rows not marked sent.
2. Polling: `--updates` users each send /start through getUpdates; the time until every reply is sent gives
   updates handled per second end to end (getUpdates, dispatcher, outbox, sendMessage). The send budget is
   lifted for this part so the figure is the handling cost, not the rate limit.

The fake runs in its own process, so its request checking does not share a core's time with the bot.
Final line: `telegram_rate_ratio=<x> lost=<n> dup=<n>`.

Usage: python bench/telegram_send.py [--messages 10000] [--rate 300] [--updates 2000] [--backend sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import sys
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from aiohttp import web  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.databases import prepare_database  # noqa: E402
from bot.channels.rate_limits import Budget, SendBudget  # noqa: E402
from bot.channels.telegram.adapter import TelegramAdapter  # noqa: E402
from bot.engine.channel_port import RuntimePort  # noqa: E402
from bot.engine.delivery import Envelope  # noqa: E402
from bot.engine.messages import Reply  # noqa: E402
from bot.engine.runtime import Runtime
from bot.settings import load_settings  # noqa: E402
from bot.wiring import build_runtime  # noqa: E402
from models.crypto import NikCipher  # noqa: E402
from models.outbox import OutboxMessage, OutboxStatus, enqueue  # noqa: E402
from tests.fakes.telegram_server import FakeTelegram, LocalAiohttpSession  # noqa: E402

TOKEN = "123456:BENCH-token"
SENDERS = 256
"""Concurrent delivery tasks; the budget, not this, sets the pace."""


class TimedFake(FakeTelegram):
    """FakeTelegram that also notes when each sendMessage was accepted."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.accepted_at: list[float] = []
        self.rate_limited_at: list[float] = []

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        response = await super()._handle(request)
        if request.match_info["method"] == "sendMessage":
            (self.accepted_at if response.status == 200 else self.rate_limited_at).append(time.monotonic())
        return response


def fake_process(connection: Connection, rate: float | None) -> None:
    """The fake Bot API in a child process: answers commands from the bench until told to stop."""

    async def serve() -> None:
        async with TimedFake(token=TOKEN, global_rate=rate, per_chat_rate=1.0 if rate else None) as tg:
            connection.send(tg.base_url)
            while True:
                command, argument = await asyncio.to_thread(connection.recv)
                if command == "push":
                    for user in range(argument):
                        tg.push_update(tg.text_update(1_000_000 + user, "/start"))
                    connection.send(tg.pending_update_count)
                elif command == "stop":
                    chats = [params["chat_id"] for params in tg.sent_messages()]
                    connection.send({
                        "chats": chats, "accepted_at": tg.accepted_at, "rate_limited_at": tg.rate_limited_at,
                        "violations": len(tg.violations),
                    })
                    return

    asyncio.run(serve())


class FakeServer:
    def __init__(self, rate: float | None) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=fake_process, args=(child, rate), daemon=True)

    async def __aenter__(self) -> str:
        self.process.start()
        return str(await asyncio.to_thread(self.connection.recv))

    async def ask(self, command: str, argument: Any = None) -> Any:
        self.connection.send((command, argument))
        return await asyncio.to_thread(self.connection.recv)

    async def __aexit__(self, *exc_info: object) -> None:
        self.process.join(timeout=10)


def telegram_runtime(url: str) -> Runtime:
    settings = load_settings(database_url=url, nik_encryption_key=NikCipher.generate_secret(), _env_file=None)
    return build_runtime(settings, flush_when_idle=True)


def telegram_adapter(bot: Bot, runtime: Runtime, budget: Budget) -> TelegramAdapter:
    """The adapter as `python -m bot run` connects it: through the runtime's port, its sender in the delivery."""
    adapter = TelegramAdapter(bot, RuntimePort(runtime), budget)
    runtime.delivery.add_channel(adapter.channel)
    return adapter


async def bench_sending(url: str, messages: int, rate: float) -> dict[str, Any]:
    runtime = telegram_runtime(url)
    server = FakeServer(rate)
    async with server as base_url:
        bot = Bot(TOKEN, session=LocalAiohttpSession(api=TelegramAPIServer.from_base(base_url), timeout=10))
        telegram_adapter(bot, runtime, SendBudget(bot_rate=rate, chat_rate=1.0))
        reply = Reply("Lowongan baru: Pengelasan SMAW 3G di UPT BLK Tabalong. Daftar sebelum 3 Desember 2026.")
        async with runtime.session_factory() as session, session.begin():
            ids: list[int] = []
            for chat in range(1, messages + 1):
                ids += await enqueue(session, channel="telegram", address=str(chat), user_id=None,
                                     payloads=[reply.to_json()], now=runtime.clock())
        envelopes = [Envelope(row_id, "telegram", str(chat), reply) for chat, row_id in enumerate(ids, start=1)]
        queue = iter(envelopes)

        async def sender() -> None:
            for envelope in queue:
                await runtime.delivery.deliver([envelope])

        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(SENDERS)))
        elapsed = time.perf_counter() - started
        await runtime.delivery.flush()
        stats = await server.ask("stop")
        await bot.session.close()
    async with runtime.session_factory() as session:
        unsent = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != OutboxStatus.SENT)
        )
    await runtime.aclose()
    accepted = stats["accepted_at"]
    achieved = (len(accepted) - 1) / (accepted[-1] - accepted[0]) if len(accepted) > 1 else 0.0
    warm = accepted[0] + 1.0 if accepted else 0.0
    chats = stats["chats"]
    return {
        "messages": messages,
        "limit_per_s": rate,
        "achieved_per_s": round(achieved, 1),
        "rate_ratio": round(achieved / rate, 3),
        "seconds": round(elapsed, 2),
        "http_429": len(stats["rate_limited_at"]),
        "http_429_after_first_second": sum(1 for moment in stats["rate_limited_at"] if moment > warm),
        "lost": len(set(range(1, messages + 1)) - set(chats)),
        "dup": len(chats) - len(set(chats)),
        "outbox_not_marked_sent": int(unsent or 0),
        "spec_violations": stats["violations"],
    }


async def bench_polling(url: str, updates: int) -> dict[str, Any]:
    runtime = telegram_runtime(url)
    server = FakeServer(None)
    async with server as base_url:
        bot = Bot(TOKEN, session=LocalAiohttpSession(api=TelegramAPIServer.from_base(base_url), timeout=60))
        adapter = telegram_adapter(bot, runtime, SendBudget(bot_rate=1e6, chat_rate=1.0))
        replies = 0
        all_replied = asyncio.Event()
        send = adapter.channel.send

        async def counted_send(address: str, reply: Reply) -> Sequence[str]:
            nonlocal replies
            message_ids = await send(address, reply)
            replies += 1
            if replies >= updates:
                all_replied.set()
            return message_ids

        adapter.channel.send = counted_send  # type: ignore[method-assign]
        await server.ask("push", updates)
        stop = asyncio.Event()
        started = time.perf_counter()
        polling = asyncio.create_task(adapter.poll(stop))
        await asyncio.wait_for(all_replied.wait(), timeout=600)
        elapsed = time.perf_counter() - started
        stop.set()
        await polling
        stats = await server.ask("stop")
        await bot.session.close()
    await runtime.aclose()
    return {
        "updates": updates,
        "replies": replies,
        "seconds": round(elapsed, 2),
        "updates_per_s": round(updates / elapsed, 1),
        "spec_violations": stats["violations"],
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    url, cleanup = await prepare_database(args.backend, "telegram")
    try:
        sending = await bench_sending(url, args.messages, args.rate)
        polling = await bench_polling(url, args.updates)
    finally:
        await cleanup()
    return {"backend": args.backend, "sending": sending, "polling": polling}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=300.0, help="the fake's limit, messages/s per bot")
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    result["machine"] = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    print(json.dumps(result), flush=True)
    sending, polling = result["sending"], result["polling"]
    print(f"telegram_updates_per_s={polling['updates_per_s']} backend={result['backend']}")
    print(f"telegram_rate_ratio={sending['rate_ratio']} lost={sending['lost']} dup={sending['dup']}")


if __name__ == "__main__":
    main()
