"""Platform event ids already handled, so a redelivered update or webhook is a no-op."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.db import insert_ignoring_duplicates


class ProcessedEvent(Base):
    __tablename__ = "processed_events"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)


async def record_event(session: AsyncSession, channel: str, event_id: str, now: datetime) -> bool:
    """Remember the event; False when it was seen before (and must not be handled again).

    Runs on every message, so it goes through Core with a statement built once per dialect: the ORM's
    per-statement work cost more than the insert itself (bench/dialog.py).
    """
    connection = await session.connection()
    statement = _INSERT_EVENT[connection.dialect.name]
    result = await connection.execute(statement, {"channel": channel, "event_id": event_id, "received_at": now})
    return bool(result.rowcount)


_INSERT_EVENT = {
    dialect: insert_ignoring_duplicates(dialect, ProcessedEvent.__table__) for dialect in ("sqlite", "postgresql")
}


async def forget_events_before(session: AsyncSession, cutoff: datetime) -> int:
    """Drop ids older than any platform redelivers (Telegram and Meta retry for at most a day or so)."""
    result = await session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff))
    return int(result.rowcount)  # type: ignore[attr-defined]

