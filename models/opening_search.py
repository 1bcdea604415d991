"""Openings of both kinds in one list for staff: narrowed by kind, category, state, kecamatan and words, paged.

Trainings and apprenticeships live in two tables; the dashboard lists them together, so the list is one
UNION ALL of the few columns a row shows, ordered and paged in the database (the latest deadline first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, String, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from models.applications import OpeningKind, OpeningRef
from models.catalog import (
    ApprenticeshipOpening,
    OpeningStatus,
    Provider,
    ProviderKind,
    TrainingCategory,
    TrainingProgram,
)
from models.paging import Page

Rows = Select[*tuple[Any, ...]]
TRAINING_PROVIDERS = (ProviderKind.BLK, ProviderKind.UPT_BLK, ProviderKind.LPK)


@dataclass(frozen=True, slots=True)
class OpeningFilters:
    """What the list is narrowed to; None (or empty words) leaves a filter off."""

    kind: OpeningKind | None = None
    category: TrainingCategory | None = None
    """A training category; set, it leaves apprenticeships out."""
    status: OpeningStatus | None = None
    kecamatan: str | None = None
    words: str = ""
    """Found in the title (a training's) or position (an apprenticeship's), or the provider's name."""


@dataclass(frozen=True, slots=True)
class OpeningLine:
    """One row of the list."""

    ref: OpeningRef
    title: str
    provider: str
    category: str | None
    kecamatan: str | None
    status: str
    deadline: date
    quota: int


def _narrowed(query: Rows, filters: OpeningFilters, title: Any, kecamatan: Any, status: Any) -> Rows:
    if filters.status is not None:
        query = query.where(status == filters.status)
    if filters.kecamatan is not None:
        query = query.where(kecamatan == filters.kecamatan)
    if words := filters.words.strip().lower():
        query = query.where(func.lower(title).contains(words, autoescape=True)
                            | func.lower(Provider.name).contains(words, autoescape=True))
    return query


def _trainings(filters: OpeningFilters) -> Rows:
    query: Rows = select(
        literal(OpeningKind.TRAINING.value, String(16)).label("kind"), TrainingProgram.id,
        TrainingProgram.title.label("title"), Provider.name.label("provider"),
        TrainingProgram.category.label("category"), TrainingProgram.kecamatan.label("kecamatan"),
        TrainingProgram.status.label("status"), TrainingProgram.registration_deadline.label("deadline"),
        TrainingProgram.quota.label("quota"),
    ).join(Provider, TrainingProgram.provider_id == Provider.id)
    if filters.category is not None:
        query = query.where(TrainingProgram.category == filters.category)
    return _narrowed(query, filters, TrainingProgram.title, TrainingProgram.kecamatan, TrainingProgram.status)


def _apprenticeships(filters: OpeningFilters) -> Rows:
    query: Rows = select(
        literal(OpeningKind.APPRENTICESHIP.value, String(16)).label("kind"), ApprenticeshipOpening.id,
        ApprenticeshipOpening.position.label("title"), Provider.name.label("provider"),
        literal(None, String(16)).label("category"), ApprenticeshipOpening.kecamatan.label("kecamatan"),
        ApprenticeshipOpening.status.label("status"),
        ApprenticeshipOpening.application_deadline.label("deadline"), ApprenticeshipOpening.quota.label("quota"),
    ).join(Provider, ApprenticeshipOpening.company_id == Provider.id)
    return _narrowed(query, filters, ApprenticeshipOpening.position, ApprenticeshipOpening.kecamatan,
                     ApprenticeshipOpening.status)


async def search_openings(session: AsyncSession, filters: OpeningFilters, page: int, size: int) -> Page[OpeningLine]:
    """Page `page` (from 0) of the openings matching `filters`; a page past the end gives the last one."""
    parts = []
    if filters.kind in (None, OpeningKind.TRAINING):
        parts.append(_trainings(filters))
    if filters.kind in (None, OpeningKind.APPRENTICESHIP) and filters.category is None:
        parts.append(_apprenticeships(filters))
    if not parts:
        return Page([], 0, 0, size)
    listed = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    total = int(await session.scalar(select(func.count()).select_from(listed)) or 0)
    number = min(max(page, 0), max(0, -(-total // size) - 1))
    rows = await session.execute(
        select(listed).order_by(listed.c.deadline.desc(), listed.c.kind, listed.c.id.desc())
        .offset(number * size).limit(size)
    )
    lines = [OpeningLine(OpeningRef(OpeningKind(row.kind), row.id), row.title, row.provider, row.category,
                         row.kecamatan, row.status, row.deadline, row.quota) for row in rows]
    return Page(lines, number, total, size)


async def provider_named(session: AsyncSession, name: str, *, training: bool) -> Provider | None:
    """A training provider (BLK, UPT BLK or LPK) or a company of that exact name, the first one kept."""
    kinds = TRAINING_PROVIDERS if training else (ProviderKind.COMPANY,)
    return await session.scalar(select(Provider).where(Provider.name == name.strip(), Provider.kind.in_(kinds))
                                .order_by(Provider.id).limit(1))


async def provider_names(session: AsyncSession, limit: int = 200) -> list[str]:
    """Names staff pick a provider or company from (the form suggests them), alphabetically."""
    return list(await session.scalars(select(Provider.name).distinct().order_by(Provider.name).limit(limit)))


async def same_opening(session: AsyncSession, *, kind: OpeningKind, title: str, provider: str, day: date,
                       other_than: int | None = None) -> OpeningRef | None:
    """An opening that is the same as the one described: same kind, title (or position) and provider, and the
    same start date (a training) or deadline (an apprenticeship). Two of those would be one opening twice."""
    if kind is OpeningKind.TRAINING:
        query = (select(TrainingProgram.id).join(Provider, TrainingProgram.provider_id == Provider.id)
                 .where(func.lower(TrainingProgram.title) == title.strip().lower(),
                        TrainingProgram.start_date == day))
        column: Any = TrainingProgram.id
    else:
        query = (select(ApprenticeshipOpening.id).join(Provider, ApprenticeshipOpening.company_id == Provider.id)
                 .where(func.lower(ApprenticeshipOpening.position) == title.strip().lower(),
                        ApprenticeshipOpening.application_deadline == day))
        column = ApprenticeshipOpening.id
    query = query.where(func.lower(Provider.name) == provider.strip().lower())
    if other_than is not None:
        query = query.where(column != other_than)
    found = await session.scalar(query.limit(1))
    return OpeningRef(kind, found) if found is not None else None
