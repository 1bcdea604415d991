"""Alerts for new openings: who is told, once, in one message; opening an alert; turning alerts off and on."""

from __future__ import annotations

import asyncio
import itertools
from datetime import date, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.engine.messages import Purpose
from bot.engine.runtime import Runtime
from jobs.opening_alerts import announce_new_openings
from jobs.retry_sending import retry_sending
from models.catalog import OpeningStatus, ProviderKind, TrainingProgram, add_provider, set_opening_status
from models.eligibility import age_on, born_on_or_before
from models.users import User
from tests.chat import CHANNEL, ChatUser, RecordingChannel, register
from tests.conftest import Clock
from tests.test_properties import odd_text


async def publish(runtime: Runtime, clock: Clock, title: str, **terms: Any) -> int:
    """A training staff have just opened; by default for sewing, regency-wide, for anyone."""
    today = clock().date()
    async with runtime.session_factory() as session, session.begin():
        provider = await add_provider(session, name="UPT BLK Tabalong", kind=ProviderKind.BLK)
        program = TrainingProgram(
            title=title, category="non_competency", provider_id=provider.id, start_date=today + timedelta(days=20),
            end_date=today + timedelta(days=40), registration_deadline=today + timedelta(days=10), quota=10,
            interests=terms.pop("interests", ["sewing"]), created_at=clock(), **terms,
        )
        session.add(program)
        await session.flush()
        set_opening_status(program, OpeningStatus.OPEN, clock())
        return program.id


async def run_alerts(runtime: Runtime) -> int:
    told = await announce_new_openings(runtime)
    await retry_sending(runtime)
    return told


async def siti(runtime: Runtime, channel: RecordingChannel, name: str = "siti") -> ChatUser:
    """Registered: sewing, Tanjung, SMK, born 5 August 1999."""
    user = ChatUser(runtime, channel, name)
    await register(user)
    return user


async def test_a_matching_job_seeker_is_told_once_and_can_open_and_apply(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    user = await siti(runtime, channel)
    program_id = await publish(runtime, clock, "Menjahit Busana Muslim")
    before = len(channel.to("siti"))
    assert await run_alerts(runtime) == 1
    assert await run_alerts(runtime) == 0, "announced once"
    alerts = channel.to("siti")[before:]
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.text.splitlines()[:3] == ["1 program baru sesuai dengan profil Anda:", "",
                                           "Menjahit Busana Muslim"]
    assert f"Rincian: /lihat t{program_id}" in alert.text
    assert alert.purpose == Purpose.OPENING_ALERT
    assert [o.label for o in alert.options] == ["Menjahit Busana Muslim", "Hentikan pemberitahuan ini"]

    await user.tap("Menjahit Busana Muslim", reply=alert)
    assert user.text.startswith("Menjahit Busana Muslim\n")
    await user.tap("Daftar")
    await user.tap("Ya, kirim")
    assert "Pendaftaran Anda untuk Menjahit Busana Muslim sudah terkirim" in user.text


async def test_several_new_openings_come_in_one_message(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await siti(runtime, channel)
    for title in ("Menjahit A", "Menjahit B", "Menjahit C"):
        await publish(runtime, clock, title)
    before = len(channel.to("siti"))
    await run_alerts(runtime)
    alerts = channel.to("siti")[before:]
    assert len(alerts) == 1
    assert alerts[0].text.startswith("3 program baru sesuai dengan profil Anda:")
    assert [o.label for o in alerts[0].options][:3] == ["Menjahit A", "Menjahit B", "Menjahit C"]


async def test_only_people_the_opening_fits_are_told(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await siti(runtime, channel)
    before = len(channel.to("siti"))
    await publish(runtime, clock, "Pengelasan", interests=["welding"])
    await publish(runtime, clock, "Menjahit di Kelua", kecamatan="kelua")
    await publish(runtime, clock, "Menjahit untuk remaja", max_age=20)
    await publish(runtime, clock, "Menjahit lanjutan", min_education="d3")
    await publish(runtime, clock, "Menjahit di Tanjung", kecamatan="tanjung", min_age=18, min_education="sma")
    await run_alerts(runtime)
    alerts = channel.to("siti")[before:]
    assert len(alerts) == 1
    assert alerts[0].text.startswith("1 program baru")
    assert "Menjahit di Tanjung" in alerts[0].text


async def test_openings_published_long_ago_and_drafts_are_not_announced(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await siti(runtime, channel)
    await publish(runtime, clock, "Menjahit lama")
    async with runtime.session_factory() as session, session.begin():
        provider = await add_provider(session, name="LPK", kind=ProviderKind.LPK)
        session.add(TrainingProgram(
            title="Draf", category="community", provider_id=provider.id, start_date=date(2027, 1, 1),
            end_date=date(2027, 2, 1), registration_deadline=date(2026, 12, 20), quota=5, interests=["sewing"],
            created_at=clock(),
        ))
    clock.advance(days=3)  # the bot was down
    assert await run_alerts(runtime) == 0


async def test_alerts_can_be_turned_off_from_the_alert_and_back_on(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    user = await siti(runtime, channel)
    await publish(runtime, clock, "Menjahit A")
    await run_alerts(runtime)
    await user.tap("Hentikan pemberitahuan ini", reply=channel.to("siti")[-1])
    assert user.text.startswith("Pemberitahuan program baru dinonaktifkan. Ketik /notifikasi on")
    assert "\n\nMenu utama" in user.text, "back where they were"
    await publish(runtime, clock, "Menjahit B")
    assert await run_alerts(runtime) == 0

    await user.send("/notifikasi")
    assert user.received[-2].text == "Pemberitahuan program baru nonaktif."
    await user.tap("Aktifkan", reply=user.received[-2])
    await publish(runtime, clock, "Menjahit C")
    assert await run_alerts(runtime) == 1


async def test_unreachable_people_are_not_told(runtime: Runtime, channel: RecordingChannel, clock: Clock) -> None:
    await siti(runtime, channel)
    async with runtime.session_factory() as session, session.begin():
        user = await session.scalar(select(User).where(User.channel == CHANNEL, User.external_id == "siti"))
        assert user is not None
        user.unreachable_since = clock()
    await publish(runtime, clock, "Menjahit A")
    assert await run_alerts(runtime) == 0


async def test_two_workers_announce_each_opening_once(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    for name in ("siti", "sari"):
        await register(ChatUser(runtime, channel, name), nik="630901450899000" + ("1" if name == "siti" else "2"))
    await publish(runtime, clock, "Menjahit A")
    await publish(runtime, clock, "Menjahit B")
    told = await asyncio.gather(run_alerts(runtime), run_alerts(runtime))
    assert sum(told) == 2
    assert [r.text.startswith("2 program baru") for r in channel.to("siti")].count(True) == 1


async def test_an_unknown_opening_code_is_explained(runtime: Runtime, channel: RecordingChannel) -> None:
    user = ChatUser(runtime, channel, "ani")
    await user.send("/start")
    await user.send("menu")
    for code in ("t999", "x1", "", "t1x"):
        await user.send(f"/lihat {code}".strip())
        assert user.text.startswith("Tidak ada program dengan kode")
        assert "\n\nMenu utama" in user.text


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 31)),
       st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)), st.integers(0, 80))
def test_the_sql_age_rule_agrees_with_age_on(birth: date, day: date, years: int) -> None:
    assert (birth <= born_on_or_before(day, years)) == (age_on(birth, day) >= years)


_example = itertools.count()


@given(command=st.sampled_from(["/lihat", "/notifikasi"]), argument=odd_text)
async def test_any_argument_is_answered_and_the_open_question_kept(
    runtime: Runtime, channel: RecordingChannel, command: str, argument: str
) -> None:
    user = ChatUser(runtime, channel, f"u{next(_example)}")
    await user.send("/start")
    await user.tap("Bahasa Indonesia")
    before = await user.conversation()
    replies = await user.send(f"{command} {argument}")
    assert replies, "always an answer"
    flow, step, _data = await user.conversation()
    assert (flow, step) == before[:2], "still at the same question"
