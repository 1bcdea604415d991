"""Questions to staff in the staff report: questions asked in each of the last eight weeks (Monday to Sunday,
office time), with the overview's median time to the first answer and questions open over a working day, in the
chat's `/laporan` and on the dashboard's Reports page, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from bot.engine.runtime import Runtime
from models.users import Role
from services.overview import Questions
from services.permissions import Actor
from services.question_report import AskedInWeek, question_figures
from tests.chat import ChatUser, RecordingChannel
from tests.conftest import Clock
from tests.test_dashboard_access import link_for, office_member, signed_in
from tests.test_dashboard_access import web as web  # noqa: PLC0414  (the fixture, under its own name)
from tests.test_overview_questions import office_with_questions

WEEKS = [date(2026, 10, 5) + timedelta(weeks=n) for n in range(8)]


async def test_the_weeks_count_from_monday_in_the_office_and_the_rest_is_the_overviews(
    runtime: Runtime, clock: Clock
) -> None:
    await office_with_questions(runtime, clock)  # now: Tuesday 24 November 2026, 13:00 WITA
    async with runtime.session_factory() as session:
        figures = await question_figures(session, Actor.system(), runtime.services.office, clock())
    assert figures.weeks == tuple(AskedInWeek(monday, count) for monday, count in zip(
        WEEKS, (1, 0, 0, 0, 0, 0, 1, 4), strict=True)), "the oldest question (Sunday 11 October) is in week one"
    assert figures.glance == Questions(this_week=4, median_first_answer=timedelta(hours=2),
                                       open_over_a_working_day=3)


async def test_staff_read_the_questions_in_the_chat_report(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await office_with_questions(runtime, clock)
    await office_member(runtime, clock, "petugas")
    staff = ChatUser(runtime, channel, "petugas")
    await staff.send("/laporan")
    summary, *_rest = await staff.tap("2025")
    lines = summary.text.splitlines()
    assert "Pertanyaan untuk petugas, 8 minggu terakhir:" in lines
    assert "- pekan mulai 23 November 2026: 4" in lines and "- pekan mulai 5 Oktober 2026: 1" in lines
    assert "Median waktu sampai jawaban pertama (pertanyaan 30 hari terakhir): 2 jam" in lines
    assert "Terbuka lebih dari satu hari kerja: 3" in lines


async def test_the_reports_page_shows_the_questions_to_a_viewer(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await office_with_questions(runtime, clock)
    viewer = await office_member(runtime, clock, "kepala", Role.VIEWER)
    await signed_in(web, await link_for(runtime, clock, viewer))
    page = (await web.get("/dasbor/laporan?tahun=2025&lang=en")).text
    assert "Questions to staff, the last 8 weeks" in page
    assert '<th scope="row" class="week">November 23, 2026</th><td class="number">4</td>' in page
    assert "2 hours" in page and '<dd class="number">3</dd>' in page
    assert "Pertanyaan ani" not in page, "the questions themselves stay in the inbox"
