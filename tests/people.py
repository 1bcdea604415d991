"""Job seekers and applicants made straight in the database, for the dashboard's tests: registering each one
through the chat would take fifteen messages a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.engine.runtime import Runtime
from models.applications import OpeningKind, OpeningRef, submit_application
from models.profiles import ProfileFields, save_profile
from models.users import load_or_create_user
from tests.alumni import add_program
from tests.chat import CHANNEL
from tests.conftest import Clock


@dataclass(frozen=True)
class Person:
    external_id: str
    name: str
    nik: str
    phone: str
    locale: str = "id"
    kecamatan: str = "tanjung"
    education: str = "smk"
    interests: tuple[str, ...] = ("sewing",)
    gender: str = "female"
    current_status: str = "looking"


SITI = Person("siti", "Siti Rahmawati", "6309014508990001", "+6281251000001")
NUR = Person("nur", "NURUL AINI", "6309015203970002", "+6281251000009", locale="en", kecamatan="kelua",
             education="sma", interests=("cooking",))
BUDI = Person("budi", "Budi Santoso", "6309010101950003", "+6281351000077", kecamatan="haruai", education="sd",
              interests=("welding",), gender="male", current_status="working")


async def job_seeker(runtime: Runtime, clock: Clock, person: Person, *, channel: str = CHANNEL) -> int:
    """A registered job seeker (the user and their profile) on `channel`; returns the user's id."""
    async with runtime.session_factory() as session, session.begin():
        user, _created = await load_or_create_user(session, channel, person.external_id, locale=person.locale,
                                                   now=clock())
        fields = ProfileFields(
            full_name=person.name, nik=person.nik, birth_date=date(1999, 8, 5), gender=person.gender,
            phone_e164=person.phone, kecamatan=person.kecamatan, education=person.education,
            interests=list(person.interests), other_interests=[], disability="none",
            current_status=person.current_status, consented_at=clock())
        await save_profile(session, user.id, fields, runtime.services.cipher, clock())
        return user.id


async def opening_with_applicants(runtime: Runtime, clock: Clock, *people: Person,
                                  title: str = "Menjahit Pakaian") -> tuple[OpeningRef, list[int]]:
    """A training (September to October 2026, so every move is open) and one application of each person, in
    order; returns the opening and the applications' ids."""
    ref = OpeningRef(OpeningKind.TRAINING, await add_program(runtime, clock, title=title))
    ids = []
    for person in people:
        user_id = await job_seeker(runtime, clock, person)
        async with runtime.session_factory() as session, session.begin():
            ids.append((await submit_application(session, user_id=user_id, opening=ref, now=clock())).id)
        clock.advance(minutes=1)
    return ref, ids
