"""Who a message is from, as the dispatcher needs them for every message: read in one statement.

Besides the user and their conversation (`models.users.USER_ROW_QUERY`), whether the bot holds any agreement of
theirs yet (`models.opt_ins`): the router records a first message as one when it does not, and asking that on
its own cost a query on every message for the few that need it (bench/dialog.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Table, bindparam, exists, func, literal_column, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from models.db import dialect_name, lock_number
from models.events import ProcessedEvent, lock_and_record_event
from models.opt_ins import OptIn
from models.prepared import Prepared, run
from models.users import USER_ROW_QUERY, User, adopt_user, create_user

_ARRIVAL_QUERY = USER_ROW_QUERY.add_columns(
    exists(select(OptIn.id).where(OptIn.user_id == User.id)).label("has_opt_ins"))
_ARRIVAL_ROW = Prepared(_ARRIVAL_QUERY)
_EVENTS = ProcessedEvent.__table__
assert isinstance(_EVENTS, Table)
_LOCKED = select(func.pg_advisory_xact_lock(bindparam("lock", type_=BigInteger)).label("locked")).cte("locked")
_RECORDED = (
    pg_insert(_EVENTS)
    .from_select(["channel", "event_id", "received_at"],
                 select(bindparam("channel", type_=_EVENTS.c.channel.type),
                        bindparam("event_id", type_=_EVENTS.c.event_id.type),
                        bindparam("received_at", type_=_EVENTS.c.received_at.type)).select_from(_LOCKED))
    .on_conflict_do_nothing()
    .returning(_EVENTS.c.event_id)
    .cte("recorded")
)
_SENDER = _ARRIVAL_QUERY.subquery("sender")
_ONE_ROW = select(literal_column("1").label("one")).subquery("one_row")
_RECEIVE = Prepared(
    select(select(func.count()).select_from(_RECORDED).scalar_subquery().label("recorded"), *_SENDER.c)
    .select_from(_ONE_ROW.outerjoin(_SENDER, true()))
)
"""PostgreSQL: WITH locked AS (the advisory lock), recorded AS (INSERT the event ... FROM locked ON CONFLICT DO
NOTHING RETURNING) SELECT whether it was recorded, and the sender's row (NULLs when there is none)."""


@dataclass(frozen=True, slots=True)
class Arrival:
    user: User
    created: bool
    """The user wrote for the first time: the row was made now."""
    has_opt_ins: bool
    """The bot holds an agreement of theirs (current, stopped or replaced)."""


@dataclass(frozen=True, slots=True)
class Received:
    """A message's event recorded under its sender's lock; on PostgreSQL, the sender read in the same statement
    (`row`: None when they never wrote)."""

    read: bool
    row: dict[str, Any] | None = None


async def receive(
    session: AsyncSession, lock_key: str, *, channel: str, event_id: str, external_id: str, now: datetime
) -> Received | None:
    """Take the sender's lock and record the event; None when it was handled before (nothing more to do).

    On PostgreSQL the sender's row comes with it, one round trip fewer for every message. That read's snapshot
    is the statement's, taken before the lock was granted: a message of the same person handled meanwhile by
    another worker has moved their conversation's version on, so this one's save fails and the dispatcher runs
    it again (`StaleDataError`); a person created meanwhile is caught by `create_user` the same way."""
    if dialect_name(session) != "postgresql":
        if not await lock_and_record_event(session, lock_key, channel, event_id, now):
            return None
        return Received(read=False)
    row = (await run(session, _RECEIVE, {"lock": lock_number(lock_key), "channel": channel, "event_id": event_id,
                                         "received_at": now, "external_id": external_id})).first()
    assert row is not None, "the statement always returns its one row"
    if not row.pop("recorded"):
        return None
    return Received(read=True, row=row if row["id"] is not None else None)


async def arrive(
    session: AsyncSession, channel: str, external_id: str, *, locale: str, now: datetime,
    received: Received | None = None,
) -> Arrival:
    """The sender behind a channel identity, seen `now`, created (in `locale`) on first contact; read already
    when `received` says so."""
    if received is not None and received.read:
        row = received.row
    else:
        row = (await run(session, _ARRIVAL_ROW, {"channel": channel, "external_id": external_id})).first()
    if row is None:
        return Arrival(await create_user(session, channel, external_id, locale=locale, now=now), True, False)
    has_opt_ins = bool(row.pop("has_opt_ins"))
    return Arrival(await adopt_user(session, row, now), False, has_opt_ins)
