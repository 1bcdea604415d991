"""How long what the bot writes down is kept, and the forgetting of what is older (jobs/forget_old_data.py).

Delivered messages, stored pictures and platform event ids are working records, not history: each is kept for a
set number of days (settings RETENTION_*), then deleted in small batches. What staff read later is kept
elsewhere first: a broadcast's delivery remembers that it was sent before its outbox row goes, so the
broadcast's figures stay the same. Failed messages stay (staff see why they failed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.broadcasts import BroadcastDelivery, DeliveryStatus
from models.files import StoredFile
from models.outbox import OutboxMessage, OutboxStatus
from models.posters import poster_file_ids

BATCH = 2000
"""Rows forgotten per transaction: a long backlog is cleared without holding SQLite's writer for long."""


@dataclass(frozen=True, slots=True)
class Retention:
    """How long each kind of record is kept (the defaults are the settings')."""

    delivered_messages: timedelta = timedelta(days=30)
    """A delivered message's text; a button in it older than this gets the "no longer valid" answer."""
    files: timedelta = timedelta(days=30)
    """A picture sent (the placement chart); one still waiting to be sent is kept."""
    event_ids: timedelta = timedelta(days=7)
    """A platform event id, against redelivery (Telegram and Meta retry for a day at most)."""


async def forget_delivered_messages(session: AsyncSession, before: datetime) -> int:
    """Delete up to BATCH messages delivered before `before`; returns how many. A broadcast's delivery that
    points at one is marked sent first, so the broadcast's figures do not change."""
    ids = list(await session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at < before)
        .order_by(OutboxMessage.id)
        .limit(BATCH)
    ))
    if not ids:
        return 0
    await session.execute(
        update(BroadcastDelivery)
        .where(BroadcastDelivery.outbox_id.in_(ids), BroadcastDelivery.status == DeliveryStatus.QUEUED)
        .values(status=DeliveryStatus.SENT)
    )
    await session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
    return len(ids)


async def forget_files(session: AsyncSession, before: datetime) -> int:
    """Delete up to BATCH stored files made before `before` that no message waiting to be sent names and no
    opening or broadcast keeps as its poster."""
    waiting = {
        int(payload["image"]["file_id"])
        for payload in await session.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.status == OutboxStatus.PENDING))
        if isinstance(payload.get("image"), dict) and "file_id" in payload["image"]
    }
    ids = [
        file_id for file_id in await session.scalars(
            select(StoredFile.id).where(StoredFile.created_at < before, StoredFile.id.not_in(poster_file_ids()))
            .order_by(StoredFile.id).limit(BATCH))
        if file_id not in waiting
    ]
    if ids:
        await session.execute(delete(StoredFile).where(StoredFile.id.in_(ids)))
    return len(ids)
