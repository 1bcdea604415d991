"""Staff broadcasts: the announcement, who it goes to, and one delivery row per recipient.

A broadcast is written once and fanned out as delivery rows created in bulk (`INSERT ... SELECT`), so
50,000 recipients cost one statement. The sending job (jobs/broadcasts.py) claims pending deliveries in
batches, turns them into outbox rows in the same commit (a delivery points at its outbox row), and the
outbox's own machinery sends and retries them. Whether a recipient got it is read from that outbox row:
nothing is counted twice and a crash loses nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    case,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.audiences import Audience, audience_members
from models.base import Base, JsonDocument
from models.db import count_if, dialect_name
from models.opt_ins import has_current_opt_in
from models.outbox import OutboxMessage, OutboxStatus
from models.paging import Page, paginate
from models.users import User


class BroadcastStatus(StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    """Not yet handed to the outbox."""
    QUEUED = "queued"
    """In the outbox: sent, failed or still trying, as its outbox row says."""
    SKIPPED = "skipped"
    """Opted out by the time their turn came, or the broadcast was cancelled first."""
    UNREACHABLE = "unreachable"
    """They blocked the bot; nothing was sent."""
    SENT = "sent"
    """Delivered, and its outbox row since forgotten by the retention job (models/retention.py): the figures
    count it from here."""


class Broadcast(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text_id: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    """English version; English readers get the Indonesian one when there is none."""
    opening_code: Mapped[str | None] = mapped_column(String(16))
    """The opening recipients can open from the message ('t12'), if any."""
    audience: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    status: Mapped[str] = mapped_column(String(12))
    scheduled_at: Mapped[datetime]
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    total: Mapped[int] = mapped_column(default=0)
    reported_tenths: Mapped[int] = mapped_column(default=0)
    """How many tenths of the progress the author has been told of (progress goes out every 10 %)."""
    held_until: Mapped[datetime | None]
    """Its WhatsApp recipients beyond the number's daily tier wait until then (models/sending_days.py)."""

    def text_for(self, locale: str) -> str:
        return text_in(locale, self.text_id, self.text_en)


def text_in(locale: str, text_id: str, text_en: str | None) -> str:
    """What a reader of `locale` gets: the English text for English readers when there is one, else Indonesian."""
    return text_en if locale == "en" and text_en else text_id


class BroadcastDelivery(Base):
    __tablename__ = "broadcast_deliveries"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "user_id"),
        Index("ix_broadcast_deliveries_broadcast_status", "broadcast_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=DeliveryStatus.PENDING)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))


@dataclass(frozen=True, slots=True)
class Figures:
    """Where a broadcast stands; `remaining` counts both not yet queued and queued but not yet through."""

    total: int
    sent: int
    failed: int
    unreachable: int
    skipped: int
    remaining: int

    @property
    def tenths_done(self) -> int:
        return 10 if self.total == 0 else (self.total - self.remaining) * 10 // self.total


@dataclass(frozen=True, slots=True)
class Turn:
    """A claimed delivery, with what is needed to address its recipient."""

    delivery_id: int
    user_id: int
    channel: str
    external_id: str
    locale: str
    stopped: bool
    """No current opt-in (they sent /stop, or never agreed): skipped."""
    unreachable: bool


async def create_broadcast(
    session: AsyncSession, *, author_id: int | None, text_id: str, text_en: str | None, opening_code: str | None,
    audience: Audience, scheduled_at: datetime, now: datetime,
) -> Broadcast:
    """The broadcast and one pending delivery per member of the audience, in one INSERT ... SELECT."""
    broadcast = Broadcast(
        author_id=author_id, text_id=text_id, text_en=text_en, opening_code=opening_code,
        audience=audience.to_json(), scheduled_at=scheduled_at, created_at=now,
        status=BroadcastStatus.SENDING if scheduled_at <= now else BroadcastStatus.SCHEDULED,
    )
    session.add(broadcast)
    await session.flush()
    members = audience_members(audience, dialect_name(session)).with_only_columns(
        User.id, literal(broadcast.id, Integer), literal(DeliveryStatus.PENDING.value, String)
    )
    result = await session.execute(
        insert(BroadcastDelivery).from_select(["user_id", "broadcast_id", "status"], members)
    )
    broadcast.total = result.rowcount  # type: ignore[attr-defined]
    await session.flush()
    return broadcast


async def start_due(session: AsyncSession, now: datetime) -> int:
    """Scheduled broadcasts whose time has come start sending."""
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.status == BroadcastStatus.SCHEDULED, Broadcast.scheduled_at <= now)
        .values(status=BroadcastStatus.SENDING)
    )
    started: int = result.rowcount  # type: ignore[attr-defined]
    return started


async def sending_now(session: AsyncSession) -> list[Broadcast]:
    return list(await session.scalars(
        select(Broadcast).where(Broadcast.status == BroadcastStatus.SENDING).order_by(Broadcast.id)
    ))


async def claim_turns(session: AsyncSession, broadcast_id: int, limit: int, *,
                      leave_out_channel: str | None = None) -> list[Turn]:
    """The next pending deliveries of a sending broadcast, locked for this transaction (others skip them);
    those on `leave_out_channel` stay pending (a WhatsApp number whose day is used up, or paused)."""
    query = (
        select(BroadcastDelivery.id, User.id, User.channel, User.external_id, User.locale,
               ~has_current_opt_in(User.id), User.unreachable_since.is_not(None))
        .join(User, User.id == BroadcastDelivery.user_id)
        .join(Broadcast, Broadcast.id == BroadcastDelivery.broadcast_id)
        .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == DeliveryStatus.PENDING,
               Broadcast.status == BroadcastStatus.SENDING)
        .order_by(BroadcastDelivery.id)
        .limit(limit)
    )
    if leave_out_channel is not None:
        query = query.where(User.channel != leave_out_channel)
    if dialect_name(session) == "postgresql":
        query = query.with_for_update(skip_locked=True, of=BroadcastDelivery)
    return [Turn(*row) for row in await session.execute(query)]


async def queue_turns(
    session: AsyncSession, turns: Sequence[Turn], payloads: Mapping[str, dict[str, Any]],
    *, now: datetime, due: datetime,
) -> dict[int, int]:
    """Put the claimed turns to be sent in the outbox, each recipient the payload of their language, and point
    their deliveries at their rows; returns {user id: outbox id}. The rows are built in the database from the
    users' own rows (one INSERT ... SELECT: only their ids cross to it). `due` is when the outbox sweep may
    take a row: until then the caller holds it (jobs/broadcasts.py renews that)."""
    user_ids = [turn.user_id for turn in turns]
    if not user_ids:
        return {}
    as_json = [(User.locale == locale, literal(payload, JsonDocument)) for locale, payload in payloads.items()]
    when = OutboxMessage.created_at.type
    rows = select(
        User.channel, User.external_id, User.id, case(*as_json, else_=as_json[0][1]),
        literal(OutboxStatus.PENDING.value, String), literal(0, Integer), literal(now, when), literal(due, when),
    ).where(User.id.in_(user_ids))
    columns = ["channel", "address", "user_id", "payload", "status", "attempts", "created_at", "next_attempt_at"]
    result = await session.execute(
        insert(OutboxMessage).from_select(columns, rows).returning(OutboxMessage.user_id, OutboxMessage.id)
    )
    queued: dict[int, int] = {}
    for user_id, outbox_id in result:
        assert user_id is not None, "every row was selected from a user"
        queued[user_id] = outbox_id
    # By primary key: an UPDATE ... FROM outbox read every delivery of the broadcast on SQLite (3 s a batch).
    await session.execute(update(BroadcastDelivery), [
        {"id": turn.delivery_id, "status": DeliveryStatus.QUEUED, "outbox_id": queued[turn.user_id]}
        for turn in turns
    ])
    return queued


async def mark_turns(session: AsyncSession, skipped: list[int], unreachable: list[int]) -> None:
    """Record the claimed deliveries that will not be sent: skipped (opted out) or unreachable (blocked)."""
    for ids, status in ((skipped, DeliveryStatus.SKIPPED), (unreachable, DeliveryStatus.UNREACHABLE)):
        if ids:
            await session.execute(
                update(BroadcastDelivery).where(BroadcastDelivery.id.in_(ids)).values(status=status)
            )


async def renew_lease(session: AsyncSession, outbox_ids: Collection[int], until: datetime) -> None:
    """Keep the outbox sweep off messages a live worker still holds to send itself; a failed attempt (which
    has its own retry time) is left alone."""
    if outbox_ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(outbox_ids)), OutboxMessage.status == OutboxStatus.PENDING,
                   OutboxMessage.attempts == 0)
            .values(next_attempt_at=until)
        )


async def figures_of(session: AsyncSession, broadcast_id: int) -> Figures:
    """The broadcast's figures in one aggregate query over its deliveries and their outbox rows."""
    return (await figures_of_many(session, [broadcast_id]))[broadcast_id]


async def figures_of_many(session: AsyncSession, broadcast_ids: Collection[int]) -> dict[int, Figures]:
    """The figures of several broadcasts (a page of the list) in one grouped query; none for an unknown id
    but a zero for one without deliveries."""
    delivery, outbox = BroadcastDelivery, OutboxMessage
    queued = delivery.status == DeliveryStatus.QUEUED
    blocked = User.unreachable_since.is_not(None)
    rows = await session.execute(
        select(
            delivery.broadcast_id,
            func.count(delivery.id),
            count_if((queued & (outbox.status == OutboxStatus.SENT)) | (delivery.status == DeliveryStatus.SENT)),
            count_if(queued & (outbox.status == OutboxStatus.FAILED) & ~blocked),
            count_if((delivery.status == DeliveryStatus.UNREACHABLE)
                      | (queued & (outbox.status == OutboxStatus.FAILED) & blocked)),
            count_if(delivery.status == DeliveryStatus.SKIPPED),
        )
        .select_from(delivery)
        .join(User, User.id == delivery.user_id)
        .outerjoin(outbox, outbox.id == delivery.outbox_id)
        .where(delivery.broadcast_id.in_(list(broadcast_ids)))
        .group_by(delivery.broadcast_id)
    )
    figures = {broadcast_id: Figures(0, 0, 0, 0, 0, 0) for broadcast_id in broadcast_ids}
    for broadcast_id, *counts in rows:
        total, sent, failed, unreachable, skipped = (int(value) for value in counts)
        figures[broadcast_id] = Figures(total, sent, failed, unreachable, skipped,
                                        total - sent - failed - unreachable - skipped)
    return figures


async def cancel_broadcast(session: AsyncSession, broadcast: Broadcast, now: datetime) -> None:
    """Stop it: deliveries not yet queued are skipped (the few already in the outbox still go)."""
    broadcast.status = BroadcastStatus.CANCELLED
    broadcast.finished_at = now
    await session.execute(
        update(BroadcastDelivery)
        .where(BroadcastDelivery.broadcast_id == broadcast.id, BroadcastDelivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.SKIPPED)
    )


async def recent_broadcasts(session: AsyncSession, limit: int = 5) -> list[Broadcast]:
    return list(await session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)))


async def broadcasts_page(session: AsyncSession, page: int, size: int) -> Page[Broadcast]:
    """One page of every broadcast, the newest first."""
    return await paginate(session, Broadcast, (), (Broadcast.id.desc(),), page, size=size)


async def get_broadcast(session: AsyncSession, broadcast_id: int, *, for_update: bool = False) -> Broadcast | None:
    """`for_update` holds the row until commit on PostgreSQL (SQLite has one writer anyway): for what only one
    worker may do at a time, such as telling the author of progress."""
    return await session.get(Broadcast, broadcast_id, with_for_update=for_update)
