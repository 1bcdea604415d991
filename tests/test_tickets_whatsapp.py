"""Ask staff on WhatsApp after the 24-hour window closed: the staff answer goes as the `ticket_reply` template, which
only says that an answer waits; the answer itself arrives, once, when the user replies. Through the webhook, the
real dispatcher and outbox, and the fake Graph API."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from sqlalchemy import select

from bot.engine.notify import acting
from bot.engine.runtime import Runtime
from bot.settings import Settings
from bot.webhooks import create_app
from models.audit import AuditEntry
from models.tickets import TicketMessage, latest_ticket
from services.permissions import Actor
from services.ticket_files import CheckedFile
from services.tickets import Outcome, reply
from tests.conftest import Clock
from tests.fakes.whatsapp_server import FakeWhatsApp
from tests.people import SITI, job_seeker
from tests.test_dashboard_access import office_member
from tests.test_dashboard_openings import as_role
from tests.test_whatsapp_conversation import WA_ID, WhatsAppUser, texts, wa, whatsapp

__all__ = ["wa", "whatsapp"]  # fixtures

WAITING = "Menunggu pengguna"
TEMPLATES = {"notification": {"id": "kabar_disnaker"}, "ticket_reply": {"id": "jawaban_petugas"}}


@pytest.fixture
def app_settings(app_settings: Settings) -> Settings:
    return app_settings.model_copy(update={"whatsapp_templates": TEMPLATES})


async def thread_page(runtime: Runtime, clock: Clock, ticket_id: int) -> str:
    """The ticket's page in the dashboard, as staff see it."""
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://dasbor.test") as web:
        await as_role(runtime, clock, web)
        shown = await web.get(f"/dasbor/pesan/{ticket_id}")
    assert shown.status_code == 200
    return shown.text


async def answer(runtime: Runtime, clock: Clock, staff_id: int, ticket_id: int, text: str) -> Outcome:
    async with acting(runtime) as (session, notices):
        return await reply(session, Actor(staff_id, is_staff=True, may_view=True), ticket_id, text, now=clock(),
                           office=runtime.services.office, notices=notices)


async def test_an_answer_after_the_window_closed_waits_for_the_users_reply_and_arrives_once(
    whatsapp: tuple[Runtime, WhatsAppUser], wa: FakeWhatsApp, clock: Clock
) -> None:
    runtime, siti = whatsapp
    user_id = await job_seeker(runtime, clock, replace(SITI, external_id=WA_ID), channel="whatsapp")
    await siti.send("/tanya")
    await siti.send("Kapan sertifikat saya jadi?")
    async with runtime.session_factory() as session:
        ticket = await latest_ticket(session, user_id)
    assert ticket is not None
    staff_id = await office_member(runtime, clock)

    assert await answer(runtime, clock, staff_id, ticket.id, "Sudah ada sejak tadi pagi.") is Outcome.DONE
    assert "Sudah ada sejak tadi pagi." in siti.text, "within the window the answer goes at once"

    clock.advance(hours=25)
    wa.window_closed_for(WA_ID)
    siti.new_messages()
    held = await answer(runtime, clock, staff_id, ticket.id, "Sertifikat Anda siap, silakan ambil di kantor.")
    assert held is Outcome.HELD
    [template] = siti.new_messages()
    assert template["type"] == "template" and template["template"]["name"] == "jawaban_petugas"
    teaser = template["template"]["components"][0]["parameters"][0]["text"]
    assert f"pertanyaan Anda #{ticket.id}" in teaser and "Silakan balas pesan ini" in teaser
    assert "Sertifikat Anda siap" not in teaser, "the answer itself is kept until the window is open"
    async with runtime.session_factory() as session:
        assert (await session.scalars(select(TicketMessage.held).where(TicketMessage.from_staff))).all() == [
            False, True]
        held_audit = await session.scalar(select(AuditEntry.detail).order_by(AuditEntry.id.desc()).limit(1))
    assert held_audit is not None and held_audit["held"] is True
    assert WAITING in await thread_page(runtime, clock, ticket.id), "staff see that the answer waits"

    wa.window_opened_for(WA_ID)
    await siti.send("Halo, ada kabar?")
    received = texts(siti.new_messages())
    assert received.count("Sertifikat Anda siap, silakan ambil di kantor.") == 1
    assert received.index("Sertifikat Anda siap") < received.index("ditambahkan ke pertanyaan Anda"), (
        "the answer comes before what they wrote is handled")
    await siti.send("Terima kasih")
    assert "Sertifikat Anda siap" not in texts(siti.new_messages()), "delivered once"
    async with runtime.session_factory() as session:
        assert not any((await session.scalars(select(TicketMessage.held))).all())
    assert WAITING not in await thread_page(runtime, clock, ticket.id)
    wa.assert_clean()


async def test_a_held_answer_with_a_file_carries_the_file_when_released(
    whatsapp: tuple[Runtime, WhatsAppUser], wa: FakeWhatsApp, clock: Clock
) -> None:
    runtime, siti = whatsapp
    user_id = await job_seeker(runtime, clock, replace(SITI, external_id=WA_ID), channel="whatsapp")
    await siti.send("/tanya")
    await siti.send("Bisa kirim jadwalnya?")
    async with runtime.session_factory() as session:
        ticket = await latest_ticket(session, user_id)
    assert ticket is not None
    staff_id = await office_member(runtime, clock)
    clock.advance(hours=25)
    wa.window_closed_for(WA_ID)
    siti.new_messages()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    async with acting(runtime) as (session, notices):
        held = await reply(session, Actor(staff_id, is_staff=True, may_view=True), ticket.id, "Ini <b>jadwalnya</b>.",
                           now=clock(), office=runtime.services.office, notices=notices,
                           file=CheckedFile("jadwal.png", "image/png", png))
    assert held is Outcome.HELD
    [template] = siti.new_messages()
    assert template["type"] == "template" and wa.sent_images(WA_ID) == []
    wa.window_opened_for(WA_ID)
    await siti.send("Halo")
    [(image, upload)] = wa.sent_images(WA_ID)
    assert upload.data == png and upload.content_type == "image/png"
    assert "Ini <b>jadwalnya</b>." in image["caption"], "HTML in a caption is text"
    wa.assert_clean()
