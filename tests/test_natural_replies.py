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


async def test_a_job_seeker_registers_by_typing_the_words_people_use(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    """WhatsApp users type rather than tap: every answer here is typed, as a new user wrote them in the try-out."""
    siti = ChatUser(runtime, channel, "siti")
    steps = [
        ("halo", "language"), ("indonesia", "consent"), ("iya setuju", "full_name"), ("Siti Rahmawati", "nik"),
        ("6309014508990001", "birth_date"), ("05-08-1999", "gender"), ("wanita", "phone"),
        ("081251000001", "kecamatan"),
        ("tanjng", "education"), ("smk", "interests"), ("menjahit", "interests"), ("selesai", "disability"),
        ("tidak", "current_status"), ("mencari kerja", "summary"),
    ]
    for typed, step_after in steps:
        await siti.send(typed)
        assert await siti.step() == step_after, f"after {typed!r}: {siti.text}"
    await siti.send("ya")
    profile = await siti.profile()
    assert profile is not None
    assert (profile.gender, profile.kecamatan, profile.education, profile.disability, profile.current_status) == (
        "female", "tanjung", "smk", "none", "looking"
    )
    assert profile.interests == ["sewing"], "'selesai' finished the list; it is not a skill"


async def test_an_unclear_typed_answer_is_asked_back_and_loses_nothing(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    siti = ChatUser(runtime, channel, "siti")
    for typed in ("/start", "indonesia", "setuju", "Siti Rahmawati", "6309014508990001", "05-08-1999", "1",
                  "081251000001"):
        await siti.send(typed)
    assert await siti.step() == "kecamatan"
    await siti.send("-1")
    assert await siti.step() == "kecamatan"
    assert (await siti.conversation())[2]["draft"].get("kecamatan") is None


async def test_a_greeting_or_thanks_at_a_question_answered_by_choosing_is_welcomed_not_refused(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    rina = ChatUser(runtime, channel, "rina")
    await rina.send("/start")
    await rina.send("halo kak")
    assert rina.received[-2].text == "Halo! Dengan senang hati kami bantu. Silakan jawab pertanyaan di bawah ini." \
        or rina.text.startswith("Halo! Dengan senang hati kami bantu. Silakan jawab pertanyaan di bawah ini.")
    assert await rina.step() == "language"
    for typed in ("indonesia", "setuju", "Rina Wati", "6309015203970002", "12-03-1997", "wanita", "081251000009",
                  "tanjung", "sma"):
        await rina.send(typed)
    assert await rina.step() == "interests"
    await rina.send("makasih")
    assert "Sama-sama!" in rina.received[-2].text + rina.text
    draft = (await rina.conversation())[2]["draft"]
    assert draft.get("other_interests", []) == [], "thanks is not a skill"


async def test_a_staff_screen_that_only_shows_something_never_blocks_another_command(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    async with runtime.session_factory() as session, session.begin():
        await set_role(session, CHANNEL, "petugas", Role.STAFF, locale="id", now=clock())
    staff = ChatUser(runtime, channel, "petugas")
    await staff.send("/staf")
    assert (await staff.conversation())[:2] == ("selection", "kind")
    await staff.send("/siaran")
    assert (await staff.conversation())[0] == "broadcasts"
    await staff.send("/staf")
    assert (await staff.conversation())[0] == "selection"
