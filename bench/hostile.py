"""Benchmark: hostile input at both webhooks of the real `python -m bot run`.

The process serves the Telegram webhook and the WhatsApp webhook (against the fake Bot API and the fake Graph
API, here in the bench's process). First `--payloads` random and crafted payloads, signed with the test
secrets so they pass the door (made-up and enormous button ids, "more" rows, opening codes and deep links,
odd JSON, bodies nested deeply, numbers of 5,000 digits, broken UTF-8), from a pool of users so that some
are in the middle of a conversation. Then `--bodies` concurrent unsigned bodies of `--body-mb` MB each, half
declaring their length and half chunked, streamed from a generator (never held in the bench's memory), while
the process's resident memory is sampled (psutil).

Reported: tracebacks in the process's log, whether it crashed (not serving /healthz afterwards, or exited),
the answers by status, and the process's peak RSS growth while the large bodies were sent. Final line:
`hostile_tracebacks=<n> crashed=<n> body_rss_growth_mb=<n>` (targets: 0, 0, at most 20).

Usage: python bench/hostile.py [--payloads 10000] [--bodies 10] [--body-mb 100] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import hashlib
import hmac
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
import psutil  # noqa: E402

from bench.databases import prepare_database  # noqa: E402
from models.crypto import NikCipher  # noqa: E402
from tests.fakes import whatsapp_webhooks as hooks  # noqa: E402
from tests.fakes.telegram_server import FakeTelegram  # noqa: E402
from tests.fakes.whatsapp_server import FakeWhatsApp  # noqa: E402
from tests.test_telegram_e2e import BotProcess, free_port  # noqa: E402
from tests.test_telegram_e2e import wait_until_serving as _wait_until_serving  # noqa: E402

TOKEN = "123456:HOSTILE-token"
TELEGRAM_SECRET = "hostile-webhook-SECRET"
TELEGRAM_PATH = "/telegram/hook"
WHATSAPP_PATH = "/webhooks/whatsapp"
USERS = 40
CHUNK = b"\x00" * 65_536
SAMPLE_S = 0.02
TRACEBACK = "Traceback (most recent call last)"

NUMBERS = ["9" * 20, "1" * 5000, "-1", "0", "+5", "0x1f", "1e9", "٦٣٠٩", "１２", "²", str(2**31), str(2**63),
           "0" * 11, "", "NaN", "12 ", "\u202e12"]
WORDS = ["halo", "menu", "batal", "kembali", "/start", "/help", "/profil", "/lihat", "/jawab", "/laporan", "/staf",
         "1", "2", "3", "ya", "tidak", "Siti Rahmawati", "6309014508990001", "05-08-1999", "x" * 1001, "\x00"]


def crafted_id(rng: random.Random) -> str:
    number = rng.choice(NUMBERS)
    return rng.choice([number, f"o{number}", f"a{number}", f"b{number}", f"{number}|o1", f"1|o{number}",
                       f"{number}|{number}", f"wa:more:{number}:x", f"wa:more:1:{number}|o{number}",
                       f"/lihat t{number}", f"/start a{number}", f"/jawab {number} hai", "nav:back", "nav:menu",
                       f"{rng.randint(0, 40)}|{rng.choice(['yes', 'no', 'next', 'previous', 'o3', 'a1'])}",
                       "#" + "A" * 40, "".join(chr(rng.randint(1, 0x2FFF)) for _ in range(rng.randint(1, 80)))])


def crafted_text(rng: random.Random) -> str:
    return rng.choice([rng.choice(WORDS), crafted_id(rng), f"/lihat {crafted_id(rng)}", f"/start {crafted_id(rng)}",
                       f"/jawab #{rng.choice(NUMBERS)}"])


def random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randint(0, 7 if depth < 4 else 4)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.choice([rng.randint(-2**70, 2**70), rng.random() * 1e300, 0])
    if kind in (3, 4):
        return rng.choice([crafted_text(rng), "", "\ud800".encode("utf-8", "surrogatepass").decode("latin-1")])
    if kind in (5, 6):
        return {rng.choice(["entry", "changes", "value", "messages", "from", "id", "type", "interactive",
                            "update_id", "message", "callback_query", "data", "chat", "text"]): random_json(
            rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def whatsapp_body(rng: random.Random, phone_number_id: str) -> bytes:
    wa_id = f"62812{rng.randrange(USERS):08d}"
    shape = rng.randrange(8)
    if shape == 0:
        payload: Any = hooks.text_message(wa_id, crafted_text(rng))
    elif shape == 1:
        payload = hooks.button_reply(wa_id, crafted_id(rng), "x")
    elif shape == 2:
        payload = hooks.list_reply(wa_id, crafted_id(rng), "x")
    elif shape == 3:
        payload = random_json(rng)
    elif shape == 4:
        return b"[" * 40_000 + b"]" * 40_000
    elif shape == 5:
        return b'{"object":"whatsapp_business_account","entry":[{"id":' + b"7" * 5000 + b"}]}"
    elif shape == 6:
        return b'{"object":"\xff\xfe whatsapp"}'
    else:  # the right envelope around messages of any shape
        payload = hooks.envelope({"messages": [random_json(rng) for _ in range(rng.randint(1, 3))],
                                  "statuses": random_json(rng)}, phone_number_id=phone_number_id)
    return json.dumps(payload, separators=(",", ":")).encode()


def telegram_body(rng: random.Random, tg: FakeTelegram, update_id: int) -> bytes:
    user = 70_000 + rng.randrange(USERS)
    shape = rng.randrange(7)
    if shape == 0:
        update: Any = tg.text_update(user, crafted_text(rng))
    elif shape == 1:
        update = tg.callback_update(user, crafted_id(rng)[:64])
    elif shape == 2:
        update = tg.callback_update(user, crafted_id(rng))
    elif shape == 3:
        update = {"update_id": update_id, rng.choice(["message", "callback_query", "my_chat_member"]): random_json(rng)}
    elif shape == 4:
        return b"[" * 40_000 + b"]" * 40_000
    elif shape == 5:
        return b'{"update_id":' + b"9" * 5000 + b"}"
    else:
        update = random_json(rng)
    if isinstance(update, dict) and "update_id" in update and shape < 3:
        update["update_id"] = update_id
    return json.dumps(update, separators=(",", ":")).encode()


def sign(raw: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


class RssSampler:
    """The process's resident memory, sampled until stopped: its peak over a window."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._task: asyncio.Task[None] | None = None

    def current(self) -> int:
        return int(self.process.memory_info().rss)

    async def _sample(self) -> None:
        while True:
            try:
                self.peak = max(self.peak, self.current())
            except psutil.Error:
                return
            await asyncio.sleep(SAMPLE_S)

    def start(self) -> None:
        self.peak = self.current()
        self._task = asyncio.create_task(self._sample())

    async def stop(self) -> int:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        return self.peak


async def send_payloads(http: httpx.AsyncClient, tg: FakeTelegram, wa: FakeWhatsApp, *, count: int,
                        concurrency: int, seed: int) -> collections.Counter[str]:
    rng = random.Random(seed)
    statuses: collections.Counter[str] = collections.Counter()
    queue: asyncio.Queue[tuple[str, bytes, dict[str, str]]] = asyncio.Queue()
    for index in range(count):
        if index % 2:
            raw = whatsapp_body(rng, wa.phone_number_id)
            queue.put_nowait((WHATSAPP_PATH, raw, {"X-Hub-Signature-256": sign(raw, wa.app_secret)}))
        else:
            raw = telegram_body(rng, tg, 1_000_000 + index)
            queue.put_nowait((TELEGRAM_PATH, raw, {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}))

    async def worker() -> None:
        while not queue.empty():
            path, raw, headers = queue.get_nowait()
            try:
                answer = await http.post(path, content=raw, headers={**headers, "Content-Type": "application/json"})
                statuses[f"{path.rsplit('/', 1)[-1]}_{answer.status_code}"] += 1
            except httpx.HTTPError as error:
                statuses[f"{path.rsplit('/', 1)[-1]}_{type(error).__name__}"] += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return statuses


async def large_body(size: int) -> AsyncIterator[bytes]:
    sent = 0
    while sent < size:
        yield CHUNK
        sent += len(CHUNK)


async def send_large_bodies(base_url: str, bodies: int, size: int) -> collections.Counter[str]:
    """`bodies` unsigned bodies of `size` bytes at once, on both webhooks, half of them chunked."""
    outcomes: collections.Counter[str] = collections.Counter()

    async def one(index: int) -> None:
        path = (WHATSAPP_PATH, TELEGRAM_PATH)[index % 2]
        headers = {"Content-Type": "application/json"}
        if index % 4 < 2:
            headers["Content-Length"] = str(size)
        async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:
            try:
                answer = await http.post(path, content=large_body(size), headers=headers)
                outcomes[f"status_{answer.status_code}"] += 1
            except httpx.HTTPError as error:  # the server answered and closed while the body was still coming
                outcomes[type(error).__name__] += 1

    await asyncio.gather(*(one(index) for index in range(bodies)))
    return outcomes


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    url, cleanup = await prepare_database("sqlite", "hostile")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with FakeTelegram(token=TOKEN, hang_seconds=5) as tg, FakeWhatsApp() as wa:
            with tempfile.TemporaryDirectory(prefix="sahabat-bench-hostile-") as workdir:
                env = {
                    "DATABASE_URL": url, "NIK_ENCRYPTION_KEY": NikCipher.generate_secret(),
                    "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": tg.base_url,
                    "TELEGRAM_WEBHOOK_URL": f"{base_url}{TELEGRAM_PATH}", "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
                    "TELEGRAM_MESSAGES_PER_SECOND": "100000", "TELEGRAM_MESSAGES_PER_CHAT_PER_SECOND": "100000",
                    "WHATSAPP_TOKEN": wa.token, "WHATSAPP_PHONE_NUMBER_ID": wa.phone_number_id,
                    "WHATSAPP_APP_SECRET": wa.app_secret, "WHATSAPP_VERIFY_TOKEN": "verify",
                    "WHATSAPP_API_BASE": wa.base_url, "WHATSAPP_RATE_PER_SECOND": "1000",
                    "WHATSAPP_DAILY_UNIQUE_RECIPIENTS": "1000000",
                    "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port), "LOG_LEVEL": "WARNING",
                    "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
                }
                bot = BotProcess(env, Path(workdir))
                await bot.start()
                assert bot.process is not None
                try:
                    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
                        try:
                            await _wait_until_serving(http)
                        except AssertionError:
                            print(bot.log.read_text(encoding="utf-8", errors="replace"), file=sys.stderr)
                            raise
                        started = time.monotonic()
                        statuses = await send_payloads(http, tg, wa, count=args.payloads, concurrency=args.concurrency,
                                                       seed=args.seed)
                        payload_s = time.monotonic() - started
                        await asyncio.sleep(1.0)  # replies sent after the answers settle
                        sampler = RssSampler(bot.process.pid)
                        before = sampler.current()
                        sampler.start()
                        bodies = await send_large_bodies(base_url, args.bodies, args.body_mb * 1024 * 1024)
                        peak = await sampler.stop()
                        crashed = int(bot.process.returncode is not None or not await _serving(http))
                finally:
                    await bot.stop()
                log = bot.log.read_text(encoding="utf-8", errors="replace")
    finally:
        await cleanup()
    return {
        "payloads": args.payloads, "payloads_per_s": round(args.payloads / payload_s, 1),
        "answers": dict(sorted(statuses.items())), "bodies": args.bodies, "body_mb": args.body_mb,
        "body_outcomes": dict(sorted(bodies.items())), "rss_before_mb": round(before / 2**20, 1),
        "rss_peak_mb": round(peak / 2**20, 1), "body_rss_growth_mb": round(max(0, peak - before) / 2**20, 1),
        "hostile_tracebacks": log.count(TRACEBACK), "crashed": crashed,
        "first_traceback": _first_traceback(log),
    }


async def _serving(http: httpx.AsyncClient) -> bool:
    try:
        return (await http.get("/healthz")).status_code == 200
    except httpx.HTTPError:
        return False


def _first_traceback(log: str) -> str:
    at = log.find(TRACEBACK)
    return "" if at < 0 else log[max(0, at - 300):at + 3000]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--payloads", type=int, default=10_000)
    parser.add_argument("--bodies", type=int, default=10)
    parser.add_argument("--body-mb", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    result = asyncio.run(bench(args))
    result["machine"] = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    print(json.dumps(result), flush=True)
    print(f"hostile_tracebacks={result['hostile_tracebacks']} crashed={result['crashed']} "
          f"body_rss_growth_mb={result['body_rss_growth_mb']}")

if __name__ == "__main__":
    main()
