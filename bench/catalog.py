"""Benchmark: browsing the catalog with 100,000 job seekers and 5,000 openings, on SQLite and PostgreSQL.

Two operations, timed one at a time as a user's message would run them (a fresh session each):
- browse: a visitor's page of open trainings with a random category and kecamatan filter;
- recommend: a registered job seeker's first page, most relevant first (their profile read, then the page).
Prints one JSON line per backend, then the line a script reads:

    catalog_p99_ms=<n> backend=<name>      (the slower operation's p99)

Usage: python bench/catalog.py [--users 100000] [--openings 5000] [--samples 2000] [--backend ...]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from bench.databases import prepare_database  # noqa: E402
from models.browsing import Filters, Seeker, open_apprenticeships, open_trainings  # noqa: E402
from models.catalog import (  # noqa: E402
    ApprenticeshipOpening,
    OpeningStatus,
    Provider,
    ProviderKind,
    TrainingCategory,
    TrainingProgram,
)
from models.db import create_engine, create_session_factory  # noqa: E402
from models.eligibility import age_on  # noqa: E402
from models.profiles import Education, Interest, JobSeekerProfile, get_profile  # noqa: E402
from models.regions import (
    DEFAULT_REGION_FILE,  # noqa: E402
    load_office,  # noqa: E402
)
from models.users import User  # noqa: E402

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
BATCH = 5_000


def kecamatan_codes() -> list[str]:
    return [k.code for k in load_office(DEFAULT_REGION_FILE).kecamatan]


async def fill(url: str, users: int, openings: int, rng: random.Random) -> None:
    engine = create_engine(url)
    districts = kecamatan_codes()
    interests = [i.value for i in Interest]
    educations = [e.value for e in Education]
    async with engine.begin() as connection:
        await connection.execute(insert(Provider), [
            {"name": f"Penyelenggara {n}", "kind": ProviderKind.BLK if n % 3 else ProviderKind.COMPANY,
             "address": "", "kecamatan": rng.choice(districts), "contact": ""} for n in range(1, 61)
        ])
        trainings = openings * 4 // 5
        rows = []
        for n in range(trainings):
            deadline = TODAY + timedelta(days=rng.randint(-60, 60))
            rows.append({
                "title": f"Pelatihan {n}", "category": rng.choice(list(TrainingCategory)), "provider_id": 1 + n % 40,
                "location": "", "kecamatan": rng.choice(districts), "start_date": deadline + timedelta(days=7),
                "end_date": deadline + timedelta(days=30), "registration_deadline": deadline,
                "quota": rng.choice((16, 20, 25)), "min_age": rng.choice((None, 17, 18)),
                "max_age": rng.choice((None, 35, 40)), "min_education": rng.choice((None, "smp", "sma")),
                "other_requirements": "", "funding_source": "APBD", "equipment_aid": rng.random() < 0.3,
                "interests": rng.sample(interests, rng.randint(1, 2)), "follow_up_plan": {},
                "status": OpeningStatus.OPEN if rng.random() < 0.9 else OpeningStatus.CLOSED, "created_at": NOW,
                "published_at": NOW,
            })
        await connection.execute(insert(TrainingProgram), rows)
        await connection.execute(insert(ApprenticeshipOpening), [
            {"company_id": 41 + n % 20, "position": f"Posisi {n}", "location": "",
             "kecamatan": rng.choice(districts), "duration_months": rng.choice((3, 6)),
             "monthly_allowance": rng.choice((0, 1_500_000, 2_500_000)), "social_security": rng.random() < 0.7,
             "application_deadline": TODAY + timedelta(days=rng.randint(-60, 60)),
             "selection_description": "", "interests": rng.sample(interests, rng.randint(1, 2)),
             "quota": 5, "min_age": 18, "max_age": 30, "min_education": rng.choice((None, "sma", "smk")),
             "other_requirements": "", "status": OpeningStatus.OPEN, "created_at": NOW, "published_at": NOW}
            for n in range(openings - trainings)
        ])
    for start in range(0, users, BATCH):
        async with engine.begin() as connection:
            ids = range(start + 1, min(start + BATCH, users) + 1)
            await connection.execute(insert(User), [
                {"id": i, "channel": "bench", "external_id": f"u{i}", "locale": "id", "role": "member",
                 "created_at": NOW, "last_seen_at": NOW} for i in ids
            ])
            await connection.execute(insert(JobSeekerProfile), [
                {"user_id": i, "full_name": f"Peserta {i}", "nik_encrypted": "x",
                 "nik_hash": hashlib.sha256(str(i).encode()).hexdigest(),
                 "birth_date": date(1975, 1, 1) + timedelta(days=rng.randint(0, 365 * 30)), "gender": "female",
                 "phone_e164": f"+62812{i:08d}", "kecamatan": rng.choice(districts),
                 "education": rng.choice(educations), "interests": rng.sample(interests, rng.randint(1, 3)),
                 "other_interests": [], "disability": "none", "current_status": "looking",
                 "consent_version": "2026-11", "consented_at": NOW, "registered_at": NOW, "updated_at": NOW}
                for i in ids
            ])
    # What autovacuum keeps up on PostgreSQL (statistics, and the visibility map that lets the count read the
    # index alone), and a nightly ANALYZE on SQLite.
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    await engine.dispose()


async def measure(url: str, users: int, samples: int, rng: random.Random) -> dict[str, float]:
    engine = create_engine(url)
    session_factory = create_session_factory(engine)
    districts = kecamatan_codes()
    browse: list[float] = []
    recommend: list[float] = []
    for n in range(samples):
        filters = Filters(category=rng.choice([None, *TrainingCategory]), kecamatan=rng.choice([None, *districts]))
        started = time.perf_counter()
        async with session_factory() as session:
            await open_trainings(session, today=TODAY, page=rng.randint(0, 2), filters=filters)
        browse.append(time.perf_counter() - started)

        user_id = rng.randint(1, users)
        started = time.perf_counter()
        async with session_factory() as session:
            profile = await get_profile(session, user_id)
            assert profile is not None
            seeker = Seeker(tuple(profile.interests), profile.kecamatan, age_on(profile.birth_date, TODAY),
                            profile.education)
            if n % 5:
                await open_trainings(session, today=TODAY, seeker=seeker)
            else:
                await open_apprenticeships(session, today=TODAY, seeker=seeker)
        recommend.append(time.perf_counter() - started)
    await engine.dispose()

    def p(values: list[float], q: float) -> float:
        values = sorted(values)
        return round(values[min(len(values) - 1, int(len(values) * q))] * 1000, 2)

    return {"browse_p50_ms": p(browse, 0.5), "browse_p99_ms": p(browse, 0.99),
            "recommend_p50_ms": p(recommend, 0.5), "recommend_p99_ms": p(recommend, 0.99),
            "mean_ms": round(statistics.mean(browse + recommend) * 1000, 2)}


async def run_backend(backend: str, users: int, openings: int, samples: int) -> dict[str, object]:
    rng = random.Random(2026)
    url, cleanup = await prepare_database(backend, "catalog")
    try:
        started = time.perf_counter()
        await fill(url, users, openings, rng)
        filled = time.perf_counter() - started
        figures = await measure(url, users, samples, rng)
    finally:
        await cleanup()
    return {"backend": backend, "users": users, "openings": openings, "samples": samples,
            "fill_seconds": round(filled, 1), **figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--openings", type=int, default=5_000)
    parser.add_argument("--samples", type=int, default=2_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = []
    for backend in backends:
        result = asyncio.run(run_backend(backend, args.users, args.openings, args.samples))
        result["machine"] = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
        print(json.dumps(result), flush=True)
        results.append(result)
    for result in results:
        slower = max(float(result["browse_p99_ms"]), float(result["recommend_p99_ms"]))  # type: ignore[arg-type]
        print(f"catalog_p99_ms={slower} backend={result['backend']}")


if __name__ == "__main__":
    main()
