"""Report facts: what the follow-up report counts of each participant, kept apart from who they are.

A published report must not change when an alumna deletes her account (UU 27/2022 lets her erase her data; it
does not let her rewrite last year's placement rate). So each participation (an application that took part in
a training or an apprenticeship) has one de-identified fact row: the opening (a catalog id, which says which
class, never who), the kecamatan, gender, disability and age band, whether they completed and were asked, and
their current standing (status, formal/informal, WUB, workers employed, equipment use). No user, application
or completion id, no birth date, no name, no answer text: nothing in the row joins back to a person.

The fact is updated in place while the person is here, through a random key (`Application.report_key`,
`secrets.token_hex`) that only the live application holds: `refresh_report_facts` recomputes the facts of the
applications it is given from their live rows (application, completion, profile, standing) wherever those are
written: a status change, a completion, a profile saved, a check-in opened or answered (`refresh_standings`).
Deleting the account deletes the application and with it the only copy of the key; the fact stays, frozen,
and nothing can find it again. The latest status per person still works without a user id: the fact holds the
standing `FollowUpStanding` computed from the person's records, one row per participation, rewritten in place.
Every report reads these rows only (`models.reports`), so before and after a deletion it is the same.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    Delete,
    ForeignKey,
    Insert,
    String,
    Table,
    bindparam,
    case,
    delete,
    extract,
    false,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.applications import REPORT_KEY_BYTES, Application, ApplicationStatus, Completion
from models.base import Base

PARTICIPANT_STATUSES = (ApplicationStatus.ENROLLED, ApplicationStatus.COMPLETED, ApplicationStatus.DROPPED_OUT)
"""Applications that took part: the report's participants."""
AGE_BANDS = ((15, "<15"), (25, "15-24"), (35, "25-34"), (45, "35-44"), (55, "45-54"))
"""Upper bounds (exclusive) of the age bands, by the age reached in the year of applying; older is '55+'."""
OLDEST_BAND = "55+"


class FactScope(StrEnum):
    """Which applications' facts `refresh_report_facts` recomputes."""

    APPLICATIONS = "applications"
    USERS = "users"
    COMPLETIONS = "completions"
    ALL = "all"


class ReportFact(Base):
    """One participation, de-identified (see the module docstring): the rows every report counts."""

    __tablename__ = "report_facts"

    fact_key: Mapped[str] = mapped_column(String(2 * REPORT_KEY_BYTES), primary_key=True)
    training_program_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_programs.id", ondelete="CASCADE"), index=True)
    apprenticeship_opening_id: Mapped[int | None] = mapped_column(
        ForeignKey("apprenticeship_openings.id", ondelete="CASCADE"), index=True)
    kecamatan: Mapped[str | None] = mapped_column(String(64))
    gender: Mapped[str | None] = mapped_column(String(8))
    disability: Mapped[str | None] = mapped_column(String(24))
    age_band: Mapped[str | None] = mapped_column(String(8))
    completed: Mapped[bool] = mapped_column(default=False)
    asked: Mapped[bool] = mapped_column(default=False)
    status_category: Mapped[str | None] = mapped_column(String(32))
    employment: Mapped[str | None] = mapped_column(String(12))
    is_wub: Mapped[bool] = mapped_column(default=False)
    workers_employed: Mapped[int] = mapped_column(default=0)
    equipment_in_use: Mapped[bool | None]


def _age_band(applied: Any, born: Any) -> Any:
    age = extract("year", applied) - extract("year", born)
    return case(*((age < upper, literal(band)) for upper, band in AGE_BANDS), else_=literal(OLDEST_BAND))


@cache
def _facts_statements(scope: FactScope) -> tuple[Delete, Insert]:
    """The DELETE and the INSERT ... SELECT that recompute the facts of the applications in `scope` (bind
    parameter `ids`: application, user or completion ids). Built once, like the standings' statements."""
    applications, completions = Application.__table__, Completion.__table__
    facts = cast(Table, ReportFact.__table__)
    # `models.evaluations` and `models.profiles` call this when they write, so they cannot be imported here:
    # their tables by name (both modules are loaded by then: they are the ones calling).
    profiles, standings = Base.metadata.tables["job_seeker_profiles"], Base.metadata.tables["follow_up_standings"]
    ids: Any = bindparam("ids", expanding=True)
    chosen = {
        FactScope.APPLICATIONS: applications.c.id.in_(ids),
        FactScope.USERS: applications.c.user_id.in_(ids),
        FactScope.COMPLETIONS: applications.c.id.in_(
            select(completions.c.application_id).where(completions.c.id.in_(ids)).scalar_subquery()),
        FactScope.ALL: applications.c.report_key.is_not(None),
    }[scope]
    # Only the facts of live applications: those of deleted accounts have no key left to be chosen by.
    stale = delete(facts).where(facts.c.fact_key.in_(select(applications.c.report_key).where(chosen).scalar_subquery()))
    rows = (
        select(
            applications.c.report_key, applications.c.training_program_id, applications.c.apprenticeship_opening_id,
            profiles.c.kecamatan, profiles.c.gender, profiles.c.disability,
            _age_band(applications.c.submitted_at, profiles.c.birth_date),
            completions.c.id.is_not(None), standings.c.completion_id.is_not(None),
            standings.c.status_category, standings.c.employment,
            func.coalesce(standings.c.is_wub, false()), func.coalesce(standings.c.workers_employed, literal(0)),
            standings.c.equipment_in_use,
        )
        .select_from(
            applications
            .outerjoin(completions, completions.c.application_id == applications.c.id)
            .outerjoin(profiles, profiles.c.user_id == applications.c.user_id)
            .outerjoin(standings, standings.c.completion_id == completions.c.id))
        .where(chosen, applications.c.status.in_(PARTICIPANT_STATUSES), applications.c.report_key.is_not(None))
    )
    columns = ["fact_key", "training_program_id", "apprenticeship_opening_id", "kecamatan", "gender", "disability",
               "age_band", "completed", "asked", "status_category", "employment", "is_wub", "workers_employed",
               "equipment_in_use"]
    return stale, insert(facts).from_select(columns, rows)


async def refresh_report_facts(session: AsyncSession, scope: FactScope = FactScope.ALL,
                               ids: list[int] | None = None) -> None:
    """Recompute the facts of the applications in `scope` (of these application, user or completion `ids`;
    all for `FactScope.ALL`, e.g. after a bulk load) from their live rows: one DELETE and one INSERT ... SELECT.

    An application that no longer takes part (its enrolment undone) loses its fact; a deleted person's facts
    are out of reach, since their applications and keys are gone."""
    stale, fresh = _facts_statements(scope)
    parameters = {} if scope is FactScope.ALL else {"ids": list(ids or ())}
    await session.execute(stale, parameters)
    await session.execute(fresh, parameters)

