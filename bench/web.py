"""Benchmark: the staff dashboard with 100,000 job seekers, 5,000 openings and one opening with 2,000 applicants,
on SQLite and PostgreSQL.

The server time of three pages, each requested as a signed-in admin through the real app (httpx's ASGI
transport, in-process, so no network or browser is counted): the overview, the applicant table of the big
opening (filtered, page 5), and the job-seeker search (a part of a name, a phone number's start, a kecamatan).
Then one bulk move: `services.selection.move_applications` takes 500 of the big opening's applicants to a new
status in one transaction, with a notice to each queued in the outbox, committed and handed to delivery.
Prints one JSON line per backend, then the line a script reads:

    web_p99_ms=<n> bulk_move_s=<n> backend=<name>      (the slowest page's p99)

Usage: python bench/web.py [--users 100000] [--openings 5000] [--applicants 2000] [--move 500] [--samples 200]
                           [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from sqlalchemy import insert, select, text, update  # noqa: E402

from bench.catalog import NOW, TODAY, fill, kecamatan_codes  # noqa: E402
from bench.databases import prepare_database  # noqa: E402
from bench.dialog import NullChannel  # noqa: E402
from bot.engine.notify import acting  # noqa: E402
from bot.engine.runtime import Runtime  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.webhooks import create_app  # noqa: E402
from bot.wiring import build_runtime  # noqa: E402
from models.applications import Application, ApplicationStatus, OpeningKind, OpeningRef  # noqa: E402
from models.catalog import OpeningStatus, TrainingProgram  # noqa: E402
from models.crypto import NikCipher  # noqa: E402
from models.db import create_engine  # noqa: E402
from models.users import Role, get_user, set_role  # noqa: E402
from services.permissions import Actor  # noqa: E402
from services.selection import Outcome, move_applications  # noqa: E402
from services.sign_in import login_link  # noqa: E402

BIG = OpeningRef(OpeningKind.TRAINING, 1)
OTHER_APPLICATIONS = 20_000
"""Applications of other people to other openings, so the big opening's are not the whole table."""
STATUSES = [ApplicationStatus.SUBMITTED, ApplicationStatus.SHORTLISTED, ApplicationStatus.REJECTED]


async def add_applications(url: str, users: int, openings: int, applicants: int, rng: random.Random) -> None:
    """The big opening (open, a large quota) and its applicants (users 1..`applicants`, all waiting), and
    applications of other users to other openings; then the statistics refreshed, as in `bench.catalog.fill`."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(update(TrainingProgram).where(TrainingProgram.id == BIG.id).values(
            status=OpeningStatus.OPEN, quota=applicants * 2, registration_deadline=TODAY.replace(year=TODAY.year + 1)))
        await connection.execute(insert(Application), [
            {"user_id": user, "training_program_id": BIG.id, "status": ApplicationStatus.SUBMITTED,
             "submitted_at": NOW, "updated_at": NOW} for user in range(1, applicants + 1)])
        trainings = openings * 4 // 5
        others = range(applicants + 1, min(users, applicants + OTHER_APPLICATIONS) + 1)
        if others and trainings > 1:
            await connection.execute(insert(Application), [
                {"user_id": user, "training_program_id": rng.randint(2, trainings), "status": rng.choice(STATUSES),
                 "submitted_at": NOW, "updated_at": NOW} for user in others])
        if engine.dialect.name == "postgresql":  # the rows above came with their ids: move the counter past them
            await connection.execute(text("SELECT setval(pg_get_serial_sequence('users', 'id'), max(id)) FROM users"))
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    await engine.dispose()


async def sign_in(runtime: Runtime, client: httpx.AsyncClient, role: Role = Role.ADMIN) -> None:
    """The client signed in as a dashboard user of `role` (through the sign-in link, as a person would)."""
    async with runtime.session_factory() as session, session.begin():
        member = await set_role(session, "bench", role.value, role, locale="id", now=runtime.clock())
        user = await get_user(session, member.id)
        assert user is not None
        token = await login_link(session, Actor.system(), user, runtime.clock())
    answer = await client.post(f"/masuk/{token}", data={})
    assert answer.status_code == 303, answer.text


def pages(rng: random.Random, users: int) -> dict[str, Callable[[], str]]:
    """Each page's next address, with varied filters as staff would use them."""
    districts = kecamatan_codes()
    table = f"/dasbor/program/{BIG.code}/pendaftar"
    table_filters = ["status=submitted", "gender=female&urut=name", "status=submitted&urut=last_changed",
                     "education=sma", "nama=peserta+1"]
    return {
        "overview": lambda: "/dasbor",
        "applicants": lambda: f"{table}?{rng.choice(table_filters)}&halaman=5",
        "job_seekers": lambda: "/dasbor/pencari-kerja?" + rng.choice([
            f"q=peserta+{rng.randint(1, users)}", f"q=0812{rng.randint(0, 9999):04d}",
            f"kecamatan={rng.choice(districts)}&halaman={rng.randint(1, 5)}", f"q=peserta+{rng.randint(1, 99)}",
            "", f"halaman={rng.randint(1, 50)}"]),
    }


async def measure_pages(client: httpx.AsyncClient, samples: int,
                        addresses: dict[str, Callable[[], str]]) -> dict[str, float]:
    """Each page's p50 and p99 over `samples` requests, after one to warm up; every answer must be a 200."""
    timings: dict[str, list[float]] = {}
    for name, next_address in addresses.items():
        await client.get(next_address())  # warm the templates and the statement cache
        for _ in range(samples):
            started = time.perf_counter()
            answer = await client.get(next_address())
            timings.setdefault(name, []).append(time.perf_counter() - started)
            assert answer.status_code == 200, (answer.status_code, answer.url)
    return {f"{name}_{q}_ms": percentile_ms(values, share) for name, values in timings.items()
            for q, share in (("p50", 0.5), ("p99", 0.99))}


def percentile_ms(values: list[float], share: float) -> float:
    """The `share` percentile of `values` (seconds), in milliseconds."""
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000, 2)


async def bulk_move(runtime: Runtime, count: int) -> float:
    """Seconds to move `count` waiting applicants of the big opening, notices queued, committed and handed on."""
    async with runtime.session_factory() as session:
        ids = list(await session.scalars(select(Application.id).where(BIG.condition()).order_by(Application.id)
                                         .limit(count)))
    async with runtime.session_factory() as session, session.begin():
        staff = await set_role(session, "bench", "staff", Role.STAFF, locale="id", now=runtime.clock())
    started = time.perf_counter()
    async with acting(runtime) as (session, notices):
        moved = await move_applications(session, Actor.of(staff, origin="web"), BIG, ids,
                                        ApplicationStatus.SHORTLISTED, now=runtime.clock(),
                                        office=runtime.services.office, notices=notices)
    elapsed = time.perf_counter() - started
    assert moved.outcome is Outcome.MOVED and moved.count == len(ids), moved
    return elapsed


async def run_backend(backend: str, *, users: int, openings: int, applicants: int, move: int,
                      samples: int) -> dict[str, object]:
    rng = random.Random(2026)
    url, cleanup = await prepare_database(backend, "web")
    try:
        started = time.perf_counter()
        await fill(url, users, openings, rng)
        await add_applications(url, users, openings, applicants, rng)
        filled = time.perf_counter() - started
        settings = load_settings(database_url=url, nik_encryption_key=NikCipher.generate_secret(), _env_file=None)
        runtime = build_runtime(settings, {"bench": NullChannel()})
        try:
            transport = httpx.ASGITransport(app=create_app(runtime=runtime))
            async with httpx.AsyncClient(transport=transport, base_url="http://dasbor.bench") as client:
                await sign_in(runtime, client)
                figures = await measure_pages(client, samples, pages(rng, users))
            moved_s = await bulk_move(runtime, min(move, applicants))
        finally:
            await runtime.aclose()
    finally:
        await cleanup()
    return {"backend": backend, "users": users, "openings": openings, "applicants": applicants, "moved": move,
            "samples": samples, "fill_seconds": round(filled, 1), **figures, "bulk_move_s": round(moved_s, 3)}


def on_each_backend(choice: str, run: Callable[[str], Coroutine[Any, Any, dict[str, object]]],
                    ) -> list[dict[str, object]]:
    """Run the bench on SQLite, PostgreSQL or both (`choice`), printing each result as a JSON line stamped with
    the machine and its load average; the dashboard benches (this one, bench/inbox.py) share it."""
    results = []
    for backend in ["sqlite", "postgresql"] if choice == "both" else [choice]:
        result = asyncio.run(run(backend))
        result["machine"] = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
        result["load_average"] = [round(load, 2) for load in os.getloadavg()]
        print(json.dumps(result), flush=True)
        results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--openings", type=int, default=5_000)
    parser.add_argument("--applicants", type=int, default=2_000)
    parser.add_argument("--move", type=int, default=500)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    results = on_each_backend(args.backend, lambda backend: run_backend(
        backend, users=args.users, openings=args.openings, applicants=args.applicants, move=args.move,
        samples=args.samples))
    for result in results:
        slowest = max(float(value) for name, value in result.items()  # type: ignore[arg-type]
                      if name.endswith("_p99_ms"))
        print(f"web_p99_ms={slowest} bulk_move_s={result['bulk_move_s']} backend={result['backend']}")


if __name__ == "__main__":
    main()
