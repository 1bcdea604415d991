"""What a job seeker sees when browsing: openings taking applications today, the most relevant first.

Relevance is a score computed in SQL so that paging stays in the database: shared skill areas count
most, then living in the same kecamatan, then meeting the age and education requirements. Without a
profile (a visitor), or at equal scores, the nearest deadline comes first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, Text, and_, case, cast, false, literal, or_, type_coerce
from sqlalchemy.dialects.postgresql import JSONB, array
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from models.catalog import ApprenticeshipOpening, OpeningStatus, TrainingProgram
from models.db import dialect_name
from models.eligibility import EDUCATION_RANK
from models.paging import Page, paginate

INTEREST_WEIGHT = 4
KECAMATAN_WEIGHT = 2


@dataclass(frozen=True, slots=True)
class Seeker:
    """The parts of a profile that make an opening relevant."""

    interests: tuple[str, ...]
    kecamatan: str
    age: int
    education: str


@dataclass(frozen=True, slots=True)
class Filters:
    category: str | None = None
    kecamatan: str | None = None


Opening = type[TrainingProgram] | type[ApprenticeshipOpening]


def shares_any(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], codes: tuple[str, ...], dialect: str
) -> ColumnElement[bool]:
    """Whether a JSON list of skill-area codes (an opening's, a profile's) includes any of `codes`.

    PostgreSQL asks its JSONB directly (`?|`); SQLite looks for the quoted code in the JSON text, which is
    exact because codes are fixed slugs.
    """
    if not codes:
        return false()
    if dialect == "postgresql":
        matches: ColumnElement[bool] = type_coerce(column, JSONB).has_any(array(list(codes)))
        return matches
    interests_text = cast(column, Text)
    return or_(*(interests_text.like(f'%"{code}"%') for code in codes))


def relevance(entity: Opening, seeker: Seeker, dialect: str) -> ColumnElement[int]:
    """A score per opening: 4 for a shared skill area, 2 for the same kecamatan, 1 each for age and education."""
    reachable = [level for level, rank in EDUCATION_RANK.items() if rank <= EDUCATION_RANK.get(seeker.education, 0)]
    age_ok = and_(
        or_(entity.min_age.is_(None), entity.min_age <= seeker.age),
        or_(entity.max_age.is_(None), entity.max_age >= seeker.age),
    )
    education_ok = or_(entity.min_education.is_(None), entity.min_education.in_(reachable))
    return cast(
        case((shares_any(entity.interests, seeker.interests, dialect), INTEREST_WEIGHT), else_=0)
        + case((entity.kecamatan == seeker.kecamatan, KECAMATAN_WEIGHT), else_=0)
        + case((age_ok, 1), else_=0)
        + case((education_ok, 1), else_=0),
        Integer,
    )


async def open_trainings(
    session: AsyncSession, *, today: date, page: int = 0, seeker: Seeker | None = None, filters: Filters = Filters()
) -> Page[TrainingProgram]:
    """Programs taking registrations today."""
    where: list[Any] = [TrainingProgram.status == OpeningStatus.OPEN, TrainingProgram.registration_deadline >= today]
    if filters.category:
        where.append(TrainingProgram.category == filters.category)
    if filters.kecamatan:
        where.append(TrainingProgram.kecamatan == filters.kecamatan)
    first = relevance(TrainingProgram, seeker, dialect_name(session)).desc() if seeker else literal(0)
    order = (first, TrainingProgram.registration_deadline, TrainingProgram.id)
    return await paginate(session, TrainingProgram, tuple(where), order, page)


async def open_apprenticeships(
    session: AsyncSession, *, today: date, page: int = 0, seeker: Seeker | None = None, filters: Filters = Filters()
) -> Page[ApprenticeshipOpening]:
    """Apprenticeship openings taking applications today."""
    where: list[Any] = [
        ApprenticeshipOpening.status == OpeningStatus.OPEN, ApprenticeshipOpening.application_deadline >= today
    ]
    if filters.kecamatan:
        where.append(ApprenticeshipOpening.kecamatan == filters.kecamatan)
    first = relevance(ApprenticeshipOpening, seeker, dialect_name(session)).desc() if seeker else literal(0)
    order = (first, ApprenticeshipOpening.application_deadline, ApprenticeshipOpening.id)
    return await paginate(session, ApprenticeshipOpening, tuple(where), order, page)
