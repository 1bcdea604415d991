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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, Select, and_, case, func, select, text
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
    # one field per entry of COUNTS, by its name
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


@dataclass(frozen=True, slots=True)
class Count:
    """A figure computed per cell of the cohort: a count or a sum, so the cells of any group add up to it.

    Its name is the `ReportRow` field that holds it; `of` builds its SQL from the cohort's columns."""

    name: str
    of: Callable[[Any], ColumnElement[Any]]


def _is_wub(cohort: Any) -> ColumnElement[bool]:
    is_wub: ColumnElement[bool] = cohort.is_wub.is_(True)
    return is_wub


def _answered_about_equipment(cohort: Any) -> ColumnElement[bool]:
    return and_(cohort.equipment_aid.is_(True), cohort.equipment_in_use.is_not(None))


COUNTS: tuple[Count, ...] = (
    Count("participants", lambda _cohort: func.count()),
    Count("completers", lambda cohort: func.count(cohort.completion_id)),
    Count("asked", lambda cohort: func.count(cohort.asked_id)),
    Count("responded", lambda cohort: func.count(cohort.status_category)),
    Count("formal", lambda cohort: count_if(cohort.employment == Employment.FORMAL)),
    Count("informal", lambda cohort: count_if(cohort.employment == Employment.INFORMAL)),
    Count("wub", lambda cohort: count_if(_is_wub(cohort))),
    Count("jobs_created", lambda cohort: func.coalesce(
        func.sum(case((_is_wub(cohort), cohort.workers_employed), else_=0)), 0)),
    Count("equipment_answered", lambda cohort: count_if(_answered_about_equipment(cohort))),
    Count("equipment_in_use", lambda cohort: count_if(
        and_(_answered_about_equipment(cohort), cohort.equipment_in_use.is_(True)))),
)


@dataclass(frozen=True, slots=True)
class Breakdown:
    """A way to split the report into groups: the cohort column that tells them apart and the one naming them."""

    name: str
    key: str
    label: str
    has_targets: bool = False
    """Whether the year's targets are set per group (they are per training category)."""


PROGRAM = "program"
BREAKDOWNS: tuple[Breakdown, ...] = (
    Breakdown(PROGRAM, "program_id", "program_title"),
    Breakdown("category", "category", "category", has_targets=True),
    Breakdown("kecamatan", "kecamatan", "kecamatan"),
    Breakdown("gender", "gender", "gender"),
    Breakdown("disability", "disability", "disability"),
)


def _row(key: Any, label: Any, counts: Mapping[str, int], target: int | None = None) -> ReportRow:
    return ReportRow(str(key), str(label), target=target, **counts)


def _add_up(cells: Sequence[RowMapping]) -> dict[str, int]:
    return {count.name: sum(int(cell[count.name]) for cell in cells) for count in COUNTS}


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
    keys = [cohort.c[name] for name in dict.fromkeys(c for b in BREAKDOWNS for c in (b.key, b.label))]
    counts = [count.of(cohort.c).label(count.name) for count in COUNTS]
    cells = (await session.execute(select(*keys, *counts).group_by(*keys))).mappings().all()
    targets = await targets_for(session, year)
    total = _row("", year, _add_up(cells), None if program_id is not None else targets.get(ALL_CATEGORIES))
    breakdowns: dict[str, list[ReportRow]] = {}
    for breakdown in BREAKDOWNS:
        groups: dict[Any, list[RowMapping]] = {}
        for cell in cells:
            groups.setdefault(cell[breakdown.key], []).append(cell)
        with_target = breakdown.has_targets and program_id is None
        breakdowns[breakdown.name] = [
            _row(key, members[0][breakdown.label], _add_up(members),
                 targets.get(str(key)) if with_target else None)
            for key, members in sorted(groups.items())
        ]
    return FollowUpReport(year, program_id, total, breakdowns)
