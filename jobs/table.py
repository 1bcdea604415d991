"""Every scheduled job and how often it runs, in one table: the scheduler loops over it.

Each job takes the runtime and returns what it did (a count, or a small tuple of counts), so tests call it
directly and the scheduler registers them all the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.engine.runtime import Runtime
from jobs.broadcasts import send_broadcasts
from jobs.follow_ups import send_follow_ups
from jobs.forget_old_data import forget_old_data
from jobs.opening_alerts import announce_new_openings
from jobs.retry_sending import retry_sending
from jobs.training_calendar import follow_training_calendar
from jobs.whatsapp_number import check_whatsapp_number


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    run: Callable[[Runtime], Awaitable[object]]
    every: timedelta
    at_start: bool = False
    """Also run as soon as the scheduler starts, not one interval later."""


JOBS: tuple[Job, ...] = (
    Job("retry_sending", retry_sending, timedelta(seconds=15)),
    Job("forget_old_data", forget_old_data, timedelta(hours=6)),
    Job("opening_alerts", announce_new_openings, timedelta(minutes=1)),
    Job("training_calendar", follow_training_calendar, timedelta(hours=1)),
    # at start too: a broadcast left sending (its author's console session closed, say) goes on at once
    Job("broadcasts", send_broadcasts, timedelta(seconds=5), at_start=True),
    # at start too: check-ins due while the bot was down go out now, not a minute later
    Job("send_follow_ups", send_follow_ups, timedelta(minutes=1), at_start=True),
    # at start too: the number's tier and quality before the first broadcast is planned
    Job("whatsapp_number", check_whatsapp_number, timedelta(days=1), at_start=True),
)
