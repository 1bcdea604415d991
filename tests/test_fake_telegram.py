"""Tests of the fake Telegram Bot API server and its spec validator.

Every later Telegram test trusts this fake to accept exactly what Telegram accepts and to misbehave on cue,
so both the strictness (one test per rule) and the realism (real aiogram against it) are pinned down here.
"""

from __future__ import annotations

import asyncio
import html
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_spec import load_spec, validate_call

TOKEN = "123456:TEST-token"
KEYBOARD = InlineKeyboardMarkup(inline_keyboard=[[
    InlineKeyboardButton(text="Daftar", callback_data="menu:register"),
    InlineKeyboardButton(text="Situs", url="https://example.com"),
]])


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    client = Bot(TOKEN, session=tg.session(timeout=2))
    yield client
    await client.session.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def post(http: aiohttp.ClientSession, tg: FakeTelegram, method: str, **kwargs: Any) -> tuple[int, Any]:
    async with http.post(f"{tg.base_url}/bot{tg.token}/{method}", **kwargs) as response:
        return response.status, await response.json(content_type=None)


def button(**fields: Any) -> str:
    return json.dumps({"inline_keyboard": [[{"text": "Tombol", **fields}]]})


# -- real aiogram against the fake ---------------------------------------------------------------------------


async def test_aiogram_calls_are_clean_and_recorded_decoded(tg: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    sent = await bot.send_message(42, "<b>Halo</b> &amp; selamat datang", parse_mode="HTML", reply_markup=KEYBOARD)
    await bot.answer_callback_query("cb-1", text="Tersimpan")
    await bot.set_my_commands([BotCommand(command="start", description="Mulai"),
                               BotCommand(command="bantuan", description="Bantuan")])
    tg.push_update(tg.text_update(42, "/start"))
    updates = await bot.get_updates(timeout=0)

    tg.assert_clean()
    assert me.is_bot and me.id == 123456
    assert sent.text == "Halo & selamat datang"  # Telegram returns the text after entity parsing
    assert sent.reply_markup is not None
    assert sent.reply_markup.model_dump(exclude_none=True) == KEYBOARD.model_dump(exclude_none=True)
    params = tg.sent_messages(chat_id=42)[0]
    assert params["chat_id"] == 42
    assert params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "menu:register"
    assert tg.calls_of("answerCallbackQuery") == [{"callback_query_id": "cb-1", "text": "Tersimpan"}]
    assert [c["command"] for c in tg.calls_of("setMyCommands")[0]["commands"]] == ["start", "bantuan"]
    assert updates[0].message is not None and updates[0].message.text == "/start"


async def test_message_ids_increment_per_chat_and_replies_match_the_spec(tg: FakeTelegram, bot: Bot) -> None:
    ids = [(await bot.send_message(chat, "x")).message_id for chat in (1, 1, 2, 1)]
    assert ids == [1, 2, 1, 3]
    async with aiohttp.ClientSession() as http:
        _, body = await post(http, tg, "sendMessage", data={"chat_id": "1", "text": "hi"})
        _, me = await post(http, tg, "getMe")
        _, info = await post(http, tg, "getWebhookInfo")
    spec = load_spec()
    assert spec.check_object("Message", body["result"]) == []
    assert spec.check_object("User", me["result"]) == []
    assert spec.check_object("WebhookInfo", info["result"]) == []


async def test_send_document_multipart_upload(tg: FakeTelegram, bot: Bot) -> None:
    message = await bot.send_document(7, BufferedInputFile(b"%PDF-1.4 cv", filename="cv.pdf"), caption="CV Budi")
    with pytest.raises(TelegramBadRequest, match="caption: 1025 characters"):
        await bot.send_document(7, BufferedInputFile(b"x", filename="a.txt"), caption="x" * 1025)
    assert message.document is not None and message.document.file_name == "cv.pdf"
    upload = tg.calls_of("sendDocument")[0]["document"]
    assert (upload.filename, upload.data) == ("cv.pdf", b"%PDF-1.4 cv")
    assert len(tg.violations) == 1


async def test_edit_with_identical_content_is_not_modified(tg: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(5, "Menu", reply_markup=KEYBOARD)
    await bot.edit_message_reply_markup(chat_id=5, message_id=sent.message_id, reply_markup=None)
    edited = await bot.edit_message_text("Menu baru", chat_id=5, message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.text == "Menu baru" and edited.reply_markup is None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Menu baru", chat_id=5, message_id=sent.message_id)
    tg.assert_clean()  # a Telegram-level refusal, not a malformed request


async def test_dispatcher_polling_end_to_end(tg: FakeTelegram, bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("Selamat datang!", reply_markup=KEYBOARD)

    polling = asyncio.create_task(dp.start_polling(bot, polling_timeout=1, handle_signals=False,
                                                   close_bot_session=False))
    tg.push_update(tg.text_update(77, "/start"))
    for _ in range(200):
        if tg.sent_messages(77):
            break
        await asyncio.sleep(0.01)
    await dp.stop_polling()
    await polling
    assert tg.sent_messages(77)[0]["text"] == "Selamat datang!"
    assert tg.calls_of("getUpdates")[0]["allowed_updates"] == ["message"]
    tg.assert_clean()


# -- one hand-made bad request per rule -----------------------------------------------------------------------


BAD_REQUESTS: list[tuple[str, str, dict[str, str], str]] = [
    ("missing chat_id", "sendMessage", {"text": "hi"}, "missing required field 'chat_id'"),
    ("unknown field", "sendMessage", {"chat_id": "1", "text": "hi", "colour": "red"}, "unknown field 'colour'"),
    ("text too long", "sendMessage", {"chat_id": "1", "text": "a" * 4097}, "text: 4097 characters"),
    ("empty text", "sendMessage", {"chat_id": "1", "text": "<b> </b>", "parse_mode": "HTML"}, "empty"),
    ("callback_data 65 bytes in 33 chars", "sendMessage",
     {"chat_id": "1", "text": "x", "reply_markup": button(callback_data="é" * 32 + "a")}, "65 bytes"),
    ("button with two actions", "sendMessage",
     {"chat_id": "1", "text": "x", "reply_markup": button(callback_data="a", url="https://x.id")},
     "exactly one of url, callback_data"),
    ("button with no action", "sendMessage", {"chat_id": "1", "text": "x", "reply_markup": button()},
     "got 0"),
    ("mismatched HTML tags", "sendMessage", {"chat_id": "1", "text": "<b>a</i>", "parse_mode": "HTML"},
     'expected "</b>", found "</i>"'),
    ("unclosed HTML tag", "sendMessage", {"chat_id": "1", "text": "<b>a", "parse_mode": "HTML"}, "end tag"),
    ("unsupported HTML tag", "sendMessage", {"chat_id": "1", "text": "a<br>b", "parse_mode": "HTML"},
     'unsupported start tag "br"'),
    ("bare <", "sendMessage", {"chat_id": "1", "text": "umur < 30", "parse_mode": "HTML"}, "bare '<'"),
    ("bare &", "sendMessage", {"chat_id": "1", "text": "Tom & Jerry", "parse_mode": "HTML"}, "bare '&'"),
    ("MarkdownV2 reserved char", "sendMessage", {"chat_id": "1", "text": "Gaji 5.000!", "parse_mode": "MarkdownV2"},
     "character '.' is reserved"),
    ("unknown parse_mode", "sendMessage", {"chat_id": "1", "text": "x", "parse_mode": "html5"},
     "unsupported parse_mode"),
    ("uppercase command", "setMyCommands", {"commands": json.dumps([{"command": "Start", "description": "Mulai"}])},
     "command: 'Start' contains characters"),
    ("command with dash", "setMyCommands", {"commands": json.dumps([{"command": "cari-kerja", "description": "d"}])},
     "contains characters"),
    ("command too long", "setMyCommands", {"commands": json.dumps([{"command": "a" * 33, "description": "d"}])},
     "command: 33 characters, allowed 1-32"),
    ("empty command description", "setMyCommands", {"commands": json.dumps([{"command": "a", "description": ""}])},
     "description: 0 characters, allowed 1-256"),
    ("callback answer too long", "answerCallbackQuery", {"callback_query_id": "1", "text": "x" * 201},
     "201 characters"),
    ("non-integer message_id", "deleteMessage", {"chat_id": "1", "message_id": "abc"}, "expected Integer"),
    ("non-boolean flag", "sendMessage", {"chat_id": "1", "text": "x", "disable_notification": "yes"},
     "expected Boolean"),
    ("reply_markup not JSON", "sendMessage", {"chat_id": "1", "text": "x", "reply_markup": "{oops"}, "expected"),
    ("getUpdates limit out of range", "getUpdates", {"limit": "500"}, "outside the accepted range 1-100"),
    ("edit without target", "editMessageText", {"text": "x"}, "missing required field 'message_id'"),
]


@pytest.mark.parametrize(("method", "data", "expected"), [case[1:] for case in BAD_REQUESTS],
                         ids=[case[0] for case in BAD_REQUESTS])
async def test_bad_request_is_rejected(
    tg: FakeTelegram, http: aiohttp.ClientSession, method: str, data: dict[str, str], expected: str
) -> None:
    status, body = await post(http, tg, method, data=data)
    assert status == 400
    assert body["ok"] is False and body["error_code"] == 400 and body["description"].startswith("Bad Request: ")
    assert any(expected in violation for violation in tg.violations), tg.violations
    assert tg.calls == []
    with pytest.raises(AssertionError, match="violation"):
        tg.assert_clean()


async def test_unknown_method_wrong_token_and_case_insensitive_names(
    tg: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    assert (await post(http, tg, "sendMesage", data={"chat_id": "1"}))[0] == 404
    async with http.get(f"{tg.base_url}/bot999:WRONG/getMe") as response:
        assert response.status == 401
    assert tg.violations == ["unknown method 'sendMesage'", "getMe: wrong bot token in the URL"]
    async with http.get(f"{tg.base_url}/bot{tg.token}/GETME") as response:
        assert response.status == 200
    assert tg.calls[-1][0] == "getMe"


async def test_json_body_and_limits_at_the_edge(tg: FakeTelegram, http: aiohttp.ClientSession) -> None:
    markup = {"inline_keyboard": [[{"text": "OK", "callback_data": "é" * 32}]]}  # 64 bytes exactly
    ok = {"chat_id": -1001234567890, "text": "<i>" + "a" * 4096 + "</i>", "parse_mode": "HTML", "reply_markup": markup}
    assert (await post(http, tg, "sendMessage", json=ok))[0] == 200
    assert (await post(http, tg, "sendMessage", json={"chat_id": True, "text": "x"}))[0] == 400
    assert tg.calls_of("sendMessage")[0]["reply_markup"] == markup
    assert tg.violations == ["sendMessage.chat_id: expected Integer or String, got bool True"]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=50))
def test_escaped_html_round_trips(text: str) -> None:
    violations = validate_call("sendMessage", {"chat_id": "1", "text": "<b>" + html.escape(text) + "</b>!",
                                               "parse_mode": "HTML"})
    assert violations == []


def test_rules_are_derived_from_the_spec_descriptions() -> None:
    spec = load_spec()
    button_rule = spec.types["InlineKeyboardButton"].one_of
    assert button_rule is not None and button_rule.exactly
    assert {"url", "callback_data", "web_app", "pay"} <= set(button_rule.fields)
    assert not {"text", "style", "icon_custom_emoji_id"} & set(button_rule.fields)
    limit = spec.types["InlineKeyboardButton"].fields["callback_data"].limit
    assert limit is not None and (limit.low, limit.high, limit.unit) == (1, 64, "bytes")
    assert spec.types["BotCommandScopeChat"].fields["type"].const == "chat"
    assert spec.methods["editMessageText"].fields["chat_id"].required_unless == ("inline_message_id",)
    assert spec.expand(("ReactionType",)) == ["ReactionTypeEmoji", "ReactionTypeCustomEmoji", "ReactionTypePaid"]


# -- fault injection ----------------------------------------------------------------------------------------


async def test_faults_map_to_aiogram_exceptions(tg: FakeTelegram, bot: Bot, http: aiohttp.ClientSession) -> None:
    tg.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as retry:
        await bot.send_message(1, "x")
    assert retry.value.retry_after == 3
    tg.fail_next("sendMessage", status=403)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(1, "x")
    tg.fail_next(status=500, times=2)  # any method
    for call in (bot.get_me(), bot.send_message(1, "x")):
        with pytest.raises(TelegramServerError):
            await call
    tg.fail_next("getMe", status=429, retry_after=7)
    status, body = await post(http, tg, "getMe")
    assert (status, body) == (429, {"ok": False, "error_code": 429, "parameters": {"retry_after": 7},
                                    "description": "Too Many Requests: retry after 7"})
    await bot.send_message(1, "x")  # faults are used up
    assert len(tg.sent_messages()) == 1 and tg.violations == []
    with pytest.raises(ValueError, match="no such Bot API method"):
        tg.fail_next("sendMesage")


async def test_fault_502_bodies_and_hang(tg: FakeTelegram) -> None:
    tg.fail_next("sendMessage", status=502)
    tg.fail_next("sendMessage", status=502, body="<html><center>502 Bad Gateway</center></html>")
    tg.fail_next("getMe", hang=True)
    async with Bot(TOKEN, session=tg.session(timeout=0.2)) as impatient:
        with pytest.raises(TelegramServerError, match="Bad Gateway"):
            await impatient.send_message(1, "x")
        with pytest.raises(ClientDecodeError):  # nginx's HTML error page, as Telegram really sends
            await impatient.send_message(1, "x")
        started = time.monotonic()
        with pytest.raises(TelegramNetworkError, match="timeout"):
            await impatient.get_me()
        assert time.monotonic() - started < 1
        assert (await impatient.get_me()).is_bot
    assert [method for method, _ in tg.calls] == ["getMe"]


async def test_short_hang_is_a_slow_answer() -> None:
    async with FakeTelegram(token=TOKEN, hang_seconds=0.05) as slow:
        slow.fail_next("getMe", hang=True)
        async with Bot(TOKEN, session=slow.session(timeout=2)) as client:
            assert (await client.get_me()).is_bot


# -- getUpdates semantics -----------------------------------------------------------------------------------


async def test_get_updates_offset_and_limit(tg: FakeTelegram, bot: Bot) -> None:
    pushed = [tg.push_update(tg.text_update(9, f"pesan {i}")) for i in range(5)]
    ids = [u["update_id"] for u in pushed]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates(offset=ids[2])] == ids[2:]  # confirms the first two
    assert [u.update_id for u in await bot.get_updates()] == ids[2:]
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[-1:]
    assert tg.pending_update_count == 1
    assert await bot.get_updates(offset=ids[-1] + 1) == []


async def test_get_updates_timeout_waits_and_wakes_on_push(tg: FakeTelegram, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == []
    assert 0.9 < time.monotonic() - started < 1.8
    asyncio.get_running_loop().call_later(0.1, tg.push_update, tg.callback_update(9, "menu:1"))
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    assert time.monotonic() - started < 1
    assert updates[0].callback_query is not None and updates[0].callback_query.data == "menu:1"


async def test_allowed_updates_filter_and_webhook_conflict(tg: FakeTelegram, bot: Bot) -> None:
    tg.push_update(tg.edited_message_update(3, "ubah"))
    tg.push_update(tg.text_update(3, "halo"))
    assert [u.event_type for u in await bot.get_updates(allowed_updates=["message"])] == ["message"]
    await bot.set_webhook("https://bot.example.id/hook", secret_token="s3cret_TOKEN-1")
    assert tg.webhook is not None and tg.webhook["secret_token"] == "s3cret_TOKEN-1"
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook(drop_pending_updates=True)
    assert tg.webhook is None and tg.pending_update_count == 0


BUILDERS: list[Callable[[FakeTelegram], dict[str, Any]]] = [
    lambda tg: tg.text_update(1, "/start kode", first_name="Siti"),
    lambda tg: tg.callback_update(1, "job:42", message_id=10),
    lambda tg: tg.contact_update(1, "+6281234567890"),
    lambda tg: tg.photo_update(1, caption="KTP"),
    lambda tg: tg.sticker_update(1),
    lambda tg: tg.edited_message_update(1, "typo diperbaiki"),
    lambda tg: tg.group_message_update(1, "halo semua"),
]


@pytest.mark.parametrize("build", BUILDERS, ids=["text", "callback", "contact", "photo", "sticker", "edited",
                                                  "group"])
async def test_update_builders_match_spec_and_aiogram(tg: FakeTelegram,
                                                      build: Callable[[FakeTelegram], dict[str, Any]]) -> None:
    update = tg.push_update(build(tg))
    assert Update.model_validate(update).update_id == update["update_id"]


async def test_push_update_rejects_malformed_updates(tg: FakeTelegram) -> None:
    with pytest.raises(ValueError, match="missing required field 'chat'"):
        tg.push_update({"message": {"message_id": 1, "date": 0, "text": "x"}})


async def test_unimplemented_method_and_stub(tg: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="does not implement getChat"):
        await bot.get_chat(5)
    assert "tg.stub('getChat'" in tg.violations[0]
    with pytest.raises(ValueError, match="missing required field 'accent_color_id'"):
        tg.stub("getChat", {"id": 5, "type": "private"})
    gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
                           "gifts_from_channels"), False)
    tg.stub("getChat", lambda params: {"id": params["chat_id"], "type": "private", "accent_color_id": 0,
                                       "max_reaction_count": 11, "accepted_gift_types": gifts})
    assert (await bot.get_chat(5)).id == 5
    assert len(tg.violations) == 1


# -- flood control ------------------------------------------------------------------------------------------


async def test_per_chat_and_global_rate_limits() -> None:
    async with FakeTelegram(token=TOKEN, per_chat_rate=1, clock=lambda: 0.0) as limited, \
            Bot(TOKEN, session=limited.session(timeout=2)) as client:
        await client.send_message(1, "a")
        with pytest.raises(TelegramRetryAfter) as retry:
            await client.send_message(1, "b")
        assert retry.value.retry_after == 1
        await client.send_message(2, "c")  # other chats have their own bucket
        await client.send_chat_action(1, "typing")  # not a message
        assert limited.rate_limited == 1 and len(limited.sent_messages()) == 2
    async with FakeTelegram(token=TOKEN, global_rate=3, clock=lambda: 0.0) as limited, \
            Bot(TOKEN, session=limited.session(timeout=2)) as client:
        for chat in range(3):
            await client.send_message(chat + 1, "x")
        with pytest.raises(TelegramRetryAfter):
            await client.send_message(9, "x")
        assert limited.rate_limited == 1
