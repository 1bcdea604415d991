"""The dashboard's Messages pages: staff read job seekers' questions, answer them, take and close them, through the
real app over HTTP on SQLite and PostgreSQL; the answer reaches the user's chat."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from bot.engine.runtime import Runtime
from bot.webhooks import create_app
from models.audit import AuditEntry
from models.tickets import Ticket, thread
from models.users import Role
from services.tickets import ask
from tests.chat import RecordingChannel
from tests.conftest import Clock
from tests.people import SITI, job_seeker
from tests.test_dashboard_openings import CSRF, FORM_ID, as_role, found

INBOX = "/dasbor/pesan"
QUESTION = "<script>alert(1)</script> Kapan sertifikat saya jadi?"


@pytest.fixture
async def web(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://dasbor.test") as client:
        yield client


async def a_question(runtime: Runtime, clock: Clock, text: str = QUESTION) -> int:
    user_id = await job_seeker(runtime, clock, SITI)
    async with runtime.session_factory() as session, session.begin():
        added = await ask(session, user_id, text, now=clock())
        assert added.ticket is not None
        return added.ticket.id


async def actions(runtime: Runtime) -> list[str]:
    async with runtime.session_factory() as session:
        return list(await session.scalars(select(AuditEntry.action).where(AuditEntry.subject_kind == "ticket")
                                          .order_by(AuditEntry.id)))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.STAFF, Role.ADMIN])
async def test_every_office_role_reads_the_inbox_and_a_thread_with_html_shown_as_text(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient, role: Role
) -> None:
    number = await a_question(runtime, clock)
    clock.advance(hours=3)
    await as_role(runtime, clock, web, role)
    listed = await web.get(INBOX)
    assert listed.status_code == 200 and f"#{number}" in listed.text
    assert "1 pertanyaan menunggu jawaban" in listed.text and "3 jam" in listed.text
    assert 'hx-trigger="every 5s"' in listed.text
    for tab in ("mine", "unassigned", "closed"):
        assert (await web.get(f"{INBOX}?tab={tab}")).status_code == 200
    shown = await web.get(f"{INBOX}/{number}")
    assert shown.status_code == 200 and "Siti R." in shown.text and "+62812****0001" in shown.text
    assert "<script>alert(1)</script>" not in shown.text and "&lt;script&gt;" in shown.text
    assert ("Kirim jawaban" in shown.text) is (role is not Role.VIEWER)
    assert (await web.get(f"{INBOX}/999999")).status_code == 404


async def test_staff_answer_take_and_close_in_the_browser_and_the_user_receives_the_answer(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, web: httpx.AsyncClient
) -> None:
    number = await a_question(runtime, clock)
    await as_role(runtime, clock, web)
    page = (await web.get(f"{INBOX}/{number}")).text
    sent = {"csrf_token": found(CSRF, page), "form_id": found(FORM_ID, page), "text": "Sudah siap <b>besok</b>."}
    answered = await web.post(f"{INBOX}/{number}/balas", data=sent)
    assert answered.status_code == 303
    again = await web.post(f"{INBOX}/{number}/balas", data=sent)
    assert again.status_code == 303, "a form sent twice is applied once"
    await runtime.delivery.flush()
    delivered = [reply.text for reply in channel.to(SITI.external_id)]
    assert len(delivered) == 1 and "Sudah siap <b>besok</b>." in delivered[0]
    assert "Jawaban dari" in delivered[0]

    empty = await web.post(f"{INBOX}/{number}/balas", data={**sent, "form_id": "x" * 22, "text": "  "})
    assert empty.status_code == 422 and "Mohon tulis jawaban" in empty.text
    long = "a" * 2001
    too_long = await web.post(f"{INBOX}/{number}/balas", data={**sent, "form_id": "y" * 22, "text": long})
    assert too_long.status_code == 422 and long in too_long.text, "what was typed is kept"

    csrf = found(CSRF, page)
    assert (await web.post(f"{INBOX}/{number}/ambil", data={"csrf_token": csrf})).status_code == 303
    assert f"#{number}" in (await web.get(f"{INBOX}?tab=mine")).text
    confirm = await web.get(f"{INBOX}/{number}/tutup")
    assert confirm.status_code == 200 and "Ya, tutup" in confirm.text
    assert (await web.post(f"{INBOX}/{number}/tutup", data={"csrf_token": csrf, "reason": "x"})).status_code == 422
    closed = await web.post(f"{INBOX}/{number}/tutup", data={"csrf_token": csrf, "reason": "answered"})
    assert closed.status_code == 303
    assert f"#{number}" in (await web.get(f"{INBOX}?tab=closed")).text
    assert await actions(runtime) == ["ticket.reply", "ticket.close"], "taking it after answering changes nothing"
    async with runtime.session_factory() as session:
        ticket = await session.get(Ticket, number)
        assert ticket is not None and ticket.status == "closed" and ticket.close_reason == "answered"
        assert [message.from_staff for message in await thread(session, number)] == [False, True]


async def test_a_viewer_may_not_answer_and_a_forged_form_changes_nothing(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, web: httpx.AsyncClient
) -> None:
    number = await a_question(runtime, clock)
    await as_role(runtime, clock, web, Role.VIEWER)
    csrf = found(CSRF, (await web.get(f"{INBOX}/{number}")).text)
    for path, data in ((f"{INBOX}/{number}/balas", {"text": "Tidak"}), (f"{INBOX}/{number}/ambil", {}),
                       (f"{INBOX}/{number}/tutup", {"reason": "spam"})):
        assert (await web.post(path, data={"csrf_token": csrf, **data})).status_code == 403
    assert (await web.get(f"{INBOX}/{number}/tutup")).status_code == 403
    web.cookies.clear()
    await as_role(runtime, clock, web, Role.STAFF)
    forged = await web.post(f"{INBOX}/{number}/balas", data={"csrf_token": "forged", "text": "Halo"})
    assert forged.status_code == 403
    assert await actions(runtime) == [] and channel.to(SITI.external_id) == []
