"""The follow-up figures offices report upward, computed by one SQL aggregation (never a loop over records).

A report covers the training programs that started in one year (optionally one program). Per group:
- participants: applications that took part (enrolled, completed or dropped out); achievement = participants
  / the year's target (capaian target, e.g. 11,630 / 3,000 = 387.6 %);
- completers; asked: completers sent at least one check-in; responded: completers with an answered status;
- response rate = responded / asked; placement = working alumni / responded, formal and informal (BPS
  status), by each completer's current standing (their latest record with a status);
- WUB: completers whose current standing is a business started since the training, and the workers they
  employ (jobs created); equipment-aid use = alumni using the equipment / those of equipment-aid programs
  who answered the question (by their latest answer to it).
Groups: the whole year, and by program, category, kecamatan, gender and disability.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from models.applications import Application, ApplicationStatus, Completion
from models.catalog import TrainingProgram
from models.db import count_if, dialect_name
from models.evaluations import Employment, FollowUpStanding
from models.profiles import JobSeekerProfile
from models.targets import ALL_CATEGORIES, targets_for

PARTICIPANT_STATUSES = (ApplicationStatus.ENROLLED, ApplicationStatus.COMPLETED, ApplicationStatus.DROPPED_OUT)
UNKNOWN = "unknown"
REPORT_WORK_MEM = "64MB"
"""PostgreSQL's memory for the report's hash joins: its default is 4 MB, and with 200,000 participants each of
the four hash tables already took up to 14 MB."""


@dataclass(frozen=True, slots=True)
class ReportRow:
    key: str
    """The group's code (program id, category, kecamatan code, ...), or '' for the whole year."""
    label: str
    participants: int
    completers: int
    asked: int
    responded: int
    formal: int
    informal: int
    wub: int
    jobs_created: int
    equipment_answered: int
    equipment_in_use: int
    target: int | None = None

    @property
    def working(self) -> int:
        return self.formal + self.informal


@dataclass(frozen=True, slots=True)
class FollowUpReport:
    year: int
    program_id: int | None
    total: ReportRow
    breakdowns: dict[str, list[ReportRow]] = field(default_factory=dict)


def _cohort(year: int, program_id: int | None) -> Select[*tuple[Any, ...]]:
    """One row per participant, with their completion and their standing (a row only if they were asked)."""
    conditions: list[ColumnElement[bool]] = [
        Application.status.in_(PARTICIPANT_STATUSES),
        TrainingProgram.start_date >= date(year, 1, 1), TrainingProgram.start_date < date(year + 1, 1, 1),
    ]
    program_of_application: ColumnElement[Any] = Application.training_program_id.expression
    if program_id is not None:
        conditions.append(TrainingProgram.id == program_id)
    else:
        # `+ 0` keeps SQLite from driving the join from the programs and fetching each one's applications through
        # their index, a page per alumnus when a class registered among everyone else (13.9 s at a million,
        # interleaved): it reads the applications in id order instead (2.85 s at a million interleaved, 2.66 with
        # neighbouring ids, as before; PostgreSQL's hash join is the same either way).
        # For one program, its index is the right way in.
        program_of_application = Application.training_program_id + 0
    return (
        select(
            TrainingProgram.id.label("program_id"), TrainingProgram.title.label("program_title"),
            TrainingProgram.category.label("category"), TrainingProgram.equipment_aid.label("equipment_aid"),
            func.coalesce(JobSeekerProfile.kecamatan, UNKNOWN).label("kecamatan"),
            func.coalesce(JobSeekerProfile.gender, UNKNOWN).label("gender"),
            func.coalesce(JobSeekerProfile.disability, UNKNOWN).label("disability"),
            Completion.id.label("completion_id"), FollowUpStanding.completion_id.label("asked_id"),
            FollowUpStanding.status_category, FollowUpStanding.employment, FollowUpStanding.is_wub,
            FollowUpStanding.workers_employed, FollowUpStanding.equipment_in_use,
        )
        .select_from(Application)
        .join(TrainingProgram, TrainingProgram.id == program_of_application)
        .outerjoin(Completion, Completion.application_id == Application.id)
        .outerjoin(JobSeekerProfile, JobSeekerProfile.user_id == Application.user_id)
        .outerjoin(FollowUpStanding, FollowUpStanding.completion_id == Completion.id)
        .where(*conditions)
    )


def _figures(cohort: Any) -> tuple[ColumnElement[Any], ...]:
    wub = cohort.c.is_wub.is_(True)
    equipment_answered = and_(cohort.c.equipment_aid.is_(True), cohort.c.equipment_in_use.is_not(None))
    return (
        func.count().label("participants"),
        func.count(cohort.c.completion_id).label("completers"),
        func.count(cohort.c.asked_id).label("asked"),
        func.count(cohort.c.status_category).label("responded"),
        count_if(cohort.c.employment == Employment.FORMAL).label("formal"),
        count_if(cohort.c.employment == Employment.INFORMAL).label("informal"),
        count_if(wub).label("wub"),
        func.coalesce(func.sum(case((wub, cohort.c.workers_employed), else_=0)), 0).label("jobs_created"),
        count_if(equipment_answered).label("equipment_answered"),
        count_if(and_(equipment_answered, cohort.c.equipment_in_use.is_(True))).label("equipment_in_use"),
    )


GROUPS = ("program_id", "program_title", "category", "kecamatan", "gender", "disability")
FIGURES = ("participants", "completers", "asked", "responded", "formal", "informal", "wub", "jobs_created",
           "equipment_answered", "equipment_in_use")
BREAKDOWN_COLUMNS = {"program": (0, 1), "category": (2, 2), "kecamatan": (3, 3), "gender": (4, 4),
                     "disability": (5, 5)}
"""Breakdown -> positions of its key and label among `GROUPS`."""


def _row(key: Any, label: Any, counts: Sequence[int], target: int | None = None) -> ReportRow:
    return ReportRow(str(key), str(label), target=target, **dict(zip(FIGURES, counts, strict=True)))


def _add_up(cells: Sequence[Sequence[Any]]) -> list[int]:
    return [sum(int(cell[len(GROUPS) + i]) for cell in cells) for i in range(len(FIGURES))]


async def follow_up_report(session: AsyncSession, year: int, program_id: int | None = None) -> FollowUpReport:
    """One aggregation pass over the cohort, grouped by every breakdown at once.

    Each participant falls in exactly one cell of (program, kecamatan, gender, disability) and every figure is
    a count or a sum, so a breakdown is the sum of its cells: the cohort, the costly part (a join over every
    participant), is computed once instead of once per breakdown. Each alumnus' current standing is read from
    `FollowUpStanding`, not searched for among their records. The cells are at most programs x
    kecamatan x genders x disability statuses, whatever the number of records.
    """
    if dialect_name(session) == "postgresql":  # its hash joins over a million participants fit in memory
        await session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
    cohort = _cohort(year, program_id).subquery("cohort")
    keys = [cohort.c[name] for name in GROUPS]
    cells = (await session.execute(select(*keys, *_figures(cohort)).group_by(*keys))).all()
    targets = await targets_for(session, year)
    total = _row("", year, _add_up(cells), None if program_id is not None else targets.get(ALL_CATEGORIES))
    breakdowns: dict[str, list[ReportRow]] = {}
    for name, (key_at, label_at) in BREAKDOWN_COLUMNS.items():
        groups: dict[Any, list[Sequence[Any]]] = {}
        for cell in cells:
            groups.setdefault(cell[key_at], []).append(cell)
        with_target = name == "category" and program_id is None
        breakdowns[name] = [
            _row(key, members[0][label_at], _add_up(members), targets.get(str(key)) if with_target else None)
            for key, members in sorted(groups.items())
        ]
    return FollowUpReport(year, program_id, total, breakdowns)
