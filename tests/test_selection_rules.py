"""The selection state machine: who may make which move, from which day, the one-day undo of a rejection, and
the audit row every staff move leaves. The table is checked on its own and through the services, on both
databases, including random sequences of moves by staff and applicants."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.notify import NoticeList
from bot.engine.runtime import Runtime
from models.applications import (
    FINAL_STATUSES,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    OpeningKind,
    OpeningRef,
    status_history,
    submit_application,
)
from models.audit import AuditEntry, audit_trail
from models.catalog import ApprenticeshipOpening, ProviderKind, TrainingCategory, TrainingProgram, add_provider
from models.selection_rules import (
    MOVES,
    REMARK_LIMIT,
    Mover,
    Refusal,
    Refused,
    StatusChangeRefused,
    change_status,
    check_move,
)
from models.users import load_or_create_user
from services import selection
from services.permissions import Actor
from tests.conftest import Clock

S = ApplicationStatus
TODAY = date(2026, 11, 23)
STARTS, ENDS = date(2026, 12, 3), date(2026, 12, 13)
TRAINING = TrainingProgram(start_date=STARTS, end_date=ENDS)
APPRENTICESHIP = ApprenticeshipOpening()
_example = itertools.count()


def test_staff_never_withdraw_and_the_applicant_only_withdraws_before_taking_part() -> None:
    assert {m.target for m in MOVES if m.by is Mover.APPLICANT} == {S.WITHDRAWN}
    assert {m.source for m in MOVES if m.by is Mover.APPLICANT} == {S.SUBMITTED, S.SHORTLISTED, S.ACCEPTED}
    assert S.WITHDRAWN not in {m.target for m in MOVES if m.by is Mover.STAFF}
    assert check_move(S.SUBMITTED, S.WITHDRAWN, Mover.STAFF, TRAINING, TODAY) == Refused(Refusal.NOT_ALLOWED)


def test_final_statuses_have_no_move_out_of_them() -> None:
    assert [m for m in MOVES if m.source in FINAL_STATUSES] == []


@pytest.mark.parametrize(("current", "wanted", "day", "refused"), [
    (S.ACCEPTED, S.ENROLLED, STARTS - timedelta(days=1), Refused(Refusal.TOO_EARLY, STARTS)),
    (S.ACCEPTED, S.ENROLLED, STARTS, None),
    (S.ENROLLED, S.COMPLETED, ENDS - timedelta(days=1), Refused(Refusal.TOO_EARLY, ENDS)),
    (S.ENROLLED, S.COMPLETED, ENDS, None),
    (S.ENROLLED, S.DROPPED_OUT, STARTS, None),
    (S.SUBMITTED, S.COMPLETED, ENDS, Refused(Refusal.CHANGED)),
])
def test_taking_part_waits_for_the_training_start_and_completing_for_its_end(
    current: S, wanted: S, day: date, refused: Refused | None
) -> None:
    assert check_move(current, wanted, Mover.STAFF, TRAINING, day) == refused


def test_an_apprenticeship_has_no_dates_to_wait_for() -> None:
    assert check_move(S.ACCEPTED, S.ENROLLED, Mover.STAFF, APPRENTICESHIP, TODAY) is None
    assert check_move(S.ENROLLED, S.COMPLETED, Mover.STAFF, APPRENTICESHIP, TODAY) is None


def test_staff_moves_are_those_every_application_may_make_and_those_waiting_say_from_when() -> None:
    accepted, shortlisted = Application(status=S.ACCEPTED), Application(status=S.SHORTLISTED)
    assert selection.staff_moves([accepted], TRAINING, TODAY) == selection.StaffMoves(
        now=(S.REJECTED,), later=((S.ENROLLED, STARTS),))
    assert selection.staff_moves([accepted, shortlisted], TRAINING, TODAY) == selection.StaffMoves(now=(S.REJECTED,))
    assert selection.staff_moves([accepted], TRAINING, STARTS).now == (S.REJECTED, S.ENROLLED)
    assert selection.staff_moves([], TRAINING, TODAY) == selection.StaffMoves()


@dataclass
class Applied:
    opening: OpeningRef
    application_id: int
    user_id: int
    staff: Actor
    """A staff member of the office, to move the application."""


async def apply(runtime: Runtime, clock: Clock, *, kind: OpeningKind = OpeningKind.TRAINING, quota: int = 50,
                opening: OpeningRef | None = None) -> Applied:
    """A new applicant (and, unless given, a new opening starting on STARTS and ending on ENDS)."""
    async with runtime.session_factory() as session, session.begin():
        if opening is None:
            opening = await _opening(session, clock, kind, quota)
        user, _created = await load_or_create_user(session, "test", f"a{next(_example)}", locale="id", now=clock())
        staff, _created = await load_or_create_user(session, "test", "petugas", locale="id", now=clock())
        application = await submit_application(session, user_id=user.id, opening=opening, now=clock())
        return Applied(opening, application.id, user.id, Actor(staff.id, is_staff=True))


async def _opening(session: AsyncSession, clock: Clock, kind: OpeningKind, quota: int) -> OpeningRef:
    provider = await add_provider(session, name="UPT BLK Tabalong", kind=ProviderKind.BLK)
    if kind is OpeningKind.TRAINING:
        row: TrainingProgram | ApprenticeshipOpening = TrainingProgram(
            title="Menjahit", category=TrainingCategory.NON_COMPETENCY, provider_id=provider.id,
            start_date=STARTS, end_date=ENDS, registration_deadline=TODAY, quota=quota, created_at=clock())
    else:
        row = ApprenticeshipOpening(company_id=provider.id, position="Mekanik", duration_months=3,
                                    application_deadline=TODAY, quota=quota, created_at=clock())
    session.add(row)
    await session.flush()
    return OpeningRef(kind, row.id)


async def move(runtime: Runtime, clock: Clock, applied: Applied | list[Applied], wanted: S,
               actor: Actor | None = None) -> selection.Moved:
    group = applied if isinstance(applied, list) else [applied]
    async with runtime.session_factory() as session, session.begin():
        return await selection.move_applications(
            session, actor or group[0].staff, group[0].opening, [a.application_id for a in group], wanted, now=clock(),
            office=runtime.services.office, notices=NoticeList())


async def undo(runtime: Runtime, clock: Clock, applied: Applied, remark: str = "Salah pilih") -> selection.Moved:
    async with runtime.session_factory() as session, session.begin():
        return await selection.undo_rejection(session, applied.staff, applied.application_id, remark,
                                              now=clock(), notices=NoticeList())


async def status_of(runtime: Runtime, applied: Applied) -> str:
    async with runtime.session_factory() as session:
        return str(await session.scalar(select(Application.status).where(Application.id == applied.application_id)))


async def trail(runtime: Runtime, applied: Applied) -> list[AuditEntry]:
    async with runtime.session_factory() as session:
        return await audit_trail(session, "application", applied.application_id)


async def test_staff_cannot_set_withdrawn(runtime: Runtime, clock: Clock) -> None:
    siti = await apply(runtime, clock)
    assert (await move(runtime, clock, siti, S.WITHDRAWN)).outcome is selection.Outcome.NOT_ALLOWED
    assert await status_of(runtime, siti) == S.SUBMITTED
    assert await trail(runtime, siti) == []
    async with runtime.session_factory() as session, session.begin():
        application = await session.get(Application, siti.application_id)
        assert application is not None
        with pytest.raises(StatusChangeRefused):
            await change_status(session, application, S.WITHDRAWN, by=Mover.STAFF, now=clock())


async def test_taking_part_and_completing_before_the_dates_are_refused_with_the_date(
    runtime: Runtime, clock: Clock
) -> None:
    siti = await apply(runtime, clock)
    await move(runtime, clock, siti, S.ACCEPTED)
    assert await move(runtime, clock, siti, S.ENROLLED) == selection.Moved(
        selection.Outcome.TOO_EARLY, possible_from=STARTS)
    clock.now = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)  # 3 December, 00:00 in Tabalong (WITA)
    assert (await move(runtime, clock, siti, S.ENROLLED)).outcome is selection.Outcome.MOVED
    assert await move(runtime, clock, siti, S.COMPLETED) == selection.Moved(
        selection.Outcome.TOO_EARLY, possible_from=ENDS)
    assert await status_of(runtime, siti) == S.ENROLLED


async def test_an_apprentice_may_take_part_and_complete_on_any_day(runtime: Runtime, clock: Clock) -> None:
    siti = await apply(runtime, clock, kind=OpeningKind.APPRENTICESHIP)
    for status in (S.ACCEPTED, S.ENROLLED, S.COMPLETED):
        assert (await move(runtime, clock, siti, status)).outcome is selection.Outcome.MOVED


async def test_every_staff_move_writes_an_audit_row_with_its_actor(runtime: Runtime, clock: Clock) -> None:
    siti = await apply(runtime, clock)
    nur = await apply(runtime, clock, opening=siti.opening)
    await move(runtime, clock, [siti, nur], S.SHORTLISTED)
    await move(runtime, clock, siti, S.ACCEPTED, actor=Actor.system())
    entries = await trail(runtime, siti)
    code = siti.opening.code
    assert [(e.action, e.actor_id, e.detail) for e in entries] == [
        ("selection.move", siti.staff.user_id,
         {"origin": "chat", "from": "submitted", "to": "shortlisted", "opening": code}),
        ("selection.move", None, {"origin": "cli", "from": "shortlisted", "to": "accepted", "opening": code}),
    ]
    assert [e.detail["to"] for e in await trail(runtime, nur)] == ["shortlisted"]
    assert all(e.at == clock() for e in entries)


async def test_staff_undo_a_rejection_within_a_day_with_a_remark(runtime: Runtime, clock: Clock) -> None:
    siti = await apply(runtime, clock)
    await move(runtime, clock, siti, S.ACCEPTED)
    await move(runtime, clock, siti, S.REJECTED)
    clock.advance(hours=24)
    assert await undo(runtime, clock, siti, "  Salah pilih nama  ") == selection.Moved(selection.Outcome.MOVED, 1)
    assert await status_of(runtime, siti) == S.ACCEPTED
    async with runtime.session_factory() as session:
        last = (await status_history(session, siti.application_id))[-1]
    assert (last.status, last.changed_by, last.remark) == (S.ACCEPTED, siti.staff.user_id, "Salah pilih nama")
    undone = (await trail(runtime, siti))[-1]
    assert (undone.action, undone.actor_id) == ("selection.undo_rejection", siti.staff.user_id)
    assert undone.detail == {"origin": "chat", "from": "rejected", "to": "accepted", "remark": "Salah pilih nama",
                             "opening": siti.opening.code}


@pytest.mark.parametrize(("wait", "remark", "outcome"), [
    (timedelta(hours=24, seconds=1), "Salah pilih", selection.Outcome.TOO_LATE),
    (timedelta(hours=1), "", selection.Outcome.NO_REMARK),
    (timedelta(hours=1), " \n ", selection.Outcome.NO_REMARK),
    (timedelta(hours=1), "x" * (REMARK_LIMIT + 1), selection.Outcome.NO_REMARK),
])
async def test_an_undo_after_a_day_or_without_a_fitting_remark_changes_nothing(
    runtime: Runtime, clock: Clock, wait: timedelta, remark: str, outcome: selection.Outcome
) -> None:
    siti = await apply(runtime, clock)
    await move(runtime, clock, siti, S.REJECTED)
    clock.now += wait
    assert (await undo(runtime, clock, siti, remark)).outcome is outcome
    assert await status_of(runtime, siti) == S.REJECTED
    assert [e.action for e in await trail(runtime, siti)] == ["selection.move"]


async def test_an_undo_is_refused_when_the_place_went_to_someone_else_or_the_applicant_applied_again(
    runtime: Runtime, clock: Clock
) -> None:
    siti = await apply(runtime, clock, kind=OpeningKind.APPRENTICESHIP, quota=1)
    nur = await apply(runtime, clock, opening=siti.opening)
    await move(runtime, clock, siti, S.ACCEPTED)
    await move(runtime, clock, siti, S.REJECTED)
    await move(runtime, clock, nur, S.ACCEPTED)
    assert (await undo(runtime, clock, siti)).outcome is selection.Outcome.FULL

    ani = await apply(runtime, clock)
    await move(runtime, clock, ani, S.REJECTED)
    await apply(runtime, clock, opening=ani.opening)  # someone else: no matter
    async with runtime.session_factory() as session, session.begin():
        await submit_application(session, user_id=ani.user_id, opening=ani.opening, now=clock())
    assert (await undo(runtime, clock, ani)).outcome is selection.Outcome.APPLIED_AGAIN
    assert await status_of(runtime, ani) == S.REJECTED


HOURS = st.sampled_from([0, 0, 1, 23, 25, 24 * 6, 24 * 11])
STEP = st.one_of(
    st.tuples(st.just("staff"), st.sampled_from([*ApplicationStatus, S.REJECTED, S.ACCEPTED]), HOURS),
    st.tuples(st.just("applicant"), st.sampled_from([S.WITHDRAWN, S.WITHDRAWN, S.SUBMITTED, S.ACCEPTED]), HOURS),
    st.tuples(st.just("undo"), st.just(S.REJECTED), HOURS),
)
"""A step: who tries which status (an undo goes back to whatever came before the rejection), after how many
hours; weighted towards rejecting, withdrawing and waiting less than a day, where the rules are subtle."""


@given(steps=st.lists(STEP, max_size=10))
async def test_no_sequence_of_moves_leaves_the_table(
    runtime: Runtime, clock: Clock, steps: list[tuple[str, ApplicationStatus, int]]
) -> None:
    """Whatever staff and the applicant try, in any order and at any time: staff never withdraw, the applicant
    only withdraws, taking part and completing wait for the dates, and a final status is left only by an undo
    within a day of the rejection. A refused step changes nothing and leaves no audit row."""
    clock.now = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    siti = await apply(runtime, clock)
    status, before_rejection, rejected_at = S.SUBMITTED, S.SUBMITTED, clock()
    changes = audited = 0
    for who, wanted, hours in steps:
        clock.advance(hours=hours)
        if who == "staff":
            moved = (await move(runtime, clock, siti, wanted)).outcome is selection.Outcome.MOVED
        elif who == "undo":
            moved = (await undo(runtime, clock, siti)).outcome is selection.Outcome.MOVED
        else:
            moved = await _withdraw(runtime, clock, siti, wanted)
        event(f"{who} {'moved' if moved else 'refused'}")
        now = S(await status_of(runtime, siti))
        today = runtime.services.office.date_at(clock())
        if not moved:
            assert now is status
        elif who == "staff":
            assert now is wanted is not S.WITHDRAWN and status not in FINAL_STATUSES
            assert now is not S.ENROLLED or today >= STARTS
            assert now is not S.COMPLETED or today >= ENDS
        elif who == "undo":
            assert status is S.REJECTED and clock() - rejected_at <= timedelta(hours=24)
            assert now is before_rejection
        else:
            assert now is wanted is S.WITHDRAWN and status in {S.SUBMITTED, S.SHORTLISTED, S.ACCEPTED}
        changes += moved
        audited += moved and who != "applicant"
        if moved and now is S.REJECTED:
            before_rejection, rejected_at = status, clock()
        status = now
    async with runtime.session_factory() as session:
        history = await session.scalar(select(func.count()).select_from(ApplicationStatusChange)
                                       .where(ApplicationStatusChange.application_id == siti.application_id))
    assert history == 1 + changes
    assert len(await trail(runtime, siti)) == audited


async def _withdraw(runtime: Runtime, clock: Clock, applied: Applied, wanted: ApplicationStatus) -> bool:
    async with runtime.session_factory() as session, session.begin():
        application = await session.get(Application, applied.application_id)
        assert application is not None
        try:
            await change_status(session, application, wanted, by=Mover.APPLICANT, now=clock())
        except StatusChangeRefused:
            return False
        return True
