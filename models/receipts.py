"""What became of each message on the platform: WhatsApp's sent, delivered, read and failed, per outbox row.

A platform message is known by the id the platform gave it (a "wamid"). Two things name it, in either order:
the delivery path, which records which outbox row it belongs to when it writes its "sent" marks (batched, so
possibly after the platform already reported on it), and the platform's status callbacks. Both write the same
row with an upsert, so neither has to wait for the other and no status is lost to that race. A status only
moves forward (sent, delivered, read; failed beats them all), because callbacks may arrive out of order.

A failure the platform reports after accepting a message also fails its outbox row, with the reason, which is
what staff see (a broadcast's failed count reads the outbox).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from sqlalchemy import ForeignKey, Integer, String, Text, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.db import dialect_insert, dialect_name
from models.outbox import OutboxMessage, OutboxStatus

FAILED = "failed"
STAGES: Mapping[str, int] = MappingProxyType({"sent": 1, "delivered": 2, "read": 3, FAILED: 4})
"""How far a message got; a later callback never moves it back (a late "delivered" after "read")."""


class PlatformMessage(Base):
    __tablename__ = "platform_messages"

    platform_message_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    status: Mapped[str | None] = mapped_column(String(12))
    stage: Mapped[int] = mapped_column(Integer, default=0)
    status_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True, slots=True)
class Sent:
    """One platform message the delivery path sent for an outbox row."""

    channel: str
    platform_message_id: str
    outbox_id: int


@dataclass(frozen=True, slots=True)
class Receipt:
    """One status callback."""

    channel: str
    platform_message_id: str
    status: str
    at: datetime
    error: str | None = None


async def record_sent(session: AsyncSession, sent: Sequence[Sent]) -> None:
    """Tie platform messages to their outbox rows, then fail the rows whose failure was reported first."""
    if not sent:
        return
    statement = dialect_insert(dialect_name(session), PlatformMessage)
    statement = statement.on_conflict_do_update(
        index_elements=[PlatformMessage.platform_message_id],
        set_={"outbox_id": statement.excluded.outbox_id},
    )
    await session.execute(statement, [
        {"platform_message_id": s.platform_message_id, "channel": s.channel, "outbox_id": s.outbox_id, "stage": 0}
        for s in sent
    ])
    failed = (
        select(PlatformMessage.outbox_id, PlatformMessage.error)
        .where(PlatformMessage.platform_message_id.in_([s.platform_message_id for s in sent]),
               PlatformMessage.status == FAILED)
    )
    for outbox_id, error in (await session.execute(failed)).all():
        if outbox_id is not None:
            await _fail_outbox_row(session, outbox_id, error)


async def record_receipt(session: AsyncSession, receipt: Receipt) -> bool:
    """Record a status callback; False when it is one this module does not know (it is then ignored)."""
    stage = STAGES.get(receipt.status)
    if stage is None:
        return False
    statement = dialect_insert(dialect_name(session), PlatformMessage).values(
        platform_message_id=receipt.platform_message_id, channel=receipt.channel, outbox_id=None,
        status=receipt.status, stage=stage, status_at=receipt.at, error=receipt.error,
    )
    statement = statement.on_conflict_do_update(
        index_elements=[PlatformMessage.platform_message_id],
        set_={"status": statement.excluded.status, "stage": statement.excluded.stage,
              "status_at": statement.excluded.status_at, "error": statement.excluded.error},
        where=PlatformMessage.stage < statement.excluded.stage,
    )
    await session.execute(statement)
    if receipt.status == FAILED:
        outbox_id = await session.scalar(
            select(PlatformMessage.outbox_id)
            .where(PlatformMessage.platform_message_id == receipt.platform_message_id)
        )
        if outbox_id is not None:
            await _fail_outbox_row(session, outbox_id, receipt.error)
    return True


async def _fail_outbox_row(session: AsyncSession, outbox_id: int, error: str | None) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id)
        .values(status=OutboxStatus.FAILED, last_error=(error or "reported failed by the platform")[:2000])
    )


async def receipts_of(session: AsyncSession, outbox_id: int) -> list[PlatformMessage]:
    """The platform messages one outbox row became (a long text may be several)."""
    rows = await session.scalars(
        select(PlatformMessage).where(PlatformMessage.outbox_id == outbox_id)
        .order_by(PlatformMessage.platform_message_id)
    )
    return list(rows)
