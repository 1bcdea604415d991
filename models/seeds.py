"""Demo data for a fresh installation (`python -m bot seed-demo`), loaded once and never twice.

Each seed is recorded in `seed_runs` by name, so `make run` can call the command every time. The demo
people are fictional residents of Tabalong with valid-looking NIKs (regency code 63.09); the catalog of
trainings and apprenticeships is in `models.demo_catalog`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.conversations import Conversation
from models.crypto import NikCipher
from models.demo_catalog import seed_demo_catalog
from models.profiles import ProfileFields, save_profile
from models.users import Role, User

DEMO_SEED = "demo-2026-11"
DEMO_CATALOG_SEED = "demo-catalog-2026-11"


class SeedRun(Base):
    __tablename__ = "seed_runs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    applied_at: Mapped[datetime]


DEMO_JOB_SEEKERS = (
    ("demo-siti", "Siti Rahmawati", "6309014508990001", date(1999, 8, 5), "female", "+6281251000001",
     "tanjung", "smk", ["sewing", "entrepreneurship"], "looking"),
    ("demo-rudi", "Rudi Hartono", "6309061203970002", date(1997, 3, 12), "male", "+6281251000002",
     "murung-pudak", "sma", ["welding", "heavy_equipment"], "looking"),
    ("demo-nur", "Nurul Aini", "6309105706010003", date(2001, 6, 17), "female", "+6281251000003",
     "kelua", "d3", ["computing"], "studying"),
    ("demo-agus", "Agus Salim", "6309020101950004", date(1995, 1, 1), "male", "+6281251000004",
     "haruai", "smp", ["automotive"], "business"),
)


DEMO_OFFICE_SEED = "demo-office-roles"
DEMO_OFFICE_PEOPLE = (("kepala", Role.VIEWER), ("admin", Role.ADMIN))
"""Besides `staf`: one viewer (a head of office reading the figures) and one admin, to try every role."""


async def seed_demo(session: AsyncSession, cipher: NikCipher, now: datetime, today: date) -> bool:
    """Load the demo data unless it was loaded before; True when it was loaded now."""
    loaded = await _seed_office_people(session, now)
    if await session.get(SeedRun, DEMO_CATALOG_SEED) is None:
        await seed_demo_catalog(session, now, today)
        session.add(SeedRun(name=DEMO_CATALOG_SEED, applied_at=now))
        loaded = True
    if await session.get(SeedRun, DEMO_SEED) is not None:
        return loaded
    if not await _user_exists(session, "staf"):
        session.add(
            User(channel="console", external_id="staf", locale="id", role=Role.STAFF, created_at=now,
                 last_seen_at=now, conversation=Conversation(updated_at=now))
        )
    for external_id, name, nik, born, gender, phone, kecamatan, education, interests, status in DEMO_JOB_SEEKERS:
        if await _user_exists(session, external_id):
            continue
        user = User(channel="console", external_id=external_id, locale="id", created_at=now, last_seen_at=now,
                    conversation=Conversation(updated_at=now))
        session.add(user)
        await session.flush()
        fields = ProfileFields(
            full_name=name, nik=nik, birth_date=born, gender=gender, phone_e164=phone, kecamatan=kecamatan,
            education=education, interests=interests, other_interests=[], disability="none",
            current_status=status, consented_at=now,
        )
        await save_profile(session, user.id, fields, cipher, now)
    session.add(SeedRun(name=DEMO_SEED, applied_at=now))
    return True


async def _seed_office_people(session: AsyncSession, now: datetime) -> bool:
    if await session.get(SeedRun, DEMO_OFFICE_SEED) is not None:
        return False
    for external_id, role in DEMO_OFFICE_PEOPLE:
        if not await _user_exists(session, external_id):
            session.add(User(channel="console", external_id=external_id, locale="id", role=role, created_at=now,
                             last_seen_at=now, conversation=Conversation(updated_at=now)))
    session.add(SeedRun(name=DEMO_OFFICE_SEED, applied_at=now))
    return True


async def _user_exists(session: AsyncSession, external_id: str) -> bool:
    found = await session.scalar(
        select(User.id).where(User.channel == "console", User.external_id == external_id)
    )
    return found is not None
