"""Evaluation records: what each check-in says about an alumnus, in the terms the office reports upward.

One record per check-in, rewritten as answers come in (a partly answered check-in still counts). The fields
the reports aggregate (BPS status category, formal or informal work, WUB, workers employed, equipment use)
are derived here from the answers by the evaluation field each question `feeds`; the answers themselves are
kept beside them. The latest record of an alumnus is their current standing, kept in `FollowUpStanding` so the
report reads one row per alumnus.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    Delete,
    ForeignKey,
    Index,
    Insert,
    String,
    Table,
    and_,
    bindparam,
    delete,
    false,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.applications import Application, Completion
from models.base import Base, JsonDocument
from models.follow_ups import CheckIn
from models.report_facts import FactScope, refresh_report_facts
from models.surveys import Survey


class Employment(StrEnum):
    FORMAL = "formal"
    INFORMAL = "informal"
    NOT_WORKING = "not_working"


FORMAL_STATUSES = frozenset({"with_permanent_workers", "employee"})
"""BPS main-job statuses 3 and 4; the status codes are the tracer survey's `main_status` option ids."""
INFORMAL_STATUSES = frozenset({"own_account", "with_temporary_workers", "casual_agriculture",
                               "casual_non_agriculture", "family_worker"})
"""BPS statuses 1, 2, 5, 6 and 7."""
BUSINESS_STATUSES = frozenset({"own_account", "with_temporary_workers", "with_permanent_workers"})
"""BPS statuses 1-3: running a business; a WUB when it started after the training."""
EMPLOYING_STATUSES = frozenset({"with_temporary_workers", "with_permanent_workers"})


@dataclass(frozen=True, slots=True)
class Evaluation:
    status_category: str | None
    employment: Employment | None
    is_wub: bool
    workers_employed: int
    equipment_in_use: bool | None
    fields: dict[str, Any]
    """Every answer by the evaluation field it feeds (only answers to questions still shown)."""


def evaluate(survey: Survey, answers: Mapping[str, Any], context: Mapping[str, Any], completed_on: date) -> Evaluation:
    """What the answers given so far say; pure, so the rules can be tested on their own."""
    visible = survey.visible_answers({**context, **answers})
    fields = {q.feeds: visible[q.id] for q in survey.questions if q.feeds and q.id in visible}
    status = fields.get("status_category")
    employment = None
    if status is not None:
        employment = (Employment.FORMAL if status in FORMAL_STATUSES
                      else Employment.INFORMAL if status in INFORMAL_STATUSES else Employment.NOT_WORKING)
    started = fields.get("business_started")
    completion_month = date(completed_on.year, completed_on.month, 1)
    is_wub = status in BUSINESS_STATUSES and started is not None and date.fromisoformat(started) >= completion_month
    workers = int(fields.get("workers_employed", 0)) if status in EMPLOYING_STATUSES else 0
    equipment = fields.get("equipment_in_use")
    return Evaluation(status, employment, is_wub, workers, None if equipment is None else bool(equipment), fields)


class EvaluationRecord(Base):
    __tablename__ = "evaluation_records"
    __table_args__ = (Index("ix_evaluation_records_completion_id_period", "completion_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    check_in_id: Mapped[int] = mapped_column(ForeignKey("check_ins.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    completion_id: Mapped[int] = mapped_column(ForeignKey("completions.id", ondelete="CASCADE"))
    training_program_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_programs.id", ondelete="CASCADE"), index=True)
    apprenticeship_opening_id: Mapped[int | None] = mapped_column(
        ForeignKey("apprenticeship_openings.id", ondelete="CASCADE"))
    period: Mapped[int]
    """Months after completion."""
    status_category: Mapped[str | None] = mapped_column(String(32))
    employment: Mapped[str | None] = mapped_column(String(12))
    is_wub: Mapped[bool] = mapped_column(default=False)
    workers_employed: Mapped[int] = mapped_column(default=0)
    equipment_in_use: Mapped[bool | None]
    answers: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    complete: Mapped[bool] = mapped_column(default=False)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id", ondelete="RESTRICT"))
    updated_at: Mapped[datetime]


async def record_evaluation(
    session: AsyncSession, check_in: CheckIn, survey: Survey, now: datetime, *, complete: bool = False
) -> EvaluationRecord:
    """Write (or rewrite) the check-in's evaluation record from its answers as they are now."""
    completion = await session.get(Completion, check_in.completion_id)
    assert completion is not None
    application = await session.get(Application, completion.application_id)
    assert application is not None
    evaluation = evaluate(survey, check_in.answers, check_in.context, completion.completed_on)
    record = await session.scalar(select(EvaluationRecord).where(EvaluationRecord.check_in_id == check_in.id))
    if record is None:
        record = EvaluationRecord(check_in_id=check_in.id, user_id=check_in.user_id,
                                  completion_id=check_in.completion_id, period=check_in.period,
                                  training_program_id=application.training_program_id,
                                  apprenticeship_opening_id=application.apprenticeship_opening_id,
                                  survey_version_id=check_in.survey_version_id)
        session.add(record)
    record.status_category = evaluation.status_category
    record.employment = evaluation.employment
    record.is_wub = evaluation.is_wub
    record.workers_employed = evaluation.workers_employed
    record.equipment_in_use = evaluation.equipment_in_use
    record.answers = dict(evaluation.fields)
    record.complete = complete
    record.updated_at = now
    await session.flush()
    await refresh_standings(session, [check_in.completion_id])
    return record


class FollowUpStanding(Base):
    """Where an alumnus stands now: one row per completion asked at least once, derived from its records.

    The yearly report reads it instead of finding each alumnus' latest record among all of them (correlated
    look-ups per alumnus: 16.6 s on SQLite, 6.6 s on PostgreSQL at a million records). It is never edited, only
    recomputed from the check-ins and records by `refresh_standings`, in the transaction that writes them (the
    check-in job when it opens one, `record_evaluation` for each answer).
    """

    __tablename__ = "follow_up_standings"

    completion_id: Mapped[int] = mapped_column(ForeignKey("completions.id", ondelete="CASCADE"), primary_key=True)
    status_category: Mapped[str | None] = mapped_column(String(32))
    """Of the latest record with a status (none: asked, status not answered yet)."""
    employment: Mapped[str | None] = mapped_column(String(12))
    is_wub: Mapped[bool] = mapped_column(default=False)
    workers_employed: Mapped[int] = mapped_column(default=0)
    equipment_in_use: Mapped[bool | None]
    """The latest answer about the equipment, which may be from an earlier record than the status."""


@cache
def _standings_statements(of_some: bool) -> tuple[Delete, Insert]:
    """The DELETE and the INSERT ... SELECT that recompute standings: of the completions in the bind parameter
    `ids`, or of all. Built once: building them took 5 ms, longer than running them, and they run for every
    check-in opened and every answer given."""
    records, check_ins = EvaluationRecord.__table__, CheckIn.__table__
    standings = cast(Table, FollowUpStanding.__table__)  # Core, so that parameters are not taken for rows
    asked = select(check_ins.c.completion_id).distinct()
    stale = delete(standings)
    if of_some:
        asked = asked.where(check_ins.c.completion_id.in_(bindparam("ids", expanding=True)))
        stale = stale.where(standings.c.completion_id.in_(bindparam("ids", expanding=True)))
    completions = asked.subquery("asked")

    def latest(answered: str) -> Any:
        """The record of the completion's latest period where `answered` is set."""
        found = records.alias(f"latest_{answered}")
        inner = records.alias("r")
        period = (select(func.max(inner.c.period))
                  .where(inner.c.completion_id == completions.c.completion_id, inner.c[answered].is_not(None))
                  .scalar_subquery())
        return found, and_(found.c.completion_id == completions.c.completion_id, found.c.period == period)

    status, on_status = latest("status_category")
    equipment, on_equipment = latest("equipment_in_use")
    rows = (
        select(completions.c.completion_id, status.c.status_category, status.c.employment,
               func.coalesce(status.c.is_wub, false()), func.coalesce(status.c.workers_employed, literal(0)),
               equipment.c.equipment_in_use)
        .select_from(completions.outerjoin(status, on_status).outerjoin(equipment, on_equipment))
    )
    return stale, insert(standings).from_select(
        ["completion_id", "status_category", "employment", "is_wub", "workers_employed", "equipment_in_use"], rows)


async def refresh_standings(session: AsyncSession, completion_ids: Iterable[int] | None = None) -> None:
    """Recompute the standings of these completions (of all, e.g. after a bulk load) from their check-ins and
    records: one DELETE and one INSERT ... SELECT, whatever the number; and the report facts that hold them."""
    stale, fresh = _standings_statements(completion_ids is not None)
    parameters = {} if completion_ids is None else {"ids": list(completion_ids)}
    await session.execute(stale, parameters)
    await session.execute(fresh, parameters)
    if completion_ids is None:
        await refresh_report_facts(session)
    else:
        await refresh_report_facts(session, FactScope.COMPLETIONS, parameters["ids"])


async def current_standing(session: AsyncSession, user_id: int) -> EvaluationRecord | None:
    """The alumnus' latest record with a status: where they stand now."""
    return await session.scalar(
        select(EvaluationRecord)
        .where(EvaluationRecord.user_id == user_id, EvaluationRecord.status_category.is_not(None))
        .order_by(EvaluationRecord.updated_at.desc(), EvaluationRecord.id.desc()).limit(1)
    )
