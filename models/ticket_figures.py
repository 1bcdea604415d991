"""The Ask-staff figures of the dashboard's overview: questions asked since a moment, how long the first staff
answers took, and the open questions asked before a moment. The caller chooses the moments in the office's time
(the start of the week, one working day ago), so these are plain indexed range queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.tickets import Ticket, TicketMessage, TicketStatus


async def asked_since(session: AsyncSession, since: datetime) -> int:
    query = select(func.count()).select_from(Ticket).where(Ticket.created_at >= since)
    return int(await session.scalar(query) or 0)


async def asked_between(session: AsyncSession, start: datetime, end: datetime) -> int:
    """Questions asked from `start` up to (not including) `end`: one week of the report."""
    query = select(func.count()).select_from(Ticket).where(Ticket.created_at >= start, Ticket.created_at < end)
    return int(await session.scalar(query) or 0)


async def first_answer_waits(session: AsyncSession, since: datetime) -> Sequence[timedelta]:
    """For each question asked since `since` that staff have answered, how long the first answer took."""
    first = (select(TicketMessage.ticket_id, func.min(TicketMessage.created_at).label("answered_at"))
             .where(TicketMessage.from_staff.is_(True)).group_by(TicketMessage.ticket_id).subquery())
    query = (select(Ticket.created_at, first.c.answered_at).join(first, first.c.ticket_id == Ticket.id)
             .where(Ticket.created_at >= since))
    return [answered - asked for asked, answered in await session.execute(query)]


async def open_since_before(session: AsyncSession, before: datetime) -> int:
    """Open questions asked before `before`."""
    query = select(func.count()).select_from(Ticket).where(Ticket.status == TicketStatus.OPEN,
                                                           Ticket.created_at < before)
    return int(await session.scalar(query) or 0)
