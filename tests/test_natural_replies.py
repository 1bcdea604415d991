"""Words people type instead of tapping: greetings and thanks at the menu, commands from a screen that only shows
something, and staff who are not asked to register as job seekers."""

from __future__ import annotations

import pytest

from bot.engine.runtime import Runtime
from handlers.small_talk import reply_to_small_talk
from models.users import Role, set_role
from tests.chat import CHANNEL, ChatUser, RecordingChannel, register
from tests.conftest import Clock
from tests.test_applying import open_welding
from tests.test_openings import seed_catalog


@pytest.mark.parametrize("typed", ["halo", "Halo kak", "selamat pagi", "Assalamualaikum", "hi there"])
def test_greetings_are_recognised(typed: str) -> None:
    assert reply_to_small_talk(typed) is not None
    assert reply_to_small_talk(typed) != reply_to_small_talk("terima kasih")


@pytest.mark.parametrize("typed", ["halo saya mau daftar pelatihan", "pagi ini saya sakit", "1", "", "kasih tahu"])
def test_anything_more_than_a_greeting_is_an_answer(typed: str) -> None:
    assert reply_to_small_talk(typed) is None


async def test_greetings_and_thanks_at_the_menu_get_a_kind_word(runtime: Runtime, channel: RecordingChannel) -> None:
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    await siti.send("menu")
    await siti.send("halo")
    assert siti.text.startswith("Halo! Dengan senang hati kami bantu.")
    assert siti.text.endswith("Menu utama. Apa yang ingin Anda lakukan?")
    assert await siti.step() == "home"
    await siti.send("makasih ya kak")
    assert siti.text.startswith("Sama-sama!")
    assert await siti.step() == "home"


async def test_a_greeting_is_the_start_of_registration_for_someone_new(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    rina = ChatUser(runtime, channel, "rina")
    await rina.send("Selamat siang")
    assert "menu di bawah" not in rina.text, "no menu is below: registration welcomes them"
    assert await rina.step() == "language"


async def test_staff_are_not_asked_to_register_as_job_seekers(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    async with runtime.session_factory() as session, session.begin():
        await set_role(session, CHANNEL, "petugas", Role.STAFF, locale="id", now=clock())
    staff = ChatUser(runtime, channel, "petugas")
    await staff.send("/start")
    assert await staff.step() == "home"
    await staff.send("/staf")
    assert (await staff.conversation())[0] == "selection"


async def test_a_command_leaves_a_screen_that_only_shows_something(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    await open_welding(siti)
    assert await siti.step() == "detail"
    await siti.send("/checkin")
    assert "Saat ini tidak ada kabar bulanan yang perlu Anda isi." in siti.text
    await siti.send("/lihat t1")
    assert (await siti.conversation())[:2] == ("openings", "detail")


async def test_a_command_still_waits_while_an_answer_is_being_written(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    await open_welding(siti)
    await siti.tap("Daftar")
    assert await siti.step() == "confirm"
    await siti.send("/checkin")
    assert "selesaikan atau batalkan" in siti.text.casefold()
    assert await siti.step() == "confirm"
