"""Benchmark: the dashboard's Messages pages ("Ask staff") with 10,000 open questions, on SQLite and PostgreSQL.

Two figures, as staff live them:
- inbox: the server time of the inbox as a signed-in staff member reads it through the real app (httpx's ASGI
  transport, in-process, as `bench/web.py`): the open tab's first page, the unassigned and mine tabs, a deep
  page of the open tab, and the part htmx polls every few seconds;
- to_inbox: from a user's message (through the dispatcher, `Runtime.handle`, as a chat channel hands it on)
  to the moment the inbox's list shows it. A message moves its question to the end of the open tab (the
  longest waiting come first), so the list read is the open tab's last page; it is read until the message's
  text is there.
The questions are bulk-loaded (core INSERTs): one per job seeker, each with two messages, waiting from a few
minutes to a month. Prints one JSON line per backend, then the line a script reads:

    inbox_p99_ms=<n> to_inbox_p99_ms=<n> backend=<name>      (inbox: the slowest page's p99)

Usage: python bench/inbox.py [--tickets 10000] [--samples 200] [--messages 100] [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from bench.catalog import NOW, fill  # noqa: E402
from bench.databases import prepare_database  # noqa: E402
from bench.dialog import NullChannel  # noqa: E402
from bench.web import measure_pages, on_each_backend, percentile_ms, sign_in  # noqa: E402
from bot.engine.messages import Incoming  # noqa: E402
from bot.engine.runtime import Runtime  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.webhooks import create_app  # noqa: E402
from bot.wiring import build_runtime  # noqa: E402
from models.crypto import NikCipher  # noqa: E402
from models.db import create_engine  # noqa: E402
from models.tickets import Ticket, TicketMessage, TicketStatus  # noqa: E402
from models.users import Role, User  # noqa: E402
from web.pages.inbox import INBOX  # noqa: E402

BATCH = 5_000
OPENINGS = 10
"""A few openings: `bench.catalog.fill` makes them with the job seekers; the inbox does not read them."""
LAST_PAGE = 100_000
"""A page number past the end: the inbox shows its last page."""
SEEN_WITHIN_S = 10.0
"""How long a message may take to show before the run fails (the target is 2 s at p99)."""


async def add_tickets(url: str, tickets: int, rng: random.Random) -> None:
    """One open question per job seeker 1..`tickets`, each with the user's question and a follow-up, a tenth of
    them taken by the staff member who reads the inbox (`sign_in` finds them); then the statistics refreshed."""
    engine = create_engine(url)
    staff = tickets + 1
    async with engine.begin() as connection:
        await connection.execute(insert(User), [
            {"id": staff, "channel": "bench", "external_id": Role.STAFF.value, "locale": "id", "role": Role.STAFF,
             "created_at": NOW, "last_seen_at": NOW}])
    for start in range(0, tickets, BATCH):
        ids = range(start + 1, min(start + BATCH, tickets) + 1)
        asked = {i: NOW - timedelta(minutes=rng.randint(5, 30 * 24 * 60)) for i in ids}
        async with engine.begin() as connection:
            await connection.execute(insert(Ticket), [
                {"id": i, "user_id": i, "status": TicketStatus.OPEN, "assigned_to": staff if i % 10 == 0 else None,
                 "created_at": asked[i], "last_message_at": asked[i] + timedelta(minutes=2)} for i in ids])
            await connection.execute(insert(TicketMessage), [
                {"ticket_id": i, "author_id": i, "from_staff": False, "created_at": asked[i] + timedelta(minutes=n),
                 "text": f"Pertanyaan nomor {i}: kapan sertifikat pelatihan saya jadi?" if n == 0
                 else "Saya alumni pelatihan menjahit 2025."} for i in ids for n in (0, 2)])
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        if engine.dialect.name == "postgresql":  # the rows above came with their ids: move the counters past them
            for table in ("users", "tickets", "ticket_messages"):
                await autocommit.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) "
                                              f"FROM {table}"))
        await autocommit.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    await engine.dispose()


def pages(rng: random.Random, tickets: int) -> dict[str, Callable[[], str]]:
    """Each inbox address staff read, with the pages they would turn to."""
    deepest = max(1, tickets // 25)
    return {
        "inbox_open": lambda: INBOX,
        "inbox_unassigned": lambda: f"{INBOX}?tab=unassigned",
        "inbox_mine": lambda: f"{INBOX}?tab=mine",
        "inbox_deep": lambda: f"{INBOX}?tab=open&halaman={rng.randint(1, deepest)}",
        "inbox_poll": lambda: f"{INBOX}/daftar?tab=open&halaman=1",
    }


async def to_inbox(runtime: Runtime, client: httpx.AsyncClient, messages: int) -> dict[str, float]:
    """Seconds from each user message to the inbox listing it: new askers (`/tanya`, then the question), each
    question followed by one more message to the same ticket."""
    timings: list[float] = []
    sequence = iter(range(1, 10 * messages + 10))

    async def say(asker: str, words: str) -> None:
        await runtime.handle(Incoming(channel="bench", external_id=asker, event_id=f"b{next(sequence)}",
                                      locale_hint="id", text=words))

    for n in range(messages):
        asker = f"asker{n // 2}"
        if n % 2 == 0:
            await say(asker, "/tanya")
        words = f"Pesan bench {n} dari {asker}"
        started = time.perf_counter()
        await say(asker, words)
        while words not in (await client.get(f"{INBOX}?tab=open&halaman={LAST_PAGE}")).text:
            assert time.perf_counter() - started < SEEN_WITHIN_S, f"{words!r} did not reach the inbox"
        timings.append(time.perf_counter() - started)
    return {"to_inbox_p50_ms": percentile_ms(timings, 0.5), "to_inbox_p99_ms": percentile_ms(timings, 0.99)}


async def run_backend(backend: str, *, tickets: int, samples: int, messages: int) -> dict[str, object]:
    rng = random.Random(2026)
    url, cleanup = await prepare_database(backend, "inbox")
    try:
        started = time.perf_counter()
        await fill(url, tickets, OPENINGS, rng)
        await add_tickets(url, tickets, rng)
        filled = time.perf_counter() - started
        settings = load_settings(database_url=url, nik_encryption_key=NikCipher.generate_secret(), _env_file=None)
        runtime = build_runtime(settings, {"bench": NullChannel()})
        try:
            transport = httpx.ASGITransport(app=create_app(runtime=runtime))
            async with httpx.AsyncClient(transport=transport, base_url="http://dasbor.bench") as client:
                await sign_in(runtime, client, Role.STAFF)
                figures = await measure_pages(client, samples, pages(rng, tickets))
                figures |= await to_inbox(runtime, client, messages)
        finally:
            await runtime.aclose()
    finally:
        await cleanup()
    return {"backend": backend, "tickets": tickets, "samples": samples, "messages": messages,
            "fill_seconds": round(filled, 1), **figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    results = on_each_backend(args.backend, lambda backend: run_backend(
        backend, tickets=args.tickets, samples=args.samples, messages=args.messages))
    for result in results:
        slowest = max(float(value) for name, value in result.items()  # type: ignore[arg-type]
                      if name.startswith("inbox_") and name.endswith("_p99_ms"))
        print(f"inbox_p99_ms={slowest} to_inbox_p99_ms={result['to_inbox_p99_ms']} backend={result['backend']}")


if __name__ == "__main__":
    main()
