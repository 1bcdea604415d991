"""Applications to openings, every status change they go through, and the completions that make alumni.

An application is for exactly one opening: a training program or an apprenticeship. Its status history is
kept row by row (who changed it, when, with what remark), because offices are asked to show how selection
went; which changes are possible, and who may make them, is `models.selection_rules`'. Completing a
training or an apprenticeship makes the user an alumnus of it (`Completion`), which the monthly follow-ups
start from.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, Index, String, Text, UniqueConstraint, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.catalog import ApprenticeshipOpening, TrainingProgram, get_apprenticeship, get_training
from models.db import lock_for_key
from models.paging import Page, paginate


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    SHORTLISTED = "shortlisted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    ENROLLED = "enrolled"
    COMPLETED = "completed"
    DROPPED_OUT = "dropped_out"


FINAL_STATUSES = frozenset({ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN, ApplicationStatus.COMPLETED,
                            ApplicationStatus.DROPPED_OUT})
"""Statuses an application does not leave; a user may apply again only after one of these."""

ACTIVE_STATUSES = frozenset({ApplicationStatus.SUBMITTED, ApplicationStatus.SHORTLISTED, ApplicationStatus.ACCEPTED,
                             ApplicationStatus.ENROLLED})
"""Applications still under way: a user has at most one of these per opening."""

SELECTED_STATUSES = frozenset({ApplicationStatus.ACCEPTED, ApplicationStatus.ENROLLED, ApplicationStatus.COMPLETED})


class OpeningKind(StrEnum):
    TRAINING = "training"
    APPRENTICESHIP = "apprenticeship"


@dataclass(frozen=True, slots=True)
class OpeningRef:
    """One opening of either kind, as applications refer to it."""

    kind: OpeningKind
    id: int

    @property
    def code(self) -> str:
        """A short public reference, 't12' or 'a3': in commands (/lihat t12) and Telegram deep links."""
        return f"{self.kind.value[0]}{self.id}"

    @classmethod
    def from_code(cls, code: str) -> OpeningRef | None:
        """The opening a code names, or None when it is not one (a typo, a made-up number)."""
        code = code.strip().casefold()
        kinds = {kind.value[0]: kind for kind in OpeningKind}
        number = code[1:]
        if len(code) < 2 or code[0] not in kinds or not (number.isascii() and number.isdigit()) or len(number) > 9:
            return None
        return cls(kinds[code[0]], int(number))

    @property
    def lock_key(self) -> str:
        return f"opening:{self.kind}:{self.id}"

    @property
    def holds_a_place(self) -> frozenset[ApplicationStatus]:
        """Statuses that use one of the opening's places. A training fills its places as people register;
        an apprenticeship selects first, so only those accepted use one."""
        if self.kind is OpeningKind.TRAINING:
            return ACTIVE_STATUSES | {ApplicationStatus.COMPLETED}
        return SELECTED_STATUSES

    def places_needed(self, applications: Sequence[Application], wanted: ApplicationStatus) -> int:
        """How many more of the opening's places moving these applications to `wanted` would use."""
        if wanted not in self.holds_a_place:
            return 0
        return sum(1 for application in applications if application.status not in self.holds_a_place)

    def columns(self) -> dict[str, int | None]:
        training = self.kind is OpeningKind.TRAINING
        return {"training_program_id": self.id if training else None,
                "apprenticeship_opening_id": None if training else self.id}

    def condition(self) -> ColumnElement[bool]:
        if self.kind is OpeningKind.TRAINING:
            return Application.training_program_id == self.id
        return Application.apprenticeship_opening_id == self.id


REPORT_KEY_BYTES = 16


def new_report_key() -> str:
    """A random key that says nothing about the person or the order they applied in (`models.report_facts`)."""
    return secrets.token_hex(REPORT_KEY_BYTES)


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(
            "(training_program_id IS NULL) <> (apprenticeship_opening_id IS NULL)", name="exactly_one_opening"
        ),
        Index("ix_applications_status", "status"),
    )
    """The dashboard's overview counts applications by status: read from this index, not every row."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    training_program_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_programs.id", ondelete="CASCADE"), index=True
    )
    apprenticeship_opening_id: Mapped[int | None] = mapped_column(
        ForeignKey("apprenticeship_openings.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=ApplicationStatus.SUBMITTED)
    submitted_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    report_key: Mapped[str | None] = mapped_column(String(2 * REPORT_KEY_BYTES), unique=True, index=True,
                                                    default=new_report_key)
    """The only link to this participation's de-identified report fact (`models.report_facts`): random, and
    gone with the application when the account is deleted."""


class ApplicationStatusChange(Base):
    __tablename__ = "application_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime]
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    """The staff user who made the change; None when the applicant did (apply, withdraw) or the office's command
    line did. How it may change is `models.selection_rules`'."""
    remark: Mapped[str] = mapped_column(Text, default="")


class Completion(Base):
    """An alumnus record: this user finished this application's training or apprenticeship on this date."""

    __tablename__ = "completions"
    __table_args__ = (UniqueConstraint("application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    completed_on: Mapped[date]
    recorded_at: Mapped[datetime]


async def submit_application(
    session: AsyncSession, *, user_id: int, opening: OpeningRef, now: datetime
) -> Application:
    """Record a new application with its first history row; eligibility is the caller's to check first."""
    application = Application(
        user_id=user_id,
        **opening.columns(),
        status=ApplicationStatus.SUBMITTED,
        submitted_at=now,
        updated_at=now,
    )
    session.add(application)
    await session.flush()
    session.add(ApplicationStatusChange(application_id=application.id, status=application.status, changed_at=now))
    await session.flush()
    return application


async def places_taken(session: AsyncSession, opening: OpeningRef) -> int:
    query = select(func.count()).select_from(Application).where(
        opening.condition(), Application.status.in_(opening.holds_a_place)
    )
    return int(await session.scalar(query) or 0)


async def has_active_application(session: AsyncSession, user_id: int, opening: OpeningRef) -> bool:
    query = select(Application.id).where(
        opening.condition(), Application.user_id == user_id, Application.status.in_(ACTIVE_STATUSES)
    ).limit(1)
    return await session.scalar(query) is not None


async def lock_opening(session: AsyncSession, opening: OpeningRef) -> None:
    """Serialise applications to one opening until the transaction ends, so its last place goes once."""
    await lock_for_key(session, opening.lock_key)


async def applications_of(session: AsyncSession, user_id: int, page: int = 0) -> Page[Application]:
    """A user's applications, the newest first."""
    newest_first = (Application.submitted_at.desc(), Application.id.desc())
    return await paginate(session, Application, (Application.user_id == user_id,), newest_first, page)


async def applications_for(session: AsyncSession, opening: OpeningRef, page: int = 0) -> Page[Application]:
    """The applicants of one opening, first come first."""
    first_come = (Application.submitted_at, Application.id)
    return await paginate(session, Application, (opening.condition(),), first_come, page)


async def get_application_by_id(session: AsyncSession, application_id: int) -> Application | None:
    """Any application (staff); refreshed, since another worker may have just changed its status."""
    return await session.get(Application, application_id, populate_existing=True)


async def get_application(session: AsyncSession, user_id: int, application_id: int) -> Application | None:
    """The user's own application with that id; None for anyone else's (ids arrive from buttons)."""
    application = await session.get(Application, application_id)
    return application if application is not None and application.user_id == user_id else None


Opening = TrainingProgram | ApprenticeshipOpening


async def get_opening(session: AsyncSession, ref: OpeningRef) -> Opening | None:
    if ref.kind is OpeningKind.APPRENTICESHIP:
        return await get_apprenticeship(session, ref.id)
    return await get_training(session, ref.id)


def opening_title(opening: Opening) -> str:
    """How staff and applicants name an opening: a training's title, an apprenticeship's position and company."""
    return opening.title if isinstance(opening, TrainingProgram) else f"{opening.position} - {opening.company.name}"


def opening_of(application: Application) -> OpeningRef:
    if application.training_program_id is not None:
        return OpeningRef(OpeningKind.TRAINING, application.training_program_id)
    assert application.apprenticeship_opening_id is not None
    return OpeningRef(OpeningKind.APPRENTICESHIP, application.apprenticeship_opening_id)


async def status_history(session: AsyncSession, application_id: int) -> list[ApplicationStatusChange]:
    result = await session.scalars(
        select(ApplicationStatusChange)
        .where(ApplicationStatusChange.application_id == application_id)
        .order_by(ApplicationStatusChange.id)
    )
    return list(result)
