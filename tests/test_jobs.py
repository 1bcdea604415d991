"""Scheduled jobs: each one run directly against the real database, and the scheduler that registers them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from bot.engine.runtime import Runtime
from bot.scheduler import Scheduler
from jobs.forget_old_data import forget_old_data
from jobs.retry_sending import retry_sending
from jobs.training_calendar import follow_training_calendar
from models.catalog import OpeningStatus, ProviderKind, TrainingProgram, add_provider
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
    assert await retry_sending(runtime) == 3
    assert sorted(address for address, _reply in channel.sent) == ["ani", "budi", "citra"]
    assert await retry_sending(runtime) == 0


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
    assert (await forget_old_data(runtime)).event_ids == 1
    assert await count_events(runtime) == 1


def test_the_scheduler_runs_every_job_module(runtime: Runtime) -> None:
    assert Scheduler(runtime).job_names == {
        "broadcasts", "forget_old_data", "opening_alerts", "retry_sending", "send_follow_ups",
        "training_calendar", "whatsapp_number",
    }


async def test_trainings_start_and_finish_with_their_dates_in_the_office_time_zone(
    runtime: Runtime, clock: Clock
) -> None:
    today = date(2026, 11, 23)
    async with runtime.session_factory() as session, session.begin():
        provider = await add_provider(session, name="UPT BLK Tabalong", kind=ProviderKind.BLK)
        for title, status, start, end in (
            ("open, starts tomorrow", OpeningStatus.OPEN, today + timedelta(days=1), today + timedelta(days=9)),
            ("closed, starts today", OpeningStatus.CLOSED, today, today + timedelta(days=9)),
            ("running, ends today", OpeningStatus.RUNNING, today - timedelta(days=9), today),
            ("running, ended yesterday", OpeningStatus.RUNNING, today - timedelta(days=9), today - timedelta(days=1)),
            ("draft, dates passed", OpeningStatus.DRAFT, today - timedelta(days=9), today - timedelta(days=1)),
        ):
            session.add(TrainingProgram(title=title, category="community", provider_id=provider.id, start_date=start,
                                        end_date=end, registration_deadline=start, quota=5, status=status,
                                        created_at=clock()))
    clock.now = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)  # 00:30 on 23 November in Tabalong (WITA)
    assert await follow_training_calendar(runtime) == (1, 1)
    async with runtime.session_factory() as session:
        rows = await session.execute(select(TrainingProgram.title, TrainingProgram.status))
        statuses = dict(rows.all())
    assert statuses == {
        "open, starts tomorrow": "open", "closed, starts today": "running", "running, ends today": "running",
        "running, ended yesterday": "finished", "draft, dates passed": "draft",
    }
