"""Benchmark: other users' replies while a staff member asks for the year's report, on SQLite (issue 16, item 7).

Bulk-loads alumni with about one answered check-in each (`bench.follow_ups.fill`: 1,000,000 alumni give about
1,000,000 evaluation records), then 20 users chat through the real dispatcher, outbox and delivery (each sends
"menu", waits for the reply, pauses 50 ms, again) while a staff member sends `/laporan` and then the year. Every
chat message whose handling overlaps the report's is timed; the staff member's is the report.

Modes:
- `apart` (the code as it is): the report is computed after the staff message's commit, on a read-only
  connection of its own in a worker thread (`models.db.ReadApart`);
- `inline` (before): the same report computed inside a transaction on the event loop, as `/laporan` did before
  (the message's transaction held the process' only SQLite connection while the query ran on the loop).
Prints one JSON line per mode, then the line a script reads (of the last mode run):

    reply_p99_ms_during_report=<n> report_s=<n> replies_during_report=<n> backend=sqlite

Usage: python bench/report_contention.py [--records 1000000] [--users 20] [--mode apart|inline|both]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.databases import prepare_database  # noqa: E402
from bench.follow_ups import CHANNEL, SCHEDULED_AT, AcceptingChannel, fill  # noqa: E402
from bot.engine.messages import Incoming  # noqa: E402
from bot.engine.runtime import Runtime  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.wiring import build_runtime  # noqa: E402
from models.crypto import NikCipher  # noqa: E402
from models.reports import follow_up_report  # noqa: E402
from models.users import Role, set_role  # noqa: E402

YEAR = 2026
PAUSE_S = 0.05
WARM_UP_S = 1.0
STAFF = "staf-laporan"


@dataclass
class Timings:
    """Each chat message's (start, end), and the report's."""

    messages: list[tuple[float, float]] = field(default_factory=list)
    report: tuple[float, float] = (0.0, 0.0)

    def during_report(self) -> list[float]:
        start, end = self.report
        return sorted(done - began for began, done in self.messages if began < end and done > start)

    def before_report(self) -> list[float]:
        """The replies of the warm-up's second half, for comparison: what a reply takes with no report."""
        start = self.report[0]
        return sorted(done - began for began, done in self.messages if start - WARM_UP_S / 2 <= began
                      and done <= start)


def p99_ms(latencies: list[float]) -> float:
    return round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 1) if latencies else 0.0


async def chat(runtime: Runtime, user: int, stop: asyncio.Event, timings: Timings) -> None:
    number = 0
    while not stop.is_set():
        number += 1
        incoming = Incoming(channel=CHANNEL, external_id=f"chat{user}", text="menu", event_id=f"chat{user}-{number}")
        began = time.perf_counter()
        await runtime.handle(incoming)
        timings.messages.append((began, time.perf_counter()))
        await asyncio.sleep(PAUSE_S)


async def ask_for_the_report(runtime: Runtime, mode: str, timings: Timings) -> None:
    if mode == "apart":
        await runtime.handle(Incoming(channel=CHANNEL, external_id=STAFF, text="/laporan", event_id="staff-1"))
        began = time.perf_counter()
        await runtime.handle(Incoming(channel=CHANNEL, external_id=STAFF, text=str(YEAR), event_id="staff-2"))
    else:
        began = time.perf_counter()
        async with runtime.session_factory() as session, session.begin():
            await follow_up_report(session, YEAR)
    timings.report = (began, time.perf_counter())


async def contend(runtime: Runtime, users: int, mode: str) -> dict[str, Any]:
    timings = Timings()
    stop = asyncio.Event()
    chatting = [asyncio.create_task(chat(runtime, user, stop, timings)) for user in range(users)]
    await asyncio.sleep(WARM_UP_S)
    await ask_for_the_report(runtime, mode, timings)
    await asyncio.sleep(PAUSE_S * 2)
    stop.set()
    await asyncio.gather(*chatting)
    await runtime.delivery.flush()
    during, before = timings.during_report(), timings.before_report()
    return {"mode": mode, "users": users, "report_s": round(timings.report[1] - timings.report[0], 2),
            "reply_p99_ms_before_report": p99_ms(before),
            "replies_during_report": len(during),
            "reply_p50_ms_during_report": round(statistics.median(during) * 1000, 1) if during else 0.0,
            "reply_p99_ms_during_report": p99_ms(during),
            "reply_max_ms_during_report": round(during[-1] * 1000, 1) if during else 0.0}


async def run(records: int, users: int, modes: list[str]) -> list[dict[str, Any]]:
    url, cleanup = await prepare_database("sqlite", "contention")
    settings = load_settings(database_url=url, nik_encryption_key=NikCipher.generate_secret(), _env_file=None)
    runtime = build_runtime(settings, {CHANNEL: AcceptingChannel()}, clock=lambda: SCHEDULED_AT)
    results = []
    try:
        started = time.perf_counter()
        loaded = await fill(runtime, records, random.Random(2026))
        print(json.dumps({"phase": "fill", "alumni": records, "records": loaded,
                          "seconds": round(time.perf_counter() - started, 1)}), flush=True)
        async with runtime.session_factory() as session, session.begin():
            await set_role(session, CHANNEL, STAFF, Role.STAFF, locale="id", now=SCHEDULED_AT)
        for mode in modes:
            results.append({**await contend(runtime, users, mode), "records": loaded})
            print(json.dumps(results[-1]), flush=True)
    finally:
        await runtime.aclose()
        await cleanup()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="alumni, with about one record each")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--mode", choices=("apart", "inline", "both"), default="apart")
    args = parser.parse_args()
    modes = ["inline", "apart"] if args.mode == "both" else [args.mode]
    last = asyncio.run(run(args.records, args.users, modes))[-1]
    print(f"reply_p99_ms_during_report={last['reply_p99_ms_during_report']} report_s={last['report_s']} "
          f"replies_during_report={last['replies_during_report']} backend=sqlite")


if __name__ == "__main__":
    main()
