"""Act on due follow-up fires: open check-ins, remind once, close the unanswered (see models/follow_ups.py).

Any number of workers may run this: each batch is claimed and acted on in one transaction, and PostgreSQL
workers skip the rows another holds. After downtime the backlog does not flood alumni: a check-in overdue by
more than `GRACE` is folded into a later period of the same alumnus that is also due, or else moved to the
next delivery hour; a reminder that late is dropped; nothing is sent in quiet hours.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.delivery import Envelope
from bot.engine.messages import Purpose
from bot.engine.runtime import Runtime
from handlers.checkins import checkin as checkins
from models.applications import Completion
from models.evaluations import refresh_standings
from models.follow_up_schedule import next_delivery_slot, outside_quiet_hours
from models.follow_ups import (
    FIRE_RETRY,
    UNFINISHED,
    FireKind,
    FollowUpFire,
    check_in_for_fire,
    claim_due_fires,
    close_check_in,
    create_check_in,
    delete_fire,
    has_opted_out,
    is_unreachable,
    later_check_in_due,
    plan_of,
    postpone,
)
from models.opt_ins import may_check_in
from models.surveys import ensure_survey_version

log = logging.getLogger(__name__)

BATCH = 100
GRACE = timedelta(hours=6)


async def send_follow_ups(runtime: Runtime, *, batch: int = BATCH) -> int:
    """Act on due fires batch after batch until none is due; returns how many fires were handled."""
    handled = 0
    while True:
        count, envelopes = await _one_batch(runtime, batch)
        await runtime.delivery.deliver(envelopes)
        handled += count
        if count < batch:
            return handled


async def _one_batch(runtime: Runtime, batch: int) -> tuple[int, list[Envelope]]:
    now = runtime.clock()
    envelopes: list[Envelope] = []
    async with runtime.session_factory() as session, session.begin():
        fires = await claim_due_fires(session, now, batch)
        surveys: dict[str, int] = {}
        for fire in fires:
            try:
                async with session.begin_nested():
                    envelopes += await _act(runtime, session, fire, now, surveys)
            except Exception:
                log.exception("follow-up fire %s failed; retrying later", fire.id)
                surveys.clear()  # a version stored in the rolled-back savepoint is gone
                fire.attempts += 1
                await postpone(session, fire, now + FIRE_RETRY * fire.attempts)
    return len(fires), envelopes


async def _act(runtime: Runtime, session: AsyncSession, fire: FollowUpFire, now: datetime,
               surveys: dict[str, int]) -> list[Envelope]:
    timezone = runtime.services.office.timezone
    completion = await session.get(Completion, fire.completion_id)
    assert completion is not None
    plan = await plan_of(session, completion)
    overdue = now - fire.due_at
    if fire.kind != FireKind.CLOSE:
        if fire.kind == FireKind.REMIND and overdue > GRACE:
            await delete_fire(session, fire)  # a reminder days late reminds of nothing useful
            return []
        if fire.kind == FireKind.CHECK_IN and overdue > GRACE:
            if await later_check_in_due(session, fire, now):
                await delete_fire(session, fire)
            else:
                await postpone(session, fire, next_delivery_slot(now, plan, timezone))
            return []
        if (allowed := outside_quiet_hours(now, plan, timezone)) != now:
            await postpone(session, fire, allowed)
            return []
    if fire.kind == FireKind.CHECK_IN:
        if plan.survey not in surveys:  # the file is read once a batch, not once a fire
            surveys[plan.survey] = (await ensure_survey_version(session, plan.survey, now)).id
        return await _open(runtime, session, fire, now, surveys[plan.survey])
    check_in = await check_in_for_fire(session, fire)
    await delete_fire(session, fire)
    if check_in is None or check_in.status not in UNFINISHED:
        return []
    if fire.kind == FireKind.REMIND:
        return await runtime.dispatcher.act_for(
            session, fire.user_id, lambda ctx: checkins.remind(ctx, check_in), now, Purpose.REMINDER)
    close_check_in(check_in, now, answered=bool(check_in.answers))
    return []


async def _open(runtime: Runtime, session: AsyncSession, fire: FollowUpFire, now: datetime,
                survey_version_id: int) -> list[Envelope]:
    await delete_fire(session, fire)
    if await has_opted_out(session, fire.user_id) or await is_unreachable(session, fire.user_id) \
            or not await may_check_in(session, fire.user_id):
        return []  # not asked, so not counted as unanswered; the next period tries again
    check_in = await create_check_in(session, fire, survey_version_id, now, runtime.services.office.timezone)
    if check_in is None:
        return []
    await refresh_standings(session, [fire.completion_id])  # asked now, in the report's terms
    return await runtime.dispatcher.act_for(session, fire.user_id,
                                            lambda ctx: checkins.offer_check_in(ctx, check_in), now, Purpose.CHECK_IN)
