"""What is waiting, as the operator's metrics report it (`GET /metrics`, bot/metrics.py): messages not yet sent,
follow-up fires past their time, broadcasts under way.

Read at every scrape by every replica, so each query is an indexed count over the rows that wait (pending outbox
rows by `ix_outbox_due`, due fires by `ix_follow_up_fires_due_at`), never a scan of the history, and the
broadcasts are bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.broadcasts import Broadcast, BroadcastDelivery, BroadcastStatus, DeliveryStatus
from models.follow_ups import FollowUpFire
from models.outbox import OutboxMessage, OutboxStatus

MAX_BROADCASTS = 20
"""At most this many broadcasts under way are reported (the oldest first); an office runs one or two at a time."""


@dataclass(frozen=True, slots=True)
class Waiting:
    """How many wait, and since when the oldest of them has (None when none does)."""

    count: int
    oldest: datetime | None

    def age_seconds(self, now: datetime) -> float:
        return 0.0 if self.oldest is None else max(0.0, (now - self.oldest).total_seconds())


async def pending_outbox(session: AsyncSession) -> dict[str, Waiting]:
    """Messages in the outbox not yet sent nor given up, by channel: the oldest waits since it was written."""
    rows = await session.execute(
        select(OutboxMessage.channel, func.count(), func.min(OutboxMessage.created_at))
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .group_by(OutboxMessage.channel)
    )
    return {channel: Waiting(int(count), oldest) for channel, count, oldest in rows}


async def due_fires(session: AsyncSession, now: datetime) -> Waiting:
    """Follow-up fires (check-ins, reminders) whose time has come and that no job has taken yet."""
    count, oldest = (
        await session.execute(select(func.count(), func.min(FollowUpFire.due_at)).where(FollowUpFire.due_at <= now))
    ).one()
    return Waiting(int(count), oldest)


async def broadcasts_under_way(session: AsyncSession) -> dict[int, dict[str, int]]:
    """The broadcasts sending now (at most `MAX_BROADCASTS`, the oldest first), by id: how many of their deliveries
    are in each `DeliveryStatus` (pending: not yet handed to the outbox). Counted on the deliveries' own
    (broadcast, status) index, without the outbox join that tells staff sent from failed (`figures_of_many`): a
    scrape comes every few seconds from every replica, and a broadcast may have a hundred thousand recipients."""
    ids = list(
        await session.scalars(
            select(Broadcast.id)
            .where(Broadcast.status == BroadcastStatus.SENDING)
            .order_by(Broadcast.id)
            .limit(MAX_BROADCASTS)
        )
    )
    states: dict[int, dict[str, int]] = {broadcast_id: dict.fromkeys(DeliveryStatus, 0) for broadcast_id in ids}
    if ids:
        rows = await session.execute(
            select(BroadcastDelivery.broadcast_id, BroadcastDelivery.status, func.count())
            .where(BroadcastDelivery.broadcast_id.in_(ids))
            .group_by(BroadcastDelivery.broadcast_id, BroadcastDelivery.status)
        )
        for broadcast_id, status, count in rows:
            states[broadcast_id][status] = int(count)
    return states
