"""Benchmark: N simulated job seekers each complete registration through the dispatcher (no network).

Every message goes the whole way: per-user lock, event de-duplication, conversation load and save, handler,
rendering, outbox insert, commit, and delivery to a null channel with the batched "sent" marks. Next to it,
in the same run, the ceiling: a bare aiogram `Dispatcher` with one trivial handler and no I/O fed as many
Telegram updates (parsed from JSON as a webhook's are) by as many workers, so that a figure taken on a busy
machine can be read as a share of what Python itself manages there. Prints one JSON line per backend with the
details, then the final line a script reads:

    dialog_msgs_per_s=<n> p99_ms=<n> dialog_vs_ceiling=<n> backend=<name>

Usage: python bench/dialog.py [--users 2000] [--concurrency 16] [--backend sqlite|postgresql|both]

The runtime is built, then the start-up heap frozen as a served bot does (`bot.memory.freeze_start_up`), then
the users type. `--concurrency` is how many users type at the same moment. Latency is measured around
`Runtime.handle`, so at 16 it includes the wait for the process's database connection (SQLite has one writer);
`--concurrency 1` gives the cost of one message alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.databases import prepare_database  # noqa: E402
from bot.engine.messages import Incoming, Reply  # noqa: E402
from bot.memory import freeze_start_up  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.wiring import build_runtime  # noqa: E402
from models.crypto import NikCipher  # noqa: E402


class NullChannel:
    name = "bench"
    skips_unreachable = False

    async def send(self, address: str, reply: Reply) -> Sequence[str]:
        return ()


def registration_script(index: int) -> list[str]:
    """The lines one user types: valid answers, a unique NIK per user, a couple of choices."""
    born = date(1980, 1, 1) + timedelta(days=index % 7000)
    female = index % 2 == 0
    day = born.day + (40 if female else 0)
    nik = f"6309{1 + index % 12:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{1 + index // 7000:04d}"
    return [
        "/start", "1", "1", f"Peserta Nomor {chr(65 + index % 26)}", nik, born.strftime("%d-%m-%Y"), "1",
        f"0812{index:08d}", str(1 + index % 12), str(1 + index % 11), str(1 + index % 12), "13", "1", "1", "1",
    ]


async def aiogram_ceiling(messages: int, concurrency: int) -> float:
    """Messages a second through a bare aiogram dispatcher: one handler that only counts, a bot that is never
    asked to call Telegram (its network session is never opened)."""
    from aiogram import Bot, Dispatcher
    from aiogram.types import Message, Update

    bot = Bot("42:BENCH")
    dispatcher = Dispatcher()
    handled = 0

    @dispatcher.message()
    async def count(message: Message) -> None:
        nonlocal handled
        handled += 1

    numbers = iter(range(messages))

    async def worker() -> None:
        for number in numbers:
            sender = {"id": 1 + number % 1000, "is_bot": False, "first_name": "Peserta"}
            update = Update.model_validate({"update_id": number, "message": {
                "message_id": number, "date": 1764547200, "chat": {**sender, "type": "private"}, "from": sender,
                "text": str(number % 13),
            }}, context={"bot": bot})
            await dispatcher.feed_update(bot, update)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    await bot.session.close()
    assert handled == messages, f"the trivial handler saw {handled} of {messages} updates"
    return messages / elapsed


async def run_backend(backend: str, users: int, concurrency: int) -> dict[str, object]:
    url, cleanup = await prepare_database(backend, "dialog")
    settings = load_settings(database_url=url, nik_encryption_key=NikCipher.generate_secret(), _env_file=None)
    runtime = build_runtime(settings, {"bench": NullChannel()})
    freeze_start_up()  # as `python -m bot run` does once it is ready (bot/memory.py)
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(users):
        queue.put_nowait(index)

    async def worker() -> None:
        while not queue.empty():
            index = queue.get_nowait()
            for number, line in enumerate(registration_script(index)):
                incoming = Incoming(channel="bench", external_id=f"u{index}", text=line, event_id=f"{index}-{number}")
                started = time.perf_counter()
                await runtime.handle(incoming)
                latencies.append(time.perf_counter() - started)

    started, cpu_started = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await runtime.delivery.flush()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    registered = await count_profiles(runtime)
    await runtime.aclose()
    await cleanup()
    latencies.sort()
    peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # before aiogram's import
    ceiling = await aiogram_ceiling(len(latencies), concurrency)
    msgs_per_s = len(latencies) / elapsed
    return {
        "backend": backend,
        "users": users,
        "registered": registered,
        "concurrency": concurrency,
        "messages": len(latencies),
        "seconds": round(elapsed, 2),
        "msgs_per_s": round(msgs_per_s),
        "ceiling_msgs_per_s": round(ceiling),
        "dialog_vs_ceiling": round(msgs_per_s / ceiling, 4),
        "cpu_ms_per_msg": round(cpu * 1000 / len(latencies), 3),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
        "peak_rss_mb": peak_rss_mb,
    }


async def count_profiles(runtime: object) -> int:
    from sqlalchemy import func, select

    from models.profiles import JobSeekerProfile

    async with runtime.session_factory() as session:  # type: ignore[attr-defined]
        return int(await session.scalar(select(func.count()).select_from(JobSeekerProfile)) or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = []
    for backend in backends:
        result = asyncio.run(run_backend(backend, args.users, args.concurrency))
        result["machine"] = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
        print(json.dumps(result), flush=True)
        results.append(result)
    for result in results:
        print(f"dialog_msgs_per_s={result['msgs_per_s']} p99_ms={result['p99_ms']} "
              f"dialog_vs_ceiling={result['dialog_vs_ceiling']} backend={result['backend']}")


if __name__ == "__main__":
    main()
