"""Scheduled jobs: each one run directly against the real database, and the scheduler that registers them."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.runtime import Runtime
from bot.scheduler import build_scheduler
from jobs.forget_processed_events import forget_processed_events
from jobs.retry_sending import retry_sending
from models.events import ProcessedEvent
from tests.chat import ChatUser, RecordingChannel
from tests.conftest import Clock


async def test_retry_sending_sends_what_a_crash_left_in_the_outbox(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    for name in ("ani", "budi", "citra"):
        await runtime.dispatcher.handle(ChatUser(runtime, channel, name).incoming(text="/start"))  # never delivered
    assert channel.sent == []
    clock.advance(minutes=1)
    assert await retry_sending(runtime.delivery) == 3
    assert sorted(address for address, _reply in channel.sent) == ["ani", "budi", "citra"]
    assert await retry_sending(runtime.delivery) == 0


async def count_events(runtime: Runtime) -> int:
    async with runtime.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(ProcessedEvent)) or 0)


async def test_old_event_ids_are_forgotten_and_recent_ones_kept(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    user = ChatUser(runtime, channel, "ani")
    await user.send("/start")
    clock.advance(days=8)
    await user.send("/help")
    assert await count_events(runtime) == 2
    assert await forget_processed_events(runtime.session_factory, runtime.clock) == 1
    assert await count_events(runtime) == 1


def test_the_scheduler_runs_every_job_module(runtime: Runtime) -> None:
    scheduler = build_scheduler(runtime)
    assert sorted(job.id for job in scheduler.get_jobs()) == [
        "forget_processed_events", "retry_sending", "send_follow_ups"]
