"""Files in questions to staff: a user sends a photo or a document with their question (Telegram, WhatsApp), staff
download it from the dashboard and attach a file to their answer, which reaches the user as a picture or a
document; the files go with the account. Through the dispatcher, the real app and the fake platforms, on SQLite
and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiogram import Bot
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.channels.rate_limits import SendBudget
from bot.channels.whatsapp.channel import WhatsAppChannel, WhatsAppConfig
from bot.channels.whatsapp.inbound import DeliveryStatus
from bot.channels.whatsapp.webhook import WEBHOOK_PATH, whatsapp_webhook_router
from bot.engine.channel_port import RuntimePort
from bot.engine.notify import acting
from bot.engine.runtime import Runtime
from bot.webhooks import create_app
from models.files import StoredFile
from models.tickets import TicketMessageFile, latest_ticket, message_file, thread
from models.users import Role, User
from services.permissions import Actor
from services.ticket_files import FILE_LIMIT, CheckedFile, FileProblem, check_file, safe_name
from services.tickets import ask, reply
from tests.chat import ChatUser, RecordingChannel
from tests.conftest import Clock, RuntimeFactory
from tests.fakes import whatsapp_webhooks as hooks
from tests.fakes.telegram_server import FakeTelegram
from tests.people import SITI, job_seeker
from tests.telegram_chat import ConnectedAdapter
from tests.test_dashboard_access import office_member
from tests.test_dashboard_openings import CSRF, FORM_ID, as_role, found
from tests.test_privacy import texts
from tests.test_telegram_adapter import TOKEN, user_of
from tests.test_whatsapp_media import TOKEN as WA_TOKEN
from tests.test_whatsapp_media import MediaServer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


def test_files_are_known_by_their_bytes_not_their_names() -> None:
    assert check_file("ktp.jpg", JPEG) == CheckedFile("ktp.jpg", "image/jpeg", JPEG)
    assert check_file("foto", PNG) == CheckedFile("foto", "image/png", PNG)
    assert check_file("cv.pdf", PDF) == CheckedFile("cv.pdf", "application/pdf", PDF)
    assert check_file("cv.pdf", b"<html><script>alert(1)</script>") is FileProblem.WRONG_TYPE
    assert check_file("cv.pdf", b"") is FileProblem.EMPTY
    assert check_file("besar.pdf", b"%PDF-" + b"0" * FILE_LIMIT) is FileProblem.TOO_LARGE
    assert safe_name('../../etc/"passwd"\n.pdf') == "passwd.pdf"
    assert safe_name("C:\\Users\\siti\\cv.pdf") == "cv.pdf"


@given(st.text(max_size=300), st.binary(max_size=200))
def test_any_file_is_kept_or_refused_with_a_reason(name: str, content: bytes) -> None:
    checked = check_file(name, content)
    if isinstance(checked, CheckedFile):
        assert checked.media_type in {"image/jpeg", "image/png", "application/pdf", "application/msword",
                                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        assert checked.name and "/" not in checked.name and '"' not in checked.name and len(checked.name) <= 120
    else:
        assert checked in set(FileProblem)


async def files_of(runtime: Runtime, user_id: int) -> list[tuple[str, str, str]]:
    """(text, file name, media type) of the messages of the user's newest ticket that carry a file."""
    async with runtime.session_factory() as session:
        ticket = await latest_ticket(session, user_id)
        assert ticket is not None
        files = [(message.text, await message_file(session, message.id))
                 for message in await thread(session, ticket.id)]
        return [(text, stored.name, stored.media_type) for text, stored in files if stored is not None]


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def adapter(tg: FakeTelegram, make_runtime: RuntimeFactory) -> AsyncIterator[ConnectedAdapter]:
    bot = Bot(TOKEN, session=tg.session(timeout=2))
    yield ConnectedAdapter(bot, make_runtime(), SendBudget(bot_rate=1e6, chat_rate=1e6))
    await bot.session.close()


async def test_a_telegram_user_sends_a_photo_and_a_pdf_with_their_question_and_wrong_files_are_explained(
    tg: FakeTelegram, adapter: ConnectedAdapter, clock: Clock
) -> None:
    runtime = adapter.runtime
    user = user_of(tg, adapter)

    def last_two() -> str:
        return " ".join(sent["text"] for sent in tg.sent_messages(501)[-2:])

    await user.send("/tanya")
    tg.add_file("AgAD-photo-501-800", "photo.jpg", JPEG)
    await user.feed(tg.photo_update(501, caption="<b>KTP</b> saya"))
    assert "Pertanyaan Anda bernomor #1" in " ".join(sent["text"] for sent in tg.sent_messages(501)[-3:])
    tg.add_file("BQAD-cv", "cv.pdf", PDF)
    await user.feed(tg.document_update(501, "BQAD-cv", "cv.pdf", len(PDF)))
    tg.add_file("BQAD-page", "surat.pdf", b"<html>not a pdf</html>")
    await user.feed(tg.document_update(501, "BQAD-page", "surat.pdf", 22))
    assert "foto (JPG atau PNG), PDF atau dokumen Word" in last_two()
    await user.feed(tg.document_update(501, "BQAD-huge", "besar.pdf", 50 * 1024 * 1024))
    assert "terlalu besar" in last_two()
    await user.send("Itu saja")
    assert "ditambahkan ke pertanyaan Anda" in tg.sent_messages(501)[-1]["text"], "the writing mode stays"
    async with runtime.session_factory() as session:
        siti = await session.scalar(select(User).where(User.external_id == "501"))
        assert siti is not None
    [(caption, photo_name, photo_type), pdf] = await files_of(runtime, siti.id)
    assert (caption, photo_type) == ("<b>KTP</b> saya", "image/jpeg") and photo_name.endswith(".jpg")
    assert pdf == ("", "cv.pdf", "application/pdf")
    async with runtime.session_factory() as session:
        ticket = await latest_ticket(session, siti.id)
    assert ticket is not None
    staff_id = await office_member(runtime, clock)
    async with acting(runtime) as (session, notices):
        await reply(session, Actor(staff_id, is_staff=True, may_view=True), ticket.id, "Isi <b>formulir</b> ini.",
                    now=clock(), office=runtime.services.office, notices=notices,
                    file=CheckedFile("formulir.pdf", "application/pdf", PDF))
    await runtime.delivery.flush()
    [document] = tg.calls_of("sendDocument")
    assert document["document"].filename == "formulir.pdf" and document["document"].data == PDF
    assert "Isi &lt;b&gt;formulir&lt;/b&gt; ini." in document["caption"], "HTML in a caption shows as text"
    tg.assert_clean()


async def test_a_whatsapp_user_sends_a_photo_with_a_caption(make_runtime: RuntimeFactory, clock: Clock) -> None:
    wa_id = "6281200000007"
    recording = RecordingChannel(name="whatsapp")
    runtime = make_runtime(recording)

    async def ignore(_status: DeliveryStatus) -> None:
        return None

    async with MediaServer({"444": JPEG}) as media:
        whatsapp = WhatsAppChannel(WhatsAppConfig(token=WA_TOKEN, phone_number_id="1234567890",
                                                  api_base=media.base_url))
        app = FastAPI()
        app.include_router(whatsapp_webhook_router(
            verify_token="v", app_secret="app-secret", phone_number_id=None, accept=RuntimePort(runtime).accept,
            on_status=ignore, fetch_document=whatsapp.fetch_document))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as http:

            async def post(payload: dict[str, Any]) -> str:
                raw, headers = hooks.signed_webhook(payload, "app-secret")
                assert (await http.post(WEBHOOK_PATH, content=raw, headers=headers)).status_code == 200
                return recording.to(wa_id)[-1].text

            await post(hooks.text_message(wa_id, "/tanya"))
            answer = await post(hooks.image_message(wa_id, media_id="444", caption="Surat panggilan"))
            assert "nomor #" in " ".join(r.text for r in recording.to(wa_id)[-3:])
            assert answer
        await whatsapp.aclose()
    async with runtime.session_factory() as session:
        user = await session.scalar(select(User).where(User.external_id == wa_id))
        assert user is not None
    [(text, name, media_type)] = await files_of(runtime, user.id)
    assert (text, media_type) == ("Surat panggilan", "image/jpeg") and name.endswith(".jpg")


@pytest.fixture
async def web(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://dasbor.test") as client:
        yield client


async def a_question_with_a_photo(runtime: Runtime, clock: Clock) -> tuple[int, int]:
    user_id = await job_seeker(runtime, clock, SITI)
    async with runtime.session_factory() as session, session.begin():
        added = await ask(session, user_id, "Ini KTP saya", now=clock(),
                          file=CheckedFile('ktp "saya".png', "image/png", PNG))
        assert added.ticket is not None
        return user_id, added.ticket.id


async def test_staff_download_a_users_file_as_an_attachment_and_a_viewer_cannot(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    _user_id, number = await a_question_with_a_photo(runtime, clock)
    await as_role(runtime, clock, web)
    page = (await web.get(f"/dasbor/pesan/{number}")).text
    address = found(re.compile(r'href="(/dasbor/pesan/\d+/berkas/\d+)" download'), page)
    assert f'<img src="{address}"' in page, "a picture shows as a small preview"
    download = await web.get(address)
    assert download.status_code == 200 and download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith('attachment; filename="ktp _saya_.png"')
    assert (await web.get(address.replace(f"/{number}/", f"/{number + 1}/"))).status_code == 404
    assert (await web.get(address + "9")).status_code == 404
    viewer = httpx.AsyncClient(transport=web._transport, base_url="http://dasbor.test")
    async with viewer:
        await as_role(runtime, clock, viewer, Role.VIEWER)
        assert (await viewer.get(address)).status_code == 403
        assert address not in (await viewer.get(f"/dasbor/pesan/{number}")).text, "a viewer sees only the name"


async def test_staff_attach_a_file_to_an_answer_and_the_user_receives_it_with_the_answer(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, web: httpx.AsyncClient
) -> None:
    user_id, number = await a_question_with_a_photo(runtime, clock)
    await as_role(runtime, clock, web)
    page = (await web.get(f"/dasbor/pesan/{number}")).text
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page

    def form() -> dict[str, str]:
        return {"csrf_token": found(CSRF, page), "form_id": found(FORM_ID, page),
                "text": "Silakan isi <b>formulir</b> ini."}

    wrong = await web.post(f"/dasbor/pesan/{number}/balas", data=form(),
                           files={"file": ("formulir.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")})
    assert wrong.status_code == 422 and "PDF atau dokumen Word" in wrong.text
    huge = await web.post(f"/dasbor/pesan/{number}/balas", data=form(),
                          files={"file": ("besar.pdf", b"%PDF-" + b"0" * (FILE_LIMIT + 10), "application/pdf")})
    assert huge.status_code == 413 and "terlalu besar" in huge.text
    huger = await web.post(f"/dasbor/pesan/{number}/balas", data=form(),
                           files={"file": ("besar.pdf", b"%PDF-" + b"0" * (FILE_LIMIT * 2), "application/pdf")})
    assert huger.status_code == 413 and "terlalu besar" in huger.text, "refused before the body is read"
    sent = await web.post(f"/dasbor/pesan/{number}/balas", data=form(),
                          files={"file": ("formulir.pdf", PDF, "application/pdf")})
    assert sent.status_code == 303
    plain = await web.post(f"/dasbor/pesan/{number}/balas", data={**form(), "form_id": "another"},
                           files={"file": ("", b"", "application/octet-stream")})
    assert plain.status_code == 303, "an empty file input sends the answer alone"
    await runtime.delivery.flush()
    with_file = [r for r in channel.to(SITI.external_id) if r.image is not None]
    [answer] = with_file
    assert answer.image is not None and (answer.image.name, answer.image.media_type) == (
        "formulir.pdf", "application/pdf")
    assert "Silakan isi <b>formulir</b> ini." in answer.text and not answer.options
    assert ("Silakan isi <b>formulir</b> ini.", "formulir.pdf", "application/pdf") in await files_of(runtime, user_id)
    thread_page = (await web.get(f"/dasbor/pesan/{number}")).text
    assert "formulir.pdf" in thread_page and "&lt;b&gt;formulir&lt;/b&gt;" in thread_page


async def test_the_export_names_the_files_and_they_go_with_the_account(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    _user_id, number = await a_question_with_a_photo(runtime, clock)
    staff_id = await office_member(runtime, clock)
    async with acting(runtime) as (session, notices):
        await reply(session, Actor(staff_id, is_staff=True, may_view=True), number, "Lihat lampiran.", now=clock(),
                    office=runtime.services.office, notices=notices,
                    file=CheckedFile("jadwal.pdf", "application/pdf", PDF))
    await runtime.delivery.flush()
    async with runtime.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(TicketMessageFile)) == 2
    siti = ChatUser(runtime, channel, SITI.external_id)
    exported = texts(await siti.send("/ekspor"))
    assert 'dengan berkas ktp "saya".png (1 KB)' in exported and "dengan berkas jadwal.pdf (1 KB)" in exported
    await runtime.delivery.flush()
    await siti.send("/hapus")
    await siti.tap("Ya, hapus semuanya")
    assert "sudah dihapus" in siti.text
    async with runtime.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(StoredFile)) == 0
        assert await session.scalar(select(func.count()).select_from(TicketMessageFile)) == 0
