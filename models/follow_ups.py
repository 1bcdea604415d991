"""Follow-up fires and check-ins: the rows behind the monthly questions alumni get after completing.

Modelled on RapidPro mailroom's contact fires: a `FollowUpFire` is one thing to do at a time (open a check-in,
remind about it, close it), claimed in batches by any number of workers (`FOR UPDATE SKIP LOCKED` on
PostgreSQL; SQLite has one writer at a time). A `CheckIn` is one month's questions to one alumnus, with the
survey version it is asked under and the answers given so far, so it can be paused and resumed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.applications import Application, Completion
from models.base import Base, JsonDocument
from models.catalog import TrainingProgram
from models.db import dialect_name
from models.follow_up_schedule import FollowUpPlan, check_in_schedule, outside_quiet_hours
from models.users import User


class FireKind(StrEnum):
    CHECK_IN = "check_in"
    """Open the check-in of a period and ask its first question (or let it wait for the current flow)."""
    REMIND = "remind"
    """Remind once about a check-in still unanswered."""
    CLOSE = "close"
    """Close a check-in still open: partly answered, or no response."""


class CheckInStatus(StrEnum):
    WAITING = "waiting"
    """Due, but the alumnus was in another conversation; it starts when that one ends (or on /checkin)."""
    OPEN = "open"
    """Asked; answers come in, and may pause and resume."""
    COMPLETED = "completed"
    PARTIAL = "partial"
    """Closed after some answers but not all."""
    NO_RESPONSE = "no_response"
    OPTED_OUT = "opted_out"


UNFINISHED = frozenset({CheckInStatus.WAITING, CheckInStatus.OPEN})
FIRE_RETRY = timedelta(hours=1)
"""A fire whose action failed is tried again this much later (times its attempts)."""


class FollowUpFire(Base):
    __tablename__ = "follow_up_fires"
    __table_args__ = (
        UniqueConstraint("completion_id", "kind", "period"),
        Index("ix_follow_up_fires_due_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    completion_id: Mapped[int] = mapped_column(ForeignKey("completions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    period: Mapped[int]
    """Months after completion this fire belongs to."""
    due_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)


class CheckIn(Base):
    __tablename__ = "check_ins"
    __table_args__ = (
        UniqueConstraint("completion_id", "period"),
        Index("ix_check_ins_user_id_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    completion_id: Mapped[int] = mapped_column(ForeignKey("completions.id", ondelete="CASCADE"))
    period: Mapped[int]
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(12), default=CheckInStatus.WAITING)
    answers: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    context: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    """Facts a survey's `show_if` may test besides answers (e.g. `equipment_aid`), fixed when it opens."""
    created_at: Mapped[datetime]
    opened_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class CheckInOptOut(Base):
    """An alumnus who asked for no more check-ins; respected until they ask again."""

    __tablename__ = "check_in_opt_outs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    opted_out_at: Mapped[datetime]


# --- scheduling ------------------------------------------------------------------------------------------------

async def plan_of(session: AsyncSession, completion: Completion) -> FollowUpPlan:
    """The program's plan for a training; the default plan for an apprenticeship."""
    raw = await session.scalar(
        select(TrainingProgram.follow_up_plan)
        .join(Application, Application.training_program_id == TrainingProgram.id)
        .where(Application.id == completion.application_id)
    )
    return FollowUpPlan.from_json(raw)


async def schedule_follow_ups(session: AsyncSession, completion: Completion, timezone: str, now: datetime) -> int:
    """(Re)compute the check-in fires of one completion; returns how many are pending afterwards.

    Periods already asked keep their check-in; pending fires are replaced by the plan's; periods whose time
    has passed are not scheduled (a later completion date or plan change does not flood the alumnus).
    """
    await session.execute(delete(FollowUpFire).where(
        FollowUpFire.completion_id == completion.id, FollowUpFire.kind == FireKind.CHECK_IN))
    if await has_opted_out(session, completion.user_id):
        return 0
    asked = set(await session.scalars(select(CheckIn.period).where(CheckIn.completion_id == completion.id)))
    plan = await plan_of(session, completion)
    fires = [
        FollowUpFire(user_id=completion.user_id, completion_id=completion.id, kind=FireKind.CHECK_IN,
                     period=period, due_at=due_at)
        for period, due_at in check_in_schedule(completion.completed_on, plan, timezone)
        if period not in asked and due_at > now
    ]
    session.add_all(fires)
    await session.flush()
    return len(fires)


async def schedule_follow_ups_in_bulk(
    session: AsyncSession, timezone: str, now: datetime, *, program_id: int | None = None, batch: int = 5_000
) -> int:
    """What `schedule_follow_ups` does for every completion (of one program, or all), a batch at a time.

    For when staff change a program's plan or record a whole class as completed, and for a database with a
    million alumni: a few statements per `batch` completions instead of five per completion. A schedule depends
    only on the completion date and the plan, so it is computed once per distinct pair.
    """
    schedules: dict[tuple[str, date], list[tuple[int, datetime]]] = {}
    scheduled, after = 0, 0
    while True:
        query = (
            select(Completion.id, Completion.user_id, Completion.completed_on, TrainingProgram.follow_up_plan,
                   CheckInOptOut.user_id.label("opted_out"))
            .join(Application, Application.id == Completion.application_id)
            .outerjoin(TrainingProgram, TrainingProgram.id == Application.training_program_id)
            .outerjoin(CheckInOptOut, CheckInOptOut.user_id == Completion.user_id)
            .where(Completion.id > after).order_by(Completion.id).limit(batch)
        )
        if program_id is not None:
            query = query.where(Application.training_program_id == program_id)
        completions = (await session.execute(query)).all()
        if not completions:
            return scheduled
        after = completions[-1].id
        ids = [completion.id for completion in completions]
        await session.execute(delete(FollowUpFire).where(
            FollowUpFire.completion_id.in_(ids), FollowUpFire.kind == FireKind.CHECK_IN))
        asked = {tuple(row) for row in (await session.execute(
            select(CheckIn.completion_id, CheckIn.period).where(CheckIn.completion_id.in_(ids))))}
        fires = []
        for completion in completions:
            if completion.opted_out is not None:
                continue
            key = (json.dumps(completion.follow_up_plan, sort_keys=True), completion.completed_on)
            if key not in schedules:
                plan = FollowUpPlan.from_json(completion.follow_up_plan)
                schedules[key] = check_in_schedule(completion.completed_on, plan, timezone)
            fires += [{"user_id": completion.user_id, "completion_id": completion.id, "kind": FireKind.CHECK_IN,
                       "period": period, "due_at": due_at, "attempts": 0}
                      for period, due_at in schedules[key]
                      if due_at > now and (completion.id, period) not in asked]
        if fires:
            await session.execute(insert(FollowUpFire), fires)
        scheduled += len(fires)


async def change_completion_date(
    session: AsyncSession, completion: Completion, completed_on: date, timezone: str, now: datetime
) -> None:
    completion.completed_on = completed_on
    await session.flush()
    await schedule_follow_ups(session, completion, timezone, now)


async def set_follow_up_plan(
    session: AsyncSession, program: TrainingProgram, plan: dict[str, Any], timezone: str, now: datetime
) -> int:
    """Store a program's plan (checked first: raises `PlanError`) and recompute every alumnus' schedule."""
    FollowUpPlan.from_json(plan)
    program.follow_up_plan = plan
    await session.flush()
    return await schedule_follow_ups_in_bulk(session, timezone, now, program_id=program.id)


async def claim_due_fires(session: AsyncSession, now: datetime, limit: int) -> list[FollowUpFire]:
    """Fires whose time has come, locked for this transaction; other PostgreSQL workers skip them.

    Returned ordered by user, so two workers taking user locks never wait on each other in a circle.
    """
    query = select(FollowUpFire).where(FollowUpFire.due_at <= now).order_by(FollowUpFire.due_at,
                                                                             FollowUpFire.id).limit(limit)
    if dialect_name(session) == "postgresql":
        query = query.with_for_update(skip_locked=True)
    fires = list(await session.scalars(query))
    return sorted(fires, key=lambda fire: (fire.user_id, fire.due_at, fire.id))


async def fires_by_id(session: AsyncSession, fire_ids: Sequence[int]) -> list[FollowUpFire]:
    """These fires as the database holds them now (after a rolled-back attempt at them), by user."""
    query = select(FollowUpFire).where(FollowUpFire.id.in_(fire_ids)).execution_options(populate_existing=True)
    return sorted(await session.scalars(query), key=lambda fire: (fire.user_id, fire.due_at, fire.id))


async def later_check_in_due(session: AsyncSession, fire: FollowUpFire, now: datetime) -> bool:
    """Whether a later period of the same completion is due too (after downtime): this one is folded into it."""
    found = await session.scalar(select(FollowUpFire.id).where(
        FollowUpFire.completion_id == fire.completion_id, FollowUpFire.kind == FireKind.CHECK_IN,
        FollowUpFire.period > fire.period, FollowUpFire.due_at <= now).limit(1))
    return found is not None


async def add_fire(session: AsyncSession, check_in: CheckIn, kind: FireKind, due_at: datetime) -> None:
    session.add(FollowUpFire(user_id=check_in.user_id, completion_id=check_in.completion_id, kind=kind,
                             period=check_in.period, due_at=due_at))
    await session.flush()


async def create_check_in(
    session: AsyncSession, fire: FollowUpFire, survey_version_id: int, now: datetime, timezone: str
) -> CheckIn | None:
    """The period's check-in, waiting to be asked, with its reminder and closing fires; None if it exists."""
    exists = await session.scalar(select(CheckIn.id).where(
        CheckIn.completion_id == fire.completion_id, CheckIn.period == fire.period))
    if exists is not None:
        return None
    completion = await session.get(Completion, fire.completion_id)
    assert completion is not None, "fires go with their completion (ON DELETE CASCADE)"
    equipment_aid = await session.scalar(
        select(TrainingProgram.equipment_aid).join(Application, Application.training_program_id == TrainingProgram.id)
        .where(Application.id == completion.application_id)
    )
    check_in = CheckIn(user_id=fire.user_id, completion_id=fire.completion_id, period=fire.period,
                       survey_version_id=survey_version_id, status=CheckInStatus.WAITING, answers={},
                       context={"equipment_aid": bool(equipment_aid)}, created_at=now)
    session.add(check_in)
    await session.flush()
    plan = await plan_of(session, completion)
    await add_fire(session, check_in, FireKind.REMIND, outside_quiet_hours(now + plan.remind_after, plan, timezone))
    await add_fire(session, check_in, FireKind.CLOSE, now + plan.close_after)
    return check_in


async def check_in_for_fire(session: AsyncSession, fire: FollowUpFire) -> CheckIn | None:
    return await session.scalar(select(CheckIn).where(
        CheckIn.completion_id == fire.completion_id, CheckIn.period == fire.period))


async def unfinished_check_in(session: AsyncSession, user_id: int) -> CheckIn | None:
    """The user's check-in still to answer (the latest, if several)."""
    return await session.scalar(
        select(CheckIn).where(CheckIn.user_id == user_id, CheckIn.status.in_(UNFINISHED))
        .order_by(CheckIn.created_at.desc(), CheckIn.id.desc()).limit(1)
    )


async def get_check_in(session: AsyncSession, check_in_id: int) -> CheckIn | None:
    return await session.get(CheckIn, check_in_id)


async def application_of_check_in(session: AsyncSession, check_in: CheckIn) -> Application:
    """The application whose completion the check-in follows up (to name the training it asks about)."""
    completion = await session.get(Completion, check_in.completion_id)  # the follow-up job loaded both already
    application = await session.get(Application, completion.application_id) if completion is not None else None
    assert application is not None, "a check-in is deleted with its completion and application"
    return application


def close_check_in(check_in: CheckIn, now: datetime, *, answered: bool) -> None:
    """Close an unfinished check-in: PARTIAL when something was answered, NO_RESPONSE otherwise."""
    check_in.status = CheckInStatus.PARTIAL if answered else CheckInStatus.NO_RESPONSE
    check_in.closed_at = now


async def is_unreachable(session: AsyncSession, user_id: int) -> bool:
    """The platform refused delivery for good (they blocked the bot): a check-in would reach nobody."""
    since = await session.scalar(select(User.unreachable_since).where(User.id == user_id))
    return since is not None


async def has_opted_out(session: AsyncSession, user_id: int) -> bool:
    return await session.get(CheckInOptOut, user_id) is not None


async def opt_out(session: AsyncSession, user_id: int, now: datetime) -> None:
    """No more check-ins: pending fires go, unfinished check-ins are closed as opted out."""
    if not await has_opted_out(session, user_id):
        session.add(CheckInOptOut(user_id=user_id, opted_out_at=now))
    await session.execute(delete(FollowUpFire).where(FollowUpFire.user_id == user_id))
    for check_in in await session.scalars(
        select(CheckIn).where(CheckIn.user_id == user_id, CheckIn.status.in_(UNFINISHED))
    ):
        check_in.status = CheckInStatus.OPTED_OUT
        check_in.closed_at = now
    await session.flush()


async def postpone(session: AsyncSession, fire: FollowUpFire, due_at: datetime) -> None:
    fire.due_at = due_at
    await session.flush()


async def delete_fire(session: AsyncSession, fire: FollowUpFire) -> None:
    await session.delete(fire)
    await session.flush()


async def pending_fires(session: AsyncSession, user_id: int) -> Sequence[FollowUpFire]:
    """A user's fires, the soonest first (for tests and staff views)."""
    return list(await session.scalars(
        select(FollowUpFire).where(FollowUpFire.user_id == user_id).order_by(FollowUpFire.due_at, FollowUpFire.id)
    ))



async def answered_check_ins(session: AsyncSession, user_id: int) -> Sequence[CheckIn]:
    """A user's check-ins with at least one answer, oldest first (for their data export)."""
    found = await session.scalars(select(CheckIn).where(CheckIn.user_id == user_id).order_by(CheckIn.created_at,
                                                                                            CheckIn.id))
    return [check_in for check_in in found if check_in.answers]


async def opted_out_at(session: AsyncSession, user_id: int) -> datetime | None:
    row = await session.get(CheckInOptOut, user_id)
    return row.opted_out_at if row is not None else None
