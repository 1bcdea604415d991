"""Benchmark: follow-ups for 1,000,000 alumni on SQLite and PostgreSQL (issue 5).

Bulk-loads the alumni (users, profiles, applications, completions) of 240 programs that started in 2026, one
completing each day from 26 January to 22 September, and 1,000,000 evaluation records (none, one or two
answered check-ins per alumnus, periods 1 and 2). Then, each phase timed:
1. schedules: every alumnus' remaining monthly check-ins (`schedule_follow_ups_in_bulk`, as a plan change
   does), on 23 November 2026 at 08:00 in Tabalong;
2. one day's due fires: the clock moves to 09:00, the delivery hour, and the real job
   (`jobs.follow_ups.send_follow_ups`) claims the day's check-ins and opens them through the dispatcher and
   the outbox to a channel that accepts everything;
3. the yearly report over the records (`models.reports.follow_up_report`), median of `--runs`, each in a
   fresh session.
Prints one JSON line per phase, then per backend the line a script reads:

    followup_claim_per_s=<n> report_s=<n> backend=<name>

Usage: python bench/follow_ups.py [--alumni 1000000] [--runs 3] [--backend sqlite|postgresql|both] [--interleaved]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text  # noqa: E402

from bench.databases import prepare_database  # noqa: E402
from bot.engine.messages import Reply  # noqa: E402
from bot.engine.runtime import Runtime  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.wiring import build_runtime  # noqa: E402
from jobs.follow_ups import send_follow_ups  # noqa: E402
from models.applications import Application, Completion  # noqa: E402
from models.catalog import Provider, ProviderKind, TrainingCategory, TrainingProgram  # noqa: E402
from models.conversations import Conversation  # noqa: E402
from models.crypto import NikCipher  # noqa: E402
from models.db import dialect_name  # noqa: E402
from models.evaluations import FORMAL_STATUSES, INFORMAL_STATUSES, EvaluationRecord, refresh_standings  # noqa: E402
from models.follow_ups import CheckIn, FollowUpFire, schedule_follow_ups_in_bulk  # noqa: E402
from models.opt_ins import OptInSource, agree_in_bulk  # noqa: E402
from models.outbox import OutboxMessage  # noqa: E402
from models.profiles import CONSENT_VERSION, JobSeekerProfile  # noqa: E402
from models.reports import follow_up_report  # noqa: E402
from models.surveys import ensure_survey_version  # noqa: E402
from models.targets import set_target  # noqa: E402
from models.users import User  # noqa: E402

SCHEDULED_AT = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # 08:00 WITA
DELIVERY = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 WITA, the default delivery hour
PROGRAMS = 240
BATCH = 5_000
CHANNEL = "bench"
STATUSES = sorted(FORMAL_STATUSES | INFORMAL_STATUSES | {"further_education", "looking_for_work", "not_looking"})
KECAMATAN = ["banua-lawas", "haruai", "kelua", "murung-pudak", "tanjung", "upau"]


class AcceptingChannel:
    """A channel that takes every message and sends nothing: the bench measures the job, not a platform."""

    name = CHANNEL
    skips_unreachable = False

    async def send(self, address: str, reply: Reply) -> Sequence[str]:
        return ()  # no platform message ids


def program_rows(rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for n in range(PROGRAMS):
        start = date(2026, 1, 1) + timedelta(days=n)
        rows.append({"title": f"Pelatihan {n}", "category": rng.choice(list(TrainingCategory)), "provider_id": 1,
                     "location": "", "kecamatan": rng.choice(KECAMATAN), "start_date": start,
                     "end_date": start + timedelta(days=25), "registration_deadline": start, "quota": 5_000,
                     "min_age": None, "max_age": None, "min_education": None, "other_requirements": "",
                     "funding_source": "APBD", "equipment_aid": n % 3 == 0, "interests": [], "follow_up_plan": {},
                     "status": "finished", "created_at": SCHEDULED_AT, "published_at": SCHEDULED_AT})
    return rows


def evaluation(i: int, program: int, period: int, version_id: int, rng: random.Random) -> dict[str, Any]:
    status = rng.choice(STATUSES)
    return {"check_in_id": i * 10 + period, "user_id": i, "completion_id": i, "training_program_id": program,
            "period": period, "status_category": status,
            "employment": "formal" if status in FORMAL_STATUSES
            else "informal" if status in INFORMAL_STATUSES else "not_working",
            "is_wub": status in ("own_account", "with_permanent_workers") and rng.random() < 0.5,
            "workers_employed": rng.randint(0, 4), "equipment_in_use": rng.choice((None, True, False)),
            "answers": {"status_category": status}, "complete": True, "survey_version_id": version_id,
            "updated_at": SCHEDULED_AT}


async def fill(runtime: Runtime, alumni: int, rng: random.Random, *, interleaved: bool = False) -> int:
    """The alumni and their answered check-ins, inserted in batches (Core executemany), then ANALYZE.

    A class applies, is accepted and completes together, so a program's alumni have neighbouring ids, as they
    would in the office's database; `interleaved` deals them out one by one instead (alumnus i in program i mod
    240), the worst case for the report, whose scan then jumps across every table.
    """
    async with runtime.session_factory() as session, session.begin():
        version_id = (await ensure_survey_version(session, "tracer", SCHEDULED_AT)).id
        await set_target(session, 2026, 600_000)
        await session.execute(insert(Provider), [{"name": "UPT BLK", "kind": ProviderKind.BLK, "address": "",
                                                  "kecamatan": None, "contact": ""}])
        await session.execute(insert(TrainingProgram), program_rows(rng))
        ends = dict((await session.execute(select(TrainingProgram.id, TrainingProgram.end_date))).all())
    records = 0
    for start in range(1, alumni + 1, BATCH):
        users: list[dict[str, Any]] = []
        conversations: list[dict[str, Any]] = []
        profiles: list[dict[str, Any]] = []
        applications: list[dict[str, Any]] = []
        completions: list[dict[str, Any]] = []
        check_ins: list[dict[str, Any]] = []
        evaluations: list[dict[str, Any]] = []
        for i in range(start, min(start + BATCH, alumni + 1)):
            program = 1 + i % PROGRAMS if interleaved else 1 + (i - 1) * PROGRAMS // alumni
            users.append({"id": i, "channel": CHANNEL, "external_id": f"u{i}", "locale": "id", "role": "member",
                          "created_at": SCHEDULED_AT, "last_seen_at": SCHEDULED_AT})
            conversations.append({"user_id": i, "flow": None, "step": None, "data": {}, "prompt_seq": 0,
                                  "version": 1, "updated_at": SCHEDULED_AT})
            profiles.append({"user_id": i, "full_name": "Alumni", "nik_encrypted": "x", "nik_hash": f"h{i}",
                             "birth_date": date(2000, 1, 1), "gender": rng.choice(("female", "male")),
                             "phone_e164": "+6281200000000", "kecamatan": rng.choice(KECAMATAN),
                             "education": "smk", "interests": [], "other_interests": [],
                             "disability": rng.choice(("none", "none", "none", "physical")),
                             "current_status": "looking", "consent_version": CONSENT_VERSION,
                             "consented_at": SCHEDULED_AT,
                             "registered_at": SCHEDULED_AT, "updated_at": SCHEDULED_AT})
            applications.append({"id": i, "user_id": i, "training_program_id": program, "status": "completed",
                                 "submitted_at": SCHEDULED_AT, "updated_at": SCHEDULED_AT})
            completions.append({"id": i, "application_id": i, "user_id": i, "completed_on": ends[program],
                                "recorded_at": SCHEDULED_AT})
            for period in range(1, i % 3 + 1):  # none, one or two answered check-ins: one on average
                check_ins.append({"id": i * 10 + period, "user_id": i, "completion_id": i, "period": period,
                                  "survey_version_id": version_id, "status": "completed", "answers": {},
                                  "context": {}, "created_at": SCHEDULED_AT})
                evaluations.append(evaluation(i, program, period, version_id, rng))
        async with runtime.session_factory() as session, session.begin():
            for table, rows in ((User, users), (Conversation, conversations), (JobSeekerProfile, profiles),
                                (Application, applications), (Completion, completions), (CheckIn, check_ins),
                                (EvaluationRecord, evaluations)):
                if rows:
                    await session.execute(insert(table), rows)
        records += len(evaluations)
    async with runtime.session_factory() as session, session.begin():
        await refresh_standings(session)
        await agree_in_bulk(session, OptInSource.CONSENT, SCHEDULED_AT, CONSENT_VERSION)  # as registration does
        if dialect_name(session) == "postgresql":  # ids were given: move the sequences past them
            for name in ("users", "applications", "completions", "check_ins"):
                await session.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                           f"(SELECT max(id) FROM {name}))"))
    await analyze(runtime)
    return records


async def analyze(runtime: Runtime) -> None:
    async with runtime.session_factory() as session, session.begin():
        await session.execute(text("ANALYZE"))


async def count(runtime: Runtime, table: Any) -> int:
    async with runtime.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def schedule(runtime: Runtime) -> dict[str, Any]:
    started = time.perf_counter()
    async with runtime.session_factory() as session, session.begin():
        fires = await schedule_follow_ups_in_bulk(session, runtime.services.office.timezone, SCHEDULED_AT)
    elapsed = time.perf_counter() - started
    await analyze(runtime)
    return {"phase": "schedule", "fires": fires, "seconds": round(elapsed, 1),
            "fires_per_s": round(fires / elapsed)}


async def dispatch(runtime: Runtime) -> dict[str, Any]:
    due = await count(runtime, select(FollowUpFire).where(FollowUpFire.due_at <= DELIVERY).subquery())
    started = time.perf_counter()
    handled = await send_follow_ups(runtime)
    elapsed = time.perf_counter() - started
    queued = await count(runtime, OutboxMessage)
    opened = await count(runtime, select(CheckIn).where(CheckIn.opened_at.is_not(None)).subquery())
    return {"phase": "dispatch", "due": due, "handled": handled, "check_ins_opened": opened,
            "outbox_rows": queued, "seconds": round(elapsed, 1), "claim_per_s": round(handled / elapsed, 1)}


async def report(runtime: Runtime, runs: int) -> dict[str, Any]:
    timings = []
    for _run in range(runs):
        started = time.perf_counter()
        async with runtime.session_factory() as session:
            result = await follow_up_report(session, 2026)
        timings.append(time.perf_counter() - started)
        assert result.total.responded > 0
    return {"phase": "report", "records": await count(runtime, EvaluationRecord), "runs": runs,
            "report_s_median": round(statistics.median(timings), 2), "report_s_max": round(max(timings), 2),
            "responded": result.total.responded}


async def run(backend: str, alumni: int, runs: int, interleaved: bool) -> dict[str, Any]:
    url, cleanup = await prepare_database(backend, "followups")
    clock = {"now": SCHEDULED_AT}
    settings = load_settings(database_url=url, nik_encryption_key=NikCipher.generate_secret(), _env_file=None)
    runtime = build_runtime(settings, {CHANNEL: AcceptingChannel()}, clock=lambda: clock["now"],
                            flush_when_idle=True)
    try:
        started = time.perf_counter()
        records = await fill(runtime, alumni, random.Random(2026), interleaved=interleaved)
        filled = {"phase": "fill", "backend": backend, "alumni": alumni, "records": records, "interleaved": interleaved,
                  "seconds": round(time.perf_counter() - started, 1)}
        print(json.dumps(filled), flush=True)
        phases = [await schedule(runtime)]
        print(json.dumps(phases[-1]), flush=True)
        clock["now"] = DELIVERY
        phases.append(await dispatch(runtime))
        print(json.dumps(phases[-1]), flush=True)
        phases.append(await report(runtime, runs))
        print(json.dumps(phases[-1]), flush=True)
    finally:
        await runtime.aclose()
        await cleanup()
    return {"backend": backend, "claim_per_s": phases[1]["claim_per_s"], "report_s": phases[2]["report_s_median"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--alumni", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--interleaved", action="store_true", help="alumni dealt out to programs one by one")
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = [asyncio.run(run(backend, args.alumni, args.runs, args.interleaved)) for backend in backends]
    for result in results:
        print(f"followup_claim_per_s={result['claim_per_s']} report_s={result['report_s']} "
              f"backend={result['backend']}")


if __name__ == "__main__":
    main()
