"""The clock-driven side of the bot: one APScheduler interval job per row of `jobs.table.JOBS`.

Every job is safe to run in any number of workers at once (claims and deletes are transactional), so each
process simply runs its own scheduler; nothing here is shared between processes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.util import undefined

from bot.engine.runtime import Runtime
from jobs.table import JOBS


def build_scheduler(runtime: Runtime) -> AsyncIOScheduler:
    """A scheduler with every job registered, not yet started (the caller starts it inside its event loop)."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    for job in JOBS:
        scheduler.add_job(
            job.run, "interval", args=[runtime], id=job.name, seconds=job.every.total_seconds(), max_instances=1,
            coalesce=True, next_run_time=datetime.now(UTC) if job.at_start else undefined,
        )
    return scheduler
