"""The apprenticeship report: apprentices who complete are followed up like alumni of a training, and reported
by the year of their opening's application deadline, by opening and by company."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import load_workbook

from bot.engine.runtime import Runtime
from documents.report_tables import report_tables
from models.applications import Application, Completion, OpeningKind
from models.catalog import ApprenticeshipOpening, ProviderKind, add_provider
from models.evaluations import FORMAL_STATUSES, INFORMAL_STATUSES, EvaluationRecord, refresh_standings
from models.follow_ups import CheckIn, CheckInStatus
from models.profiles import JobSeekerProfile
from models.report_facts import refresh_report_facts
from models.surveys import ensure_survey_version
from models.targets import set_target
from models.users import User
from services.permissions import Actor
from services.reports import produce_report, report_openings, write_report
from tests.conftest import TEST_KEY, Clock
from tests.test_report_figures import figures_of
from tests.test_settings_and_cli import run_bot

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
OPENINGS = (  # company, position, application deadline
    ("PT Adaro Indonesia", "Operator Alat Berat", date(2025, 3, 31)),
    ("PT Adaro Indonesia", "Mekanik", date(2025, 8, 15)),
    ("CV Sinar Tabalong", "Kasir", date(2025, 5, 1)),
    ("PT Lama", "Juru Las", date(2024, 12, 31)),  # another year: never counted in 2025
)


@dataclass(frozen=True)
class Apprentice:
    opening: int
    status: str
    standing: str | None = None
    """The latest answered status of a completer; None when not asked."""
    gender: str = "female"


APPRENTICES = (
    Apprentice(0, "completed", "employee"), Apprentice(0, "completed", "employee", "male"),
    Apprentice(0, "completed", "looking_for_work"), Apprentice(0, "dropped_out"), Apprentice(0, "rejected"),
    Apprentice(1, "completed", "own_account", "male"), Apprentice(1, "enrolled"),
    Apprentice(2, "completed", "employee"), Apprentice(2, "completed"),
    Apprentice(3, "completed", "employee"),
)


async def store_apprentices(runtime: Runtime) -> list[int]:
    """The openings above, with their apprentices, completions and answered check-ins; returns the opening ids."""
    ids: list[int] = []
    async with runtime.session_factory() as session, session.begin():
        version = await ensure_survey_version(session, "tracer", NOW)
        companies: dict[str, int] = {}
        for company, position, deadline in OPENINGS:
            if company not in companies:
                companies[company] = (await add_provider(session, name=company, kind=ProviderKind.COMPANY)).id
            opening = ApprenticeshipOpening(company_id=companies[company], position=position, duration_months=6,
                                            application_deadline=deadline, quota=10, created_at=NOW)
            session.add(opening)
            await session.flush()
            ids.append(opening.id)
        for number, apprentice in enumerate(APPRENTICES):
            user = User(channel="test", external_id=f"magang{number}", locale="id", created_at=NOW, last_seen_at=NOW)
            session.add(user)
            await session.flush()
            session.add(JobSeekerProfile(
                user_id=user.id, full_name="Peserta", nik_encrypted="x", nik_hash=f"m{number}",
                birth_date=date(2000, 1, 1), gender=apprentice.gender, phone_e164="+6281200000000",
                kecamatan="tanjung", education="smk", disability="none", current_status="looking",
                consent_version="2026-11", consented_at=NOW, registered_at=NOW, updated_at=NOW))
            application = Application(user_id=user.id, apprenticeship_opening_id=ids[apprentice.opening],
                                      status=apprentice.status, submitted_at=NOW, updated_at=NOW)
            session.add(application)
            await session.flush()
            if apprentice.status != "completed":
                continue
            completion = Completion(application_id=application.id, user_id=user.id, completed_on=date(2025, 12, 1),
                                    recorded_at=NOW)
            session.add(completion)
            await session.flush()
            if apprentice.standing is None:
                continue
            check_in = CheckIn(user_id=user.id, completion_id=completion.id, period=1, survey_version_id=version.id,
                               status=CheckInStatus.COMPLETED, answers={}, context={}, created_at=NOW)
            session.add(check_in)
            await session.flush()
            status = apprentice.standing
            session.add(EvaluationRecord(
                check_in_id=check_in.id, user_id=user.id, completion_id=completion.id,
                apprenticeship_opening_id=ids[apprentice.opening], period=1, status_category=status,
                employment="formal" if status in FORMAL_STATUSES else "informal" if status in INFORMAL_STATUSES
                else "not_working", is_wub=status == "own_account", workers_employed=0, equipment_in_use=None,
                answers={}, complete=True, survey_version_id=version.id, updated_at=NOW))
            await session.flush()
            await refresh_standings(session, [completion.id])
        await refresh_report_facts(session)  # the rows were written directly, not through `change_status`
        await set_target(session, 2025, 500)  # a training target: the apprenticeship report shows none
    return ids


def counts(participants: int, completers: int, asked: int, *, formal: int, informal: int,
           wub: int = 0) -> dict[str, int]:
    return {"participants": participants, "completers": completers, "asked": asked, "responded": asked,
            "formal": formal, "informal": informal, "wub": wub, "jobs_created": 0, "equipment_answered": 0,
            "equipment_in_use": 0}


async def test_apprentices_are_reported_by_their_openings_deadline_year_and_by_company(
    runtime: Runtime, clock: Clock
) -> None:
    ids = await store_apprentices(runtime)
    apart = runtime.services.read_apart
    report = await produce_report(apart, Actor.system(), 2025, kind=OpeningKind.APPRENTICESHIP)
    one = await produce_report(apart, Actor.system(), 2025, ids[2], kind=OpeningKind.APPRENTICESHIP)
    async with runtime.session_factory() as session, session.begin():
        chosen = await report_openings(session, Actor.system(), OpeningKind.APPRENTICESHIP, 2025)
    assert report.kind is OpeningKind.APPRENTICESHIP and report.total.target is None
    assert figures_of(report.total) == counts(8, 6, 5, formal=3, informal=1, wub=1)
    assert list(report.breakdowns) == ["opening", "company", "kecamatan", "gender", "disability"]
    companies = {row.label: figures_of(row) for row in report.breakdowns["company"]}
    assert companies == {"PT Adaro Indonesia": counts(6, 4, 4, formal=2, informal=1, wub=1),
                         "CV Sinar Tabalong": counts(2, 2, 1, formal=1, informal=0)}
    assert [row.label for row in report.breakdowns["opening"]] == [
        "Operator Alat Berat - PT Adaro Indonesia", "Mekanik - PT Adaro Indonesia", "Kasir - CV Sinar Tabalong"]
    assert [opening.title for opening in chosen] == [
        "Kasir - CV Sinar Tabalong", "Mekanik - PT Adaro Indonesia", "Operator Alat Berat - PT Adaro Indonesia"]
    assert figures_of(one.total) == counts(2, 2, 1, formal=1, informal=0)
    tables = report_tables(report, runtime.services.office, runtime.catalogs.translator("en"), "en")
    assert [table.name for table in tables] == ["Summary", "Apprenticeship opening", "Company", "Kecamatan",
                                                "Gender", "Disability"]
    assert "Target" not in tables[0].header and "Equipment aid in use" not in tables[0].header


async def test_the_apprenticeship_report_is_written_with_its_chart_by_company(
    runtime: Runtime, clock: Clock, tmp_path: Path
) -> None:
    await store_apprentices(runtime)
    report = await produce_report(runtime.services.read_apart, Actor.system(), 2025, kind=OpeningKind.APPRENTICESHIP)
    output = tmp_path / "magang.xlsx"
    files = write_report(report, runtime.services.office, runtime.catalogs.translator("id"), "id",
                         file_format="xlsx", output=output, chart=None)
    assert files.title == "Laporan monev pemagangan 2025"
    assert load_workbook(output).sheetnames == ["Ringkasan", "Lowongan pemagangan", "Perusahaan", "Kecamatan",
                                                "Jenis kelamin", "Disabilitas"]
    assert (tmp_path / "magang.png").read_bytes().startswith(b"\x89PNG")


def test_the_command_line_writes_the_apprenticeship_report(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db", "NIK_ENCRYPTION_KEY": TEST_KEY}
    printed = run_bot("report", "--year", "2025", "--kind", "apprenticeship", "--lang", "en", env=env, cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.startswith("# Apprenticeship follow-up report 2025\n")
    assert "| Year | Participants | Completers |" in printed.stdout
