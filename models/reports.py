"""The follow-up figures offices report upward, computed by one SQL aggregation (never a loop over records).

A report covers one kind of opening in one year (optionally one opening):
- trainings: the programs that started in the year;
- apprenticeships: the openings whose application deadline fell in the year. An apprenticeship opening has
  no start date; its deadline is when selection ends and the apprentices start, every participant has it
  (also those still enrolled or who dropped out, who have no completion date), and it never moves, so one
  opening's apprentices are always reported together, in one year.
Per group:
- participants: applications that took part (enrolled, completed or dropped out); achievement = participants
  / the year's target (capaian target, e.g. 11,630 / 3,000 = 387.6 %);
- completers; asked: completers sent at least one check-in; responded: completers with an answered status;
- response rate = responded / asked; placement = working alumni / responded, formal and informal (BPS
  status), by each completer's current standing (their latest record with a status);
- WUB: completers whose current standing is a business started since the training, and the workers they
  employ (jobs created); equipment-aid use = alumni using the equipment / those of equipment-aid programs
  who answered the question (by their latest answer to it).
Groups: the whole year, and by program and category (trainings) or by opening and company (apprenticeships),
and by kecamatan, gender and disability. Targets are training targets: an apprenticeship report has none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, Select, and_, case, false, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from models.applications import OpeningKind
from models.catalog import ApprenticeshipOpening, Provider, TrainingProgram
from models.db import count_if, dialect_name
from models.evaluations import Employment
from models.report_facts import ReportFact
from models.targets import ALL_CATEGORIES, targets_for

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
    kind: OpeningKind = OpeningKind.TRAINING


def _in_year(kind: OpeningKind, year: int) -> ColumnElement[bool]:
    """The year rule: a training's start date, an apprenticeship's application deadline (see the docstring)."""
    day = TrainingProgram.start_date if kind is OpeningKind.TRAINING else ApprenticeshipOpening.application_deadline
    return and_(day >= date(year, 1, 1), day < date(year + 1, 1, 1))


def _cohort(kind: OpeningKind, year: int, opening_id: int | None) -> Select[*tuple[Any, ...]]:
    """One row per participant: their de-identified report fact (`models.report_facts`) with its opening."""
    people = (
        select(
            func.coalesce(ReportFact.kecamatan, UNKNOWN).label("kecamatan"),
            func.coalesce(ReportFact.gender, UNKNOWN).label("gender"),
            func.coalesce(ReportFact.disability, UNKNOWN).label("disability"),
            ReportFact.completed, ReportFact.asked, ReportFact.status_category, ReportFact.employment,
            ReportFact.is_wub, ReportFact.workers_employed, ReportFact.equipment_in_use,
        )
        .select_from(ReportFact)
        .where(_in_year(kind, year))
    )
    if kind is OpeningKind.APPRENTICESHIP:
        opening = ApprenticeshipOpening
        people = people.add_columns(
            opening.id.label("opening_id"),
            (opening.position + " - " + Provider.name).label("opening_title"),
            opening.company_id.label("company_id"), Provider.name.label("company_name"),
            false().label("equipment_aid"),
        ).join(opening, opening.id == ReportFact.apprenticeship_opening_id).join(
            Provider, Provider.id == opening.company_id)
        return people if opening_id is None else people.where(opening.id == opening_id)
    program_of_fact: ColumnElement[Any] = ReportFact.training_program_id.expression
    if opening_id is None:
        # `+ 0` keeps SQLite from driving the join from the programs and fetching each one's facts through
        # their index, a page per participant: it reads the facts in order instead (PostgreSQL's hash join is
        # the same either way). For one program, its index is the right way in.
        program_of_fact = ReportFact.training_program_id + 0
    people = people.add_columns(
        TrainingProgram.id.label("opening_id"), TrainingProgram.title.label("opening_title"),
        TrainingProgram.category.label("category"), TrainingProgram.equipment_aid.label("equipment_aid"),
    ).join(TrainingProgram, TrainingProgram.id == program_of_fact)
    return people if opening_id is None else people.where(TrainingProgram.id == opening_id)


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
    Count("completers", lambda cohort: count_if(cohort.completed.is_(True))),
    Count("asked", lambda cohort: count_if(cohort.asked.is_(True))),
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
    kinds: frozenset[OpeningKind] = frozenset(OpeningKind)
    """The kinds of report it splits: some groups exist for one kind only (a training's category)."""
    has_targets: bool = False
    """Whether the year's targets are set per group (they are per training category)."""


PROGRAM = "program"
OPENING = "opening"
COMPANY = "company"
TRAININGS = frozenset({OpeningKind.TRAINING})
APPRENTICESHIPS = frozenset({OpeningKind.APPRENTICESHIP})
BREAKDOWNS: tuple[Breakdown, ...] = (
    Breakdown(PROGRAM, "opening_id", "opening_title", TRAININGS),
    Breakdown(OPENING, "opening_id", "opening_title", APPRENTICESHIPS),
    Breakdown(COMPANY, "company_id", "company_name", APPRENTICESHIPS),
    Breakdown("category", "category", "category", TRAININGS, has_targets=True),
    Breakdown("kecamatan", "kecamatan", "kecamatan"),
    Breakdown("gender", "gender", "gender"),
    Breakdown("disability", "disability", "disability"),
)
"""Every breakdown, in the order a report lists those of its kind."""


def breakdowns_of(kind: OpeningKind) -> tuple[Breakdown, ...]:
    return tuple(breakdown for breakdown in BREAKDOWNS if kind in breakdown.kinds)


def _row(key: Any, label: Any, counts: Mapping[str, int], target: int | None = None) -> ReportRow:
    return ReportRow(str(key), str(label), target=target, **counts)


def _add_up(cells: Sequence[RowMapping]) -> dict[str, int]:
    return {count.name: sum(int(cell[count.name]) for cell in cells) for count in COUNTS}


async def follow_up_report(session: AsyncSession, year: int, program_id: int | None = None, *,
                           kind: OpeningKind = OpeningKind.TRAINING) -> FollowUpReport:
    """One aggregation pass over the cohort of `kind` (of one opening, `program_id`), grouped by every breakdown
    at once. It reads the de-identified report facts only, so an account deleted later changes nothing.

    Each participant falls in exactly one cell of (program, kecamatan, gender, disability) and every figure is
    a count or a sum, so a breakdown is the sum of its cells: the cohort, the costly part (a join over every
    participant), is computed once instead of once per breakdown. Each alumnus' current standing is in their
    fact, not searched for among their records. The cells are at most programs x
    kecamatan x genders x disability statuses, whatever the number of records.
    """
    if dialect_name(session) == "postgresql":  # its hash joins over a million participants fit in memory
        await session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
    cohort = _cohort(kind, year, program_id).subquery("cohort")
    splits = breakdowns_of(kind)
    keys = [cohort.c[name] for name in dict.fromkeys(c for b in splits for c in (b.key, b.label))]
    counts = [count.of(cohort.c).label(count.name) for count in COUNTS]
    cells = (await session.execute(select(*keys, *counts).group_by(*keys))).mappings().all()
    targeted = kind is OpeningKind.TRAINING and program_id is None
    targets = await targets_for(session, year) if targeted else {}
    total = _row("", year, _add_up(cells), targets.get(ALL_CATEGORIES))
    breakdowns: dict[str, list[ReportRow]] = {}
    for breakdown in splits:
        groups: dict[Any, list[RowMapping]] = {}
        for cell in cells:
            groups.setdefault(cell[breakdown.key], []).append(cell)
        breakdowns[breakdown.name] = [
            _row(key, members[0][breakdown.label], _add_up(members),
                 targets.get(str(key)) if breakdown.has_targets else None)
            for key, members in sorted(groups.items())
        ]
    return FollowUpReport(year, program_id, total, breakdowns, kind)


@dataclass(frozen=True, slots=True)
class ReportedOpening:
    id: int
    title: str


async def openings_of_year(session: AsyncSession, kind: OpeningKind, year: int) -> list[ReportedOpening]:
    """The openings a report of `kind` and `year` covers, by the same year rule, for choosing one of them."""
    if kind is OpeningKind.TRAINING:
        query = select(TrainingProgram.id, TrainingProgram.title).order_by(TrainingProgram.title,
                                                                           TrainingProgram.id)
    else:
        opening = ApprenticeshipOpening
        query = (select(opening.id, opening.position + " - " + Provider.name)
                 .join(Provider, Provider.id == opening.company_id).order_by(Provider.name, opening.position,
                                                                             opening.id))
    rows = await session.execute(query.where(_in_year(kind, year)))
    return [ReportedOpening(int(row[0]), str(row[1])) for row in rows.all()]
