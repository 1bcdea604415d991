"""Arriving from a poster: `DAFTAR` or `DAFTAR t12` typed on any channel (wa.me links fill it in), `/start daftar`
or `/start t12` from a t.me link. Someone new registers (then sees the opening), someone registered sees the menu
(or the opening); a wrong code is answered; "daftar" still applies from an opening's details."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.engine.runtime import Runtime
from handlers.arriving import Arrival, read_arrival
from models.catalog import TrainingProgram
from tests.chat import ChatUser, RecordingChannel, answer_profile, register
from tests.conftest import Clock
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.whatsapp_server import FakeWhatsApp
from tests.telegram_chat import ConnectedAdapter
from tests.test_applying import WELDING, open_welding
from tests.test_openings import seed_catalog
from tests.test_opt_ins import history
from tests.test_telegram_adapter import adapter, register_on_telegram, tg, user_of  # noqa: F401
from tests.test_whatsapp_conversation import WhatsAppUser, texts, wa, whatsapp  # noqa: F401

TITLE = "Tata Rias Pengantin"
_names = itertools.count(1)


async def code_of(runtime: Runtime, title: str = TITLE) -> str:
    async with runtime.session_factory() as session:
        found = await session.scalar(select(TrainingProgram.id).where(TrainingProgram.title == title))
        assert found is not None
        return f"t{found}"


@pytest.mark.parametrize(("typed", "code"), [
    ("DAFTAR", None), ("daftar", None), ("Daftar t12", "t12"), (" DAFTAR  T12 ", "T12"), ("daftar\tA3\n", "A3"),
])
def test_the_keyword_is_read_however_it_is_typed(typed: str, code: str | None) -> None:
    assert read_arrival(typed) == Arrival(code)


@pytest.mark.parametrize("typed", ["halo saya mau daftar pelatihan", "daftar pelatihan menjahit", "", "daftarkan",
                                   "mau daftar"])
def test_sentences_are_not_the_keyword(typed: str) -> None:
    assert read_arrival(typed) is None


def test_the_record_writes_the_keyword_one_way() -> None:
    assert Arrival(None).detail == "DAFTAR"
    assert Arrival("T12").detail == "DAFTAR t12"


async def test_someone_new_sending_daftar_registers_then_lands_on_the_menu(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    rina = ChatUser(runtime, channel, "rina")
    await rina.send("DAFTAR")
    assert await rina.step() == "language"
    assert await history(runtime, "rina") == [("first_message", "", False, True), ("keyword", "DAFTAR", False, False)]


async def test_someone_new_sending_daftar_and_a_code_registers_then_sees_the_opening(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    code = await code_of(runtime)
    siti = ChatUser(runtime, channel, "siti")
    await siti.send(f"  Daftar   {code.upper()} ")
    assert await siti.step() == "language", "registration comes first"
    await register(siti)
    assert "Pendaftaran Anda sudah selesai." in siti.text and f"\n\n{TITLE}\n" in siti.text
    assert (await siti.conversation())[:2] == ("openings", "detail")
    assert ("keyword", f"DAFTAR {code}", False, True) in await history(runtime, "siti")


async def test_someone_registered_sending_daftar_sees_the_menu_or_the_opening(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    code = await code_of(runtime)
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    await siti.send("daftar")
    assert siti.text.startswith("Anda sudah terdaftar sebagai pencari kerja.")
    assert siti.text.endswith("Menu utama. Apa yang ingin Anda lakukan?")
    await siti.send(f"DAFTAR {code}")
    assert siti.text.startswith(TITLE)
    assert (await siti.conversation())[:2] == ("openings", "detail")


async def test_a_wrong_code_is_answered_and_the_person_still_lands(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    rina = ChatUser(runtime, channel, "rina")
    replies = await rina.send("DAFTAR x99")
    assert "Tidak ada program dengan kode 'x99'" in replies[0].text
    assert await rina.step() == "language", "someone new registers all the same"
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    await siti.send("daftar t999999")
    assert "Tidak ada program dengan kode 't999999'" in siti.text
    assert await siti.step() == "home"


async def test_daftar_at_an_openings_details_still_applies(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    await open_welding(siti)
    await siti.send("daftar")
    assert siti.text.startswith(f"Kirim pendaftaran Anda untuk {WELDING}?")


async def at_the_first_question(user: ChatUser) -> ChatUser:
    """Someone new who said "halo", chose Indonesian and agreed: registration asks for their name."""
    await user.send("halo")
    await user.tap("Bahasa Indonesia")
    await user.tap("Saya setuju")
    assert await user.step() == "full_name"
    return user


async def test_daftar_in_the_middle_of_registration_carries_on_where_it_was(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    rina = await at_the_first_question(ChatUser(runtime, channel, "rina"))
    await rina.send("DAFTAR")
    assert "Mari lanjutkan dari pertanyaan terakhir." in rina.text
    assert await rina.step() == "full_name", "not taken as her name"


async def test_a_code_sent_in_the_middle_of_registration_is_shown_once_registered(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    """Someone who began with "halo" and then scanned a poster: the opening is not lost, it waits for the end."""
    await seed_catalog(runtime, clock)
    code = await code_of(runtime)
    rina = await at_the_first_question(ChatUser(runtime, channel, "rina"))
    await rina.send(f"DAFTAR {code}")
    assert "setelah pendaftaran Anda selesai, kami akan menampilkan program tersebut" in rina.text
    assert "Mari lanjutkan dari pertanyaan terakhir." in rina.text
    assert await rina.step() == "full_name", "not taken as her name"
    await answer_profile(rina)
    assert "Pendaftaran Anda sudah selesai." in rina.text and f"\n\n{TITLE}\n" in rina.text
    assert (await rina.conversation())[:2] == ("openings", "detail")


async def test_someone_who_stopped_and_sends_daftar_receives_announcements_again(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    await siti.send("BERHENTI")
    replies = await siti.send("DAFTAR")
    assert "Anda akan menerima pengumuman dan pemberitahuan lagi" in replies[0].text
    assert (await siti.user()).stopped_at is None  # type: ignore[union-attr]
    assert (await history(runtime, "siti"))[-1] == ("keyword", "DAFTAR", False, False)


junk = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), max_size=40)
"""One word after the keyword, as a poster's code would be (more words are a sentence, answered as one)."""


@given(after=junk)
async def test_any_daftar_junk_never_fails_and_keeps_the_conversation(
    runtime: Runtime, channel: RecordingChannel, after: str
) -> None:
    """Someone new lands in registration; someone halfway through it stays at their question (a wrong code is
    said to be wrong, a right one waits until registration is done)."""
    new = ChatUser(runtime, channel, f"new{next(_names)}")
    replies = await new.send(f"DAFTAR {after}")
    assert replies and all(reply.text for reply in replies)
    assert await new.step() == "language"
    await new.tap("Bahasa Indonesia")
    assert await new.step() == "consent"
    replies = await new.send(f"DAFTAR {after}")
    assert replies and all(reply.text for reply in replies)
    assert await new.step() == "consent"


async def test_telegram_links_and_typed_keywords_land_alike(
    tg: FakeTelegram, adapter: ConnectedAdapter, clock: Clock  # noqa: F811
) -> None:
    await seed_catalog(adapter.runtime, clock)
    code = await code_of(adapter.runtime)
    user = user_of(tg, adapter)
    await user.send("/start daftar")
    assert [b["text"] for b in user.buttons()][:2] == ["Bahasa Indonesia", "English"]
    assert await history(adapter.runtime, "501", "telegram") == [("first_message", "", False, True),
                                                                 ("start_link", "daftar", False, False)]
    await register_on_telegram(user)
    await user.send(f"Daftar {code}")
    assert user.text.startswith(TITLE)
    other = user_of(tg, adapter, 502)
    await other.send(f"DAFTAR {code}")
    assert [b["text"] for b in other.buttons()][:2] == ["Bahasa Indonesia", "English"]
    tg.assert_clean()


async def test_a_whatsapp_click_to_chat_message_lands_in_registration_then_on_the_opening(
    whatsapp: tuple[Runtime, WhatsAppUser], wa: FakeWhatsApp, clock: Clock  # noqa: F811
) -> None:
    runtime, siti = whatsapp
    await seed_catalog(runtime, clock)
    code = await code_of(runtime)
    await siti.send(f"DAFTAR {code}")  # what https://wa.me/<number>?text=DAFTAR%20t12 fills in
    assert "Bahasa apa yang Anda inginkan?" in siti.text
    for label in ("Bahasa Indonesia", "Saya setuju"):
        await siti.tap(label)
    for text in ("Siti Rahmawati", "6309014508990001", "05-08-1999", "1"):
        await siti.send(text)
    for label in ("Ya, nomor ini", "Tanjung", "SMK", "Menjahit dan tata busana", "Selesai, lanjut",
                  "Bukan penyandang disabilitas", "Sedang mencari kerja"):
        await siti.tap(label)
    siti.new_messages()
    await siti.tap("Benar, simpan")
    shown = texts(siti.new_messages())
    assert "Pendaftaran Anda sudah selesai" in shown and TITLE in shown
    assert await history(runtime, siti.wa_id, "whatsapp") == [
        ("first_message", "", False, True), ("keyword", f"DAFTAR {code}", False, True),
        ("consent", "2026-11-30", False, False)]
    wa.assert_clean()
