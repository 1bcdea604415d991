"""The dashboard's first page: the office at a glance, and this year's placement against the training target."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from models.overview import Overview, overview
from models.regions import Office
from models.reports import FollowUpReport, follow_up_report
from models.targets import ALL_CATEGORIES, targets_for
from services.permissions import Actor, require_viewer


@dataclass(frozen=True, slots=True)
class OfficeAtAGlance:
    figures: Overview
    year: int
    report: FollowUpReport
    target: int | None

    @property
    def placement_rate(self) -> float | None:
        """Alumni of this year's trainings who work or run a business, as a share of those who answered."""
        total = self.report.total
        return total.working / total.responded if total.responded else None

    @property
    def target_reached(self) -> float | None:
        """This year's participants as a share of the year's training target."""
        return self.report.total.participants / self.target if self.target else None


async def office_at_a_glance(session: AsyncSession, actor: Actor, office: Office, now: datetime) -> OfficeAtAGlance:
    require_viewer(actor)
    today = office.date_at(now)
    month_start = datetime.combine(today.replace(day=1), time(), tzinfo=ZoneInfo(office.timezone))
    report = await follow_up_report(session, today.year)
    targets = await targets_for(session, today.year)
    return OfficeAtAGlance(await overview(session, month_start, today), today.year, report,
                           targets.get(ALL_CATEGORIES))
