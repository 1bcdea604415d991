"""A job seeker registers over WhatsApp: signed webhooks in, the real dispatcher, sends to the fake API.

Everything but the process is real: the webhook router, the parsing, `Runtime.handle`, the outbox, the
WhatsApp channel with pywa, and a Graph API that checks every body. Taps send back the ids the bot rendered.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select

from bot.channels.base import Connection
from bot.channels.whatsapp.connect import connect
from bot.channels.whatsapp.webhook import WEBHOOK_PATH
from bot.engine.channel_port import RuntimePort
from bot.engine.runtime import Runtime
from bot.settings import Settings
from models.outbox import OutboxMessage
from models.profiles import get_profile
from models.users import User
from tests.conftest import Clock, RuntimeFactory
from tests.fakes import whatsapp_webhooks as hooks
from tests.fakes.whatsapp_server import FakeWhatsApp
from tests.telegram_chat import wait_for
from tests.test_applying import WELDING, applications
from tests.test_openings import seed_catalog
from tests.test_telegram_e2e import free_port

WA_ID = "6281251000001"


class WhatsAppUser:
    """A person on WhatsApp: types text and taps what the bot's last interactive message offers."""

    def __init__(self, http: httpx.AsyncClient, wa: FakeWhatsApp, wa_id: str) -> None:
        self.http = http
        self.wa = wa
        self.wa_id = wa_id
        self.seen = 0
        self.app: FastAPI | None = None
        """The app behind `http` (to serve it for real)."""

    def new_messages(self) -> list[dict[str, Any]]:
        sent = self.wa.sent_to(self.wa_id)
        new, self.seen = sent[self.seen:], len(sent)
        return new

    @property
    def last(self) -> dict[str, Any]:
        return self.wa.sent_to(self.wa_id)[-1]

    @property
    def text(self) -> str:
        body = self.last
        text: str = body["text"]["body"] if body["type"] == "text" else body["interactive"]["body"]["text"]
        return text

    def choices(self) -> list[tuple[str, str, str]]:
        """(id, title, description) of what the last message offers."""
        interactive = self.last.get("interactive", {})
        action = interactive.get("action", {})
        if interactive.get("type") == "button":
            return [(b["reply"]["id"], b["reply"]["title"], "") for b in action["buttons"]]
        return [(r["id"], r["title"], r.get("description", "")) for s in action.get("sections", [])
                for r in s["rows"]]

    async def post(self, payload: dict[str, Any]) -> None:
        """Send `payload` as Meta would (a message, a status) and check Meta's answer."""
        raw, headers = hooks.signed_webhook(payload, self.wa.app_secret)
        answer = await self.http.post(WEBHOOK_PATH, content=raw, headers=headers)
        assert answer.status_code == 200

    async def write(self, payload: dict[str, Any], *, answered: bool = True) -> None:
        """Post a message of the user's and have its replies. Served in-process (`app` set) they are sent before
        the post returns; from a real process they follow Meta's 200, so wait for all of them."""
        before = len(self.wa.sent_to(self.wa_id))
        await self.post(payload)
        if self.app is None and answered:
            await wait_for(lambda: len(self.wa.sent_to(self.wa_id)) > before, what="the bot's reply on WhatsApp")
            settled = -1
            while settled != len(self.wa.sent_to(self.wa_id)):  # a reply of several messages: all of them
                settled = len(self.wa.sent_to(self.wa_id))
                await asyncio.sleep(0.3)

    async def send(self, text: str) -> None:
        await self.write(hooks.text_message(self.wa_id, text))

    async def tap(self, label: str, *, answered: bool = True) -> None:
        """Tap `label`, following the list's "more" row to later pages as a person would (`answered`: False when
        the reply is not expected to reach the user now, say while the Graph API fails)."""
        for _page in range(10):
            kind = self.last["interactive"]["type"]
            build = hooks.button_reply if kind == "button" else hooks.list_reply
            for row_id, title, description in self.choices():
                if label in (title, description) or title.endswith(f" {label}"):
                    await self.write(build(self.wa_id, row_id, title), answered=answered)
                    return
            more = [(row_id, title) for row_id, title, _d in self.choices() if row_id.startswith("wa:more:")]
            if not more:
                break
            await self.write(build(self.wa_id, *more[0]))
        raise AssertionError(f"no choice {label!r}; offered {self.choices()}")


@pytest.fixture
async def wa() -> AsyncIterator[FakeWhatsApp]:
    async with FakeWhatsApp() as fake:
        yield fake


@pytest.fixture
async def whatsapp(wa: FakeWhatsApp, make_runtime: RuntimeFactory, app_settings: Settings,
                   ) -> AsyncIterator[tuple[Runtime, WhatsAppUser]]:
    """A runtime with the WhatsApp channel and webhook wired as `python -m bot run` wires them."""
    runtime = make_runtime()
    app, connection = wired(runtime, wa, app_settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as http:
        user = WhatsAppUser(http, wa, WA_ID)
        user.app = app
        yield runtime, user
    await connection.close()


def wired(runtime: Runtime, wa: FakeWhatsApp, app_settings: Settings) -> tuple[FastAPI, Connection]:
    settings = app_settings.model_copy(update={
        "whatsapp_token": SecretStr(wa.token), "whatsapp_phone_number_id": wa.phone_number_id,
        "whatsapp_app_secret": SecretStr(wa.app_secret), "whatsapp_verify_token": SecretStr("verify"),
        "whatsapp_api_base": wa.base_url,
    })
    connection = connect(settings.model_dump(), RuntimePort(runtime), None)
    assert connection is not None
    runtime.delivery.add_channel(connection.sender)
    app = FastAPI()
    for router in connection.routes:
        app.include_router(router)
    return app, connection


async def test_job_seeker_registers_over_whatsapp_with_their_own_number(
    whatsapp: tuple[Runtime, WhatsAppUser], wa: FakeWhatsApp
) -> None:
    runtime, siti = whatsapp
    await siti.send("halo")
    assert "Bahasa apa yang Anda inginkan?" in siti.text
    await siti.tap("Bahasa Indonesia")
    assert "UU 27/2022" in siti.text
    await siti.tap("Saya setuju")
    await siti.send("Siti Rahmawati")
    await siti.send("6309 0145 0899 0001")
    await siti.send("5 Agustus 1999")
    await siti.send("1")
    assert "Apakah +6281251000001 nomor yang dapat dihubungi?" in siti.text, "the number is confirmed, not asked"
    await siti.tap("Ya, nomor ini")
    await siti.tap("Tanjung")
    await siti.tap("SMK")
    await siti.tap("Menjahit dan tata busana")
    await siti.tap("Selesai, lanjut")
    await siti.tap("Bukan penyandang disabilitas")
    await siti.tap("Sedang mencari kerja")
    assert "Nomor HP: +6281251000001" in texts(siti.new_messages())
    await siti.tap("Benar, simpan")
    assert "Pendaftaran Anda sudah selesai" in texts(siti.new_messages())
    wa.assert_clean()

    async with runtime.session_factory() as session:
        user = await session.scalar(select(User).where(User.channel == "whatsapp", User.external_id == WA_ID))
        assert user is not None
        profile = await get_profile(session, user.id)
        assert profile is not None
        assert profile.phone_e164 == "+6281251000001"
        failed = await session.scalar(select(OutboxMessage).where(OutboxMessage.attempts > 0))
    assert failed is None


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(b["text"]["body"] if b["type"] == "text" else b["interactive"]["body"]["text"] for b in messages)


async def browse_and_apply(siti: WhatsAppUser) -> None:
    """From the menu to a sent application for the welding training, paging as a person would."""
    await siti.send("menu")
    await siti.tap("Pelatihan yang dibuka")
    while WELDING not in [title.split(". ", 1)[-1] for _id, title, _d in siti.choices()]:
        await siti.tap("Halaman berikutnya")
    await siti.tap(WELDING)
    await siti.tap("Daftar")
    assert siti.text.startswith(f"Kirim pendaftaran Anda untuk {WELDING}?")
    siti.new_messages()
    await siti.tap("Ya, kirim")
    assert f"Pendaftaran Anda untuk {WELDING} sudah terkirim." in texts(siti.new_messages())


async def test_a_registered_job_seeker_browses_and_applies_over_whatsapp(
    whatsapp: tuple[Runtime, WhatsAppUser], wa: FakeWhatsApp, clock: Clock
) -> None:
    runtime, siti = whatsapp
    await seed_catalog(runtime, clock)
    await siti.send("halo")
    for label in ("Bahasa Indonesia", "Saya setuju"):
        await siti.tap(label)
    for text in ("Siti Rahmawati", "6309014508990001", "05-08-1999", "1", "0812 5100 0001"):
        await siti.send(text)
    for label in ("Tanjung", "SMK", "Menjahit dan tata busana", "Selesai, lanjut", "Bukan penyandang disabilitas",
                  "Sedang mencari kerja", "Benar, simpan"):
        await siti.tap(label)
    await browse_and_apply(siti)
    assert await applications(runtime) == 1
    wa.assert_clean()


async def test_meta_is_answered_before_a_slow_graph_api_gets_the_replies(
    whatsapp: tuple[Runtime, WhatsAppUser], wa: FakeWhatsApp
) -> None:
    """The webhook answers once the replies are committed; sending them waits on nobody's request (Meta retries
    a webhook that takes too long). Served by uvicorn, where the answer really goes before the sending."""
    runtime, siti = whatsapp
    assert siti.app is not None
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(siti.app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    wa.latency = 1.0
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            raw, headers = hooks.signed_webhook(hooks.text_message(WA_ID, "halo", msg_id="wamid.SLOW"), wa.app_secret)
            started = time.monotonic()
            answer = await http.post(WEBHOOK_PATH, content=raw, headers=headers)
            took = time.monotonic() - started
            assert answer.status_code == 200
            assert took < 0.5, f"the webhook waited {took:.2f} s for the Graph API"
            assert wa.sent_to(WA_ID) == []
            assert (await http.post(WEBHOOK_PATH, content=raw, headers=headers)).status_code == 200  # Meta again
            for _ in range(100):
                if wa.sent_to(WA_ID):
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(1.5)  # anything sent twice would be here by now
    finally:
        server.should_exit = True
        await task
    assert len(wa.sent_to(WA_ID)) == 1, "the language question, once"
    assert "Bahasa apa yang Anda inginkan?" in siti.text
    await runtime.delivery.flush()  # the "sent" marks, written in batches
    async with runtime.session_factory() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert [(row.status, row.attempts, row.sent_at is not None) for row in rows] == [("sent", 0, True)]
