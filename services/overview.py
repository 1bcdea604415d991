"""The dashboard's first page: the office at a glance, and this year's placement against the training target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from models.db import ReadApart
from models.overview import Overview, overview
from models.regions import Office
from models.reports import FollowUpReport, follow_up_report
from models.targets import ALL_CATEGORIES, targets_for
from models.ticket_figures import asked_since, first_answer_waits, open_since_before
from services.permissions import Actor, require_viewer

ANSWER_WINDOW = timedelta(days=30)
"""The questions whose first answer the median is taken over: those asked in the last 30 days."""
WEEKEND = (5, 6)
"""Saturday and Sunday (`date.weekday()`): not working days. Public holidays are not known here."""


@dataclass(frozen=True, slots=True)
class Questions:
    """Ask staff at a glance: questions asked this week (since Monday, office time), the median time to the first
    staff answer of those asked in the last 30 days (None when none was answered), and the open ones asked more
    than one working day ago."""

    this_week: int
    median_first_answer: timedelta | None
    open_over_a_working_day: int


@dataclass(frozen=True, slots=True)
class OfficeAtAGlance:
    figures: Overview
    year: int
    report: FollowUpReport
    target: int | None
    questions: Questions

    @property
    def placement_rate(self) -> float | None:
        """Alumni of this year's trainings who work or run a business, as a share of those who answered."""
        total = self.report.total
        return total.working / total.responded if total.responded else None

    @property
    def target_reached(self) -> float | None:
        """This year's participants as a share of the year's training target."""
        return self.report.total.participants / self.target if self.target else None


async def this_years_report(read_apart: ReadApart, actor: Actor, office: Office, now: datetime) -> FollowUpReport:
    """The follow-up report of this year's trainings, the overview's costly part: produced apart
    (`models.db.ReadApart`), before and outside the transaction that reads the rest."""
    require_viewer(actor)
    year = office.date_at(now).year
    return await read_apart(lambda session: follow_up_report(session, year))


async def office_at_a_glance(session: AsyncSession, actor: Actor, office: Office, now: datetime,
                             report: FollowUpReport) -> OfficeAtAGlance:
    """The office at a glance, with this year's `report` (`this_years_report`)."""
    require_viewer(actor)
    today = office.date_at(now)
    month_start = datetime.combine(today.replace(day=1), time(), tzinfo=ZoneInfo(office.timezone))
    targets = await targets_for(session, today.year)
    return OfficeAtAGlance(await overview(session, month_start, today), today.year, report,
                           targets.get(ALL_CATEGORIES), await questions(session, office, now))


def one_working_day_before(moment: datetime) -> datetime:
    """The moment 24 working hours (Monday to Friday, in `moment`'s time zone) before `moment`: on a weekend the
    clock stands still from Saturday 00:00, and a day back landing on a weekend goes back over it to Friday."""
    if moment.weekday() in WEEKEND:
        moment = datetime.combine(moment.date() - timedelta(days=moment.weekday() - 5), time(),
                                  tzinfo=moment.tzinfo)
    before = moment - timedelta(days=1)
    while before.weekday() in WEEKEND:
        before -= timedelta(days=1)
    return before


def median(spans: Sequence[timedelta]) -> timedelta | None:
    """The middle span (the mean of the two middle ones for an even count); None for none."""
    ordered = sorted(spans)
    middle = len(ordered) // 2
    if not ordered:
        return None
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


async def questions(session: AsyncSession, office: Office, now: datetime) -> Questions:
    local = office.local_time(now)
    monday = local.date() - timedelta(days=local.weekday())
    week_start = datetime.combine(monday, time(), tzinfo=ZoneInfo(office.timezone))
    waits = await first_answer_waits(session, now - ANSWER_WINDOW)
    return Questions(await asked_since(session, week_start), median(waits),
                     await open_since_before(session, one_working_day_before(local)))
