"""Benchmark: sending over WhatsApp at the number's rate limit, against the fake Graph API that enforces it.

The fake server (tests/fakes/whatsapp_server.py) refuses with 130429 every send above `--rate` messages/s
and checks each body against the v23.0 spec. It runs in a process of its own, as Meta's servers are not ours:
checking every body against the spec costs about as much CPU as sending it, and in the sender's process it
would halve the rate measured. `--senders` tasks share one `WhatsAppChannel` (as the outbox workers of one
process would) and send `--messages` replies with two reply buttons, each to its own user; a send that fails
retryably is queued again, as the outbox sweep would. Prints one JSON line, then:

    whatsapp_rate_ratio=<achieved messages/s / limit> lost=<messages never accepted> rate=<the limit>

Usage: python bench/whatsapp_send.py [--messages 2000] [--rate 80] [--senders 8] [--same-process]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import platform
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.channels.base import DeliveryError  # noqa: E402
from bot.channels.whatsapp.channel import WhatsAppChannel, WhatsAppConfig  # noqa: E402
from bot.engine.messages import RenderedOption, Reply  # noqa: E402
from tests.fakes.whatsapp_server import FakeWhatsApp  # noqa: E402

REPLY = Reply("Ada lowongan baru yang cocok untuk Anda. Lihat sekarang?",
              options=(RenderedOption("7|yes", "Lihat"), RenderedOption("7|no", "Nanti saja")))
MAX_ATTEMPTS = 5
WARM_UP = "6281100000000"


@dataclass(frozen=True, slots=True)
class Served:
    """What the fake saw, once the run is over."""

    accepted: int
    """Distinct recipients it accepted a message for (the warm-up's left out)."""
    messages: int
    throttled: int
    violations: list[str]
    cpu_s: float
    """The fake's own CPU time (its process's; in the sender's process, not known apart: 0)."""


@dataclass(slots=True)
class Fake:
    base_url: str
    token: str
    phone_number_id: str


def _serve(rate: float, pipe: Connection) -> None:
    """The fake Graph API in a process of its own: its address goes up the pipe, then what it saw once told to
    stop."""

    async def serve() -> None:
        async with FakeWhatsApp(rate=rate) as wa:
            pipe.send(Fake(wa.base_url, wa.token, wa.phone_number_id))
            await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
            recipients = {body["to"] for body in wa.sent} - {WARM_UP}
            pipe.send(Served(len(recipients), len(wa.sent), wa.throttled, wa.violations, time.process_time()))

    asyncio.run(serve())


@asynccontextmanager
async def fake_apart(rate: float) -> AsyncIterator[tuple[Fake, asyncio.Future[Served]]]:
    """The fake in a child process; the future has what it saw after the block."""
    mine, theirs = multiprocessing.get_context("spawn").Pipe()
    child = multiprocessing.get_context("spawn").Process(target=_serve, args=(rate, theirs), daemon=True)
    child.start()
    loop = asyncio.get_running_loop()
    seen: asyncio.Future[Served] = loop.create_future()
    try:
        fake = await loop.run_in_executor(None, mine.recv)
        yield fake, seen
        mine.send("stop")
        seen.set_result(await loop.run_in_executor(None, mine.recv))
    finally:
        child.join(timeout=10)
        if child.is_alive():
            child.kill()


@asynccontextmanager
async def fake_here(rate: float) -> AsyncIterator[tuple[Fake, asyncio.Future[Served]]]:
    """The fake in this process (`--same-process`): what the figure was before it had one of its own."""
    seen: asyncio.Future[Served] = asyncio.get_running_loop().create_future()
    async with FakeWhatsApp(rate=rate) as wa:
        yield Fake(wa.base_url, wa.token, wa.phone_number_id), seen
        recipients = {body["to"] for body in wa.sent} - {WARM_UP}
        seen.set_result(Served(len(recipients), len(wa.sent), wa.throttled, wa.violations, 0.0))


async def run(messages: int, rate: float, senders: int, same_process: bool = False) -> dict[str, object]:
    serving = fake_here(rate) if same_process else fake_apart(rate)
    async with serving as (fake, seen):
        config = WhatsAppConfig(token=fake.token, phone_number_id=fake.phone_number_id, api_base=fake.base_url,
                                rate_per_second=rate)
        channel = WhatsAppChannel(config)
        queue: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
        for n in range(messages):
            queue.put_nowait((f"62812{n:08d}", 1))
        retried = given_up = 0
        await channel.send(WARM_UP, REPLY)  # warm-up: the fake loads and compiles the spec once

        async def sender() -> None:
            nonlocal retried, given_up
            while not queue.empty():
                address, attempt = queue.get_nowait()
                try:
                    await channel.send(address, REPLY)
                except DeliveryError as error:
                    if error.permanent or attempt >= MAX_ATTEMPTS:
                        given_up += 1
                    else:
                        retried += 1
                        queue.put_nowait((address, attempt + 1))

        started, cpu = time.monotonic(), time.process_time()
        await asyncio.gather(*(sender() for _ in range(senders)))
        elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
        await channel.aclose()
    served = seen.result()
    if served.violations:
        raise AssertionError(f"{len(served.violations)} WhatsApp API violation(s): {served.violations[:5]}")
    achieved = (served.messages - 1) / elapsed
    return {
        "messages": messages, "rate_limit": rate, "senders": senders, "seconds": round(elapsed, 2),
        "accepted": served.accepted, "achieved_per_s": round(achieved, 2), "throttled_by_server": served.throttled,
        "retried": retried, "given_up": given_up, "lost": messages - served.accepted,
        "ratio": round(achieved / rate, 3), "fake": "same process" if same_process else "own process",
        "sender_cpu_ms_per_message": round(cpu * 1000 / max(messages, 1), 3),
        "fake_cpu_ms_per_message": round(served.cpu_s * 1000 / max(served.messages, 1), 3),
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=80.0)
    parser.add_argument("--senders", type=int, default=8,
                        help="concurrent sends; more cost CPU in httpx's connection pool (each request scans it)")
    parser.add_argument("--same-process", action="store_true", help="serve the fake in this process")
    args = parser.parse_args()
    result = asyncio.run(run(args.messages, args.rate, args.senders, args.same_process))
    print(json.dumps(result))
    print(f"whatsapp_rate_ratio={result['ratio']} lost={result['lost']} rate={args.rate:g}")


if __name__ == "__main__":
    main()
