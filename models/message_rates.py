"""How fast each person is writing, so one account sending dozens of messages a second is stopped at the door.

One row per sender (`channel:external id`), in the database so every worker sees the same count. It is read and
written under the sender's own lock (the dispatcher holds it), so a plain read-modify-write is safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class MessageRate(Base):
    __tablename__ = "message_rates"

    sender: Mapped[str] = mapped_column(String(96), primary_key=True)
    window_started_at: Mapped[datetime]
    count: Mapped[int]
    warned: Mapped[bool]


@dataclass(frozen=True, slots=True)
class FloodLimit:
    """At most `messages` within `window` on `channels` (those open to anyone on the internet; the console is a
    terminal on the office's machine); past it a sender is stopped until they have been quiet for `window`."""

    messages: int
    window: timedelta
    channels: frozenset[str]


class Verdict:
    """What to do with a sender's message."""

    HANDLE = "handle"
    WARN = "warn"  # the first message over the limit: it is not handled, the sender is asked to slow down
    DROP = "drop"


async def count_message(session: AsyncSession, sender: str, limit: FloodLimit, now: datetime) -> str:
    """Count one message of `sender` and say whether it may be handled (a `Verdict`).

    Each message over the limit restarts the window, so a sender who keeps flooding stays stopped (with a single
    notice) and one who pauses for a window starts afresh."""
    row = await session.get(MessageRate, sender)
    if row is None:
        session.add(MessageRate(sender=sender, window_started_at=now, count=1, warned=False))
        await session.flush()
        return Verdict.HANDLE
    if row.window_started_at <= now - limit.window:
        row.window_started_at, row.count, row.warned = now, 1, False
        return Verdict.HANDLE
    row.count += 1
    if row.count <= limit.messages:
        return Verdict.HANDLE
    row.window_started_at = now
    if row.warned:
        return Verdict.DROP
    row.warned = True
    return Verdict.WARN


async def forget_quiet_senders(session: AsyncSession, before: datetime) -> int:
    """Drop the counts of senders quiet since `before` (the retention job): they would start afresh anyway."""
    result = await session.execute(delete(MessageRate).where(MessageRate.window_started_at < before))
    return int(result.rowcount)  # type: ignore[attr-defined]
