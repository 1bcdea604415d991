"""The Telegram adapter against the strict fake Bot API: updates in, keyboards out, every request as Telegram
would accept it (each test ends with `tg.assert_clean()`)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.types import Update
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.channels.rate_limits import SendBudget
from bot.channels.telegram.format import token_digest
from bot.engine.messages import Incoming, IncomingKind, RenderedOption, Reply
from bot.engine.runtime import Runtime
from models.catalog import TrainingProgram
from models.outbox import enqueue
from models.profiles import get_profile
from models.users import Role, User, set_role
from tests.conftest import Clock, RuntimeFactory
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_updates import JsonDict
from tests.telegram_chat import ConnectedAdapter, Feed, TelegramUser, wait_for
from tests.test_opening_import import GOOD
from tests.test_openings import seed_catalog

TOKEN = "123456:TEST-token"
USER_IDS = itertools.count(10_000)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def adapter(tg: FakeTelegram, make_runtime: RuntimeFactory) -> AsyncIterator[ConnectedAdapter]:
    bot = Bot(TOKEN, session=tg.session(timeout=2))
    yield ConnectedAdapter(bot, make_runtime(), SendBudget(bot_rate=1e6, chat_rate=1e6))
    await bot.session.close()


def direct_feed(tg: FakeTelegram, adapter: ConnectedAdapter) -> Feed:
    """Updates go straight to the adapter, as the polling loop hands them over."""

    async def feed(update: JsonDict) -> None:
        assert tg.spec.check_object("Update", update) == []
        await adapter.handle_update(Update.model_validate(update))

    return feed


def user_of(tg: FakeTelegram, adapter: ConnectedAdapter, user_id: int = 501, *, language_code: str = "id"
            ) -> TelegramUser:
    return TelegramUser(tg, user_id, direct_feed(tg, adapter), language_code=language_code)


async def register_on_telegram(user: TelegramUser) -> None:
    await user.send("/start")
    await user.tap("Bahasa Indonesia")
    await user.tap("Saya setuju")
    for answer in ("Siti Rahmawati", "6309014508990001", "05-08-1999", "1"):
        await user.send(answer)
    await user.share_contact("+6281251000001")
    for label in ("Tanjung", "SMK", "Menjahit dan tata busana", "Selesai, lanjut", "Bukan penyandang disabilitas",
                  "Sedang mencari kerja", "Benar, simpan"):
        await user.tap(label)


async def test_a_job_seeker_registers_with_buttons_and_the_contact_button(
    tg: FakeTelegram, adapter: ConnectedAdapter
) -> None:
    user = user_of(tg, adapter)
    await user.send("/start")
    assert [b["text"] for b in user.buttons()][:2] == ["Bahasa Indonesia", "English"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in user.buttons())
    await register_on_telegram(user)

    phone_question = next(p for p in tg.sent_messages(501) if "keyboard" in p.get("reply_markup", {}))
    contact_button = phone_question["reply_markup"]["keyboard"][0][0]
    assert contact_button == {"text": "Kirim nomor HP saya", "request_contact": True}
    async with adapter.runtime.session_factory() as session:
        owner = await session.scalar(select(User).where(User.external_id == "501"))
        assert owner is not None and owner.channel == "telegram"
        profile = await get_profile(session, owner.id)
    assert profile is not None and profile.phone_e164 == "+6281251000001"
    assert len(tg.calls_of("answerCallbackQuery")) == 9, "every button press answered"
    tg.assert_clean()


async def test_a_typed_phone_number_is_still_accepted(tg: FakeTelegram, adapter: ConnectedAdapter) -> None:
    user = user_of(tg, adapter)
    await user.send("/start")
    await user.tap("Bahasa Indonesia")
    await user.tap("Saya setuju")
    for answer in ("Siti Rahmawati", "6309014508990001", "05-08-1999", "1", "0812 5100 0001"):
        await user.send(answer)
    assert "kecamatan" in user.text.lower()
    tg.assert_clean()


async def test_turning_a_page_edits_the_list_in_place(
    tg: FakeTelegram, adapter: ConnectedAdapter, clock: Clock
) -> None:
    await seed_catalog(adapter.runtime, clock)
    user = user_of(tg, adapter)
    await user.send("/start")
    await user.send("menu")
    await user.tap("Pelatihan yang dibuka")
    listing = user.last
    assert listing["text"].startswith("Pelatihan yang membuka pendaftaran (halaman 1 dari 2):")
    sent_before = len(tg.sent_messages(501))

    await user.tap("Halaman berikutnya")
    assert len(tg.sent_messages(501)) == sent_before, "no new message for a page turn"
    assert user.last["message_id"] == listing["message_id"]
    assert user.text.startswith("Pelatihan yang membuka pendaftaran (halaman 2 dari 2):")
    await user.tap("Halaman sebelumnya")
    assert user.text.startswith("Pelatihan yang membuka pendaftaran (halaman 1 dari 2):")
    assert len(tg.calls_of("editMessageText")) == 2
    tg.assert_clean()


async def test_a_stale_button_is_answered_and_explained(tg: FakeTelegram, adapter: ConnectedAdapter) -> None:
    user = user_of(tg, adapter)
    await user.send("/start")
    language_question = user.last
    await user.tap("Bahasa Indonesia")
    stale = user.buttons(language_question)[1]["callback_data"]
    await user.feed(tg.callback_update(501, stale, message_id=language_question["message_id"]))
    assert "sudah tidak berlaku" in user.text
    assert len(tg.calls_of("answerCallbackQuery")) == 2
    tg.assert_clean()


async def test_stickers_and_photos_get_a_polite_answer_groups_and_edits_are_ignored(
    tg: FakeTelegram, adapter: ConnectedAdapter
) -> None:
    user = user_of(tg, adapter)
    await user.send("/start")
    await user.feed(tg.sticker_update(501))
    assert "hanya dapat membaca" in tg.sent_messages(501)[-1]["text"]
    tg.add_file("AgAD-photo-501-800", "photo.jpg", b"\xff\xd8\xff\xe0")  # fetched: a question may take photos
    await user.feed(tg.photo_update(501, caption="KTP saya"))
    assert "hanya dapat membaca" in tg.sent_messages(501)[-1]["text"], "where no step takes files"
    before = len(tg.calls)
    await user.feed(tg.group_message_update(501, "/start"))
    await user.feed(tg.edited_message_update(501, "halo"))
    assert tg.calls[before:] == []
    tg.assert_clean()


async def test_a_redelivered_update_is_handled_once(tg: FakeTelegram, adapter: ConnectedAdapter) -> None:
    update = tg.text_update(501, "/start")
    for _ in range(3):
        await adapter.handle_update(Update.model_validate(update))
    assert len(tg.sent_messages(501)) == 1
    tg.assert_clean()


async def test_a_deep_link_opens_the_opening_after_registration(
    tg: FakeTelegram, adapter: ConnectedAdapter, clock: Clock
) -> None:
    await seed_catalog(adapter.runtime, clock)
    async with adapter.runtime.session_factory() as session:
        opening = await session.scalar(select(TrainingProgram).where(TrainingProgram.title == "Tata Rias Pengantin"))
        assert opening is not None
    user = user_of(tg, adapter)
    await user.send(f"/start t{opening.id}")
    assert [b["text"] for b in user.buttons()][:2] == ["Bahasa Indonesia", "English"], "registration comes first"
    await register_on_telegram(user)
    assert "Pendaftaran Anda sudah selesai.\n\nTata Rias Pengantin\n" in user.text

    await user.send("/menu")
    await user.send(f"/start t{opening.id}")
    assert user.text.startswith("Tata Rias Pengantin"), "a registered user goes straight there"
    await user.tap("Kembali")
    assert user.text.startswith("Pelatihan yang membuka pendaftaran"), "Back leads to the list"
    await user.send("/menu")
    await user.send("/start t999999")
    assert user.text.startswith("Program itu sudah tidak menerima pendaftaran."), "an old link says so"
    tg.assert_clean()


async def test_the_command_menu_exists_in_indonesian_and_english(tg: FakeTelegram, adapter: ConnectedAdapter) -> None:
    await adapter.set_commands()
    by_language = {key: [c["command"] for c in commands] for key, commands in tg.replies.commands.items()}
    assert sorted(by_language.values()) == sorted([
        ["start", "menu", "bantuan", "batal", "bahasa", "profil"],
        ["start", "menu", "bantuan", "batal", "bahasa", "profil"],
        ["start", "menu", "help", "cancel", "language", "profile"],
    ])
    english = next(commands for key, commands in tg.replies.commands.items() if '"en"' in key)
    assert english[3] == {"command": "cancel", "description": "Cancel what you are doing"}
    tg.assert_clean()


async def test_a_button_whose_token_is_too_long_still_works(adapter: ConnectedAdapter) -> None:
    token = "7|" + "o" * 200
    reply = Reply("Pilih:", options=(RenderedOption(token, "Satu"),))
    runtime: Runtime = adapter.runtime
    async with runtime.session_factory() as session, session.begin():
        await enqueue(session, channel="telegram", address="501", user_id=None, payloads=[reply.to_json()],
                      now=runtime.clock())
    pressed = Incoming(channel="telegram", external_id="501", kind=IncomingKind.OPTION, option=token_digest(token))
    assert (await adapter._resolve_digest(pressed)).option == token
    unknown = Incoming(channel="telegram", external_id="501", kind=IncomingKind.OPTION, option=token_digest("x"))
    assert (await adapter._resolve_digest(unknown)).option == token_digest("x")


async def test_polling_rides_out_telegram_failures_and_stops_on_request(
    tg: FakeTelegram, adapter: ConnectedAdapter
) -> None:
    await adapter.bot.set_webhook("https://old.example.id/hook")
    tg.fail_next("deleteWebhook", status=502)
    tg.fail_next("getUpdates", status=500)
    tg.fail_next("getUpdates", status=429, retry_after=1)
    tg.push_update(tg.text_update(501, "/start"))
    stop = asyncio.Event()
    polling = asyncio.create_task(adapter.poll(stop, backoff=0.01))
    await wait_for(lambda: tg.sent_messages(501), what="the reply despite the failures")
    assert tg.webhook is None, "polling removes a webhook left from before"
    stop.set()
    await asyncio.wait_for(polling, 5)  # a long poll in progress does not delay the stop
    assert len(tg.sent_messages(501)) == 1
    tg.assert_clean()


@given(text=st.text(min_size=1, max_size=1200))
async def test_whatever_a_user_types_the_answer_is_a_valid_telegram_message(
    tg: FakeTelegram, adapter: ConnectedAdapter, text: str
) -> None:
    user_id = next(USER_IDS)
    await adapter.handle_update(Update.model_validate(tg.text_update(user_id, "/start")))
    before = len(tg.sent_messages(user_id))
    for typed in (text, "/" + text):
        await adapter.handle_update(Update.model_validate(tg.text_update(user_id, typed)))
    assert len(tg.sent_messages(user_id)) >= before + 2
    tg.assert_clean()


async def test_staff_import_openings_by_sending_the_spreadsheet(
    tg: FakeTelegram, adapter: ConnectedAdapter, clock: Clock
) -> None:
    async with adapter.runtime.session_factory() as session, session.begin():
        await set_role(session, "telegram", "501", Role.STAFF, locale="id", now=clock())
    user = user_of(tg, adapter)
    await user.send("/staf")
    await user.tap("Impor program dari Excel/CSV")
    tg.add_file("BQAD-sheet", "lowongan.csv", GOOD.encode())
    await user.feed(tg.document_update(501, "BQAD-sheet", "lowongan.csv", len(GOOD.encode())))
    assert "Impor 2 pelatihan dan 1 pemagangan?" in tg.sent_messages(501)[-1]["text"]
    await user.tap("Ya, impor")
    assert tg.sent_messages(501)[-1]["text"].startswith("3 program berhasil diimpor.")
    await user.send("/staf")
    await user.tap("Impor program dari Excel/CSV")
    await user.feed(tg.document_update(501, "BQAD-huge", "besar.xlsx", 50 * 1024 * 1024))
    assert "terlalu besar" in tg.sent_messages(501)[-1]["text"], "not downloaded, but explained"
    await user.feed(tg.document_update(501, "BQAD-gone", "hilang.csv", 10))
    assert "hanya dapat membaca" in tg.sent_messages(501)[-1]["text"], "a failed download is answered politely"
    tg.assert_clean()
