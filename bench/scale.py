"""Benchmark: the WhatsApp webhook through the real process, one worker and then two, on PostgreSQL with Redis.

For each number of workers, a fresh PostgreSQL database and that many `python -m bot run` processes, each on
its own port, sharing the database and Redis (the send-rate budget), sending to the fake Graph API (in this
process, no rate limit; the bot's own limit raised to the platform's maximum so sending never caps). A load
generator here posts signed WhatsApp webhooks for `--messages` messages from many distinct people who are
new (so they register: language, consent, questions), `--per-user` messages each, one at a time per person,
at most `--concurrency` people at once, spread over the workers by person. Meta's webhook is answered 200 once
the message is handled and its replies committed, so a 200 is a message handled; the replies go out after.

Measured per run: messages handled per second (200s over the time from the first post to the last answer),
and CPU seconds per 1,000 messages spent by the bot processes and by the PostgreSQL backends serving this
database (utime + stime from /proc through psutil, before and after, once every reply has reached the fake),
plus the whole PostgreSQL server's (its shared writers too, noisy when anything else uses the server) and
this process's (the load generator and the fake Graph API, which share the machine's cores with the bot).
Prints one JSON line per run, then the final line:

    scale_msgs_per_s_1w=<n> scale_msgs_per_s_2w=<n> scale_ratio_2w=<n>

Usage: python bench/scale.py [--messages 3000] [--per-user 5] [--concurrency 32] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
import psutil  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.databases import prepare_database  # noqa: E402
from models.crypto import NikCipher  # noqa: E402
from models.db import create_engine, create_session_factory  # noqa: E402
from models.events import ProcessedEvent  # noqa: E402
from models.outbox import OutboxMessage, OutboxStatus  # noqa: E402
from tests.fakes import whatsapp_webhooks as hooks  # noqa: E402
from tests.fakes.whatsapp_server import FakeWhatsApp  # noqa: E402
from tests.test_telegram_e2e import BotProcess, free_port, wait_until_serving  # noqa: E402

WHATSAPP_PATH = "/webhooks/whatsapp"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SCRIPT = ["halo", "Bahasa Indonesia", "Ya, saya setuju", "Siti Rahmawati", "menu", "/help", "1", "batal"]
"""What each new person writes, in order (from `--per-user` on, the script starts again)."""
SETTLE_TIMEOUT_S = 120
TRACEBACK = "Traceback (most recent call last)"
CHAINED = ("The above exception", "During handling")


@dataclass(slots=True)
class CpuSnapshot:
    """Seconds of CPU (user + system) by process id."""

    seconds: dict[int, float]

    @classmethod
    def of(cls, pids: list[int]) -> CpuSnapshot:
        seconds = {}
        for pid in pids:
            try:
                times = psutil.Process(pid).cpu_times()
            except psutil.Error:
                continue
            seconds[pid] = times.user + times.system
        return cls(seconds)

    def since(self, before: CpuSnapshot) -> float:
        """CPU spent between `before` and this: a process that started meanwhile counts from zero."""
        return sum(spent - before.seconds.get(pid, 0.0) for pid, spent in self.seconds.items())


def bot_pids(bots: list[BotProcess]) -> list[int]:
    pids = []
    for bot in bots:
        assert bot.process is not None
        pids.append(bot.process.pid)
        with contextlib.suppress(psutil.Error):  # it exited: nothing more to count
            pids += [child.pid for child in psutil.Process(bot.process.pid).children(recursive=True)]
    return pids


def postgres_pids(database: str | None) -> list[int]:
    """The server's backends serving `database`, or (None) every process of the server."""
    pids = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        title = " ".join(process.info["cmdline"] or [])
        if title.startswith("postgres:") and (database is None or f" {database} " in title):
            pids.append(process.info["pid"])
    return pids


def exceptions_in(log: str) -> list[str]:
    """The exception line that ends each traceback in a log (what a failed run's JSON names)."""
    errors, inside = [], False
    for line in log.splitlines():
        if line.startswith(TRACEBACK):
            inside = True
        elif inside and line and not line[0].isspace() and not line.startswith(CHAINED):
            errors.append(line[:300])
            inside = False
    return errors


def webhook(wa: FakeWhatsApp, person: int, index: int, run: str) -> tuple[bytes, dict[str, str]]:
    wa_id = f"62813{person:08d}"
    text = SCRIPT[index % len(SCRIPT)]
    body = hooks.envelope({"contacts": [{"profile": {"name": "Warga"}, "wa_id": wa_id}],
                           "messages": [{"from": wa_id, "id": f"wamid.{run}.{person}.{index}",
                                         "timestamp": str(int(time.time())), "type": "text",
                                         "text": {"body": text}}]},
                          phone_number_id=wa.phone_number_id)
    return hooks.signed_webhook(body, wa.app_secret)


async def load(wa: FakeWhatsApp, ports: list[int], people: range, *, per_user: int, concurrency: int,
               run: str) -> tuple[int, dict[str, int], float]:
    """Every person's messages, one at a time each; (answered 200, the other answers by status or error, seconds).
    Meta retries a webhook not answered 200, so a refusal is a delay, not a loss: the kind says which."""
    limit = asyncio.Semaphore(concurrency)
    counts: collections.Counter[str] = collections.Counter()
    clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120,
                                 limits=httpx.Limits(max_connections=concurrency)) for port in ports]

    async def person(number: int) -> None:
        http = clients[number % len(clients)]
        async with limit:
            for index in range(per_user):
                raw, headers = webhook(wa, number, index, run)
                try:
                    answer = await http.post(WHATSAPP_PATH, content=raw, headers=headers)
                    counts["ok" if answer.status_code == 200 else str(answer.status_code)] += 1
                except httpx.HTTPError as error:
                    counts[type(error).__name__] += 1

    started = time.perf_counter()
    try:
        await asyncio.gather(*(person(number) for number in people))
    finally:
        for client in clients:
            await client.aclose()
    ok = counts.pop("ok", 0)
    return ok, dict(counts), time.perf_counter() - started


async def settle(url: str, handled: int) -> tuple[int, int]:
    """Wait until the database holds every handled message and no reply waits to be sent; (events, unsent)."""
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    try:
        while True:
            async with sessions() as session:
                events = int(await session.scalar(select(func.count()).select_from(ProcessedEvent)) or 0)
                unsent = int(await session.scalar(select(func.count()).select_from(OutboxMessage)
                                                  .where(OutboxMessage.status == OutboxStatus.PENDING)) or 0)
            if (events >= handled and unsent == 0) or time.monotonic() > deadline:
                return events, unsent
            await asyncio.sleep(0.2)
    finally:
        await engine.dispose()


def environment(url: str, wa: FakeWhatsApp, port: int) -> dict[str, str]:
    return {
        "DATABASE_URL": url, "NIK_ENCRYPTION_KEY": KEY, "REDIS_URL": REDIS_URL,
        "WHATSAPP_TOKEN": wa.token, "WHATSAPP_PHONE_NUMBER_ID": wa.phone_number_id,
        "WHATSAPP_APP_SECRET": wa.app_secret, "WHATSAPP_VERIFY_TOKEN": "verify", "WHATSAPP_API_BASE": wa.base_url,
        "WHATSAPP_RATE_PER_SECOND": "1000", "WHATSAPP_DAILY_UNIQUE_RECIPIENTS": "100000000",
        "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port), "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    }


KEY = NikCipher.generate_secret()


async def one_run(workers: int, args: argparse.Namespace) -> dict[str, Any]:
    url, cleanup = await prepare_database("postgresql", "scale")
    database = url.rsplit("/", 1)[-1]
    run = uuid.uuid4().hex[:8]
    people = max(1, args.messages // args.per_user)
    warm = max(workers, min(50, people // 10))
    try:
        async with FakeWhatsApp(phone_number_id=f"77{uuid.uuid4().int % 10**10:010d}") as wa:
            with tempfile.TemporaryDirectory(prefix="sahabat-bench-scale-") as workdir:
                ports = [free_port() for _ in range(workers)]
                bots = [BotProcess(environment(url, wa, port), Path(workdir) / f"w{n}")
                        for n, port in enumerate(ports)]
                for bot in bots:
                    bot.workdir.mkdir()
                    bot.log = bot.workdir / "bot.log"
                    await bot.start()
                try:
                    for port, bot in zip(ports, bots, strict=True):
                        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
                            try:
                                await wait_until_serving(http)
                            except AssertionError:
                                print(bot.log.read_text(encoding="utf-8", errors="replace"), file=sys.stderr)
                                raise
                    # warm-up: the first requests of a process pay for imports and connections
                    await load(wa, ports, range(people, people + warm), per_user=2, concurrency=args.concurrency,
                               run=run)
                    await settle(url, 2 * warm)
                    bots_before = CpuSnapshot.of(bot_pids(bots))
                    backends_before = CpuSnapshot.of(postgres_pids(database))
                    server_before = CpuSnapshot.of(postgres_pids(None))
                    generator_before = CpuSnapshot.of([os.getpid()])
                    handled, refused, seconds = await load(wa, ports, range(people), per_user=args.per_user,
                                                          concurrency=args.concurrency, run=run)
                    events, unsent = await settle(url, handled + 2 * warm)
                    bot_cpu = CpuSnapshot.of(bot_pids(bots)).since(bots_before)
                    backend_cpu = CpuSnapshot.of(postgres_pids(database)).since(backends_before)
                    server_cpu = CpuSnapshot.of(postgres_pids(None)).since(server_before)
                    generator_cpu = CpuSnapshot.of([os.getpid()]).since(generator_before)
                    logs = [bot.log.read_text(encoding="utf-8", errors="replace") for bot in bots]
                    tracebacks = sum(log.count(TRACEBACK) for log in logs)
                    errors = [error for log in logs for error in exceptions_in(log)]
                    for log in logs:
                        if TRACEBACK in log:  # what went wrong, for whoever reads the run
                            print(log, file=sys.stderr)
                finally:
                    for bot in bots:
                        await bot.stop()
    finally:
        await cleanup()
    per_1000 = 1000 / max(handled, 1)
    return {"workers": workers, "messages": people * args.per_user, "handled": handled,
            "refused": sum(refused.values()), "refusals": refused,
            "events_in_database": events - 2 * warm, "unsent_after": unsent, "sent_to_fake": len(wa.sent),
            "seconds": round(seconds, 2), "msgs_per_s": round(handled / seconds, 1),
            "bot_cpu_s_per_1000": round(bot_cpu * per_1000, 2),
            "postgres_backend_cpu_s_per_1000": round(backend_cpu * per_1000, 2),
            "postgres_server_cpu_s_per_1000": round(server_cpu * per_1000, 2),
            "generator_cpu_s_per_1000": round(generator_cpu * per_1000, 2),
            "tracebacks": tracebacks, "errors": errors[:5], "load_average": [round(n, 2) for n in os.getloadavg()]}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--per-user", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", default="1,2", help="the runs, by number of worker processes")
    args = parser.parse_args()
    results = {}
    for workers in (int(n) for n in args.workers.split(",")):
        result = asyncio.run(one_run(workers, args))
        result["machine"] = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
        print(json.dumps(result), flush=True)
        results[workers] = result["msgs_per_s"]
    one, two = results.get(1, 0.0), results.get(2, 0.0)
    print(f"scale_msgs_per_s_1w={one} scale_msgs_per_s_2w={two} scale_ratio_2w={round(two / one, 2) if one else 0}")


if __name__ == "__main__":
    main()
