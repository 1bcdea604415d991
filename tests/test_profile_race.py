"""Two people registering the same NIK at the same moment: one profile is made, the other is told the NIK has
just been taken (`NikAlreadyRegistered`), and nothing of theirs is half written."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from sqlalchemy import func, select

from bot.engine.runtime import Runtime
from models.opt_ins import OptIn
from models.profiles import JobSeekerProfile, NikAlreadyRegistered
from tests.conftest import Clock
from tests.people import NUR, SITI, Person, job_seeker


async def test_one_nik_registered_twice_at_once_makes_one_profile(runtime: Runtime, clock: Clock) -> None:
    twin = replace(NUR, nik=SITI.nik)

    async def register(person: Person) -> bool:
        try:
            await job_seeker(runtime, clock, person)
        except NikAlreadyRegistered:
            return False
        return True

    assert sorted(await asyncio.gather(register(SITI), register(twin))) == [False, True]
    async with runtime.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(JobSeekerProfile)) == 1
        assert await session.scalar(select(func.count()).select_from(OptIn)) == 1, "only the winner's consent"


async def test_saving_a_profile_again_updates_it_in_place(runtime: Runtime, clock: Clock) -> None:
    first = await job_seeker(runtime, clock, SITI)
    again = await job_seeker(runtime, clock, replace(SITI, name="Siti Aminah", kecamatan="kelua"))
    assert again == first
    async with runtime.session_factory() as session:
        profile = await session.scalar(select(JobSeekerProfile))
        assert profile is not None and (profile.full_name, profile.kecamatan) == ("Siti Aminah", "kelua")
        assert await session.scalar(select(func.count()).select_from(OptIn)) == 1, "consent is recorded once"
