"""The clock-driven side of the bot: one APScheduler interval job per module in `jobs/`.

Every job is safe to run in any number of workers at once (claims and deletes are transactional), so each
process simply runs its own scheduler; nothing here is shared between processes.
"""

from __future__ import annotations

from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.runtime import Runtime
from jobs.follow_ups import send_follow_ups
from jobs.forget_processed_events import forget_processed_events
from jobs.retry_sending import retry_sending

RETRY_SENDING_EVERY = timedelta(seconds=15)
FORGET_EVENTS_EVERY = timedelta(hours=6)
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
        send_follow_ups, "interval", args=[runtime], id="send_follow_ups",
        seconds=FOLLOW_UPS_EVERY.total_seconds(), max_instances=1, coalesce=True,
    )
    return scheduler
