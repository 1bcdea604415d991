"""Trainings move with their calendar: running from their start date, finished after their end date.

Once a day is enough (dates, not times); running it more often only repeats a no-op. The day is the
office's, so a training in WITA starts at local midnight, not at 08:00.
"""

from __future__ import annotations

from bot.engine.runtime import Runtime
from models.catalog import advance_training_statuses


async def follow_training_calendar(runtime: Runtime) -> tuple[int, int]:
    """Returns how many trainings started and finished."""
    today = runtime.services.office.date_at(runtime.clock())
    async with runtime.session_factory() as session, session.begin():
        return await advance_training_statuses(session, today)
