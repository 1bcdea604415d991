"""A report (seconds at a million alumni) holds up nobody: while it is computed, other users' messages and pages
are answered, because no transaction, connection or lock is held meanwhile."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.runtime import Runtime
from models.db import ReadApart
from models.users import Role
from tests.chat import ChatUser, RecordingChannel
from tests.conftest import Clock
from tests.test_dashboard_access import web as web  # noqa: PLC0414 (the signed-out client, a fixture)
from tests.test_dashboard_reports import as_role
from tests.test_report_chart import staff_member
from tests.test_report_figures import generate, store

T = TypeVar("T")
WAIT = 10.0
SLOW_COUNT = text("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 4000000) "
                  "SELECT count(*) FROM c")
"""A read that takes a while (half a second to a second and more, by the machine) on either backend, with no
table to fill first."""


class HeldReport(ReadApart):
    """The runtime's own `ReadApart`, held at the start until the test lets it go: a report that takes as long
    as the test needs."""

    def __init__(self, inner: ReadApart) -> None:
        self.inner = inner
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, read: Callable[[AsyncSession], Awaitable[T]]) -> T:
        self.started.set()
        await self.release.wait()
        return await self.inner(read)


def hold_reports(runtime: Runtime) -> HeldReport:
    held = HeldReport(runtime.services.read_apart)
    object.__setattr__(runtime.services, "read_apart", held)  # the dispatcher's and the dashboard's alike
    return held


async def test_the_chat_answers_others_while_a_report_is_being_computed(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    programs, people = generate(seed=5)
    await store(runtime, programs, people)
    staff = await staff_member(runtime, channel, clock, locale="id")
    held = hold_reports(runtime)
    await staff.send("/laporan")
    asking = asyncio.create_task(staff.send("2025"))
    await asyncio.wait_for(held.started.wait(), WAIT)
    siti = ChatUser(runtime, channel, "siti")
    await asyncio.wait_for(siti.send("/start"), WAIT)  # would wait for the report's connection otherwise
    assert "Bahasa Indonesia" in [option.label for option in siti.last.options]
    assert not asking.done()
    held.release.set()
    summary, chart, menu = await asyncio.wait_for(asking, WAIT)
    assert summary.text.startswith("Laporan monev alumni 2025") and chart.image is not None and menu.options
    assert await staff.step() == "home", "the report's flow ended with its replies, back at the menu"


async def test_the_dashboard_answers_others_while_a_download_is_being_computed(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, web: httpx.AsyncClient  # noqa: F811
) -> None:
    programs, people = generate(seed=5)
    await store(runtime, programs, people)
    await as_role(runtime, clock, web, Role.VIEWER)
    held = hold_reports(runtime)
    download = asyncio.create_task(web.get("/dasbor/laporan.xlsx?tahun=2025"))
    await asyncio.wait_for(held.started.wait(), WAIT)
    await asyncio.wait_for(ChatUser(runtime, channel, "siti").send("/start"), WAIT)
    held.release.set()
    response = await asyncio.wait_for(download, WAIT)
    assert response.status_code == 200 and response.content.startswith(b"PK")


async def test_a_heavy_read_apart_leaves_the_event_loop_free(runtime: Runtime) -> None:
    """What the chat's and the dashboard's reports stand on: the loop keeps ticking while the read runs (on
    SQLite, its calls ran on the loop's own thread, and nothing else ran for as long as they took)."""

    async def count(session: AsyncSession) -> Any:
        return await session.scalar(SLOW_COUNT)

    longest_gap = 0.0
    stop = asyncio.Event()

    async def tick() -> None:
        nonlocal longest_gap
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            longest_gap, last = max(longest_gap, now - last), now

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.02)  # ticking before the read starts
    started = time.perf_counter()
    assert await runtime.services.read_apart(count) == 4_000_000
    took = time.perf_counter() - started
    stop.set()
    await ticker
    assert took > 0.2, "the read is slow enough to tell"
    assert longest_gap < 0.1, f"the loop stood still for {longest_gap:.3f} s of {took:.3f} s"
