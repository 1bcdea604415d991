"""The number's one row is made by whichever worker comes first: two at once must both succeed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.engine.runtime import Runtime
from models.whatsapp_number import WhatsAppNumberEvent, WhatsAppNumberState, record_event

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def test_two_workers_recording_the_first_event_at_once_both_succeed(runtime: Runtime) -> None:
    async def one_worker(kind: str) -> None:
        async with runtime.session_factory() as session, session.begin():
            state = await record_event(session, kind, None, {}, NOW)
            state.tier = "TIER_1K"

    await asyncio.gather(one_worker("checked"), one_worker("phone_number_quality_update"))
    async with runtime.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(WhatsAppNumberState)) == 1
        assert await session.scalar(select(func.count()).select_from(WhatsAppNumberEvent)) == 2
