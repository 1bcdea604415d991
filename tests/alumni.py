"""Alumni for follow-up tests: a user who completed a training on a given day, with their check-ins scheduled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.engine.runtime import Runtime
from models.applications import (
    ApplicationStatus,
    OpeningKind,
    OpeningRef,
    submit_application,
)
from models.catalog import ProviderKind, TrainingCategory, TrainingProgram, add_provider
from models.follow_ups import schedule_follow_ups
from models.opt_ins import OptInSource, agree
from models.profiles import CONSENT_VERSION
from models.selection_rules import Mover, change_status, mark_completed
from models.users import load_or_create_user
from tests.chat import CHANNEL
from tests.conftest import Clock


@dataclass(frozen=True)
class Alumnus:
    user_id: int
    completion_id: int
    program_id: int


async def add_program(runtime: Runtime, clock: Clock, *, title: str = "Menjahit Pakaian", equipment_aid: bool = False,
                      plan: dict[str, Any] | None = None, category: str = TrainingCategory.NON_COMPETENCY,
                      start: date = date(2026, 9, 1), end: date = date(2026, 10, 31)) -> int:
    async with runtime.session_factory() as session, session.begin():
        blk = await add_provider(session, name="UPT BLK Tabalong", kind=ProviderKind.BLK, kecamatan="murung-pudak")
        program = TrainingProgram(
            title=title, category=category, provider_id=blk.id, start_date=start, end_date=end,
            registration_deadline=start, quota=16, created_at=clock(), equipment_aid=equipment_aid,
            follow_up_plan=plan or {},
        )
        session.add(program)
        await session.flush()
        return program.id


async def make_alumnus(runtime: Runtime, clock: Clock, external_id: str, *, completed_on: date,
                       program_id: int | None = None, locale: str = "en", channel: str = CHANNEL,
                       consented: bool = True, **program: Any) -> Alumnus:
    """Apply, be accepted, take part and complete, as staff would record it; the check-ins get scheduled. The
    alumnus agreed at registration (their profile itself is left out) unless `consented` is False."""
    if program_id is None:
        program_id = await add_program(runtime, clock, **program)
    async with runtime.session_factory() as session, session.begin():
        user, _created = await load_or_create_user(session, channel, external_id, locale=locale, now=clock())
        if consented:
            await agree(session, user.id, channel, OptInSource.CONSENT, CONSENT_VERSION, now=clock())
        application = await submit_application(
            session, user_id=user.id, opening=OpeningRef(OpeningKind.TRAINING, program_id), now=clock())
        for status in (ApplicationStatus.ACCEPTED, ApplicationStatus.ENROLLED):
            await change_status(session, application, status, by=Mover.STAFF, now=clock())
        completion = await mark_completed(session, application, completed_on=completed_on, now=clock(),
                                          changed_by=None)
        await schedule_follow_ups(session, completion, runtime.services.office.timezone, clock())
        return Alumnus(user.id, completion.id, program_id)
