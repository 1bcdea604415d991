"""Trainings move with their calendar: running from their start date, finished after their end date.

Once a day is enough (dates, not times); running it more often only repeats a no-op. The day is the
office's, so a training in WITA starts at local midnight, not at 08:00.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.catalog import advance_training_statuses
from models.regions import Office


async def follow_training_calendar(
    session_factory: async_sessionmaker[AsyncSession], office: Office, clock: Callable[[], datetime]
) -> tuple[int, int]:
    """Returns how many trainings started and finished."""
    today = office.date_at(clock())
    async with session_factory() as session, session.begin():
        return await advance_training_statuses(session, today)
