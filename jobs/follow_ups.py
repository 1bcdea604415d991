"""Act on due follow-up fires: open check-ins, remind once, close the unanswered (see models/follow_ups.py).

Any number of workers may run this: each batch is claimed and acted on in one transaction, and PostgreSQL
workers skip the rows another holds. After downtime the backlog does not flood alumni: a check-in overdue by
more than `GRACE` is folded into a later period of the same alumnus that is also due, or else moved to the
next delivery hour; a reminder that late is dropped; nothing is sent in quiet hours.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.delivery import Envelope
from bot.engine.messages import Purpose
from bot.engine.runtime import Runtime
from handlers.checkins import checkin as checkins
from handlers.context import Context
from models.evaluations import refresh_standings
from models.follow_up_batches import FireFacts, facts_of_fires, open_check_ins
from models.follow_up_schedule import FollowUpPlan, next_delivery_slot, outside_quiet_hours
from models.follow_ups import (
    FIRE_RETRY,
    UNFINISHED,
    CheckIn,
    FireKind,
    FollowUpFire,
    check_in_for_fire,
    claim_due_fires,
    close_check_in,
    create_check_in,
    delete_fire,
    fires_by_id,
    has_opted_out,
    is_unreachable,
    later_check_in_due,
    postpone,
)
from models.opt_ins import may_check_in
from models.surveys import SurveyVersion, ensure_survey_version

log = logging.getLogger(__name__)

BATCH = 500
"""Fires a transaction: the survey file is read once a batch, and the alumni whose check-ins open wait (if they
write meanwhile) for the batch's commit, well under a second."""
GRACE = timedelta(hours=6)


async def send_follow_ups(runtime: Runtime, *, batch: int = BATCH) -> int:
    """Act on due fires batch after batch until none is due; returns how many fires were handled.

    A batch's messages are delivered while the next batch is claimed and written (they are committed in the
    outbox already), so a day's check-ins go out at the channel's rate rather than at that rate slowed by the
    claiming; at most one batch waits to be sent.
    """
    handled = 0
    sending: asyncio.Task[None] | None = None
    try:
        while True:
            count, envelopes = await _one_batch(runtime, batch)
            if sending is not None:
                await sending
            sending = asyncio.create_task(runtime.delivery.deliver(envelopes))
            handled += count
            if count < batch:
                return handled
    finally:
        if sending is not None:
            await sending


async def _one_batch(runtime: Runtime, batch: int) -> tuple[int, list[Envelope]]:
    """Claim a batch; settle each fire that is late or falls in quiet hours, remind and close one by one (a
    few a day), and open the check-ins due now together: a few statements for the whole batch."""
    now = runtime.clock()
    envelopes: list[Envelope] = []
    async with runtime.session_factory() as session, session.begin():
        fires = await claim_due_fires(session, now, batch)
        facts = await facts_of_fires(session, fires)
        surveys: dict[str, SurveyVersion] = {}  # held for the batch: the session keeps only what is referenced
        to_open: dict[int, int] = {}  # fire id -> survey version: the check-ins to open together
        for fire in fires:
            try:
                plan = facts[fire.completion_id].plan()
                if fire.kind == FireKind.CHECK_IN and plan.survey in surveys and _on_time(runtime, fire, plan, now):
                    to_open[fire.id] = surveys[plan.survey].id  # nothing written: no savepoint (a round trip)
                    continue
                async with session.begin_nested():
                    if await _settled(runtime, session, fire, plan, now):
                        continue
                    if fire.kind == FireKind.CHECK_IN:
                        if plan.survey not in surveys:  # the file is read once a batch, not once a fire
                            surveys[plan.survey] = await ensure_survey_version(session, plan.survey, now)
                        to_open[fire.id] = surveys[plan.survey].id
                    else:
                        envelopes += await _remind_or_close(runtime, session, fire, now)
            except Exception:
                log.exception("follow-up fire %s failed; retrying later", fire.id)
                surveys.clear()  # a version stored in the rolled-back savepoint is gone
                await _retry_later(session, fire, now)
        opening = [fire for fire in fires if fire.id in to_open]
        envelopes += await _open_together(runtime, session, opening, facts, to_open, now=now)
    return len(fires), envelopes


def _on_time(runtime: Runtime, fire: FollowUpFire, plan: FollowUpPlan, now: datetime) -> bool:
    """Neither late nor in quiet hours: the usual case, which `_settled` leaves alone."""
    return now - fire.due_at <= GRACE and outside_quiet_hours(now, plan, runtime.services.office.timezone) == now


async def _settled(runtime: Runtime, session: AsyncSession, fire: FollowUpFire, plan: FollowUpPlan,
                   now: datetime) -> bool:
    """Whether the fire was dealt with without acting: late (dropped, folded or moved to the next delivery
    hour) or in quiet hours (moved to their end). A closing is never late: it only closes."""
    if fire.kind == FireKind.CLOSE:
        return False
    timezone = runtime.services.office.timezone
    overdue = now - fire.due_at
    if fire.kind == FireKind.REMIND and overdue > GRACE:
        await delete_fire(session, fire)  # a reminder days late reminds of nothing useful
        return True
    if fire.kind == FireKind.CHECK_IN and overdue > GRACE:
        if await later_check_in_due(session, fire, now):
            await delete_fire(session, fire)
        else:
            await postpone(session, fire, next_delivery_slot(now, plan, timezone))
        return True
    if (allowed := outside_quiet_hours(now, plan, timezone)) != now:
        await postpone(session, fire, allowed)
        return True
    return False


async def _remind_or_close(runtime: Runtime, session: AsyncSession, fire: FollowUpFire,
                           now: datetime) -> list[Envelope]:
    check_in = await check_in_for_fire(session, fire)
    await delete_fire(session, fire)
    if check_in is None or check_in.status not in UNFINISHED:
        return []
    if fire.kind == FireKind.REMIND:
        return await runtime.dispatcher.act_for(
            session, fire.user_id, lambda ctx: checkins.remind(ctx, check_in), now, Purpose.REMINDER)
    close_check_in(check_in, now, answered=bool(check_in.answers))
    return []


async def _open_together(runtime: Runtime, session: AsyncSession, fires: list[FollowUpFire],
                         facts: dict[int, FireFacts], survey_versions: dict[int, int], *,
                         now: datetime) -> list[Envelope]:
    """Open these check-ins in one go: created together, their alumni's conversations read and written together,
    each offered in the alumnus' own language and conversation (one in the middle of something else has it
    wait). Should anything fail, the batch is rolled back to before it and opened one fire at a time, so one
    bad fire holds up nobody else."""
    if not fires:
        return []
    try:
        async with session.begin_nested():
            check_ins = await open_check_ins(session, fires, facts, survey_versions, now=now,
                                             timezone=runtime.services.office.timezone)
            if not check_ins:
                return []
            await refresh_standings(session, [check_in.completion_id for check_in in check_ins])
            return await runtime.dispatcher.act_for_many(
                session, [(check_in.user_id, _offer(check_in)) for check_in in check_ins], now, Purpose.CHECK_IN)
    except Exception:
        log.exception("opening %d check-ins together failed; opening them one at a time", len(fires))
    envelopes: list[Envelope] = []
    for fire in await fires_by_id(session, [fire.id for fire in fires]):
        try:
            async with session.begin_nested():
                envelopes += await _open(runtime, session, fire, now, survey_versions[fire.id])
        except Exception:
            log.exception("follow-up fire %s failed; retrying later", fire.id)
            await _retry_later(session, fire, now)
    return envelopes


def _offer(check_in: CheckIn) -> Callable[[Context], Awaitable[None]]:
    return lambda ctx: checkins.offer_check_in(ctx, check_in)


async def _retry_later(session: AsyncSession, fire: FollowUpFire, now: datetime) -> None:
    fire.attempts += 1
    await postpone(session, fire, now + FIRE_RETRY * fire.attempts)


async def _open(runtime: Runtime, session: AsyncSession, fire: FollowUpFire, now: datetime,
                survey_version_id: int) -> list[Envelope]:
    """One check-in opened alone: what `_open_together` falls back on."""
    await delete_fire(session, fire)
    if await has_opted_out(session, fire.user_id) or await is_unreachable(session, fire.user_id) \
            or not await may_check_in(session, fire.user_id):
        return []  # not asked, so not counted as unanswered; the next period tries again
    check_in = await create_check_in(session, fire, survey_version_id, now, runtime.services.office.timezone)
    if check_in is None:
        return []
    await refresh_standings(session, [fire.completion_id])  # asked now, in the report's terms
    return await runtime.dispatcher.act_for(session, fire.user_id, _offer(check_in), now, Purpose.CHECK_IN)
