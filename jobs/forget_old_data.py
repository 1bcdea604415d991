"""Forget what is kept only for a while (models/retention.py): delivered messages, stored pictures, platform
event ids and the message counts of quiet senders, each after its own number of days, in small batches."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.runtime import Runtime
from models.events import forget_events_before
from models.message_rates import forget_quiet_senders
from models.retention import BATCH, forget_delivered_messages, forget_files

QUIET_SENDERS = timedelta(days=1)
"""A sender's flood count is useless a window after their last message; a day is plenty."""


@dataclass(frozen=True, slots=True)
class Forgotten:
    messages: int
    files: int
    event_ids: int
    senders: int


async def forget_old_data(runtime: Runtime) -> Forgotten:
    """Returns how many of each were forgotten."""
    now, keep = runtime.clock(), runtime.retention
    return Forgotten(
        messages=await _in_batches(runtime, forget_delivered_messages, now - keep.delivered_messages),
        files=await _in_batches(runtime, forget_files, now - keep.files),
        event_ids=await _once(runtime, forget_events_before, now - keep.event_ids),
        senders=await _once(runtime, forget_quiet_senders, now - QUIET_SENDERS),
    )


Forget = Callable[[AsyncSession, datetime], Awaitable[int]]


async def _in_batches(runtime: Runtime, forget: Forget, before: datetime) -> int:
    """One transaction a batch, until a batch comes back short."""
    total = 0
    while True:
        count = await _once(runtime, forget, before)
        total += count
        if count < BATCH:
            return total


async def _once(runtime: Runtime, forget: Forget, before: datetime) -> int:
    async with runtime.session_factory() as session, session.begin():
        return await forget(session, before)
