"""Ask staff in the dashboard's overview: questions this week (from Monday, office time), the median time to the
first staff answer over the last 30 days, and the questions open for more than one working day (Monday-Friday),
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from bot.engine.notify import acting
from bot.engine.runtime import Runtime
from models.tickets import CloseReason
from models.users import Role, get_user
from services.overview import Questions, median, one_working_day_before, questions
from services.permissions import Actor
from services.tickets import ask, close, reply
from tests.conftest import Clock
from tests.test_dashboard_access import link_for, office_member, signed_in
from tests.test_dashboard_access import web as web  # noqa: PLC0414  (the fixture, under its own name)


def utc(day: int, hour: int) -> datetime:
    """A moment of November 2026 in UTC (the tests' office is in WITA, UTC+8)."""
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def wita(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=ZoneInfo("Asia/Makassar"))


def test_one_working_day_before_skips_the_weekend() -> None:
    assert one_working_day_before(wita(24, 10)) == wita(23, 10), "Tuesday: Monday"
    assert one_working_day_before(wita(23, 10)) == wita(20, 10), "Monday: Friday"
    assert one_working_day_before(wita(28, 10)) == wita(27), "Saturday: Friday 00:00"
    assert one_working_day_before(wita(29, 22)) == wita(27), "Sunday: Friday 00:00"


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    hours = [timedelta(hours=n) for n in (5, 1, 2, 9)]
    assert median(hours) == timedelta(hours=3.5) and median(hours[:3]) == timedelta(hours=2) and median([]) is None


async def asked(runtime: Runtime, clock: Clock, name: str, at: datetime, *, answered_after: timedelta | None = None,
                closed: bool = False) -> None:
    """`name` asks at `at`; staff answer `answered_after` later and close it when `closed`."""
    user_id = await office_member(runtime, clock, name, role=Role.MEMBER)
    staff_id = await office_member(runtime, clock, "petugas")
    async with acting(runtime) as (session, notices):
        added = await ask(session, user_id, f"Pertanyaan {name}", now=at)
        assert added.ticket is not None
        staff = await get_user(session, staff_id)
        assert staff is not None
        actor = Actor.of(staff, origin="web")
        if answered_after is not None:
            await reply(session, actor, added.ticket.id, "Jawaban", now=at + answered_after,
                        office=runtime.services.office, notices=notices)
        if closed:
            await close(session, actor, added.ticket.id, CloseReason.ANSWERED, now=at + timedelta(hours=5))


async def office_with_questions(runtime: Runtime, clock: Clock) -> None:
    """Tuesday 24 November 2026 13:00 WITA (05:00 UTC); the week began on Monday 00:00 WITA (Sunday 16:00 UTC);
    one working day before is Monday 13:00 WITA (05:00 UTC)."""
    await asked(runtime, clock, "lama", utc(10, 2) - timedelta(days=30), answered_after=timedelta(days=10),
                closed=True)  # before the 30 days: not in the median
    await asked(runtime, clock, "ani", utc(17, 2), answered_after=timedelta(hours=2))  # last week, still open
    await asked(runtime, clock, "budi", utc(23, 1), answered_after=timedelta(minutes=30), closed=True)
    await asked(runtime, clock, "citra", utc(23, 2))  # open since Monday 10:00 WITA
    await asked(runtime, clock, "dedi", utc(23, 3), answered_after=timedelta(hours=4))
    await asked(runtime, clock, "eka", utc(23, 6))  # Monday 14:00 WITA: less than a working day ago
    clock.now = utc(24, 5)


async def test_the_figures_count_this_week_the_median_first_answer_and_the_long_open(
    runtime: Runtime, clock: Clock
) -> None:
    await office_with_questions(runtime, clock)
    async with runtime.session_factory() as session:
        figures = await questions(session, runtime.services.office, clock())
    assert figures == Questions(this_week=4, median_first_answer=timedelta(hours=2), open_over_a_working_day=3)


async def test_the_overview_shows_the_figures_to_a_viewer(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    viewer = await office_member(runtime, clock, "kepala", Role.VIEWER)
    await signed_in(web, await link_for(runtime, clock, viewer))
    empty = (await web.get("/dasbor?lang=en")).text
    assert "Questions to staff this week" in empty and "0 open for more than one working day" in empty
    await office_with_questions(runtime, clock)
    await signed_in(web, await link_for(runtime, clock, viewer))  # a day later: the first visit has ended
    page = (await web.get("/dasbor?lang=en")).text
    assert "3 open for more than one working day" in page and "2 hours" in page
    assert "Pertanyaan" not in page, "the questions themselves stay in the inbox"
