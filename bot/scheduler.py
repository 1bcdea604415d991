"""The clock-driven side of the bot: one APScheduler interval job per module in `jobs/`.

Every job is safe to run in any number of workers at once (claims and deletes are transactional), so each
process simply runs its own scheduler; nothing here is shared between processes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.engine.runtime import Runtime
from jobs.broadcasts import send_broadcasts
from jobs.follow_ups import send_follow_ups
from jobs.forget_processed_events import forget_processed_events
from jobs.opening_alerts import announce_new_openings
from jobs.retry_sending import retry_sending
from jobs.training_calendar import follow_training_calendar

RETRY_SENDING_EVERY = timedelta(seconds=15)
FORGET_EVENTS_EVERY = timedelta(hours=6)
OPENING_ALERTS_EVERY = timedelta(minutes=1)
TRAINING_CALENDAR_EVERY = timedelta(hours=1)
BROADCASTS_EVERY = timedelta(seconds=5)
FOLLOW_UPS_EVERY = timedelta(minutes=1)


def build_scheduler(runtime: Runtime) -> AsyncIOScheduler:
    """A scheduler with every job registered, not yet started (the caller starts it inside its event loop)."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        retry_sending, "interval", args=[runtime.delivery], id="retry_sending",
        seconds=RETRY_SENDING_EVERY.total_seconds(), max_instances=1, coalesce=True,
    )
    scheduler.add_job(
        forget_processed_events, "interval", args=[runtime.session_factory, runtime.clock],
        id="forget_processed_events", seconds=FORGET_EVENTS_EVERY.total_seconds(), max_instances=1, coalesce=True,
    )
    scheduler.add_job(
        announce_new_openings, "interval",
        args=[runtime.session_factory, runtime.catalogs, runtime.services.office, runtime.clock],
        id="opening_alerts", seconds=OPENING_ALERTS_EVERY.total_seconds(), max_instances=1, coalesce=True,
    )
    scheduler.add_job(
        follow_training_calendar, "interval", args=[runtime.session_factory, runtime.services.office, runtime.clock],
        id="training_calendar", seconds=TRAINING_CALENDAR_EVERY.total_seconds(), max_instances=1, coalesce=True,
    )
    scheduler.add_job(
        send_broadcasts, "interval", args=[runtime], id="broadcasts",
        seconds=BROADCASTS_EVERY.total_seconds(), max_instances=1, coalesce=True,
    )
    scheduler.add_job(  # also at start: check-ins due while the bot was down go out now, not a minute later
        send_follow_ups, "interval", args=[runtime], id="send_follow_ups",
        seconds=FOLLOW_UPS_EVERY.total_seconds(), max_instances=1, coalesce=True, next_run_time=datetime.now(UTC),
    )
    return scheduler
