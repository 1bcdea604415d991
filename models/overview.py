"""The office at a glance, for the dashboard's first page: a handful of counts, each one indexed query.

"This month" is the office's calendar month; the caller passes its first moment (in UTC) so the counts agree
with the office's clock, not the server's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.applications import Application, Completion
from models.catalog import ApprenticeshipOpening, OpeningStatus, TrainingProgram
from models.follow_ups import CheckIn, CheckInStatus
from models.profiles import JobSeekerProfile


@dataclass(frozen=True, slots=True)
class Overview:
    job_seekers: int
    job_seekers_this_month: int
    open_trainings: int
    open_apprenticeships: int
    applications_by_status: dict[str, int]
    alumni: int
    check_ins_asked_this_month: int
    check_ins_answered_this_month: int

    @property
    def response_rate(self) -> float | None:
        """Answered check-ins of this month, as a share of those asked; None when none were asked."""
        if not self.check_ins_asked_this_month:
            return None
        return self.check_ins_answered_this_month / self.check_ins_asked_this_month


async def _count(session: AsyncSession, *conditions: ColumnElement[bool], of: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(of).where(*conditions)) or 0)


async def overview(session: AsyncSession, month_start: datetime, today: date) -> Overview:
    by_status = dict((await session.execute(
        select(Application.status, func.count()).group_by(Application.status))).all())
    return Overview(
        job_seekers=await _count(session, of=JobSeekerProfile),
        job_seekers_this_month=await _count(session, JobSeekerProfile.registered_at >= month_start,
                                            of=JobSeekerProfile),
        open_trainings=await _count(session, TrainingProgram.status == OpeningStatus.OPEN,
                                    TrainingProgram.registration_deadline >= today, of=TrainingProgram),
        open_apprenticeships=await _count(session, ApprenticeshipOpening.status == OpeningStatus.OPEN,
                                          ApprenticeshipOpening.application_deadline >= today,
                                          of=ApprenticeshipOpening),
        applications_by_status={str(status): int(count) for status, count in by_status.items()},
        alumni=await _count(session, of=Completion),
        check_ins_asked_this_month=await _count(session, CheckIn.created_at >= month_start, of=CheckIn),
        check_ins_answered_this_month=await _count(session, CheckIn.created_at >= month_start,
                                                   CheckIn.status == CheckInStatus.COMPLETED, of=CheckIn),
    )
