"""Messages that could not be delivered, and why: what staff see when a broadcast or a notice did not arrive.

A message fails for good when the platform refuses it (a blocked bot, an unknown number, a closed WhatsApp
window with no template) or reports a failure after accepting it (models/receipts.py); the outbox row keeps
the platform's reason. Reasons are grouped as the platform words them: staff need the few common causes,
not one line per message; how a reason is shown is the handler's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.answers import name_case
from models.broadcasts import BroadcastDelivery
from models.outbox import OutboxMessage, OutboxStatus
from models.profiles import JobSeekerProfile


@dataclass(frozen=True, slots=True)
class Reason:
    reason: str | None
    count: int


@dataclass(frozen=True, slots=True)
class FailedMessage:
    at: datetime
    channel: str
    address: str
    name: str | None
    reason: str | None


async def failure_reasons(
    session: AsyncSession, *, since: datetime | None = None, broadcast_id: int | None = None, limit: int = 5
) -> list[Reason]:
    """The most common reasons messages failed, most frequent first (one broadcast's, or all since `since`)."""
    count = func.count(OutboxMessage.id)
    query = (
        select(OutboxMessage.last_error, count)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .group_by(OutboxMessage.last_error)
        .order_by(count.desc(), OutboxMessage.last_error)
        .limit(limit)
    )
    if since is not None:
        query = query.where(OutboxMessage.created_at >= since)
    if broadcast_id is not None:
        query = query.join(BroadcastDelivery, BroadcastDelivery.outbox_id == OutboxMessage.id).where(
            BroadcastDelivery.broadcast_id == broadcast_id)
    return [Reason(error, int(n)) for error, n in (await session.execute(query)).all()]


async def count_failed(session: AsyncSession, since: datetime) -> int:
    query = select(func.count(OutboxMessage.id)).where(
        OutboxMessage.status == OutboxStatus.FAILED, OutboxMessage.created_at >= since)
    return int(await session.scalar(query) or 0)


async def latest_failed(session: AsyncSession, since: datetime, limit: int = 10,
                        offset: int = 0) -> Sequence[FailedMessage]:
    """The latest failed messages, newest first (skipping `offset`), with the recipient's name when they
    registered."""
    query = (
        select(OutboxMessage.created_at, OutboxMessage.channel, OutboxMessage.address, JobSeekerProfile.full_name,
               OutboxMessage.last_error)
        .outerjoin(JobSeekerProfile, JobSeekerProfile.user_id == OutboxMessage.user_id)
        .where(OutboxMessage.status == OutboxStatus.FAILED, OutboxMessage.created_at >= since)
        .order_by(OutboxMessage.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [FailedMessage(at, channel, address, name_case(name) if name else name, error)
            for at, channel, address, name, error in (await session.execute(query)).all()]
