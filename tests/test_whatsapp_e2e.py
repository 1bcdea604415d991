"""End to end: the real `python -m bot run` process with Telegram and WhatsApp configured at once.

A job seeker registers, browses and applies over WhatsApp (signed webhooks to the process, sends checked by
the fake Graph API) while another does the same over Telegram by polling, against one database; an alumna
whose check-in is due gets it from the process's scheduler and answers it over WhatsApp.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update

from bot.engine.runtime import Runtime
from models.evaluations import EvaluationRecord
from models.follow_ups import FireKind, FollowUpFire
from models.users import User
from tests.alumni import Alumnus, make_alumnus
from tests.conftest import Clock
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.whatsapp_server import FakeWhatsApp
from tests.telegram_chat import wait_for
from tests.test_telegram_e2e import (  # noqa: F401  (fixtures)
    BotProcess,
    applications,
    database,
    free_port,
    launch,
    polling_user,
    register_browse_and_apply,
    tg,
    wait_until_serving,
)
from tests.test_whatsapp_conversation import WA_ID, WhatsAppUser, browse_and_apply

ALUMNA_WA_ID = "6281251000009"
ALL_DAY = {"quiet_from": "00:00", "quiet_until": "00:00"}  # the test runs at any hour of the office's night


@pytest.fixture
async def wa() -> AsyncIterator[FakeWhatsApp]:
    async with FakeWhatsApp() as fake:
        yield fake


async def alumna_due_now(runtime: Runtime, clock: Clock) -> Alumnus:
    """A WhatsApp user who completed a training 40 days ago and wrote recently: her first check-in is due."""
    now = datetime.now(UTC)
    alumna = await make_alumnus(runtime, clock, ALUMNA_WA_ID, channel="whatsapp", locale="id",
                                completed_on=(now - timedelta(days=40)).date(), plan=ALL_DAY)
    async with runtime.session_factory() as session, session.begin():
        await session.execute(update(User).where(User.id == alumna.user_id).values(last_seen_at=now))
        first = await session.scalar(
            select(FollowUpFire).where(FollowUpFire.user_id == alumna.user_id, FollowUpFire.kind == FireKind.CHECK_IN)
            .order_by(FollowUpFire.due_at).limit(1))
        assert first is not None
        first.due_at = now - timedelta(minutes=1)
    return alumna


async def answer_the_check_in(alumna: WhatsAppUser) -> None:
    await wait_for(lambda: alumna.wa.sent_to(alumna.wa_id), what="the check-in from the scheduler")
    assert "Menjahit Pakaian" in alumna.text
    await alumna.tap("Ya, mulai")
    await alumna.tap("Sedang mencari kerja")
    await alumna.send("4")
    await alumna.tap("Ya")
    assert "Terima kasih" in alumna.text


async def test_telegram_and_whatsapp_in_one_process(
    tg: FakeTelegram, wa: FakeWhatsApp, launch: Callable[..., Awaitable[BotProcess]], database: Runtime,  # noqa: F811
    clock: Clock,
) -> None:
    alumna = await alumna_due_now(database, clock)
    port = free_port()
    bot = await launch(WHATSAPP_TOKEN=wa.token, WHATSAPP_PHONE_NUMBER_ID=wa.phone_number_id,
                 WHATSAPP_APP_SECRET=wa.app_secret, WHATSAPP_VERIFY_TOKEN="verify-e2e", WHATSAPP_API_BASE=wa.base_url,
                 WEB_HOST="127.0.0.1", WEB_PORT=str(port))
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=20) as http:
        await wait_until_serving(http)
        assert "Warning: no approved WhatsApp template for notification in id" in bot.log.read_text(), \
            "the start names each purpose and language WhatsApp has approved no template for"
        check = await http.get("/webhooks/whatsapp", params={"hub.mode": "subscribe", "hub.verify_token": "verify-e2e",
                                                             "hub.challenge": "1158201444"})
        assert (check.status_code, check.text) == (200, "1158201444")
        forged = await http.post("/webhooks/whatsapp", content=b"{}", headers={"X-Hub-Signature-256": "sha256=00"})
        assert forged.status_code == 401

        siti = WhatsAppUser(http, wa, WA_ID)
        await siti.send("halo")
        for label in ("Bahasa Indonesia", "Saya setuju"):
            await siti.tap(label)
        for text in ("Sari Wulandari", "6309014508990002", "05-08-1999", "1"):  # the Telegram user has Siti's NIK
            await siti.send(text)
        assert "Apakah +6281251000001 nomor yang dapat dihubungi?" in siti.text
        for label in ("Ya, nomor ini", "Tanjung", "SMK", "Menjahit dan tata busana", "Selesai, lanjut",
                      "Bukan penyandang disabilitas", "Sedang mencari kerja", "Benar, simpan"):
            await siti.tap(label)
        await browse_and_apply(siti)
        await answer_the_check_in(WhatsAppUser(http, wa, ALUMNA_WA_ID))

    await register_browse_and_apply(polling_user(tg, 702))
    assert await applications(database) == 3  # with the alumna's, made before the start
    async with database.session_factory() as session:
        record = await session.scalar(select(EvaluationRecord).where(EvaluationRecord.user_id == alumna.user_id))
    assert record is not None
    assert (record.status_category, record.complete) == ("looking_for_work", True)
    wa.assert_clean()
