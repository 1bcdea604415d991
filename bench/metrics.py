"""Benchmark: what one `GET /metrics` costs against a big database, on SQLite and PostgreSQL.

Every replica is scraped every 15 s or so, and each scrape reads what waits in the database (models/backlog.py),
so the reads must stay counts over the waiting rows, not over the history. The database holds `--users` job
seekers (bench/catalog.py), `--history` delivered outbox rows, `--pending` messages still waiting, and one
broadcast under way to every user (half of them queued in the outbox). The scrape is requested `--samples` times
through the real app (httpx's ASGI transport, in-process). Prints one JSON line per backend, then:

    metrics_scrape_p99_ms=<n> backend=<name>

Usage: python bench/metrics.py [--users 100000] [--history 1000000] [--pending 10000] [--samples 50]
                               [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from sqlalchemy import Integer, String, insert, literal, select  # noqa: E402

from bench.catalog import NOW, fill  # noqa: E402
from bench.databases import prepare_database  # noqa: E402
from bench.dialog import NullChannel  # noqa: E402
from bench.web import on_each_backend  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.webhooks import create_app  # noqa: E402
from bot.wiring import build_runtime  # noqa: E402
from models.broadcasts import Broadcast, BroadcastDelivery, BroadcastStatus, DeliveryStatus  # noqa: E402
from models.crypto import NikCipher  # noqa: E402
from models.db import create_engine  # noqa: E402
from models.outbox import OutboxMessage, OutboxStatus  # noqa: E402
from models.users import User  # noqa: E402

CHUNK = 10_000


async def add_waiting(url: str, users: int, history: int, pending: int) -> None:
    """The outbox's history and backlog, and a broadcast under way to every user."""
    engine = create_engine(url)
    try:
        for start in range(0, history + pending, CHUNK):
            async with engine.begin() as connection:
                await connection.execute(
                    insert(OutboxMessage),
                    [
                        {
                            "channel": "telegram",
                            "address": str(1_000_000 + n % users),
                            "user_id": None,
                            "payload": {"text": "Halo"},
                            "attempts": 1 if n < history else 0,
                            "status": OutboxStatus.SENT if n < history else OutboxStatus.PENDING,
                            "created_at": NOW - timedelta(seconds=history + pending - n),
                            "next_attempt_at": NOW,
                            "sent_at": NOW if n < history else None,
                        }
                        for n in range(start, min(start + CHUNK, history + pending))
                    ],
                )
        broadcast: dict[str, object] = {
            "author_id": None,
            "text_id": "Info",
            "text_en": None,
            "opening_code": None,
            "audience": {},
            "status": BroadcastStatus.SENDING,
            "scheduled_at": NOW,
            "created_at": NOW,
            "total": users,
        }
        async with engine.begin() as connection:
            added = await connection.execute(insert(Broadcast).returning(Broadcast.id), [broadcast])
            broadcast_id = added.scalar_one()
            for parity, status in ((0, DeliveryStatus.QUEUED), (1, DeliveryStatus.PENDING)):  # half way through
                members = select(User.id, literal(broadcast_id, Integer), literal(status.value, String))
                await connection.execute(
                    insert(BroadcastDelivery).from_select(
                        ["user_id", "broadcast_id", "status"], members.where(User.id % 2 == parity)
                    )
                )
    finally:
        await engine.dispose()


async def run_backend(backend: str, *, users: int, history: int, pending: int, samples: int) -> dict[str, object]:
    url, cleanup = await prepare_database(backend, "metrics")
    try:
        started = time.perf_counter()
        await fill(url, users, 20, random.Random(2026))
        await add_waiting(url, users, history, pending)
        filled = time.perf_counter() - started
        settings = load_settings(database_url=url, nik_encryption_key=NikCipher.generate_secret(), _env_file=None)
        runtime = build_runtime(settings, {"bench": NullChannel()}, clock=lambda: NOW)
        try:
            transport = httpx.ASGITransport(app=create_app(runtime=runtime))
            async with httpx.AsyncClient(transport=transport, base_url="http://metrics.bench") as client:
                times = []
                for _ in range(samples):
                    began = time.perf_counter()
                    response = await client.get("/metrics")
                    times.append((time.perf_counter() - began) * 1000)
                    assert response.status_code == 200 and "sahabat_kerja_database_up 1.0" in response.text
                    assert f'sahabat_kerja_outbox_pending{{channel="telegram"}} {float(pending)}' in response.text
        finally:
            await runtime.aclose()
    finally:
        await cleanup()
    times.sort()
    return {
        "backend": backend,
        "users": users,
        "history": history,
        "pending": pending,
        "samples": samples,
        "fill_seconds": round(filled, 1),
        "scrape_p50_ms": round(statistics.median(times), 1),
        "metrics_scrape_p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--pending", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    results = on_each_backend(
        args.backend,
        lambda backend: run_backend(
            backend, users=args.users, history=args.history, pending=args.pending, samples=args.samples
        ),
    )
    for result in results:
        print(f"metrics_scrape_p99_ms={result['metrics_scrape_p99_ms']} backend={result['backend']}")


if __name__ == "__main__":
    main()
