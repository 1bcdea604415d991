"""The clock-driven side of the bot: one APScheduler interval job per row of `jobs.table.JOBS`.

Every job is safe to run in any number of workers at once (claims and deletes are transactional), so each
process simply runs its own scheduler; nothing here is shared between processes.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.util import undefined

from bot.engine.runtime import Runtime
from jobs.table import JOBS, Job

STOP_GRACE_SECONDS = 10.0


class Scheduler:
    """The jobs on their intervals, and the runs under way, so that stopping lets them finish: a console session
    piped a few lines ends while a job it started is half way, and cutting that off prints an error (the next
    run takes the work up again, but nobody should read a traceback for it)."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._running: set[asyncio.Task[object]] = set()
        self._apscheduler = AsyncIOScheduler(timezone="UTC")
        for job in JOBS:
            self._apscheduler.add_job(
                self._run, "interval", args=[job], id=job.name, name=job.name, seconds=job.every.total_seconds(),
                max_instances=1, coalesce=True, next_run_time=datetime.now(UTC) if job.at_start else undefined,
            )

    @property
    def job_names(self) -> set[str]:
        return {job.id for job in self._apscheduler.get_jobs()}

    def start(self) -> None:
        """Start inside the running event loop."""
        self._apscheduler.start()

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """No new runs; the runs under way get `grace` seconds to finish before they are cancelled."""
        if not self._apscheduler.running:
            return
        self._apscheduler.pause()
        if self._running:
            await asyncio.wait(set(self._running), timeout=grace)
        self._apscheduler.shutdown(wait=False)

    async def _run(self, job: Job) -> object:
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        try:
            return await job.run(self._runtime)
        finally:
            self._running.discard(task)
