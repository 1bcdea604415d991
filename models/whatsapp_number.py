"""What WhatsApp says of the bot's number itself: its messaging tier (how many people it may start conversations
with in a rolling 24 hours), its quality, restrictions on the account, and whether broadcasts are paused for it.

One row holds the number's standing (`whatsapp_number_state`); every report Meta sends, and every check the bot
makes, is kept as an event (`whatsapp_number_events`) for whoever runs the number to read back. Broadcasts stay
paused until staff resume them: a flagged number that keeps sending risks a lower tier or a ban.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.audiences import Audience, audience_members, reached
from models.base import Base, JsonDocument
from models.broadcasts import BroadcastDelivery, DeliveryStatus
from models.db import dialect_name, insert_ignoring_duplicates
from models.outbox import OutboxMessage
from models.users import User

WHATSAPP = "whatsapp"
DAY = timedelta(hours=24)
UNLIMITED = "TIER_UNLIMITED"
TIER_LIMITS: dict[str, int] = {
    "TIER_50": 50,
    "TIER_250": 250,
    "TIER_1K": 1000,
    "TIER_2K": 2000,
    "TIER_10K": 10_000,
    "TIER_100K": 100_000,
}
"""Meta's tier names and how many people each lets the number start conversations with a day."""
BAD_QUALITY = frozenset({"RED", "FLAGGED"})


class WhatsAppNumberState(Base):
    __tablename__ = "whatsapp_number_state"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    tier: Mapped[str | None] = mapped_column(String(32))
    """Meta's name for the messaging tier (`TIER_1K`); None until Meta has said."""
    quality: Mapped[str | None] = mapped_column(String(32))
    account_status: Mapped[str | None] = mapped_column(String(64))
    """The latest account_update event that restricts the number (`ACCOUNT_RESTRICTION`), else None."""
    paused_reason: Mapped[str | None] = mapped_column(String(200))
    """Why WhatsApp broadcasts are paused (None: they are not); staff clear it by resuming."""
    paused_at: Mapped[datetime | None]
    slowed_until: Mapped[datetime | None]
    """WhatsApp refused for spam rate or ecosystem limits (131048, 131049): sending on the number waits."""
    slowed_reason: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class WhatsAppNumberEvent(Base):
    __tablename__ = "whatsapp_number_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(ForeignKey("whatsapp_number_state.channel", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(64))
    """The webhook field (`phone_number_quality_update`, `account_update`), `checked` or `slowed`."""
    event: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDocument)


@dataclass(frozen=True, slots=True)
class Standing:
    """The number as the broadcast pages and the job need it."""

    limit: int | None
    """People a day it may start conversations with (None: unlimited)."""
    tier_known: bool
    """Whether `limit` is Meta's word or the setting's guess."""
    quality: str | None
    paused_reason: str | None
    slowed_until: datetime | None
    slowed_reason: str | None

    @property
    def paused(self) -> bool:
        return self.paused_reason is not None


def limit_of(tier: str | None, fallback: int | None) -> tuple[int | None, bool]:
    """(people a day, whether Meta said so) for a tier name; unknown names and TIER_NOT_SET take `fallback`."""
    if tier == UNLIMITED:
        return None, True
    if tier in TIER_LIMITS:
        return TIER_LIMITS[tier], True
    return fallback, False


async def number_state(session: AsyncSession, now: datetime, *, for_update: bool = False) -> WhatsAppNumberState:
    """The number's row, created empty the first time.

    Created by an insert that ignores a row already there: two workers starting at once both find it missing,
    and the second must not fail on the first's row (a plain add raised a unique violation in the daily job)."""
    state = await session.get(WhatsAppNumberState, WHATSAPP, with_for_update=for_update)
    if state is None:
        await session.execute(insert_ignoring_duplicates(dialect_name(session), WhatsAppNumberState)
                              .values(channel=WHATSAPP, updated_at=now))
        state = await session.get(WhatsAppNumberState, WHATSAPP, with_for_update=for_update,
                                  populate_existing=True)
        assert state is not None, "the row was just inserted or found there"
    return state


async def standing(session: AsyncSession, fallback: int | None) -> Standing:
    """Where the number stands, without writing (a page reads it); the setting's tier until Meta has said."""
    state = await session.get(WhatsAppNumberState, WHATSAPP)
    if state is None:
        return Standing(fallback, False, None, None, None, None)
    limit, known = limit_of(state.tier, fallback)
    return Standing(limit, known, state.quality, state.paused_reason, state.slowed_until, state.slowed_reason)


async def record_event(
    session: AsyncSession, kind: str, event: str | None, detail: dict[str, Any], now: datetime
) -> WhatsAppNumberState:
    """Keep one report of Meta's (or a check of ours) and return the number's row to update."""
    state = await number_state(session, now, for_update=True)
    session.add(WhatsAppNumberEvent(channel=WHATSAPP, at=now, kind=kind, event=event, detail=detail))
    state.updated_at = now
    return state


async def recent_events(session: AsyncSession, limit: int = 10) -> list[WhatsAppNumberEvent]:
    return list(await session.scalars(select(WhatsAppNumberEvent).order_by(WhatsAppNumberEvent.id.desc()).limit(limit)))


async def used_today(session: AsyncSession, now: datetime) -> tuple[int, datetime | None]:
    """People the number's broadcasts were queued for in the last 24 hours, and when the oldest was: what the
    rolling day has already used of the tier. Every broadcast recipient counts (whether their own 24-hour window
    was still open is not known when the count is needed): the count errs on the safe side."""
    since = now - DAY
    row = (
        await session.execute(
            select(func.count(func.distinct(BroadcastDelivery.user_id)), func.min(OutboxMessage.created_at))
            .join(OutboxMessage, OutboxMessage.id == BroadcastDelivery.outbox_id)
            .where(
                OutboxMessage.channel == WHATSAPP,
                OutboxMessage.created_at > since,
                BroadcastDelivery.status.in_((DeliveryStatus.QUEUED, DeliveryStatus.SENT)),
            )
        )
    ).one()
    return int(row[0]), row[1]


async def pending_on_whatsapp(session: AsyncSession, broadcast_id: int) -> int:
    """A broadcast's recipients on WhatsApp not yet handed to the outbox (held back, or paused)."""
    count = await session.scalar(
        select(func.count())
        .select_from(BroadcastDelivery)
        .join(User, User.id == BroadcastDelivery.user_id)
        .where(
            BroadcastDelivery.broadcast_id == broadcast_id,
            BroadcastDelivery.status == DeliveryStatus.PENDING,
            User.channel == WHATSAPP,
        )
    )
    return int(count or 0)


async def audience_on_whatsapp(session: AsyncSession, audience: Audience) -> int:
    """Members of an audience a broadcast would reach on WhatsApp (with a current opt-in, not blocked)."""
    query = audience_members(audience, dialect_name(session)).where(
        User.channel == WHATSAPP, reached()
    )
    count = await session.scalar(query.with_only_columns(func.count()))
    return int(count or 0)
