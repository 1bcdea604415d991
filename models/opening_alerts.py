"""Who hears of a newly published opening: job seekers whose skill areas, kecamatan, age and education fit it.

Each opening is announced once: it is claimed (skipping rows another worker holds, on PostgreSQL), and
`alerted_at` is set in the same transaction that queues the messages, so neither a second worker nor a
restart announces it twice. An opening published long ago (the bot was down for days) is marked without a
message: a stale "new opening" helps nobody. People who turned alerts off or blocked the bot are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.browsing import shares_any
from models.catalog import ApprenticeshipOpening, OpeningStatus, TrainingProgram
from models.db import dialect_name
from models.eligibility import born_on_or_before, levels_at_least
from models.opt_ins import has_current_opt_in
from models.profiles import JobSeekerProfile
from models.users import User

ANNOUNCE_WITHIN = timedelta(days=2)
"""Openings published longer ago than this when the job first sees them are not announced any more."""

Opening = TrainingProgram | ApprenticeshipOpening
OpeningT = TypeVar("OpeningT", TrainingProgram, ApprenticeshipOpening)


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    channel: str
    external_id: str
    locale: str


async def claim_unannounced(session: AsyncSession, limit: int) -> list[Opening]:
    """Published openings nobody has been told of yet, oldest publication first, locked for this transaction."""
    return [*await _claim(session, TrainingProgram, limit), *await _claim(session, ApprenticeshipOpening, limit)]


async def _claim(session: AsyncSession, entity: type[OpeningT], limit: int) -> list[OpeningT]:
    query = (
        select(entity)
        .where(entity.status == OpeningStatus.OPEN, entity.published_at.is_not(None), entity.alerted_at.is_(None))
        .order_by(entity.published_at, entity.id)
        .limit(limit)
    )
    if dialect_name(session) == "postgresql":
        query = query.with_for_update(skip_locked=True, of=entity)
    return list((await session.scalars(query)).unique())


def worth_announcing(opening: Opening, now: datetime, today: date) -> bool:
    """Recently published and still taking applications."""
    published = opening.published_at or now
    return now - published <= ANNOUNCE_WITHIN and opening.takes_applications_on(today)


async def recipients_of(session: AsyncSession, opening: Opening, today: date) -> list[Recipient]:
    """Registered job seekers who want alerts, can be reached, share a skill area and may apply.

    An opening with a kecamatan goes to people living there; one without (regency-wide) to everyone.
    """
    profile = JobSeekerProfile
    where: list[Any] = [
        User.opening_alerts.is_(True),
        User.unreachable_since.is_(None),
        has_current_opt_in(User.id),
        shares_any(profile.interests, tuple(opening.interests), dialect_name(session)),
    ]
    if opening.kecamatan:
        where.append(profile.kecamatan == opening.kecamatan)
    if opening.min_age is not None:
        where.append(profile.birth_date <= born_on_or_before(today, opening.min_age))
    if opening.max_age is not None:
        where.append(profile.birth_date > born_on_or_before(today, opening.max_age + 1))
    if opening.min_education:
        where.append(profile.education.in_(levels_at_least(opening.min_education)))
    query = (
        select(User.id, User.channel, User.external_id, User.locale)
        .join(profile, profile.user_id == User.id)
        .where(*where)
        .order_by(User.id)
    )
    return [Recipient(*row) for row in await session.execute(query)]


def mark_announced(openings: list[Opening], now: datetime) -> None:
    for opening in openings:
        opening.alerted_at = now
