"""The outbox: every message to a user is written here in the same transaction as the change that caused it.

After commit the process that wrote a row sends it at once; a row still pending after `SWEEP_GRACE` (a crash
between commit and send, or a failed attempt) is claimed by the outbox sweep. Claims take a lease, and on
PostgreSQL skip rows other workers hold, so a message is not sent twice by two workers.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    any_,
    bindparam,
    false,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JsonDocument, table_of
from models.db import dialect_name
from models.files import delete_file
from models.prepared import Prepared, run

SWEEP_GRACE = timedelta(seconds=30)
CLAIM_LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_recipient", "channel", "address", "id"),  # the last messages sent to one address
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    status: Mapped[str] = mapped_column(String(12), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


async def enqueue(
    session: AsyncSession,
    *,
    channel: str,
    address: str,
    user_id: int | None,
    payloads: Sequence[dict[str, Any]],
    now: datetime,
) -> list[int]:
    """Queue the payloads for one address, in order; returns their ids in the same order.

    Core, not the ORM: this runs for every message, and one multi-row INSERT ... RETURNING is the cheapest
    way to get ids on both SQLite and PostgreSQL.
    """
    if not payloads:
        return []
    common = {
        "channel": channel,
        "address": address,
        "user_id": user_id,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now + SWEEP_GRACE,
    }
    result = await run(session, _INSERT_RETURNING_ID, [{**common, "payload": p} for p in payloads])
    return result.scalars()


@dataclass(frozen=True, slots=True)
class Addressed:
    """One message for one user, for `enqueue_many`."""

    channel: str
    address: str
    user_id: int | None
    payload: dict[str, Any]


async def enqueue_many(
    session: AsyncSession, messages: Sequence[Addressed], now: datetime, *, due: datetime | None = None
) -> list[int]:
    """Queue messages to many users in one statement; returns their ids in order.

    Due at `due`: by default at once, for the outbox sweep (proactive sends nobody is waiting to deliver, like
    alerts); `now + SWEEP_GRACE` when the caller delivers them itself after commit.
    """
    if not messages:
        return []
    next_attempt_at = now if due is None else due
    result = await run(session, _INSERT_RETURNING_ID, [row_of(m, now, next_attempt_at) for m in messages])
    return result.scalars()


def row_of(message: Addressed, now: datetime, next_attempt_at: datetime) -> dict[str, Any]:
    """The outbox row of a message just queued, as `enqueue_many` writes it."""
    return {"channel": message.channel, "address": message.address, "user_id": message.user_id,
            "payload": message.payload, "status": OutboxStatus.PENDING, "attempts": 0, "created_at": now,
            "next_attempt_at": next_attempt_at}


_INSERT_RETURNING_ID = Prepared(
    insert(OutboxMessage).returning(OutboxMessage.id, sort_by_parameter_order=True),
    ("channel", "address", "user_id", "payload", "status", "attempts", "created_at", "next_attempt_at"),
)


async def mark_sent(session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
    """Every batch of the senders' marks (`bot.engine.delivery`). On PostgreSQL one prepared statement whatever the
    batch's size (`= ANY` of an array), where an IN list was a new statement for each size."""
    if dialect_name(session) == "postgresql":
        await run(session, _MARK_SENT_ANY, {"ids": list(ids), "status": OutboxStatus.SENT.value, "sent_at": now,
                                            "last_error": None})
        return
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(status=OutboxStatus.SENT, sent_at=now, last_error=None)
    )


_MARK_SENT_ANY = Prepared(
    update(OutboxMessage).where(OutboxMessage.id == any_(bindparam("ids", type_=ARRAY(Integer)))),
    ("status", "sent_at", "last_error"),
)


async def scrub(session: AsyncSession, ids: Sequence[int]) -> None:
    """Wipe the text and the file of delivered sensitive messages (an export with the full NIK): the outbox must
    not keep in plain text what the profile keeps encrypted. Options stay, so a button pressed later is still
    understood. Core, not the ORM: registration's summary is one such message for everyone who registers."""
    if not ids:
        return  # nearly every flush: no query for nothing
    rows = (await session.execute(select(OutboxMessage.id, OutboxMessage.payload)
                                  .where(OutboxMessage.id.in_(ids)))).all()
    for _row_id, payload in rows:
        await _delete_its_file(session, payload)
    if rows:
        await session.execute(_SCRUB, [{"key": row_id, "payload": _scrubbed(payload)} for row_id, payload in rows])


_OUTBOX = table_of(OutboxMessage)
_SCRUB = update(_OUTBOX).where(_OUTBOX.c.id == bindparam("key"))


def _scrubbed(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "text": "", "image": None, "sensitive": True, "scrubbed": True}


async def _delete_its_file(session: AsyncSession, payload: dict[str, Any]) -> None:
    image = payload.get("image")
    if isinstance(image, dict) and "file_id" in image:
        await delete_file(session, int(image["file_id"]))


async def _scrub_row(session: AsyncSession, row: OutboxMessage) -> None:
    await _delete_its_file(session, row.payload)
    row.payload = _scrubbed(row.payload)


async def mark_attempt_failed(
    session: AsyncSession, message_id: int, error: str, *, retry_at: datetime | None
) -> None:
    """Record a failed send; without `retry_at` (or after MAX_ATTEMPTS) the message is given up."""
    row = await session.get(OutboxMessage, message_id)
    if row is None:
        return
    row.attempts += 1
    row.last_error = error[:2000]
    if retry_at is None or row.attempts >= MAX_ATTEMPTS:
        row.status = OutboxStatus.FAILED
        if row.payload.get("sensitive"):
            await _scrub_row(session, row)
    else:
        row.next_attempt_at = retry_at


Reach = Mapping[str, Collection[str] | None]
"""Whom a worker can send to: its channels, each to every address (None) or to these only (a console session
reaches its own user, nobody else)."""


async def claim_due(session: AsyncSession, now: datetime, limit: int, reach: Reach) -> list[OutboxMessage]:
    """Pending messages within `reach` whose time has come, leased to this worker for CLAIM_LEASE. Others stay
    for a worker that can send them, untouched."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now,
               or_(false(), *(_addressed_to(channel, addresses) for channel, addresses in reach.items())))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if dialect_name(session) == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(await session.scalars(query))
    for row in rows:
        row.next_attempt_at = now + CLAIM_LEASE
    await session.flush()
    return rows


def _addressed_to(channel: str, addresses: Collection[str] | None) -> ColumnElement[bool]:
    on_channel = OutboxMessage.channel == channel
    return on_channel if addresses is None else and_(on_channel, OutboxMessage.address.in_(addresses))


async def make_due(session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
    """Let the sweep of whichever worker can send these pending messages take them now, instead of after the
    grace their writer had to send them itself (it cannot: another process serves that channel or user)."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.PENDING)
        .values(next_attempt_at=now)
    )


async def recent_payloads(session: AsyncSession, channel: str, address: str, limit: int = 20) -> list[dict[str, Any]]:
    """The last messages written to one address, newest first: where a channel looks up what it offered."""
    query = (
        select(OutboxMessage.payload)
        .where(OutboxMessage.channel == channel, OutboxMessage.address == address)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return list(await session.scalars(query))


async def last_payload_with_options(session: AsyncSession, channel: str, address: str) -> dict[str, Any] | None:
    """The latest of the last few messages to `address` that offered options (WhatsApp's "more" row shows the
    next page of it)."""
    payloads = await session.scalars(
        select(OutboxMessage.payload)
        .where(OutboxMessage.channel == channel, OutboxMessage.address == address)
        .order_by(OutboxMessage.id.desc())
        .limit(5)
    )
    return next((payload for payload in payloads if payload.get("options")), None)
