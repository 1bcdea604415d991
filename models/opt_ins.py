"""Opt-ins: when and how each person agreed to messages the bot starts (broadcasts, alerts, check-ins), and
when they stopped, kept as a history the person can export.

One row per agreement: their first message, the consent step (with its wording's version), a keyword from a
poster (`DAFTAR`), a /start link. A user has at most one *current* row (neither stopped nor replaced): a new
agreement replaces the current one (`replaced_at`) instead of overwriting it, /stop or BERHENTI stops it
(`stopped_at`), /start or DAFTAR afterwards adds a new current row. Rows rather than events, so that "has a
current opt-in" is one indexed EXISTS that the broadcast, alert and check-in queries embed
(`has_current_opt_in`, `agreed_at_registration`). A row goes with its user (deleting the account deletes it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    ColumnExpressionArgument,
    ForeignKey,
    Integer,
    String,
    and_,
    bindparam,
    case,
    exists,
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, table_of
from models.db import dialect_name
from models.prepared import Prepared, run
from models.users import User

MAX_DETAIL = 64


class OptInSource(StrEnum):
    """How someone agreed."""

    FIRST_MESSAGE = "first_message"
    """They wrote to the bot first (on WhatsApp the bot may answer, and later write, only then)."""
    CONSENT = "consent"
    """They agreed at the registration's consent step; `detail` is the wording's version."""
    KEYWORD = "keyword"
    """They typed a keyword from a poster or brochure (`DAFTAR`, `DAFTAR t12`); `detail` is what they typed."""
    START_LINK = "start_link"
    """They sent /start, from a t.me link or again after /stop; `detail` is the link's payload, if any."""


class OptIn(Base):
    """One agreement of one user on their channel, current until stopped or replaced by a later one."""

    __tablename__ = "opt_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    """The user's channel, kept on the record itself so the history reads alone (in an export, say)."""
    source: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(MAX_DETAIL), default="")
    agreed_at: Mapped[datetime]
    stopped_at: Mapped[datetime | None]
    """When they asked for no more (/stop, BERHENTI)."""
    replaced_at: Mapped[datetime | None]
    """When a later agreement took this one's place (the agreement still holds, under the newer row)."""


def has_current_opt_in(user_id: ColumnExpressionArgument[int]) -> ColumnElement[bool]:
    """SQL: the user (`User.id`, or any column holding a user id) has a current opt-in. Broadcasts and opening
    alerts go only to them."""
    return exists(
        select(OptIn.id).where(OptIn.user_id == user_id, OptIn.stopped_at.is_(None), OptIn.replaced_at.is_(None))
    )


def agreed_at_registration(user_id: ColumnExpressionArgument[int]) -> ColumnElement[bool]:
    """SQL: the user agreed at the registration's consent step, which names following up on their progress:
    check-ins go only to them. /stop does not end it (it stops announcements; check-ins have their own
    opt-out, `models.follow_ups.CheckInOptOut`)."""
    return exists(select(OptIn.id).where(OptIn.user_id == user_id, OptIn.source == OptInSource.CONSENT))


async def may_check_in(session: AsyncSession, user_id: int) -> bool:
    """Whether the user's check-ins may be asked (`agreed_at_registration`), for a job acting on one user."""
    return bool(await session.scalar(select(agreed_at_registration(literal(user_id, Integer)))))


async def current_opt_in(session: AsyncSession, user_id: int) -> OptIn | None:
    return await session.scalar(
        select(OptIn)
        .where(OptIn.user_id == user_id, OptIn.stopped_at.is_(None), OptIn.replaced_at.is_(None))
        .order_by(OptIn.id.desc())
        .limit(1)
    )


async def has_opt_ins(session: AsyncSession, user_id: int) -> bool:
    return bool((await run(session, _HAS_ANY, {"user_id": user_id})).scalars()[0])


async def agree(
    session: AsyncSession,
    user_id: int,
    channel: str,
    source: OptInSource,
    detail: str = "",
    *,
    now: datetime,
    resumes: bool = True,
) -> bool:
    """Record an agreement; False when it adds nothing (the same agreement is current, or a bare /start while
    one is). With `resumes=False` (the consent step) an earlier stop stands: the agreement is recorded, stopped
    at once, so the person still receives nothing they asked to stop.

    Prepared statements (`models.prepared`), not the ORM: every registration and /start passes here. On
    PostgreSQL, one statement (`_AGREE`): three round trips there were the longest part of a registration's last
    message (bench/dialog.py)."""
    detail = detail[:MAX_DETAIL]
    if dialect_name(session) == "postgresql":
        added = await run(session, _AGREE, {
            "user_id": user_id, "channel": channel, "source": source.value, "detail": detail, "now": now,
            "any_current_will_do": source == OptInSource.START_LINK and not detail, "resumes": resumes})
        return bool(added.rows)
    current = (await run(session, _CURRENT, {"user_id": user_id})).first()
    if current is not None and (
        (current["source"], current["detail"]) == (source, detail) or (source == OptInSource.START_LINK and not detail)
    ):
        return False
    stopped = current is None and not resumes and await has_opt_ins(session, user_id)
    if current is not None:
        await run(session, _REPLACE, {"key_id": current["id"], "replaced_at": now})
    await run(session, _INSERT, {"user_id": user_id, "channel": channel, "source": source.value, "detail": detail,
                                 "agreed_at": now, "stopped_at": now if stopped else None, "replaced_at": None})
    return True


async def agree_first_time(session: AsyncSession, user_id: int, channel: str, now: datetime) -> None:
    """Record the first message of someone the bot holds no agreement of (the dispatcher reads that with the
    user, `models.arrivals`): one prepared INSERT, nothing to look up first."""
    await run(session, _INSERT, first_agreement_values(user_id, channel, now))


def first_agreement_values(user_id: int | None, channel: str, now: datetime) -> dict[str, Any]:
    """Every column of the row recording someone's first message as their first agreement."""
    return {"user_id": user_id, "channel": channel, "source": OptInSource.FIRST_MESSAGE.value, "detail": "",
            "agreed_at": now, "stopped_at": None, "replaced_at": None}


_INSERT = Prepared(insert(OptIn), ("user_id", "channel", "source", "detail", "agreed_at", "stopped_at", "replaced_at"))
_CURRENT = Prepared(
    select(OptIn.id, OptIn.source, OptIn.detail)
    .where(OptIn.user_id == bindparam("user_id"), OptIn.stopped_at.is_(None), OptIn.replaced_at.is_(None))
    .order_by(OptIn.id.desc())
)
"""The current agreement (the newest, should there ever be two)."""
_HAS_ANY = Prepared(select(exists().where(OptIn.user_id == bindparam("user_id"))))
_REPLACE = Prepared(update(OptIn).where(OptIn.id == bindparam("key_id")), ("replaced_at",))


def _agree_in_one_statement() -> Prepared:
    """`agree` as one PostgreSQL statement: WITH current AS (the current row), replaced AS (UPDATE it unless it
    already says this) INSERT ... SELECT the new row unless the current one already says this. Every part sees
    the snapshot before the statement, as the three statements saw it before each other's writes."""
    table = table_of(OptIn)
    now = bindparam("now", type_=table.c.agreed_at.type)
    user_id = bindparam("user_id", type_=Integer)
    current = (
        select(table.c.id, table.c.source, table.c.detail)
        .where(table.c.user_id == user_id, table.c.stopped_at.is_(None), table.c.replaced_at.is_(None))
        .order_by(table.c.id.desc()).limit(literal_column("1")).cte("current_agreement")
    )
    says_this = exists(select(current.c.id).where(or_(
        bindparam("any_current_will_do", type_=Boolean),
        and_(current.c.source == bindparam("source", type_=String),
             current.c.detail == bindparam("detail", type_=String)),
    )))
    replaced = (
        update(table).where(table.c.id.in_(select(current.c.id)), ~says_this).values(replaced_at=now)
        .returning(table.c.id).cte("replaced")
    )
    stays_stopped = and_(~bindparam("resumes", type_=Boolean), ~exists(select(current.c.id)),
                         exists().where(table.c.user_id == user_id))
    row = select(user_id, bindparam("channel", type_=String), bindparam("source", type_=String),
                 bindparam("detail", type_=String), now, case((stays_stopped, now)), null()).where(~says_this)
    columns = ["user_id", "channel", "source", "detail", "agreed_at", "stopped_at", "replaced_at"]
    return Prepared(insert(table).from_select(columns, row).returning(table.c.id).add_cte(replaced))


_AGREE = _agree_in_one_statement()


async def agree_in_bulk(session: AsyncSession, source: OptInSource, now: datetime, detail: str = "") -> int:
    """One agreement for every user with none yet, in one INSERT ... SELECT: for users loaded in bulk (benchmarks,
    tests), who never wrote through the router."""
    rows = select(
        User.id,
        User.channel,
        literal(source.value, String),
        literal(detail, String),
        literal(now, OptIn.agreed_at.type),
    ).where(~exists(select(OptIn.id).where(OptIn.user_id == User.id)))
    columns = ["user_id", "channel", "source", "detail", "agreed_at"]
    result = await session.execute(insert(OptIn).from_select(columns, rows))
    added: int = result.rowcount  # type: ignore[attr-defined]
    return added


async def stop(session: AsyncSession, user_id: int, now: datetime) -> None:
    """/stop or BERHENTI: the current agreement, if any, ends now."""
    current = await current_opt_in(session, user_id)
    if current is not None:
        current.stopped_at = now
        await session.flush()


async def opt_in_history(session: AsyncSession, user_id: int) -> Sequence[OptIn]:
    """Every agreement of the user, oldest first (for their data export)."""
    return list(await session.scalars(select(OptIn).where(OptIn.user_id == user_id).order_by(OptIn.id)))
