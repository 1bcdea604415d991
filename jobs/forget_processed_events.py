"""Drop the ids of platform events older than any platform redelivers, so the de-duplication table stays small."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.events import EVENT_RETENTION, forget_events_before


async def forget_processed_events(
    session_factory: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]
) -> int:
    async with session_factory() as session, session.begin():
        return await forget_events_before(session, clock() - EVENT_RETENTION)
