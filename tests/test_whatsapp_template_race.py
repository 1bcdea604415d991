"""A template's row is made by whichever worker hears of it first: two at once (each worker's start-up sync,
or a sync and a status webhook) must both succeed, and the later word stands."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from bot.channels.base import TemplateReport
from bot.engine.runtime import Runtime
from models.whatsapp_templates import WhatsAppTemplate, record_template

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def test_two_workers_recording_a_new_template_at_once_both_succeed(runtime: Runtime) -> None:
    async def one_worker(status: str) -> None:
        async with runtime.session_factory() as session, session.begin():
            await record_template(session, TemplateReport("sahabat_kerja_status", "id", status), NOW)

    await asyncio.gather(one_worker("PENDING"), one_worker("APPROVED"))
    async with runtime.session_factory() as session:
        rows = (await session.scalars(select(WhatsAppTemplate))).all()
    assert [(row.name, row.language) for row in rows] == [("sahabat_kerja_status", "id")]
    assert rows[0].status in ("pending", "approved")
