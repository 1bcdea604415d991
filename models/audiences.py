"""Who a broadcast goes to: a group (everyone, job seekers, alumni, alumni of one opening) narrowed by
profile fields, as one SQL query so that counting and fanning out 50,000 recipients stay in the database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.applications import Application, Completion, OpeningRef
from models.browsing import shares_any
from models.db import dialect_name
from models.opt_ins import has_current_opt_in
from models.profiles import JobSeekerProfile
from models.users import User


class Group(StrEnum):
    EVERYONE = "everyone"
    """Everyone who has written to the bot, registered or not."""
    JOB_SEEKERS = "job_seekers"
    """Registered job seekers."""
    ALUMNI = "alumni"
    """People who completed a training or apprenticeship."""


@dataclass(frozen=True, slots=True)
class Audience:
    group: str = Group.EVERYONE
    program: str | None = None
    """An opening's code ('t12'): only alumni of that opening."""
    kecamatan: str | None = None
    interest: str | None = None
    education: str | None = None
    gender: str | None = None
    status: str | None = None
    """The job seeker's current activity (looking for work, working, ...)."""

    PROFILE_FIELDS = ("kecamatan", "interest", "education", "gender", "status")

    def to_json(self) -> dict[str, Any]:
        return {name: value for name, value in asdict(self).items() if value is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        known = {f.name for f in fields(cls)}
        return cls(**{name: value for name, value in data.items() if name in known})

    @property
    def narrowed(self) -> bool:
        return any(getattr(self, name) is not None for name in self.PROFILE_FIELDS)


@dataclass(frozen=True, slots=True)
class AudienceSize:
    """How many will receive a broadcast, by language, and how many are left out (no current opt-in, blocked)."""

    by_locale: dict[str, int]
    left_out: int

    @property
    def receiving(self) -> int:
        return sum(self.by_locale.values())


def audience_members(audience: Audience, dialect: str) -> Select[Any]:
    """Every user in the audience, whether or not they can be reached now (that is decided at sending)."""
    profile = JobSeekerProfile
    query = select(User)
    if audience.group == Group.JOB_SEEKERS or audience.narrowed:
        query = query.join(profile, profile.user_id == User.id)
    if audience.group == Group.ALUMNI:
        completed = select(Completion.id).where(Completion.user_id == User.id)
        ref = OpeningRef.from_code(audience.program) if audience.program else None
        if ref is not None:
            completed = completed.join(Application, Application.id == Completion.application_id).where(
                ref.condition()
            )
        query = query.where(exists(completed))
    if audience.kecamatan is not None:
        query = query.where(profile.kecamatan == audience.kecamatan)
    if audience.interest is not None:
        query = query.where(shares_any(profile.interests, (audience.interest,), dialect))
    if audience.education is not None:
        query = query.where(profile.education == audience.education)
    if audience.gender is not None:
        query = query.where(profile.gender == audience.gender)
    if audience.status is not None:
        query = query.where(profile.current_status == audience.status)
    return query


def reached() -> ColumnElement[bool]:
    """SQL: a member a broadcast reaches (a current opt-in, not blocking the bot); the others are left out."""
    return has_current_opt_in(User.id) & User.unreachable_since.is_(None)


async def size_of(session: AsyncSession, audience: Audience) -> AudienceSize:
    """The counts staff see before confirming, in one grouped query."""
    left_out = ~reached()
    query = audience_members(audience, dialect_name(session)).with_only_columns(
        User.locale, left_out.label("left_out"), func.count()
    ).group_by(User.locale, left_out)
    by_locale: dict[str, int] = {}
    excluded = 0
    for locale, is_left_out, count in await session.execute(query):
        if is_left_out:
            excluded += int(count)
        else:
            by_locale[locale] = by_locale.get(locale, 0) + int(count)
    return AudienceSize(by_locale, excluded)
