"""Whatever a client sends back through either webhook, nothing raises and the conversation stays where it was.

Button and list ids, "more" rows, opening codes and deep links are typed by whoever holds a client: a 20-digit
id, a 5,000-digit one, a negative one, Arabic-Indic digits. Each is parsed in one place (`parse_id`,
`is_option_token`); a button the bot could not have made gets "that button is no longer valid" and the question
again. Driven through the real webhooks (signed, so they pass the door), the real dispatcher and the fake
platform APIs; the runtime raises instead of apologising, and an error logged by the Telegram adapter (which
keeps the webhook answering) fails the test too.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from aiogram import Bot
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.channels.rate_limits import SendBudget
from bot.channels.telegram.connect import webhook_router
from bot.channels.whatsapp.render import MORE_PREFIX, more_row_id
from bot.channels.whatsapp.webhook import WEBHOOK_PATH
from bot.engine.messages import MAX_ID, is_option_token, parse_id
from bot.engine.runtime import Runtime
from models.users import User
from tests.conftest import RuntimeFactory
from tests.fakes import whatsapp_webhooks as hooks
from tests.fakes.telegram_server import FakeTelegram
from tests.telegram_chat import ConnectedAdapter, TelegramUser
from tests.test_telegram_adapter import TOKEN
from tests.test_whatsapp_conversation import WA_ID, WhatsAppUser, texts, wa, whatsapp  # noqa: F401 (fixtures)

STALE = "sudah tidak berlaku"
TELEGRAM_SECRET = "hostile-secret"
TELEGRAM_PATH = "/telegram/webhook"
TELEGRAM_USER = 777

CRAFTED_NUMBERS = ["9" * 20, "1" * 5000, "-1", "-0", "+5", "0x1f", "1e9", "٦٣٠٩", "１２", "²", "12 ", " 12",
                   str(MAX_ID + 1), "0" * 11, "\x00", "", "NaN"]
crafted_ids = st.one_of(
    st.sampled_from(CRAFTED_NUMBERS).flatmap(lambda n: st.sampled_from(
        [n, f"o{n}", f"a{n}", f"b{n}", f"{n}|o1", f"1|o{n}", f"{n}|{n}", f"{MORE_PREFIX}{n}:x", f"/lihat t{n}"])),
    st.text(min_size=1, max_size=300),
    st.from_regex(r"[0-9]{1,30}\|[a-z]{1,3}[0-9]{0,30}", fullmatch=True),
)


# ---- the one place ids are parsed -----------------------------------------------------------------------


def test_only_short_ascii_numbers_in_range_are_ids() -> None:
    assert parse_id("12") == 12
    assert parse_id(str(MAX_ID)) == MAX_ID
    for text in CRAFTED_NUMBERS:
        assert parse_id(text) is None, text


def test_a_token_the_bot_could_not_have_made_is_no_option() -> None:
    assert is_option_token("12|o10")
    assert is_option_token(more_row_id(2, "12|o19"))
    for token in ("1|o" + "9" * 20, "o" + "1" * 5000, "o٦", "x" * 201, "a\nb", ""):
        assert not is_option_token(token), token


# ---- both webhooks, end to end ----------------------------------------------------------------------------


class ErrorLog(logging.Handler):
    """Every ERROR logged while a test runs (a traceback the webhook swallowed to keep answering)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def errors() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


async def conversation_of(runtime: Runtime, channel: str, address: str) -> tuple[Any, ...]:
    async with runtime.session_factory() as session:
        user = await session.scalar(select(User).where(User.channel == channel, User.external_id == address))
        assert user is not None
        conversation = user.conversation
        return conversation.flow, conversation.step, json.dumps(conversation.data, sort_keys=True)


@pytest.fixture
async def parked_on_whatsapp(whatsapp: tuple[Runtime, WhatsAppUser]) -> tuple[Runtime, WhatsAppUser]:  # noqa: F811
    runtime, siti = whatsapp
    await siti.send("halo")
    await siti.tap("Bahasa Indonesia")
    assert "UU 27/2022" in siti.text
    return runtime, siti


@given(row_id=crafted_ids, as_list=st.booleans())
async def test_any_whatsapp_button_or_row_id_is_refused_cleanly(
    parked_on_whatsapp: tuple[Runtime, WhatsAppUser], row_id: str, as_list: bool
) -> None:
    runtime, siti = parked_on_whatsapp
    offered = {choice_id for choice_id, _title, _description in siti.choices()}
    before = await conversation_of(runtime, "whatsapp", WA_ID)
    build = hooks.list_reply if as_list else hooks.button_reply
    await siti.post(build(WA_ID, row_id, "x"))  # a 200, or the test fails
    if row_id in offered or row_id.startswith("/"):
        return  # a real answer, or a command: not a button of this question
    assert await conversation_of(runtime, "whatsapp", WA_ID) == before
    assert "UU 27/2022" in siti.text, "the question again"


async def test_a_stale_more_row_is_answered_with_the_question_again(
    parked_on_whatsapp: tuple[Runtime, WhatsAppUser],
) -> None:
    runtime, siti = parked_on_whatsapp
    await siti.tap("Saya setuju")
    for text in ("Siti Rahmawati", "6309014508990001", "05-08-1999", "1"):
        await siti.send(text)
    await siti.tap("Ya, nomor ini")
    more = [(row_id, title) for row_id, title, _d in siti.choices() if row_id.startswith(MORE_PREFIX)]
    assert more, "the kecamatan list is longer than one page"
    await siti.tap("Tanjung")
    question = siti.text
    before = await conversation_of(runtime, "whatsapp", WA_ID)
    siti.new_messages()
    await siti.post(hooks.list_reply(WA_ID, *more[0]))  # the kecamatan list's "more" row, after it was answered
    assert STALE in texts(siti.new_messages())
    assert siti.text.endswith(question.split("\n\n")[-1]), "the question again"
    assert await conversation_of(runtime, "whatsapp", WA_ID) == before


@pytest.fixture
async def telegram(make_runtime: RuntimeFactory) -> AsyncIterator[tuple[Runtime, TelegramUser]]:
    """A user parked at the consent question, on the Telegram webhook."""
    async with FakeTelegram(token=TOKEN) as tg:
        bot = Bot(TOKEN, session=tg.session(timeout=2))
        adapter = ConnectedAdapter(bot, make_runtime(), SendBudget(bot_rate=1e6, chat_rate=1e6))
        app = FastAPI()
        app.include_router(webhook_router(adapter, TELEGRAM_SECRET, TELEGRAM_PATH))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as http:

            async def feed(update: dict[str, Any]) -> None:
                answer = await http.post(TELEGRAM_PATH, json=update,
                                         headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
                assert answer.status_code == 200

            user = TelegramUser(tg, TELEGRAM_USER, feed)
            await user.send("/start")
            await user.tap("Bahasa Indonesia")
            yield adapter.runtime, user
        await bot.session.close()


@given(data=crafted_ids)
async def test_any_telegram_callback_data_is_refused_cleanly(
    telegram: tuple[Runtime, TelegramUser], errors: ErrorLog, data: str
) -> None:
    runtime, user = telegram
    offered = {button["callback_data"] for message in user.screen() for button in user.buttons(message)}
    before = await conversation_of(runtime, "telegram", str(TELEGRAM_USER))
    await user.feed(user.tg.callback_update(TELEGRAM_USER, data, message_id=user.last["message_id"]))
    assert not errors.records, errors.records[0].getMessage()
    if data in offered or data.startswith("/"):
        return
    assert await conversation_of(runtime, "telegram", str(TELEGRAM_USER)) == before
    assert STALE in user.text or "UU 27/2022" in user.text


@given(code=st.sampled_from(CRAFTED_NUMBERS), command=st.sampled_from(["/lihat t", "/lihat a", "/start t",
                                                                        "/jawab ", "/jawab #"]))
async def test_any_opening_code_or_deep_link_is_answered_cleanly(
    telegram: tuple[Runtime, TelegramUser], errors: ErrorLog, code: str, command: str
) -> None:
    _runtime, user = telegram
    await user.send(f"{command}{code}")
    assert not errors.records, errors.records[0].getMessage()
    assert user.text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@given(body=json_values)
async def test_any_signed_json_body_is_a_200_or_a_400_on_both_webhooks(
    telegram: tuple[Runtime, TelegramUser], whatsapp: tuple[Runtime, WhatsAppUser],  # noqa: F811
    errors: ErrorLog, body: Any,
) -> None:
    _runtime, siti = whatsapp
    raw, headers = hooks.signed_webhook(body, siti.wa.app_secret)
    assert (await siti.http.post(WEBHOOK_PATH, content=raw, headers=headers)).status_code in (200, 400)
    _runtime, user = telegram
    shaped = {"update_id": 1, "callback_query": body} if isinstance(body, dict) else body
    with contextlib.suppress(AssertionError):  # not an update: a 400
        await user.feed(shaped)
    assert not errors.records, errors.records[0].getMessage()
