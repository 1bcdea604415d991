"""Platform event ids already handled, so a redelivered update or webhook is a no-op."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, table_of
from models.db import dialect_name, insert_ignoring_duplicates, lock_for_key, lock_number
from models.prepared import Prepared, run


class ProcessedEvent(Base):
    __tablename__ = "processed_events"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)


async def record_event(session: AsyncSession, channel: str, event_id: str, now: datetime) -> bool:
    """Remember the event; False when it was seen before (and must not be handled again).

    Runs on every message, so it is a statement compiled once per dialect (`models.prepared`): the ORM's
    per-statement work cost more than the insert itself (bench/dialog.py).
    """
    statement = _INSERT_EVENT[dialect_name(session)]
    result = await run(session, statement, {"channel": channel, "event_id": event_id, "received_at": now})
    return bool(result.rowcount)


_INSERT_EVENT = {
    dialect: Prepared(insert_ignoring_duplicates(dialect, ProcessedEvent.__table__),
                      ("channel", "event_id", "received_at"))
    for dialect in ("sqlite", "postgresql")
}


async def lock_and_record_event(
    session: AsyncSession, lock_key: str, channel: str, event_id: str, now: datetime
) -> bool:
    """`lock_for_key(lock_key)`, then `record_event`: on PostgreSQL in one statement, so one round trip fewer
    for every message. The insert reads from the lock's result, so it runs once the lock is held; what the
    message reads next is read by later statements, which see everything committed before the lock was granted."""
    if dialect_name(session) != "postgresql":
        await lock_for_key(session, lock_key)
        return await record_event(session, channel, event_id, now)
    result = await run(session, _LOCK_AND_INSERT_EVENT, {
        "lock": lock_number(lock_key), "channel": channel, "event_id": event_id, "received_at": now})
    return bool(result.rowcount)


_EVENTS = table_of(ProcessedEvent)
_LOCK_AND_INSERT_EVENT = Prepared(pg_insert(_EVENTS).from_select(
    ["channel", "event_id", "received_at"],
    select(bindparam("channel", type_=_EVENTS.c.channel.type), bindparam("event_id", type_=_EVENTS.c.event_id.type),
           bindparam("received_at", type_=_EVENTS.c.received_at.type))
    .select_from(select(func.pg_advisory_xact_lock(bindparam("lock", type_=BigInteger))).subquery("locked")),
).on_conflict_do_nothing())


async def forget_events_before(session: AsyncSession, cutoff: datetime) -> int:
    """Drop ids older than any platform redelivers (Telegram and Meta retry for at most a day or so)."""
    result = await session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff))
    return int(result.rowcount)  # type: ignore[attr-defined]

