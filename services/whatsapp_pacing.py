"""How a broadcast's WhatsApp recipients are paced by the number's messaging tier: the plan staff see before
sending and in the progress, and what the sending job may queue now.

The tier is Meta's (read daily, `jobs/whatsapp_number.py`) or, until Meta has said, the setting's. The day's
use is the broadcast recipients queued on WhatsApp in the last 24 hours, whichever broadcast they were of.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models.audiences import Audience
from models.broadcasts import Broadcast
from models.sending_days import DAY, OfficeClock, Portion, resume_at, split_into_days
from models.whatsapp_number import Standing, audience_on_whatsapp, pending_on_whatsapp, standing, used_today

SHORTEST_HOLD = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class WhatsAppPlan:
    """When a broadcast's WhatsApp recipients go out, and how the number stands."""

    count: int
    number: Standing
    portions: list[Portion]

    @property
    def spread(self) -> bool:
        """Whether it takes more than one day (or waits for the day's allowance)."""
        return len(self.portions) > 1


async def plan_whatsapp(
    session: AsyncSession, count: int, *, start: datetime, fallback: int | None, clock: OfficeClock
) -> WhatsAppPlan:
    """`count` WhatsApp recipients from `start` in daily portions, given what the rolling day has used."""
    number = await standing(session, fallback)
    used, oldest = await used_today(session, start)
    portions = split_into_days(count, limit=number.limit, used=used, oldest_use=oldest, start=start, clock=clock)
    return WhatsAppPlan(count, number, portions)


async def plan_for_audience(
    session: AsyncSession, audience: Audience, *, start: datetime, fallback: int | None, clock: OfficeClock
) -> WhatsAppPlan:
    """The preview's plan: every member of the audience on WhatsApp, from the moment it is to go out."""
    count = await audience_on_whatsapp(session, audience)
    return await plan_whatsapp(session, count, start=start, fallback=fallback, clock=clock)


async def plan_for_broadcast(
    session: AsyncSession, broadcast: Broadcast, *, now: datetime, fallback: int | None, clock: OfficeClock
) -> WhatsAppPlan:
    """The progress's plan: its WhatsApp recipients not yet handed over, from when they may go."""
    start = max(now, broadcast.held_until or now)
    count = await pending_on_whatsapp(session, broadcast.id)
    return await plan_whatsapp(session, count, start=start, fallback=fallback, clock=clock)


async def whatsapp_held(session: AsyncSession, broadcast: Broadcast, *, now: datetime, fallback: int | None) -> bool:
    """Whether the broadcast's WhatsApp recipients wait now: WhatsApp broadcasts are paused
    (`services.whatsapp_number`, until staff resume), or this one is held for the day's allowance."""
    number = await standing(session, fallback)
    return number.paused or (broadcast.held_until is not None and now < broadcast.held_until)


async def whatsapp_free(
    session: AsyncSession, broadcast: Broadcast, *, now: datetime, fallback: int | None, clock: OfficeClock
) -> int | None:
    """How many more WhatsApp recipients may be queued now (None: any number), asked when some are about to be.
    At 0 the broadcast is held until the oldest of the day's sends is a day old, at opening hours."""
    number = await standing(session, fallback)
    if number.limit is None:
        return None
    used, oldest = await used_today(session, now)
    free = max(0, number.limit - used)
    if free == 0:
        broadcast.held_until = resume_at(max((oldest or now) + DAY, now + SHORTEST_HOLD), clock)
    return free
