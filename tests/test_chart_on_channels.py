"""The placement chart as each channel shows it: a multipart sendPhoto on Telegram, an upload then an image
message on WhatsApp, a PNG file on the console; each fake checks the requests against the platform's spec.
A file that is not a picture (a data export) goes as a document: sendDocument, or a WhatsApp document message.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.base import DeliveryError
from bot.channels.console.channel import ConsoleChannel
from bot.channels.telegram.format import MAX_CAPTION, escape, split_caption
from bot.channels.whatsapp.channel import WhatsAppChannel, WhatsAppConfig
from bot.channels.whatsapp.render import IMAGE_CAPTION_MAX, media_messages
from bot.engine.messages import PLAIN_TEXT, PNG, Image, Incoming, Reply
from models.users import Role, set_role
from tests.conftest import Clock, RuntimeFactory
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_spec import validate_call
from tests.fakes.whatsapp_server import FakeWhatsApp
from tests.fakes.whatsapp_spec import validate_message
from tests.telegram_chat import ConnectedAdapter
from tests.test_report_figures import generate, store
from tests.test_telegram_adapter import TOKEN, adapter, tg, user_of  # noqa: F401  (fixtures)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WA_ID = "6281251000009"
ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=6000)
LONG = "\n".join(f"Baris {n}: penempatan alumni program pelatihan kerja" for n in range(40))


def png(width: int = 1, height: int = 1) -> bytes:
    """A real PNG of grey pixels, as small as can be."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _row in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def chart(content: bytes = b"", file_id: int = 1) -> Image:
    """A picture as the sender hands it to a channel: its bytes loaded (a tiny PNG unless `content` says)."""
    return Image(file_id, "penempatan-2025.png", PNG, content=content or png())


async def test_staff_on_telegram_get_the_chart_as_an_uploaded_photo(
    tg: FakeTelegram, adapter: ConnectedAdapter, clock: Clock  # noqa: F811
) -> None:
    programs, people = generate(seed=5)
    await store(adapter.runtime, programs, people)
    async with adapter.runtime.session_factory() as session, session.begin():
        await set_role(session, "telegram", "501", Role.STAFF, locale="id", now=clock())
    staff = user_of(tg, adapter)
    await staff.send("/laporan")
    await staff.tap("2025")
    [photo] = tg.calls_of("sendPhoto")
    assert photo["caption"] == "Penempatan per program, 2025"
    upload = photo["photo"]
    assert upload.filename == "penempatan-2025.png" and upload.data.startswith(PNG_SIGNATURE)
    texts: list[Any] = [message.get("text", message.get("caption")) for message in staff.screen()]
    assert texts[-3].startswith("Laporan monev alumni 2025")
    assert texts[-2:] == ["Penempatan per program, 2025", staff.text], "summary, chart, then the menu"
    tg.assert_clean()


async def test_a_caption_longer_than_telegram_allows_continues_as_text(
    tg: FakeTelegram, adapter: ConnectedAdapter  # noqa: F811
) -> None:
    await adapter.channel.send("501", Reply(LONG + " <b>", image=chart()))
    [photo] = tg.calls_of("sendPhoto")
    [rest] = tg.sent_messages(501)
    assert 0 < len(photo["caption"]) <= MAX_CAPTION and photo["caption"].endswith("kerja")
    assert photo["caption"] + "\n" + rest["text"] == (LONG + " &lt;b&gt;")
    tg.assert_clean()


@given(ANY_TEXT)
def test_any_caption_telegram_accepts_and_nothing_but_whitespace_is_lost(text: str) -> None:
    caption, rest = split_caption(text)
    params = {"chat_id": 42, "photo": "AgACAgIAAxkBAAIB", "parse_mode": "HTML"}
    assert validate_call("sendPhoto", params | ({"caption": escape(caption)} if caption else {})) == []
    for part in rest:
        assert validate_call("sendMessage", {"chat_id": 42, "text": escape(part), "parse_mode": "HTML"}) == []
    assert "".join((caption + "".join(rest)).split()) == "".join(text.split())


@given(ANY_TEXT)
def test_any_caption_whatsapp_accepts_and_nothing_but_whitespace_is_lost(text: str) -> None:
    messages = media_messages("4490709327384033", text)
    assert messages[0].type == "image" and all(m.type == "text" for m in messages[1:])
    for message in messages:
        assert validate_message(message.body(WA_ID)) == []
    words = [messages[0].content.get("caption", ""), *(m.content["body"] for m in messages[1:])]
    assert "".join("".join(words).split()) == "".join(text.split())


async def test_the_fake_telegram_refuses_a_photo_that_is_not_an_image(tg: FakeTelegram) -> None:  # noqa: F811
    async with Bot(TOKEN, session=tg.session(timeout=5)) as bot:
        with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
            await bot.send_photo(7, BufferedInputFile(b"%PDF-1.4", filename="chart.png"))
        with pytest.raises(TelegramBadRequest, match="PHOTO_INVALID_DIMENSIONS"):
            await bot.send_photo(7, BufferedInputFile(png(2100, 100), filename="wide.png"))
        with pytest.raises(TelegramBadRequest, match="caption: 1025 characters"):
            await bot.send_photo(7, BufferedInputFile(png(), filename="a.png"), caption="x" * 1025)
    assert len(tg.violations) == 3


@pytest.fixture
async def wa() -> AsyncIterator[FakeWhatsApp]:
    async with FakeWhatsApp() as fake:
        yield fake


@pytest.fixture
async def whatsapp(wa: FakeWhatsApp) -> AsyncIterator[WhatsAppChannel]:
    channel = WhatsAppChannel(WhatsAppConfig(token=wa.token, phone_number_id=wa.phone_number_id,
                                             api_base=wa.base_url))
    yield channel
    await channel.aclose()


async def test_staff_on_whatsapp_get_the_chart_uploaded_then_sent_by_its_media_id(
    wa: FakeWhatsApp, whatsapp: WhatsAppChannel, make_runtime: RuntimeFactory, clock: Clock
) -> None:
    runtime = make_runtime()
    runtime.delivery.add_channel(whatsapp)
    programs, people = generate(seed=5)
    await store(runtime, programs, people)
    async with runtime.session_factory() as session, session.begin():
        await set_role(session, "whatsapp", WA_ID, Role.STAFF, locale="en", now=clock())
    for typed in ("/laporan", "2025"):
        await runtime.handle(Incoming(channel="whatsapp", external_id=WA_ID, text=typed, locale_hint="en"))
    kinds = [body["type"] for body in wa.sent_to(WA_ID)]
    assert kinds[-3:] == ["text", "image", "interactive"], "summary, chart, then the menu"
    [(image, upload)] = wa.sent_images(WA_ID)
    assert image["caption"] == "Placement by program, 2025"
    assert (upload.filename, upload.content_type) == ("penempatan-2025.png", PNG)
    assert upload.data.startswith(PNG_SIGNATURE)
    wa.assert_clean()


async def test_a_caption_longer_than_whatsapp_allows_continues_as_text(
    wa: FakeWhatsApp, whatsapp: WhatsAppChannel
) -> None:
    wamids = await whatsapp.deliver(WA_ID, Reply(LONG, image=chart()))
    image, rest = wa.sent_to(WA_ID)
    assert len(wamids) == 2 and (image["type"], rest["type"]) == ("image", "text")
    assert len(image["image"]["caption"]) <= IMAGE_CAPTION_MAX
    assert image["image"]["caption"] + "\n" + rest["text"]["body"] == LONG
    wa.assert_clean()


async def test_an_upload_whatsapp_refuses_is_a_permanent_failure(
    wa: FakeWhatsApp, whatsapp: WhatsAppChannel
) -> None:
    with pytest.raises(DeliveryError) as refused:
        await whatsapp.deliver(WA_ID, Reply("Grafik", image=chart(b"GIF89a not a png")))
    assert refused.value.permanent and "is not the image/png it says it is" in str(refused.value)
    assert wa.sent_to(WA_ID) == [] and wa.media == {}


async def test_the_fake_whatsapp_refuses_an_image_message_naming_no_upload(wa: FakeWhatsApp) -> None:
    async with httpx.AsyncClient(base_url=wa.graph_url) as http:
        answer = await http.post(f"/{wa.phone_number_id}/messages", json={
            "messaging_product": "whatsapp", "to": WA_ID, "type": "image", "image": {"id": "404"}},
            headers={"Authorization": f"Bearer {wa.token}"})
    assert answer.status_code == 400 and wa.violations == [
        f"POST /v23.0/{wa.phone_number_id}/messages: image.id: no media was uploaded as '404'"]


async def test_the_console_writes_the_chart_to_a_file_and_shows_its_path(tmp_path: Path) -> None:
    stream = io.StringIO()
    console = ConsoleChannel(stream, image_dir=tmp_path / "gambar")
    await console.send("console", Reply("Penempatan per program, 2025", image=chart(file_id=42)))
    path = tmp_path / "gambar" / "42-penempatan-2025.png"
    assert path.read_bytes() == png()
    assert stream.getvalue() == f"\n[{path}]\nPenempatan per program, 2025\n"


async def test_the_fake_whatsapp_checks_media_uploads_as_the_cloud_api_does(wa: FakeWhatsApp) -> None:
    headers = {"Authorization": f"Bearer {wa.token}"}
    async with httpx.AsyncClient(base_url=wa.graph_url, headers=headers) as http:
        good = await http.post(f"/{wa.phone_number_id}/media", data={"messaging_product": "whatsapp", "type": PNG},
                               files={"file": ("a.png", png(), PNG)})
        untyped = await http.post(f"/{wa.phone_number_id}/media", data={"messaging_product": "whatsapp"},
                                  files={"file": ("a.png", png(), PNG)})
        zipped = await http.post(f"/{wa.phone_number_id}/media", data={"messaging_product": "whatsapp",
                                 "type": "application/zip"}, files={"file": ("a.zip", b"PK", "application/zip")})
        not_text = await http.post(f"/{wa.phone_number_id}/media", data={"messaging_product": "whatsapp",
                                   "type": PLAIN_TEXT}, files={"file": ("a.txt", b"\xff\xfe", PLAIN_TEXT)})
        as_json = await http.post(f"/{wa.phone_number_id}/media", json={"messaging_product": "whatsapp"})
    assert good.status_code == 200 and list(wa.media) == [good.json()["id"]]
    assert [answer.status_code for answer in (untyped, zipped, not_text, as_json)] == [400, 400, 400, 400]
    assert [violation.split(": ", 1)[1] for violation in wa.violations] == [
        "type: required, the MIME type of the file",
        "file: 'application/zip' is not a media type WhatsApp takes (image/jpeg, image/png, application/pdf, "
        "application/vnd.ms-excel, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, text/plain)",
        "file: 'a.txt' is not the text it says it is",
        "media uploads are multipart/form-data, not 'application/json'",
    ]


EXPORT = b"NIK: 6309014508990001\nPendaftaran Anda:\n"


def export_file() -> Image:
    """A person's data export as the sender hands it to a channel: not a picture, so a document."""
    return Image(7, "data-sahabat-kerja.txt", PLAIN_TEXT, content=EXPORT)


async def test_a_file_that_is_not_a_picture_goes_to_telegram_as_a_document(
    tg: FakeTelegram, adapter: ConnectedAdapter  # noqa: F811
) -> None:
    await adapter.channel.send("501", Reply("Data yang sama dalam bentuk berkas", image=export_file()))
    [call] = tg.calls_of("sendDocument")
    assert call["caption"] == "Data yang sama dalam bentuk berkas"
    assert (call["document"].filename, call["document"].data) == ("data-sahabat-kerja.txt", EXPORT)
    assert tg.calls_of("sendPhoto") == []
    tg.assert_clean()


async def test_a_file_that_is_not_a_picture_goes_to_whatsapp_as_an_uploaded_document(
    wa: FakeWhatsApp, whatsapp: WhatsAppChannel
) -> None:
    await whatsapp.deliver(WA_ID, Reply("Data yang sama dalam bentuk berkas", image=export_file()))
    [body] = wa.sent_to(WA_ID)
    assert body["type"] == "document"
    document = body["document"]
    assert (document["filename"], document["caption"]) == ("data-sahabat-kerja.txt",
                                                           "Data yang sama dalam bentuk berkas")
    upload = wa.media[document["id"]]
    assert (upload.content_type, upload.data) == (PLAIN_TEXT, EXPORT)
    wa.assert_clean()
