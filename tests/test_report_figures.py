"""Report figures on a generated dataset, each expected figure computed independently here in Python."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select

from bot import migrate
from bot.engine.runtime import Runtime
from documents.report_tables import percent
from jobs.follow_ups import send_follow_ups
from models.applications import Application, ApplicationStatus, Completion
from models.catalog import ProviderKind, TrainingCategory, TrainingProgram, add_provider
from models.evaluations import (
    BUSINESS_STATUSES,
    EMPLOYING_STATUSES,
    FORMAL_STATUSES,
    INFORMAL_STATUSES,
    EvaluationRecord,
    FollowUpStanding,
    refresh_standings,
)
from models.follow_ups import CheckIn, CheckInStatus
from models.profiles import JobSeekerProfile
from models.report_facts import refresh_report_facts
from models.reports import follow_up_report
from models.surveys import ensure_survey_version
from models.targets import set_target
from models.users import User
from tests.alumni import make_alumnus
from tests.chat import ChatUser, RecordingChannel
from tests.conftest import Clock

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
STATUSES = sorted(FORMAL_STATUSES | INFORMAL_STATUSES | {"apprenticeship", "further_education", "looking_for_work",
                                                            "not_looking"})
KECAMATAN = ("tanjung", "murung-pudak", "kelua")


@dataclass
class Program:
    title: str
    category: str
    equipment_aid: bool
    year: int
    id: int = 0


@dataclass
class Person:
    program: Program
    status: str
    gender: str
    kecamatan: str
    disability: str
    completed: bool = False
    asked: bool = False
    records: list[dict[str, Any]] = field(default_factory=list)
    """Each: period, status_category (or None), is_wub, workers, equipment (None/True/False)."""

    @property
    def equipment(self) -> bool | None:
        """The latest answer about the equipment, from any check-in."""
        answered = [r for r in self.records if r["equipment"] is not None]
        return max(answered, key=lambda r: r["period"])["equipment"] if answered else None

    @property
    def standing(self) -> dict[str, Any] | None:
        answered = [r for r in self.records if r["status_category"] is not None]
        return max(answered, key=lambda r: r["period"]) if answered else None


def generate(seed: int) -> tuple[list[Program], list[Person]]:
    rng = random.Random(seed)
    programs = [
        Program("Menjahit Pakaian", TrainingCategory.NON_COMPETENCY, True, 2025),
        Program("Pengelasan SMAW", TrainingCategory.COMPETENCY, False, 2025),
        Program("Tata Boga", TrainingCategory.COMMUNITY, True, 2025),
        Program("Teknisi HP", TrainingCategory.COMPETENCY, False, 2024),  # another year: never counted
    ]
    people = []
    for _ in range(240):
        person = Person(rng.choice(programs), rng.choice(["enrolled", "completed", "completed", "dropped_out",
                                                          "rejected"]),
                        rng.choice(["female", "male"]), rng.choice(KECAMATAN), rng.choice(["none", "none",
                                                                                           "physical"]))
        person.completed = person.status == "completed"
        if person.completed and rng.random() < 0.8:
            person.asked = True
            for period in sorted(rng.sample(range(1, 7), rng.randint(1, 3))):
                status = rng.choice([*STATUSES, None])
                started_after = rng.random() < 0.6
                person.records.append({
                    "period": period, "status_category": status,
                    "is_wub": status in BUSINESS_STATUSES and started_after,
                    "workers": rng.randint(1, 6) if status in EMPLOYING_STATUSES else 0,
                    "equipment": rng.choice([None, True, False]) if person.program.equipment_aid else None,
                })
        people.append(person)
    return programs, people


async def store(runtime: Runtime, programs: list[Program], people: list[Person]) -> None:
    async with runtime.session_factory() as session, session.begin():
        version = await ensure_survey_version(session, "tracer", NOW)
        blk = await add_provider(session, name="UPT BLK Tabalong", kind=ProviderKind.BLK)
        for program in programs:
            row = TrainingProgram(title=program.title, category=program.category, provider_id=blk.id,
                                  start_date=date(program.year, 3, 1), end_date=date(program.year, 4, 30),
                                  registration_deadline=date(program.year, 2, 1), quota=100, created_at=NOW,
                                  equipment_aid=program.equipment_aid)
            session.add(row)
            await session.flush()
            program.id = row.id
        for number, person in enumerate(people):
            user = User(channel="test", external_id=f"p{number}", locale="id", created_at=NOW, last_seen_at=NOW)
            session.add(user)
            await session.flush()
            session.add(JobSeekerProfile(
                user_id=user.id, full_name="Alumni", nik_encrypted="x", nik_hash=f"h{number}",
                birth_date=date(2000, 1, 1), gender=person.gender, phone_e164="+6281200000000",
                kecamatan=person.kecamatan, education="smk", disability=person.disability, current_status="looking",
                consent_version="2026-11", consented_at=NOW, registered_at=NOW, updated_at=NOW))
            application = Application(user_id=user.id, training_program_id=person.program.id, status=person.status,
                                      submitted_at=NOW, updated_at=NOW)
            session.add(application)
            await session.flush()
            if not person.completed:
                continue
            completion = Completion(application_id=application.id, user_id=user.id, completed_on=date(2025, 4, 30),
                                    recorded_at=NOW)
            session.add(completion)
            await session.flush()
            if not person.asked:
                continue
            for record in person.records:
                check_in = CheckIn(user_id=user.id, completion_id=completion.id, period=record["period"],
                                   survey_version_id=version.id, status=CheckInStatus.COMPLETED, answers={},
                                   context={}, created_at=NOW)
                session.add(check_in)
                await session.flush()
                if record["status_category"] is None and record["equipment"] is None:
                    continue  # asked, nothing answered: no record
                status = record["status_category"]
                session.add(EvaluationRecord(
                    check_in_id=check_in.id, user_id=user.id, completion_id=completion.id,
                    training_program_id=person.program.id, period=record["period"], status_category=status,
                    employment=None if status is None else "formal" if status in FORMAL_STATUSES
                    else "informal" if status in INFORMAL_STATUSES else "not_working",
                    is_wub=record["is_wub"], workers_employed=record["workers"], equipment_in_use=record["equipment"],
                    answers={}, complete=True, survey_version_id=version.id, updated_at=NOW))
            await session.flush()
            await refresh_standings(session, [completion.id])  # as the check-in job and `record_evaluation` do
        await refresh_report_facts(session)  # the rows were written directly, not through `change_status`


def expected(people: list[Person]) -> dict[str, int]:
    """The figures of a group of people, computed straight from the generated data."""
    participants = [p for p in people if p.status in ("enrolled", "completed", "dropped_out")]
    standings = [p.standing for p in participants]
    answered = [s for s in standings if s is not None]
    equipment = [p.equipment for p in participants if p.program.equipment_aid and p.equipment is not None]
    return {
        "participants": len(participants),
        "completers": sum(p.completed for p in participants),
        "asked": sum(p.asked for p in participants),
        "responded": len(answered),
        "formal": sum(s["status_category"] in FORMAL_STATUSES for s in answered),
        "informal": sum(s["status_category"] in INFORMAL_STATUSES for s in answered),
        "wub": sum(bool(s["is_wub"]) for s in answered),
        "jobs_created": sum(s["workers"] for s in answered if s["is_wub"]),
        "equipment_answered": len(equipment),
        "equipment_in_use": sum(in_use is True for in_use in equipment),
    }


def figures_of(row: Any) -> dict[str, int]:
    return {name: getattr(row, name) for name in expected([])}


async def test_every_figure_matches_an_independent_count_in_every_breakdown(runtime: Runtime, clock: Clock) -> None:
    programs, people = generate(seed=2025)
    await store(runtime, programs, people)
    async with runtime.session_factory() as session, session.begin():
        await set_target(session, 2025, 150)
        await set_target(session, 2025, 40, TrainingCategory.COMPETENCY)
        report = await follow_up_report(session, 2025)
    of_2025 = [p for p in people if p.program.year == 2025]
    assert figures_of(report.total) == expected(of_2025)
    assert report.total.target == 150
    keys: dict[str, Any] = {
        "program": lambda p: str(p.program.id), "category": lambda p: p.program.category,
        "kecamatan": lambda p: p.kecamatan, "gender": lambda p: p.gender, "disability": lambda p: p.disability,
    }
    for breakdown, key_of in keys.items():
        groups: dict[str, list[Person]] = defaultdict(list)
        for person in of_2025:
            if person.status in ("enrolled", "completed", "dropped_out"):
                groups[key_of(person)].append(person)
        rows = {row.key: row for row in report.breakdowns[breakdown]}
        assert set(rows) == set(groups), breakdown
        for key, members in groups.items():
            assert figures_of(rows[key]) == expected(members), (breakdown, key)
    competency = next(r for r in report.breakdowns["category"] if r.key == TrainingCategory.COMPETENCY)
    assert competency.target == 40
    program_rows = {r.label for r in report.breakdowns["program"]}
    assert program_rows == {"Menjahit Pakaian", "Pengelasan SMAW", "Tata Boga"}


async def test_one_program_only(runtime: Runtime, clock: Clock) -> None:
    programs, people = generate(seed=7)
    await store(runtime, programs, people)
    async with runtime.session_factory() as session:
        report = await follow_up_report(session, 2025, program_id=programs[0].id)
    assert figures_of(report.total) == expected([p for p in people if p.program is programs[0]])
    assert report.total.target is None


async def test_achievement_against_the_target_is_participants_over_target(runtime: Runtime, clock: Clock) -> None:
    """DOMAIN.md's example: 11,630 participants against a target of 3,000 is 387.6 %."""
    async with runtime.session_factory() as session, session.begin():
        blk = await add_provider(session, name="UPT BLK Tabalong", kind=ProviderKind.BLK)
        program = TrainingProgram(title="Pelatihan Massal", category=TrainingCategory.COMMUNITY, provider_id=blk.id,
                                  start_date=date(2025, 5, 1), end_date=date(2025, 6, 1),
                                  registration_deadline=date(2025, 4, 1), quota=20000, created_at=NOW)
        session.add(program)
        users = [User(channel="test", external_id=f"u{n}", locale="id", created_at=NOW, last_seen_at=NOW)
                 for n in range(10)]
        session.add_all(users)
        await session.flush()
        await session.execute(insert(Application), [
            {"user_id": users[n % 10].id, "training_program_id": program.id, "status": ApplicationStatus.ENROLLED,
             "submitted_at": NOW, "updated_at": NOW} for n in range(11_630)])
        await refresh_report_facts(session)
        await set_target(session, 2025, 3_000)
        report = await follow_up_report(session, 2025)
    assert report.total.participants == 11_630
    assert percent(report.total.participants, report.total.target, "en") == "387.6 %"  # cut, not rounded: 387.67
    assert percent(report.total.participants, report.total.target, "id") == "387,6 %"


async def test_the_report_follows_an_alumnus_through_their_check_ins(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    """The standing the report reads is kept up to date by the check-in job and each answer, with nothing else
    to run: asked, then working with the equipment, then looking for work (the equipment answer stays)."""
    alumnus = await make_alumnus(runtime, clock, "ani", completed_on=date(2026, 11, 23), equipment_aid=True)

    async def figures() -> dict[str, int]:
        async with runtime.session_factory() as session:
            return figures_of((await follow_up_report(session, 2026)).total)

    assert (await figures())["asked"] == 0
    clock.now = datetime(2026, 12, 23, 1, 0, tzinfo=UTC)
    await send_follow_ups(runtime)
    assert {k: v for k, v in (await figures()).items() if v} == {"participants": 1, "completers": 1, "asked": 1}
    ani = ChatUser(runtime, channel, "ani", locale="en")
    ani.received.extend(channel.to("ani"))
    for tap in ("Yes, let us start", "Employee", "Trade", "Yes", "Rp1 million - Rp2 million", "Yes"):
        await ani.tap(tap)
    await ani.send("4")
    await ani.tap("Yes")
    assert {k: v for k, v in (await figures()).items() if v} == {
        "participants": 1, "completers": 1, "asked": 1, "responded": 1, "formal": 1, "equipment_answered": 1,
        "equipment_in_use": 1}
    clock.now = datetime(2027, 1, 23, 1, 0, tzinfo=UTC)
    await send_follow_ups(runtime)
    ani.received.append(channel.to("ani")[-1])
    await ani.tap("Yes, let us start")
    await ani.tap("Looking for work")  # and no further: a partly answered check-in counts
    assert {k: v for k, v in (await figures()).items() if v} == {
        "participants": 1, "completers": 1, "asked": 1, "responded": 1, "equipment_answered": 1,
        "equipment_in_use": 1}
    async with runtime.session_factory() as session, session.begin():
        before = (await session.execute(select(FollowUpStanding.__table__))).all()
        await refresh_standings(session)  # recomputing everything, as a bulk load or the migration does
        assert (await session.execute(select(FollowUpStanding.__table__))).all() == before
    assert alumnus.completion_id == before[0][0]


async def test_the_migration_computes_the_standings_of_the_records_already_there(runtime: Runtime) -> None:
    """Migration 0008 backfills `follow_up_standings` as `refresh_standings` would: same figures after it."""
    programs, people = generate(seed=3)
    await store(runtime, programs, people)
    async with runtime.session_factory() as session:
        before = await follow_up_report(session, 2025)
    await migrate.downgrade(runtime.engine, "0008-1")
    await migrate.upgrade(runtime.engine)
    async with runtime.session_factory() as session:
        assert await follow_up_report(session, 2025) == before
    assert figures_of(before.total) == expected([p for p in people if p.program.year == 2025])
