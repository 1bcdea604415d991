"""Benchmark: the yearly follow-up report over 100,000 evaluation records, on SQLite and PostgreSQL.

Fills 40,000 alumni of 200 training programs that started in 2025 (plus 10,000 participants who did not
complete), each with two or three monthly check-ins and their evaluation records, then builds the whole
report (total and the five breakdowns: six aggregate queries) several times, each in a fresh session.
Prints one JSON line per backend, then the line a script reads:

    report_ms=<median> records=<n> backend=<name>

Usage: python bench/follow_up_report.py [--alumni 40000] [--runs 5] [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from bench.databases import prepare_database  # noqa: E402
from models.applications import Application, Completion  # noqa: E402
from models.catalog import Provider, ProviderKind, TrainingCategory, TrainingProgram  # noqa: E402
from models.db import create_engine, create_session_factory  # noqa: E402
from models.evaluations import FORMAL_STATUSES, INFORMAL_STATUSES, EvaluationRecord  # noqa: E402
from models.followups import CheckIn  # noqa: E402
from models.profiles import JobSeekerProfile  # noqa: E402
from models.reports import follow_up_report  # noqa: E402
from models.surveys import ensure_survey_version  # noqa: E402
from models.targets import set_target  # noqa: E402
from models.users import User  # noqa: E402

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
PROGRAMS = 200
BATCH = 5_000
STATUSES = sorted(FORMAL_STATUSES | INFORMAL_STATUSES | {"further_education", "looking_for_work", "not_looking"})
KECAMATAN = ["banua-lawas", "haruai", "kelua", "murung-pudak", "tanjung", "upau"]


async def fill(url: str, alumni: int, rng: random.Random) -> int:
    engine = create_engine(url)
    session_factory = create_session_factory(engine)
    async with session_factory() as session, session.begin():
        version_id = (await ensure_survey_version(session, "tracer", NOW)).id
        await set_target(session, 2025, 3_000)
    participants = alumni + alumni // 4
    async with engine.begin() as connection:
        await connection.execute(insert(Provider), [{"name": "UPT BLK", "kind": ProviderKind.BLK, "address": "",
                                                     "kecamatan": None, "contact": ""}])
        await connection.execute(insert(TrainingProgram), [
            {"title": f"Pelatihan {n}", "category": rng.choice(list(TrainingCategory)), "provider_id": 1,
             "location": "", "kecamatan": rng.choice(KECAMATAN), "start_date": date(2025, 1 + n % 12, 1),
             "end_date": date(2025, 1 + n % 12, 20), "registration_deadline": date(2025, 1 + n % 12, 1),
             "quota": 500, "min_age": None, "max_age": None, "min_education": None, "other_requirements": "",
             "funding_source": "APBD", "equipment_aid": n % 3 == 0, "interests": [], "follow_up_plan": {},
             "status": "finished", "created_at": NOW, "published_at": NOW} for n in range(PROGRAMS)])
    records = 0
    for start in range(1, participants + 1, BATCH):
        ids = range(start, min(start + BATCH, participants + 1))
        users, profiles, applications, completions, check_ins, evaluations = [], [], [], [], [], []
        for i in ids:
            completed = i <= alumni
            program = 1 + i % PROGRAMS
            users.append({"id": i, "channel": "bench", "external_id": f"u{i}", "locale": "id", "role": "member",
                          "created_at": NOW, "last_seen_at": NOW})
            profiles.append({"user_id": i, "full_name": "Alumni", "nik_encrypted": "x", "nik_hash": f"h{i}",
                             "birth_date": date(2000, 1, 1), "gender": rng.choice(("female", "male")),
                             "phone_e164": "+6281200000000", "kecamatan": rng.choice(KECAMATAN),
                             "education": "smk", "interests": [], "other_interests": [],
                             "disability": rng.choice(("none", "none", "none", "physical")),
                             "current_status": "looking", "consent_version": "2026-11", "consented_at": NOW,
                             "registered_at": NOW, "updated_at": NOW})
            applications.append({"id": i, "user_id": i, "training_program_id": program,
                                 "status": "completed" if completed else "dropped_out", "submitted_at": NOW,
                                 "updated_at": NOW})
            if not completed:
                continue
            completions.append({"id": i, "application_id": i, "user_id": i, "completed_on": date(2025, 6, 30),
                                "recorded_at": NOW})
            for period in range(1, 2 + (i % 2) + 1):  # two or three check-ins: 2.5 on average
                check_id = i * 10 + period
                status = rng.choice(STATUSES)
                check_ins.append({"id": check_id, "user_id": i, "completion_id": i, "period": period,
                                  "survey_version_id": version_id, "status": "completed", "answers": {},
                                  "context": {}, "created_at": NOW})
                evaluations.append({
                    "check_in_id": check_id, "user_id": i, "completion_id": i, "training_program_id": program,
                    "period": period, "status_category": status,
                    "employment": "formal" if status in FORMAL_STATUSES
                    else "informal" if status in INFORMAL_STATUSES else "not_working",
                    "is_wub": status in ("own_account", "with_permanent_workers") and rng.random() < 0.5,
                    "workers_employed": rng.randint(0, 4), "equipment_in_use": rng.choice((None, True, False)),
                    "answers": {"status_category": status}, "complete": True, "survey_version_id": version_id,
                    "updated_at": NOW})
        async with engine.begin() as connection:
            for table, rows in ((User, users), (JobSeekerProfile, profiles), (Application, applications),
                                (Completion, completions), (CheckIn, check_ins), (EvaluationRecord, evaluations)):
                if rows:
                    await connection.execute(insert(table), rows)
        records += len(evaluations)
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE"))
    await engine.dispose()
    return records


async def measure(url: str, runs: int) -> list[float]:
    engine = create_engine(url)
    session_factory = create_session_factory(engine)
    timings = []
    for _run in range(runs):
        started = time.perf_counter()
        async with session_factory() as session:
            report = await follow_up_report(session, 2025)
        timings.append(time.perf_counter() - started)
        assert report.total.responded > 0
    await engine.dispose()
    return timings


async def run(backend: str, alumni: int, runs: int) -> dict[str, object]:
    url, cleanup = await prepare_database(backend, "report")
    try:
        started = time.perf_counter()
        records = await fill(url, alumni, random.Random(2025))
        filled = time.perf_counter() - started
        timings = await measure(url, runs)
    finally:
        await cleanup()
    return {"backend": backend, "records": records, "alumni": alumni, "fill_s": round(filled, 1),
            "report_ms_median": round(statistics.median(timings) * 1000, 1),
            "report_ms_max": round(max(timings) * 1000, 1), "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alumni", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = [asyncio.run(run(backend, args.alumni, args.runs)) for backend in backends]
    for result in results:
        print(json.dumps(result))
    for result in results:
        print(f"report_ms={result['report_ms_median']} records={result['records']} backend={result['backend']}")


if __name__ == "__main__":
    main()
