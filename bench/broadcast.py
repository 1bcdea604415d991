"""Benchmark: a broadcast to 50,000 Telegram users at the platform's rate, with people chatting meanwhile.

50,000 registered-looking users are bulk-loaded, a broadcast to everyone is created (one INSERT ... SELECT)
and the real job (`jobs.broadcasts.send_broadcasts`) sends it through the real Telegram path (Delivery ->
TelegramChannel -> send budget -> aiogram -> HTTP) to the fake Bot API in its own process, which enforces
`--rate` messages/s per bot and 1/s per chat (Telegram's 30/s, scaled to 300/s so the run takes minutes, not
half an hour). Meanwhile an interactive user sends /help five times a second; each reply's latency (message
in, reply accepted by the fake) is measured: chatting users must not starve behind the broadcast.

Reported: achieved rate as a fraction of the limit (at the fake, first to last broadcast message), 429s,
recipients lost and duplicated, and the interactive reply p50/p99.

With `--kill-at 0.5` a second run follows on a fresh database: the same broadcast sent by the real
`python -m bot run` process, killed with SIGKILL once that fraction of the recipients is marked sent, then
started again until the broadcast is done. Reported: recipients lost, copies repeated, and the messages in
flight at the kill (accepted by the fake before it, not marked sent in the database after it), which bound
the repeats. Final line (lost and dup counting both runs):
`broadcast_rate_ratio=<x> lost=<n> dup=<n> reply_p99_ms=<n>`.

Usage: python bench/broadcast.py [--recipients 50000] [--rate 300] [--backend sqlite|postgresql] [--kill-at 0.5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from bench.databases import prepare_database  # noqa: E402
from bench.telegram_send import TOKEN, FakeServer, telegram_adapter, telegram_runtime  # noqa: E402
from bot.channels.rate_limits import SendBudget  # noqa: E402
from bot.engine.messages import Incoming  # noqa: E402
from jobs.broadcasts import send_broadcasts  # noqa: E402
from models.audiences import Audience  # noqa: E402
from models.broadcasts import Broadcast, BroadcastDelivery, BroadcastStatus, create_broadcast  # noqa: E402
from models.crypto import NikCipher  # noqa: E402
from models.opt_ins import OptInSource, agree_in_bulk  # noqa: E402
from models.outbox import OutboxMessage, OutboxStatus  # noqa: E402
from models.users import Role, User  # noqa: E402
from tests.fakes.telegram_server import LocalAiohttpSession  # noqa: E402
from tests.test_telegram_e2e import BotProcess  # noqa: E402

AUTHOR = 9_000_000
CHATTER = 9_000_001
CHATTERS = 20
BATCH = 5_000


async def fill(runtime: Any, recipients: int) -> None:
    now = runtime.clock()
    for start in range(1, recipients + 1, BATCH):
        async with runtime.session_factory() as session, session.begin():
            await session.execute(insert(User), [
                {"channel": "telegram", "external_id": str(chat), "locale": "id" if chat % 5 else "en",
                 "role": Role.MEMBER, "created_at": now, "last_seen_at": now, "opening_alerts": True}
                for chat in range(start, min(start + BATCH, recipients + 1))
            ])
    async with runtime.session_factory() as session, session.begin():
        session.add(User(channel="telegram", external_id=str(AUTHOR), locale="id", role=Role.STAFF, created_at=now,
                         last_seen_at=now))
        await session.flush()
        await agree_in_bulk(session, OptInSource.FIRST_MESSAGE, now)  # as their first messages would have


async def write_broadcast(runtime: Any) -> int:
    """The broadcast to everyone, due now; returns how many deliveries it has."""
    async with runtime.session_factory() as session, session.begin():
        author = await session.scalar(select(User.id).where(User.external_id == str(AUTHOR)))
        broadcast = await create_broadcast(
            session, author_id=author, text_id="Bursa kerja Disnaker Sabtu ini di Tanjung.",
            text_en="Job fair at the labour office this Saturday in Tanjung.", opening_code=None,
            audience=Audience(), scheduled_at=runtime.clock(), now=runtime.clock(),
        )
        return broadcast.total


async def chat_meanwhile(runtime: Any, stop: asyncio.Event) -> list[float]:
    """People chatting during the broadcast, five messages a second in all (each of CHATTERS writes every few
    seconds, as people do, and within Telegram's one message a second per chat); the latency of each reply
    reaching the fake."""
    latencies: list[float] = []
    count = 0

    async def one(chat: int) -> None:
        started = time.perf_counter()
        await runtime.handle(Incoming(channel="telegram", external_id=str(chat), text="/help", event_id=f"c{count}"))
        latencies.append(time.perf_counter() - started)

    pending: set[asyncio.Task[None]] = set()
    while not stop.is_set():
        count += 1
        task = asyncio.create_task(one(CHATTER + count % CHATTERS))
        pending.add(task)
        task.add_done_callback(pending.discard)
        await asyncio.sleep(0.2)
    await asyncio.gather(*pending)
    return latencies


async def bench(url: str, recipients: int, rate: float) -> dict[str, Any]:
    runtime = telegram_runtime(url)
    await fill(runtime, recipients)
    server = FakeServer(rate)
    async with server as base_url:
        bot = Bot(TOKEN, session=LocalAiohttpSession(api=TelegramAPIServer.from_base(base_url), timeout=10))
        telegram_adapter(bot, runtime, SendBudget(bot_rate=rate, chat_rate=1.0))
        total = await write_broadcast(runtime)
        stop = asyncio.Event()
        chatting = asyncio.create_task(chat_meanwhile(runtime, stop))
        started, cpu_started = time.perf_counter(), time.process_time()
        await send_broadcasts(runtime)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        stop.set()
        latencies = sorted(await chatting)
        stats = await server.ask("stop")
        await bot.session.close()
    await runtime.aclose()
    accepted = stats["accepted_at"]
    achieved = (len(accepted) - 1) / (accepted[-1] - accepted[0]) if len(accepted) > 1 else 0.0

    def percentile(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * q))] * 1000, 1) if latencies else 0.0

    return {
        "recipients": recipients, "deliveries": total, "limit_per_s": rate,
        "achieved_per_s": round(achieved, 1), "rate_ratio": round(achieved / rate, 3),
        "seconds": round(elapsed, 1), "bot_cpu_ms_per_message": round(cpu * 1000 / max(total, 1), 2),
        "http_429": len(stats["rate_limited_at"]),
        **lost_and_dup(stats["chats"], recipients),
        "interactive_replies": len(latencies), "reply_p50_ms": percentile(0.5), "reply_p99_ms": percentile(0.99),
        "spec_violations": stats["violations"],
    }


async def marked_sent(runtime: Any) -> int:
    async with runtime.session_factory() as session:
        return int(await session.scalar(
            select(func.count()).select_from(BroadcastDelivery)
            .join(OutboxMessage, OutboxMessage.id == BroadcastDelivery.outbox_id)
            .where(OutboxMessage.status == OutboxStatus.SENT)
        ) or 0)


async def unmarked_addresses(runtime: Any) -> set[str]:
    async with runtime.session_factory() as session:
        return set(await session.scalars(
            select(OutboxMessage.address).join(BroadcastDelivery, BroadcastDelivery.outbox_id == OutboxMessage.id)
            .where(OutboxMessage.status != OutboxStatus.SENT)
        ))


async def until(condition: Callable[[], Awaitable[bool]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the broadcast did not get there in time")
        await asyncio.sleep(0.2)


async def bench_kill(url: str, recipients: int, rate: float, kill_at: float) -> dict[str, Any]:
    """The broadcast through the real process, killed with SIGKILL part-way and started again."""
    runtime = telegram_runtime(url)
    await fill(runtime, recipients)
    total = await write_broadcast(runtime)

    async def done() -> bool:
        async with runtime.session_factory() as session:
            return await session.scalar(select(Broadcast.status)) == BroadcastStatus.DONE

    server = FakeServer(rate)
    with tempfile.TemporaryDirectory(prefix="sahabat-bench-kill-") as workdir:
        async with server as base_url:
            # The process reads no NIK (the recipients have no profile): any valid key will do.
            env = {"DATABASE_URL": url, "NIK_ENCRYPTION_KEY": NikCipher.generate_secret(),
                   "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": base_url,
                   "TELEGRAM_MESSAGES_PER_SECOND": str(rate), "LOG_LEVEL": "WARNING",
                   "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
            first = BotProcess(env, Path(workdir))
            await first.start()
            await until(lambda: _reached(runtime, kill_at * total), timeout=total / rate * 4 + 60)
            await first.kill()
            killed_at = time.monotonic()
            unmarked = await unmarked_addresses(runtime)
            second = BotProcess(env, Path(workdir))
            await second.start()
            await until(done, timeout=total / rate * 4 + 120)
            kill_to_done = time.monotonic() - killed_at
            await second.stop()
            stats = await server.ask("stop")
    await runtime.aclose()
    accepted = list(zip(stats["chats"], stats["accepted_at"], strict=True))
    before_kill = {str(chat) for chat, moment in accepted if moment < killed_at and int(chat) < AUTHOR}
    return {
        "kill_at": kill_at, "deliveries": total, "accepted_before_kill": len(before_kill),
        "in_flight_at_kill": len(unmarked & before_kill), "kill_to_done_s": round(kill_to_done, 1),
        **lost_and_dup(stats["chats"], recipients), "spec_violations": stats["violations"],
    }


def lost_and_dup(chats: list[Any], recipients: int) -> dict[str, int]:
    """Recipients the fake never got the broadcast for, and copies beyond one (the author, who also gets
    progress messages, is left out)."""
    got = [str(chat) for chat in chats if int(chat) < AUTHOR]
    return {"lost": len({str(chat) for chat in range(1, recipients + 1)} - set(got)), "dup": len(got) - len(set(got))}


async def _reached(runtime: Any, count: float) -> bool:
    return await marked_sent(runtime) >= count


async def run(args: argparse.Namespace) -> dict[str, Any]:
    url, cleanup = await prepare_database(args.backend, "broadcast")
    try:
        result = {"backend": args.backend, **await bench(url, args.recipients, args.rate)}
    finally:
        await cleanup()
    if args.kill_at is not None:
        url, cleanup = await prepare_database(args.backend, "broadcast_kill")
        try:
            result["kill"] = await bench_kill(url, args.recipients, args.rate, args.kill_at)
        finally:
            await cleanup()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--recipients", type=int, default=50_000)
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--kill-at", type=float, default=None,
                        help="also run the real process and kill it once this fraction is sent, e.g. 0.5")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    result["machine"] = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    print(json.dumps(result), flush=True)
    kill = result.get("kill", {"lost": 0, "dup": 0})
    print(f"broadcast_rate_ratio={result['rate_ratio']} lost={result['lost'] + kill['lost']} "
          f"dup={result['dup'] + kill['dup']} reply_p99_ms={result['reply_p99_ms']}")


if __name__ == "__main__":
    main()
