"""Check-ins opened a batch at a time: what the follow-up job needs of a batch of fires in a few statements.

A day's fires for a province are tens of thousands: opened one by one (a dozen statements each) the job ran
at 40-110 a second. Here a batch's completions and plans are read in one query, the alumni not to ask in
one, and its check-ins with their reminder and closing fires written in one INSERT each. The rules are those
of `create_check_in` and the job's `_open`: the fire goes; an alumnus who opted out, blocked the bot or
never agreed at registration is not asked (so not counted as unanswered); a period already asked is not
asked again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.applications import Application, Completion
from models.catalog import TrainingProgram
from models.follow_up_schedule import FollowUpPlan, outside_quiet_hours
from models.follow_ups import CheckIn, CheckInOptOut, CheckInStatus, FireKind, FollowUpFire
from models.opt_ins import agreed_at_registration
from models.users import User


@dataclass(frozen=True, slots=True)
class FireFacts:
    """What acting on a fire needs to know of its completion; the plan is parsed by whoever acts on the fire,
    so a broken plan fails that fire alone."""

    completion: Completion
    application: Application
    program: TrainingProgram | None
    """None for an apprenticeship. Held here, as the completion and application are, for the batch: the
    session's identity map keeps only objects referenced elsewhere, and the questions look them up again."""

    @property
    def plan_json(self) -> dict[str, Any] | None:
        return self.program.follow_up_plan if self.program is not None else None

    @property
    def equipment_aid(self) -> bool:
        return bool(self.program.equipment_aid) if self.program is not None else False

    def plan(self) -> FollowUpPlan:
        return FollowUpPlan.from_json(self.plan_json)


async def facts_of_fires(session: AsyncSession, fires: Iterable[FollowUpFire]) -> dict[int, FireFacts]:
    """By completion id: each fire's completion, application and program (none for an apprenticeship: the
    default plan), in one query; the check-in's questions find them again in the session without a query."""
    ids = {fire.completion_id for fire in fires}
    if not ids:
        return {}
    rows = await session.execute(
        select(Completion, Application, TrainingProgram)
        .join(Application, Application.id == Completion.application_id)
        .outerjoin(TrainingProgram, TrainingProgram.id == Application.training_program_id)
        .where(Completion.id.in_(ids))
    )
    return {completion.id: FireFacts(completion, application, program) for completion, application, program in rows}


async def not_to_ask(session: AsyncSession, user_ids: Iterable[int]) -> set[int]:
    """Those of these users who opted out of check-ins, blocked the bot, or never agreed at registration
    (`models.opt_ins.agreed_at_registration`)."""
    ids = set(user_ids)
    if not ids:
        return set()
    opted_out = set(await session.scalars(select(CheckInOptOut.user_id).where(CheckInOptOut.user_id.in_(ids))))
    blocked = set(await session.scalars(
        select(User.id).where(User.id.in_(ids),
                              User.unreachable_since.is_not(None) | ~agreed_at_registration(User.id))))
    return opted_out | blocked


async def open_check_ins(
    session: AsyncSession, fires: Sequence[FollowUpFire], facts: Mapping[int, FireFacts],
    survey_versions: Mapping[int, int], *, now: datetime, timezone: str,
) -> list[CheckIn]:
    """Delete these check-in fires and create the check-ins they stand for, each waiting to be asked, with
    its reminder and closing fires; returns the check-ins created, in the fires' order.

    `survey_versions` gives, by fire id, the survey version each is asked under.
    """
    if not fires:
        return []
    await session.execute(delete(FollowUpFire).where(FollowUpFire.id.in_([fire.id for fire in fires]))
                          .execution_options(synchronize_session=False))
    for fire in fires:
        session.expunge(fire)  # gone: nothing of it is left for the commit to flush
    skipped = await not_to_ask(session, {fire.user_id for fire in fires})
    asked = {tuple(row) for row in await session.execute(
        select(CheckIn.completion_id, CheckIn.period)
        .where(CheckIn.completion_id.in_({fire.completion_id for fire in fires})))}
    to_open = [fire for fire in fires
               if fire.user_id not in skipped and (fire.completion_id, fire.period) not in asked]
    if not to_open:
        return []
    rows = [{"user_id": fire.user_id, "completion_id": fire.completion_id, "period": fire.period,
             "survey_version_id": survey_versions[fire.id], "status": CheckInStatus.WAITING, "answers": {},
             "context": {"equipment_aid": facts[fire.completion_id].equipment_aid}, "created_at": now,
             "opened_at": None, "reminded_at": None, "closed_at": None}
            for fire in to_open]
    check_ins = list(await session.scalars(insert(CheckIn).returning(CheckIn, sort_by_parameter_order=True), rows))
    later = []
    for check_in in check_ins:
        plan = facts[check_in.completion_id].plan()
        for kind, due_at in ((FireKind.REMIND, outside_quiet_hours(now + plan.remind_after, plan, timezone)),
                             (FireKind.CLOSE, now + plan.close_after)):
            later.append({"user_id": check_in.user_id, "completion_id": check_in.completion_id, "kind": kind,
                          "period": check_in.period, "due_at": due_at, "attempts": 0})
    await session.execute(insert(FollowUpFire), later)
    return check_ins
