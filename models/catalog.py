"""The openings an office offers: training programs and independent apprenticeships, and who provides them.

A training program is run by a BLK, UPT BLK or LPK; an apprenticeship opening (Pemagangan Mandiri) is offered
by a company. Both carry a quota, a deadline and requirements, and move through the same statuses.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, JsonDocument
from models.categories import TrainingCategory as TrainingCategory  # noqa: PLC0414 (re-exported: imported from here)
from models.paging import Page, paginate


class ProviderKind(StrEnum):
    BLK = "blk"
    """Balai Latihan Kerja: a public training centre of the regency or city."""
    UPT_BLK = "upt_blk"
    """A province's training centre (unit pelaksana teknis)."""
    LPK = "lpk"
    """Lembaga Pelatihan Kerja: a private training institute."""
    COMPANY = "company"
    """A company taking apprentices."""


class OpeningStatus(StrEnum):
    """Where an opening is in its life; only OPEN ones take applications."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    RUNNING = "running"
    FINISHED = "finished"


class Provider(Base):
    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(200), default="")
    kecamatan: Mapped[str | None] = mapped_column(String(64))
    contact: Mapped[str] = mapped_column(String(120), default="")


class _Requirements:
    """Columns every opening shares: who may apply, until when, how many places."""

    quota: Mapped[int]
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    min_education: Mapped[str | None] = mapped_column(String(8))
    other_requirements: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=OpeningStatus.DRAFT)
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    alerted_at: Mapped[datetime | None]
    """When matching job seekers were told of the newly published opening (once per opening)."""

    @property
    def deadline(self) -> date:
        """The last day applications are taken (a training's registration, an apprenticeship's application)."""
        raise NotImplementedError

    def takes_applications_on(self, today: date) -> bool:
        return self.status == OpeningStatus.OPEN and self.deadline >= today


class TrainingProgram(_Requirements, Base):
    __tablename__ = "training_programs"
    __table_args__ = (
        CheckConstraint("quota >= 0", name="quota_not_negative"),
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        Index("ix_training_programs_status_deadline", "status", "registration_deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    category: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="RESTRICT"), index=True)
    location: Mapped[str] = mapped_column(String(200), default="")
    kecamatan: Mapped[str | None] = mapped_column(String(64), index=True)
    """Where the training takes place (the "only in my kecamatan" filter), which may differ from the provider's."""
    start_date: Mapped[date]
    end_date: Mapped[date]
    registration_deadline: Mapped[date]
    funding_source: Mapped[str] = mapped_column(String(80), default="")
    equipment_aid: Mapped[bool] = mapped_column(default=False)
    interests: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    """The skill areas (`models.profiles.Interest`) the program trains in, for matching job seekers."""
    follow_up_plan: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    """How alumni are followed up (intervals, questions); filled in by the follow-ups work."""

    provider: Mapped[Provider] = relationship(lazy="joined")

    @property
    def deadline(self) -> date:
        return self.registration_deadline


class ApprenticeshipOpening(_Requirements, Base):
    """Pemagangan Mandiri: selection first, a monthly allowance (uang saku), social-security cover (BPJS)."""

    __tablename__ = "apprenticeship_openings"
    __table_args__ = (
        CheckConstraint("quota >= 0", name="quota_not_negative"),
        CheckConstraint("duration_months > 0", name="duration_positive"),
        CheckConstraint("monthly_allowance >= 0", name="allowance_not_negative"),
        Index("ix_apprenticeship_openings_status_deadline", "status", "application_deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="RESTRICT"), index=True)
    position: Mapped[str] = mapped_column(String(160))
    location: Mapped[str] = mapped_column(String(200), default="")
    kecamatan: Mapped[str | None] = mapped_column(String(64), index=True)
    duration_months: Mapped[int]
    monthly_allowance: Mapped[int] = mapped_column(default=0)
    """Rupiah per month, whole rupiah; zero where the company pays none."""
    social_security: Mapped[bool] = mapped_column(default=False)
    application_deadline: Mapped[date]
    selection_description: Mapped[str] = mapped_column(Text, default="")
    interests: Mapped[list[str]] = mapped_column(JsonDocument, default=list)

    company: Mapped[Provider] = relationship(lazy="joined")

    @property
    def deadline(self) -> date:
        return self.application_deadline


async def openings_for_staff(
    session: AsyncSession, entity: type[TrainingProgram] | type[ApprenticeshipOpening], page: int = 0
) -> Page[TrainingProgram] | Page[ApprenticeshipOpening]:
    """Every opening of one kind, drafts included, the latest deadline first."""
    if entity is TrainingProgram:
        return await paginate(session, TrainingProgram, (), (TrainingProgram.registration_deadline.desc(),
                                                             TrainingProgram.id), page)
    return await paginate(session, ApprenticeshipOpening, (), (ApprenticeshipOpening.application_deadline.desc(),
                                                               ApprenticeshipOpening.id), page)


def set_opening_status(opening: TrainingProgram | ApprenticeshipOpening, status: OpeningStatus, now: datetime) -> None:
    """Open (publish) or close an opening; the first opening stamps `published_at`."""
    opening.status = status
    if status == OpeningStatus.OPEN and opening.published_at is None:
        opening.published_at = now


async def advance_training_statuses(session: AsyncSession, today: date) -> tuple[int, int]:
    """Trainings follow their dates: open or closed ones whose start date has come are running, running
    ones past their end date are finished. Returns (started, finished). Apprenticeships have no fixed dates
    and stay as staff set them."""
    started = await session.execute(
        update(TrainingProgram)
        .where(TrainingProgram.status.in_((OpeningStatus.OPEN, OpeningStatus.CLOSED)),
               TrainingProgram.start_date <= today)
        .values(status=OpeningStatus.RUNNING)
    )
    finished = await session.execute(
        update(TrainingProgram)
        .where(TrainingProgram.status == OpeningStatus.RUNNING, TrainingProgram.end_date < today)
        .values(status=OpeningStatus.FINISHED)
    )
    return started.rowcount, finished.rowcount  # type: ignore[attr-defined]


async def add_provider(
    session: AsyncSession, *, name: str, kind: ProviderKind, kecamatan: str | None = None, address: str = "",
    contact: str = "",
) -> Provider:
    provider = Provider(name=name, kind=kind, kecamatan=kecamatan, address=address, contact=contact)
    session.add(provider)
    await session.flush()
    return provider


async def get_training(session: AsyncSession, program_id: int) -> TrainingProgram | None:
    return await session.get(TrainingProgram, program_id)


async def get_apprenticeship(session: AsyncSession, opening_id: int) -> ApprenticeshipOpening | None:
    return await session.get(ApprenticeshipOpening, opening_id)
