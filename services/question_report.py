"""Questions to staff in the staff report (`/laporan` in the chat and the dashboard's Reports page): how many were
asked in each of the last weeks, and the overview's median time to the first answer and questions open over a
working day (`services.overview.questions`, so the two pages never disagree on the rule).

Weeks start on Monday 00:00 on the office's clock, as the overview's "this week" does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.messages import Msg, _, ngettext
from models.regions import Office
from models.ticket_figures import asked_between
from services.overview import Questions, questions
from services.permissions import Actor, require_viewer

WEEKS = 8
"""Weeks the report counts back, this one included: two months, enough to see a trend after an announcement."""


@dataclass(frozen=True, slots=True)
class AskedInWeek:
    monday: date
    """The week's first day, on the office's calendar."""
    count: int


@dataclass(frozen=True, slots=True)
class QuestionFigures:
    weeks: tuple[AskedInWeek, ...]
    """The last `WEEKS` weeks, the oldest first; the last one is this week so far."""
    glance: Questions


def how_long(span: timedelta) -> Msg:
    """A span of time in the largest whole unit that says it (minutes up to an hour, hours up to two days)."""
    minutes = max(int(span / timedelta(minutes=1)), 0)
    if minutes < 60:
        return ngettext("{count} minute", "{count} minutes", minutes)
    if minutes < 48 * 60:
        return ngettext("{count} hour", "{count} hours", minutes // 60)
    return ngettext("{count} day", "{count} days", minutes // (24 * 60))


async def question_figures(session: AsyncSession, actor: Actor, office: Office, now: datetime, *,
                           weeks: int = WEEKS) -> QuestionFigures:
    require_viewer(actor)
    zone = ZoneInfo(office.timezone)
    today = office.date_at(now)
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    counted = []
    for monday in mondays:
        start = datetime.combine(monday, time(), tzinfo=zone)
        counted.append(AskedInWeek(monday, await asked_between(session, start, start + timedelta(weeks=1))))
    return QuestionFigures(tuple(counted), await questions(session, office, now))


def question_lines(figures: QuestionFigures) -> list[Msg | str]:
    """The figures as the chat shows them, one line each."""
    lines: list[Msg | str] = [ngettext("Questions to staff, the last {count} week:",
                                       "Questions to staff, the last {count} weeks:", len(figures.weeks))]
    lines += [_("- week of {monday}: {asked}").format(monday=week.monday, asked=week.count) for week in figures.weeks]
    median = figures.glance.median_first_answer
    lines.append(_("Median time to the first answer (questions of the last 30 days): {median}").format(
        median=how_long(median) if median is not None else "-"))
    lines.append(_("Open for more than one working day: {count}").format(
        count=figures.glance.open_over_a_working_day))
    return lines
