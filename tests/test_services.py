"""Staff actions as services: the permission is checked inside, the people concerned are told in their own
language, and the chat and the command line reach the same function."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import services.opening_import
import services.openings
from bot.cli import office as cli
from bot.engine.messages import Purpose
from bot.engine.notify import NoticeList, acting
from bot.engine.runtime import Runtime
from bot.settings import Settings
from models.applicant_table import ApplicantFilters, ApplicantOrder
from models.applications import Application, ApplicationStatus, Opening, OpeningKind, OpeningRef, opening_of
from models.audiences import Audience
from models.catalog import TrainingProgram
from models.job_seeker_search import JobSeekerFilters
from models.targets import targets_for
from models.users import find_user
from services import (
    applicants,
    broadcast_form,
    broadcasts,
    exports,
    follow_up_plans,
    job_seekers,
    openings,
    reports,
    selection,
    staff,
    targets,
)
from services.opening_import import OpeningRow
from services.permissions import Actor, NotAllowed
from tests.chat import CHANNEL, RecordingChannel
from tests.conftest import Clock
from tests.test_my_applications import applied_siti
from tests.test_opening_import import GOOD, write
from tests.test_opening_upload import staff_at_upload

MEMBER = Actor(user_id=1, is_staff=False)
WELDING_REF = OpeningRef(OpeningKind.TRAINING, 1)
StaffAction = Callable[[AsyncSession, Runtime], Awaitable[object]]

EVERY_ACTION: dict[str, StaffAction] = {
    "move applications": lambda session, runtime: selection.move_applications(
        session, MEMBER, WELDING_REF, [1], ApplicationStatus.ACCEPTED, now=runtime.clock(),
        office=runtime.services.office, notices=NoticeList()),
    "undo a rejection": lambda session, runtime: selection.undo_rejection(
        session, MEMBER, 1, "Salah pilih", now=runtime.clock(), notices=NoticeList()),
    "open an opening": lambda session, runtime: openings.set_accepting_applications(
        session, MEMBER, WELDING_REF, True, now=runtime.clock(), today=runtime.clock().date()),
    "import openings": lambda session, runtime: openings.import_openings(session, MEMBER, [], now=runtime.clock()),
    "send a broadcast": lambda session, runtime: broadcasts.send_broadcast(
        session, MEMBER, broadcasts.BroadcastDraft("Halo", None, None, Audience()), now=runtime.clock()),
    "cancel a broadcast": lambda session, runtime: broadcasts.cancel(session, MEMBER, 1, now=runtime.clock()),
    "count a broadcast's audience": lambda session, _runtime: broadcasts.audience_size(session, MEMBER, Audience()),
    "check a broadcast's form": lambda session, runtime: broadcast_form.compose(
        session, MEMBER, {"text_id": "Halo"}, runtime.services.office),
    "list broadcasts": lambda session, _runtime: broadcasts.list_broadcasts(session, MEMBER, 0, 20),
    "read a broadcast": lambda session, _runtime: broadcasts.broadcast_for_staff(session, MEMBER, 1),
    "read the undelivered messages": lambda session, runtime: broadcasts.undelivered(
        session, MEMBER, runtime.clock(), 0, 20),
    "set a target": lambda session, runtime: targets.set_target(session, MEMBER, 2026, 100, now=runtime.clock()),
    "set a follow-up plan": lambda session, runtime: follow_up_plans.set_follow_up_plan(
        session, MEMBER, 1, {}, office=runtime.services.office, now=runtime.clock()),
    "grant the staff role": lambda session, runtime: staff.set_staff(
        session, MEMBER, CHANNEL, "someone", True, locale="id", now=runtime.clock()),
    "export applicants": lambda session, runtime: exports.applicant_table(
        session, MEMBER, WELDING_REF, runtime.services.office, now=runtime.clock()),
    "read applicants": lambda session, _runtime: applicants.opening_applicants(
        session, MEMBER, WELDING_REF, ApplicantFilters(), order=ApplicantOrder.FIRST_COME, page=0),
    "pick applicants": lambda session, runtime: applicants.picked_applicants(
        session, MEMBER, WELDING_REF, [1], runtime.clock().date()),
    "move picked applicants": lambda session, runtime: applicants.move_picked(
        session, MEMBER, WELDING_REF, [1], ApplicationStatus.ACCEPTED, remark="", expected="", now=runtime.clock(),
        office=runtime.services.office, notices=NoticeList()),
    "search job seekers": lambda session, _runtime: job_seekers.find_job_seekers(
        session, MEMBER, JobSeekerFilters(), page=0),
    "read a job seeker's file": lambda session, runtime: job_seekers.job_seeker_file(
        session, MEMBER, 1, runtime.services.cipher),
    "reveal a NIK": lambda session, runtime: job_seekers.reveal_nik(
        session, MEMBER, 1, "Verifikasi kartu AK/1", cipher=runtime.services.cipher, now=runtime.clock()),
    "export job seekers": lambda session, runtime: job_seekers.job_seeker_table(
        session, MEMBER, JobSeekerFilters(), office=runtime.services.office, now=runtime.clock()),
    "produce a report": lambda _session, runtime: reports.produce_report(runtime.services.read_apart, MEMBER, 2026),
}


@pytest.mark.parametrize("action", sorted(EVERY_ACTION))
async def test_a_member_may_do_no_staff_action(runtime: Runtime, action: str) -> None:
    async with runtime.session_factory() as session, session.begin():
        with pytest.raises(NotAllowed):
            await EVERY_ACTION[action](session, runtime)


async def test_a_status_move_outside_the_chat_tells_the_applicant_in_their_language(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    siti = await applied_siti(runtime, channel, clock)
    await siti.send("/bahasa")
    await siti.tap("English")
    async with runtime.session_factory() as session:
        [application] = (await session.scalars(select(Application))).all()
    async with acting(runtime) as (session, notices):
        moved = await selection.move_applications(
            session, Actor.system(), opening_of(application), [application.id], ApplicationStatus.REJECTED,
            now=clock(), office=runtime.services.office, notices=notices)
    assert moved == selection.Moved(selection.Outcome.MOVED, count=1)
    notice = channel.to("siti")[-1]
    assert notice.text.startswith("We are sorry: your application for Pengelasan SMAW 3G was not accepted")
    assert notice.purpose == Purpose.STATUS_CHANGE


async def test_a_refused_move_changes_nothing_and_tells_nobody(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await applied_siti(runtime, channel, clock)
    told = len(channel.to("siti"))
    notices = NoticeList()
    async with runtime.session_factory() as session, session.begin():
        [application] = (await session.scalars(select(Application))).all()
        completed = await selection.move_applications(
            session, Actor.system(), opening_of(application), [application.id], ApplicationStatus.COMPLETED,
            now=clock(), office=runtime.services.office, notices=notices)
        elsewhere = await selection.move_applications(
            session, Actor.system(), OpeningRef(OpeningKind.TRAINING, 10**6), [application.id],
            ApplicationStatus.ACCEPTED, now=clock(), office=runtime.services.office, notices=notices)
    assert completed.outcome is selection.Outcome.CHANGED, "a submitted application cannot be completed"
    assert elsewhere.outcome is selection.Outcome.GONE, "not an application of that opening"
    assert notices.notices == []
    assert len(channel.to("siti")) == told


async def test_the_chat_and_the_command_line_import_through_the_same_service(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, app_settings: Settings, tmp_path: Path
) -> None:
    saved: list[tuple[str, int]] = []
    save = services.opening_import.save_openings

    async def recording(session: AsyncSession, rows: Sequence[OpeningRow], now: datetime) -> list[Opening]:
        saved.append(("rows", len(rows)))
        return await save(session, rows, now)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services.openings, "save_openings", recording)
        staff_member = await staff_at_upload(runtime, channel, clock)
        await staff_member.send_document("lowongan.csv", GOOD.encode())
        await staff_member.tap("Ya, impor")
        assert await cli.import_openings(app_settings, write(tmp_path, GOOD)) == 0
    assert saved == [("rows", 3), ("rows", 3)]
    async with runtime.session_factory() as session:
        titles = (await session.scalars(select(TrainingProgram.title).order_by(TrainingProgram.id))).all()
    assert titles[:2] == titles[2:] == ["Las Listrik Dasar", "Menjahit Busana Muslim"]


async def test_the_command_line_acts_as_the_office(runtime: Runtime, app_settings: Settings) -> None:
    assert await cli.set_target(app_settings, 2026, 120, "") == 0
    assert await cli.set_staff(app_settings, "add", CHANNEL, "petugas") == 0
    async with runtime.session_factory() as session:
        assert await targets_for(session, 2026) == {"": 120}
        user = await find_user(session, CHANNEL, "petugas")
    assert user is not None and user.is_staff


def test_a_target_must_be_positive() -> None:
    with pytest.raises(targets.TargetRefused):
        targets.check_target(0)
