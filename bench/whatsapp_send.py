"""Benchmark: sending over WhatsApp at the number's rate limit, against the fake Graph API that enforces it.

The fake server (tests/fakes/whatsapp_server.py) refuses with 130429 every send above `--rate` messages/s
and checks each body against the v23.0 spec. `--senders` tasks share one `WhatsAppChannel` (as the outbox
workers of one process would) and send `--messages` replies with two reply buttons, each to its own user;
a send that fails retryably is queued again, as the outbox sweep would. Prints one JSON line, then:

    whatsapp_rate_ratio=<achieved messages/s / limit> lost=<messages never accepted>

Usage: python bench/whatsapp_send.py [--messages 2000] [--rate 80] [--senders 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.channels.base import DeliveryError  # noqa: E402
from bot.channels.whatsapp.channel import WhatsAppChannel, WhatsAppConfig  # noqa: E402
from bot.engine.messages import RenderedOption, Reply  # noqa: E402
from tests.fakes.whatsapp_server import FakeWhatsApp  # noqa: E402

REPLY = Reply("Ada lowongan baru yang cocok untuk Anda. Lihat sekarang?",
              options=(RenderedOption("7|yes", "Lihat"), RenderedOption("7|no", "Nanti saja")))
MAX_ATTEMPTS = 5


async def run(messages: int, rate: float, senders: int) -> dict[str, object]:
    async with FakeWhatsApp(rate=rate) as wa:
        config = WhatsAppConfig(token=wa.token, phone_number_id=wa.phone_number_id, api_base=wa.base_url,
                                rate_per_second=rate)
        channel = WhatsAppChannel(config)
        queue: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
        for n in range(messages):
            queue.put_nowait((f"62812{n:08d}", 1))
        retried = given_up = 0
        await channel.send("6281100000000", REPLY)  # warm-up: the fake loads and compiles the spec once
        warm_up = len(wa.sent)

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

        started = time.monotonic()
        await asyncio.gather(*(sender() for _ in range(senders)))
        elapsed = time.monotonic() - started
        await channel.aclose()
        wa.assert_clean()
        accepted = len({body["to"] for body in wa.sent[warm_up:]})
        achieved = (len(wa.sent) - warm_up) / elapsed
        return {
            "messages": messages, "rate_limit": rate, "senders": senders, "seconds": round(elapsed, 2),
            "accepted": accepted, "achieved_per_s": round(achieved, 2), "throttled_by_server": wa.throttled,
            "retried": retried, "given_up": given_up, "lost": messages - accepted,
            "ratio": round(achieved / rate, 3), "python": platform.python_version(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=80.0)
    parser.add_argument("--senders", type=int, default=32)
    args = parser.parse_args()
    result = asyncio.run(run(args.messages, args.rate, args.senders))
    print(json.dumps(result))
    print(f"whatsapp_rate_ratio={result['ratio']} lost={result['lost']}")


if __name__ == "__main__":
    main()
