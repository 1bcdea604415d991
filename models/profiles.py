"""Job-seeker profiles: the personal data a user gives at registration, stored only after consent.

The NIK is kept encrypted with its keyed hash beside it (unique), so a second registration with the same
NIK is refused without the database ever holding it in plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, bindparam, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.answers import name_case
from models.applications import Application
from models.base import Base, JsonDocument, table_of
from models.crypto import NikCipher
from models.db import dialect_insert, dialect_name
from models.opt_ins import OptInSource, agree
from models.prepared import Prepared, run
from models.report_facts import FactScope, refresh_report_facts
from models.users import User

CONSENT_VERSION = "2026-11-30"
"""The consent wording's version, kept with each profile and each consent opt-in (`models.opt_ins`): the date
its text last changed (it named what reports keep after a deletion on 2026-11-30)."""


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"


class Education(StrEnum):
    """Highest completed education, in the order the national statistics use."""

    NONE = "none"
    SD = "sd"
    SMP = "smp"
    SMA = "sma"
    SMK = "smk"
    D1 = "d1"
    D2 = "d2"
    D3 = "d3"
    D4_S1 = "d4_s1"
    S2 = "s2"
    S3 = "s3"


class Interest(StrEnum):
    """Skill areas the offices train in; free-text interests are kept beside these."""

    SEWING = "sewing"
    COOKING = "cooking"
    WELDING = "welding"
    AUTOMOTIVE = "automotive"
    ELECTRICAL = "electrical"
    COMPUTING = "computing"
    BEAUTY = "beauty"
    AGRICULTURE = "agriculture"
    CONSTRUCTION = "construction"
    HOSPITALITY = "hospitality"
    HEAVY_EQUIPMENT = "heavy_equipment"
    ENTREPRENEURSHIP = "entrepreneurship"


class Disability(StrEnum):
    """Disability categories of UU 8/2016; answering is optional."""

    NONE = "none"
    PHYSICAL = "physical"
    VISUAL = "visual"
    HEARING_SPEECH = "hearing_speech"
    INTELLECTUAL = "intellectual"
    MENTAL = "mental"
    MULTIPLE = "multiple"
    NOT_SAID = "not_said"


class CurrentStatus(StrEnum):
    LOOKING = "looking"
    WORKING = "working"
    STUDYING = "studying"
    BUSINESS = "business"


class JobSeekerProfile(Base):
    __tablename__ = "job_seeker_profiles"
    __table_args__ = (
        Index("ix_job_seeker_profiles_full_name_id", "full_name", "id"),
        Index("ix_job_seeker_profiles_phone_e164_id", "phone_e164", "id"),
        Index("ix_job_seeker_profiles_registered_at", "registered_at"),
    )
    """Staff find job seekers by a part of the name or phone, in name order (`models.job_seeker_search`); the
    dashboard's overview counts this month's registrations (`models.overview`)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    full_name: Mapped[str] = mapped_column(String(100))
    nik_encrypted: Mapped[str] = mapped_column(Text)
    nik_hash: Mapped[str] = mapped_column(String(64), unique=True)
    birth_date: Mapped[date]
    gender: Mapped[str] = mapped_column(String(8))
    phone_e164: Mapped[str] = mapped_column(String(20))
    kecamatan: Mapped[str] = mapped_column(String(64), index=True)
    education: Mapped[str] = mapped_column(String(16))
    interests: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    other_interests: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    disability: Mapped[str] = mapped_column(String(24))
    current_status: Mapped[str] = mapped_column(String(16))
    consent_version: Mapped[str] = mapped_column(String(16))
    consented_at: Mapped[datetime]
    registered_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    @property
    def shown_name(self) -> str:
        """The name as staff and the person see it ('BUDI SANTOSO' as 'Budi Santoso'); stored as typed."""
        return name_case(self.full_name)


@dataclass(frozen=True, slots=True)
class ProfileFields:
    """Everything registration collects, already validated: the profile's columns, with the NIK in clear."""

    full_name: str
    nik: str
    birth_date: date
    gender: str
    phone_e164: str
    kecamatan: str
    education: str
    interests: list[str]
    other_interests: list[str]
    disability: str
    current_status: str
    consented_at: datetime


def _as_is(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """One answer as a registration draft (JSON) keeps it, and the profile column it is saved to."""

    key: str
    column: str
    from_json: Callable[[Any], Any] = _as_is
    to_json: Callable[[Any], Any] = _as_is


PROFILE_ANSWERS: tuple[StoredAnswer, ...] = (
    StoredAnswer("full_name", "full_name"),
    StoredAnswer("nik_encrypted", "nik_encrypted"),
    StoredAnswer("birth_date", "birth_date", date.fromisoformat, date.isoformat),
    StoredAnswer("gender", "gender"),
    StoredAnswer("phone", "phone_e164"),
    StoredAnswer("kecamatan", "kecamatan"),
    StoredAnswer("education", "education"),
    StoredAnswer("interests", "interests"),
    StoredAnswer("other_interests", "other_interests"),
    StoredAnswer("disability", "disability"),
    StoredAnswer("current_status", "current_status"),
    StoredAnswer("consented_at", "consented_at", datetime.fromisoformat, datetime.isoformat),
)
"""The draft <-> profile mapping; `ProfileFields` holds the same columns, except the NIK, kept in clear."""
OPTIONAL_LISTS = frozenset({"interests", "other_interests"})
"""Answers a draft may lack: a job seeker may pick skills only from the list, or type their own only."""


def answers_of(profile: JobSeekerProfile) -> dict[str, Any]:
    """The saved profile as a registration draft holds it, to show it or to edit it."""
    return {answer.key: answer.to_json(getattr(profile, answer.column)) for answer in PROFILE_ANSWERS}


def fields_from_answers(answers: Mapping[str, Any], nik: str) -> ProfileFields:
    """The answers of a completed registration draft, typed; `nik` is its NIK decrypted (and checked)."""
    values = {
        answer.column: answer.from_json(answers.get(answer.key, []) if answer.key in OPTIONAL_LISTS
                                        else answers[answer.key])
        for answer in PROFILE_ANSWERS if answer.column != "nik_encrypted"
    }
    return ProfileFields(nik=nik, **values)


class NikAlreadyRegistered(Exception):
    """Another account holds this NIK."""


async def get_profile(session: AsyncSession, user_id: int) -> JobSeekerProfile | None:
    return await session.scalar(select(JobSeekerProfile).where(JobSeekerProfile.user_id == user_id))


async def is_registered(session: AsyncSession, user_id: int) -> bool:
    """Whether the user has a profile (a prepared statement: a first message and /start ask it)."""
    return bool((await run(session, _PROFILE_OF, {"user_id": user_id})).rows)


async def nik_taken_by_other(session: AsyncSession, nik_hash: str, user_id: int) -> bool:
    owners = (await run(session, _NIK_OWNER, {"nik_hash": nik_hash})).scalars()
    return bool(owners) and owners[0] != user_id


_PROFILE_OF = Prepared(select(JobSeekerProfile.id).where(JobSeekerProfile.user_id == bindparam("user_id")))
_NIK_OWNER = Prepared(select(JobSeekerProfile.user_id).where(JobSeekerProfile.nik_hash == bindparam("nik_hash")))

_PROFILES = table_of(JobSeekerProfile)
_NEW_COLUMNS = [column.key for column in _PROFILES.c if column.key != "id"]
_BEFORE_SAVING_QUERY = select(
    exists().where(_PROFILES.c.user_id == bindparam("user_id", type_=Integer)).label("registered"),
    select(_PROFILES.c.user_id).where(_PROFILES.c.nik_hash == bindparam("nik_hash", type_=String))
    .scalar_subquery().label("nik_owner"),
    exists().where(Application.user_id == bindparam("user_id", type_=Integer)).label("applied"),
)
"""What saving a profile must know first (every registration ends with it): whether the user has a profile, who
holds the NIK, and whether they have applications (whose report facts then change)."""
_BEFORE_SAVING = Prepared(_BEFORE_SAVING_QUERY)
_NEW_PROFILE = Prepared(dialect_insert("sqlite", JobSeekerProfile).on_conflict_do_nothing()
                        .returning(JobSeekerProfile.id), _NEW_COLUMNS)
"""SQLite: the new profile, skipping a row another registration just took (this NIK, or this account), instead of
the ORM's flush in a savepoint."""


def _before_and_new_in_one_statement() -> Prepared:
    """PostgreSQL: `_BEFORE_SAVING` and the new profile's INSERT as one statement (one round trip fewer at the end
    of every registration, bench/dialog.py): WITH before AS (...), added AS (INSERT ... SELECT the new row when
    the user has no profile and the NIK is free, ON CONFLICT DO NOTHING) SELECT before's facts and added's id."""
    before = _BEFORE_SAVING_QUERY.cte("before")
    row = (select(*(bindparam(key, type_=_PROFILES.c[key].type) for key in _NEW_COLUMNS))
           .where(~before.c.registered, before.c.nik_owner.is_(None)))
    added = (dialect_insert("postgresql", _PROFILES).from_select(_NEW_COLUMNS, row).on_conflict_do_nothing()
             .returning(_PROFILES.c.id).cte("added"))
    return Prepared(select(before.c.registered, before.c.nik_owner, before.c.applied,
                           select(added.c.id).scalar_subquery().label("added")).add_cte(added))


_BEFORE_AND_NEW = _before_and_new_in_one_statement()


async def _check_and_add(session: AsyncSession, new: dict[str, Any]) -> tuple[bool, int | None, bool, bool]:
    """(registered, who holds the NIK, has applications, a new profile was added): the profile is added when the
    user has none and the NIK is free; not added then means a concurrent registration took the NIK meanwhile."""
    if dialect_name(session) == "postgresql":
        registered, nik_owner, applied, added_id = (await run(session, _BEFORE_AND_NEW, new)).rows[0]
        return bool(registered), nik_owner, bool(applied), added_id is not None
    registered, nik_owner, applied = (await run(session, _BEFORE_SAVING, new)).rows[0]
    added = not registered and nik_owner is None and bool((await run(session, _NEW_PROFILE, new)).rows)
    return bool(registered), nik_owner, bool(applied), added


async def save_profile(
    session: AsyncSession, user_id: int, fields: ProfileFields, cipher: NikCipher, now: datetime
) -> None:
    """Create or update the user's profile; raises NikAlreadyRegistered if the NIK belongs to someone else.
    A new profile records the consent as an opt-in with the wording's version (an earlier /stop stands).
    A new profile is written by prepared statements, not the ORM: every registration ends here (bench/dialog.py)."""
    values: dict[str, Any] = {
        answer.column: _as_is(getattr(fields, answer.column))
        for answer in PROFILE_ANSWERS if answer.column not in ("nik_encrypted", "consented_at")
    }
    values |= {"nik_encrypted": cipher.encrypt(fields.nik), "nik_hash": cipher.lookup_hash(fields.nik),
               "updated_at": now}
    registered, nik_owner, applied, added = await _check_and_add(session, values | {
        "user_id": user_id, "consent_version": CONSENT_VERSION, "consented_at": fields.consented_at,
        "registered_at": now})
    if nik_owner is not None and nik_owner != user_id:
        raise NikAlreadyRegistered
    if not registered:
        if not added:  # a concurrent registration won the race for this NIK
            raise NikAlreadyRegistered
        user = await session.get(User, user_id)  # the session holds them already when they are registering
        channel = user.channel if user is not None else ""
        await agree(session, user_id, channel, OptInSource.CONSENT, CONSENT_VERSION, now=fields.consented_at,
                    resumes=False)
    else:
        profile = await get_profile(session, user_id)
        assert profile is not None, "read in this transaction, under the user's lock"
        try:
            async with session.begin_nested():
                for name, value in values.items():
                    setattr(profile, name, value)
        except IntegrityError as error:  # a concurrent registration won the race for this NIK
            raise NikAlreadyRegistered from error
    if applied:
        await refresh_report_facts(session, FactScope.USERS, [user_id])  # their kecamatan, gender, ... as now
