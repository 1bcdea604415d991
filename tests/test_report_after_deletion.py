"""Deleting an account does not rewrite a published report: the reports count de-identified facts that stay."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, inspect, select

from bot import migrate
from bot.engine.runtime import Runtime
from documents.report_tables import Table, report_tables
from jobs.follow_ups import send_follow_ups
from models.applications import OpeningKind
from models.evaluations import EvaluationRecord
from models.profiles import ProfileFields, save_profile
from models.report_facts import ReportFact
from models.reports import FollowUpReport, follow_up_report
from models.users import User, delete_user
from services.overview import office_at_a_glance, this_years_report
from services.permissions import Actor
from tests.alumni import make_alumnus
from tests.chat import ChatUser, RecordingChannel, register
from tests.conftest import Clock
from tests.test_report_apprenticeships import store_apprentices

COMPLETED = date(2026, 11, 23)
FIRST_DUE = datetime(2026, 12, 23, 1, 0, tzinfo=UTC)
SECOND_DUE = datetime(2027, 1, 23, 1, 0, tzinfo=UTC)
STAFF = Actor.system()


async def everything_reported(runtime: Runtime, year: int, kind: OpeningKind = OpeningKind.TRAINING,
                              ) -> tuple[FollowUpReport, list[Table], Any]:
    """The figures (the chart's input), the tables the XLSX and CSV are written from, and the overview."""
    render = runtime.catalogs.translator("id")
    async with runtime.session_factory() as session:
        report = await follow_up_report(session, year, kind=kind)
    office, now = runtime.services.office, runtime.clock()
    this_year = await this_years_report(runtime.services.read_apart, STAFF, office, now)
    async with runtime.session_factory() as session:
        glance = await office_at_a_glance(session, STAFF, office, now, this_year)
    return report, report_tables(report, runtime.services.office, render, "id"), (glance.report, glance.target)


async def answer(user: ChatUser, channel: RecordingChannel, *labels: str) -> None:
    user.received.extend(channel.to(user.external_id)[len(user.received):])
    for label in labels:
        if label.isdigit():
            await user.send(label)
        else:
            await user.tap(label)
    assert "Terima kasih" in user.text


async def test_an_alumna_who_deletes_her_account_stays_counted_in_the_report(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    siti, budi = ChatUser(runtime, channel, "siti"), ChatUser(runtime, channel, "budi")
    await register(siti)
    await register(budi, name="Budi Santoso", nik="6309010101900002", birth_date="01-01-1990",
                   phone="0812 5100 0002")
    alumna = await make_alumnus(runtime, clock, "siti", completed_on=COMPLETED, locale="id")
    await make_alumnus(runtime, clock, "budi", completed_on=COMPLETED, locale="id", program_id=alumna.program_id)
    clock.now = FIRST_DUE
    await send_follow_ups(runtime)
    await answer(siti, channel, "Ya, mulai", "Buruh/karyawan/pegawai", "Perdagangan", "Ya", "Rp1 juta - Rp2 juta",
                 "4", "Tidak")
    await answer(budi, channel, "Ya, mulai", "Sedang mencari kerja", "4", "Ya")
    before = await everything_reported(runtime, 2026)
    assert (before[0].total.participants, before[0].total.responded, before[0].total.formal) == (2, 2, 1)

    await siti.send("/hapus")
    assert "Laporan kantor hanya menyimpan angka tanpa identitas" in siti.text
    await siti.tap("Ya, hapus semuanya")
    assert await siti.user() is None
    async with runtime.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(EvaluationRecord)) == 1, "hers are gone"
    assert await everything_reported(runtime, 2026) == before

    # The one still here keeps being followed: his latest answer replaces his standing, hers stays as it was.
    clock.now = SECOND_DUE
    await send_follow_ups(runtime)
    await answer(budi, channel, "Ya, mulai", "Buruh/karyawan/pegawai", "Perdagangan", "Ya", "Rp1 juta - Rp2 juta",
                 "4", "Tidak")
    after = (await everything_reported(runtime, 2026))[0].total
    assert (after.participants, after.completers, after.asked, after.responded, after.formal) == (2, 2, 2, 2, 2)


async def test_a_deleted_apprentice_stays_counted_in_the_apprenticeship_report(runtime: Runtime) -> None:
    await store_apprentices(runtime)
    before = await everything_reported(runtime, 2025, OpeningKind.APPRENTICESHIP)
    async with runtime.session_factory() as session, session.begin():
        for user in list(await session.scalars(select(User).where(User.channel == "test"))):
            await delete_user(session, user)  # every one of them
    assert await everything_reported(runtime, 2025, OpeningKind.APPRENTICESHIP) == before
    assert before[0].total.participants > 0


def test_nothing_in_a_report_fact_leads_back_to_the_person() -> None:
    table = ReportFact.__table__
    assert {fk.column.table.name for fk in table.foreign_keys} == {"training_programs", "apprenticeship_openings"}
    assert not {"user_id", "application_id", "completion_id", "birth_date", "answers", "nik_hash"} & set(table.c.keys())
    assert inspect(ReportFact).primary_key[0].name == "fact_key"


async def test_the_migration_backfills_the_facts_as_they_are_kept(runtime: Runtime, clock: Clock) -> None:
    """Migration 0019 computes each participation's fact as `refresh_report_facts` does (age band included)."""
    siti = await make_alumnus(runtime, clock, "siti", completed_on=COMPLETED)
    async with runtime.session_factory() as session, session.begin():
        await save_profile(session, siti.user_id, ProfileFields(
            full_name="Siti Rahmawati", nik="6309014508990001", birth_date=date(1999, 8, 5), gender="female",
            phone_e164="+6281251000001", kecamatan="tanjung", education="smk", interests=[], other_interests=[],
            disability="none", current_status="looking", consented_at=clock()), runtime.services.cipher, clock())

    async def facts() -> list[Any]:
        async with runtime.session_factory() as session:
            return sorted(tuple(row)[1:] for row in await session.execute(select(ReportFact.__table__)))

    kept = await facts()
    assert len(kept) == 1 and kept[0][2:6] == ("tanjung", "female", "none", "25-34")
    await migrate.downgrade(runtime.engine, "0016")
    await migrate.upgrade(runtime.engine)
    assert await facts() == kept
