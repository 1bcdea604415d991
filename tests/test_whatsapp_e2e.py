"""End to end: the real `python -m bot run` process with Telegram and WhatsApp configured at once.

A job seeker registers, browses and applies over WhatsApp (signed webhooks to the process, sends checked by
the fake Graph API) while another does the same over Telegram by polling, against one database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from bot.runtime import Runtime
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.whatsapp_server import FakeWhatsApp
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


@pytest.fixture
async def wa() -> AsyncIterator[FakeWhatsApp]:
    async with FakeWhatsApp() as fake:
        yield fake


async def test_telegram_and_whatsapp_in_one_process(
    tg: FakeTelegram, wa: FakeWhatsApp, launch: Callable[..., Awaitable[BotProcess]], database: Runtime  # noqa: F811
) -> None:
    port = free_port()
    await launch(WHATSAPP_TOKEN=wa.token, WHATSAPP_PHONE_NUMBER_ID=wa.phone_number_id,
                 WHATSAPP_APP_SECRET=wa.app_secret, WHATSAPP_VERIFY_TOKEN="verify-e2e", WHATSAPP_API_BASE=wa.base_url,
                 WEB_HOST="127.0.0.1", WEB_PORT=str(port))
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=20) as http:
        await wait_until_serving(http)
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
        assert "Apakah +6281251000001 nomor yang bisa dihubungi?" in siti.text
        for label in ("Ya, nomor ini", "Tanjung", "SMK", "Menjahit dan tata busana", "Selesai, lanjut",
                      "Bukan penyandang disabilitas", "Sedang mencari kerja", "Benar, simpan"):
            await siti.tap(label)
        await browse_and_apply(siti)

    await register_browse_and_apply(polling_user(tg, 702))
    assert await applications(database) == 2
    wa.assert_clean()
