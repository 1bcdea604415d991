"""Posters and brochures on the dashboard over HTTP: attaching one to an opening (refused files said beside the
field, a too-large body refused unread), its thumbnail and download, removing it after a confirmation; a broadcast
written with a poster that recipients get; a viewer changes nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select

from bot.engine.runtime import Runtime
from bot.webhooks import create_app
from jobs.broadcasts import send_broadcasts
from models.files import StoredFile
from models.posters import broadcast_poster, opening_poster
from models.users import Role
from services.posters import DOCUMENT_LIMIT
from tests.chat import ChatUser, RecordingChannel
from tests.conftest import Clock
from tests.test_dashboard_openings import CSRF, FORM_ID, as_role, found
from tests.test_openings import seed_catalog
from tests.test_posters import PDF, POSTER

OPENING = "/dasbor/program/t1"
NEW = "/dasbor/siaran/baru"


@pytest.fixture
async def web(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://dasbor.test") as client:
        yield client


async def upload(web: httpx.AsyncClient, name: str, content: bytes, media_type: str = "image/png",
                 where: str = OPENING) -> httpx.Response:
    csrf = found(CSRF, (await web.get(where)).text)
    return await web.post(f"{OPENING}/poster", data={"csrf_token": csrf},
                          files={"poster_file": (name, content, media_type)})


async def files(runtime: Runtime) -> int:
    async with runtime.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(StoredFile)) or 0)


async def test_staff_attach_a_poster_to_an_opening_see_it_and_remove_it(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await seed_catalog(runtime, clock)
    await as_role(runtime, clock, web)
    page = (await web.get(OPENING)).text
    assert 'enctype="multipart/form-data"' in page and 'name="poster_file" type="file"' in page
    assert "Belum ada." in page
    assert 'name="poster_file" type="file"' in (await web.get(f"{OPENING}/ubah")).text, "on the edit form too"

    wrong = await upload(web, "poster.png", b"<svg onload=alert(1)>")
    assert wrong.status_code == 422 and "Mohon kirim gambar (JPG, PNG atau WebP) atau brosur PDF" in wrong.text
    assert 'aria-invalid="true"' in wrong.text
    empty = await upload(web, "", b"", "application/octet-stream")
    assert empty.status_code == 422 and "Mohon pilih gambar atau PDF-nya." in empty.text
    big = await upload(web, "poster.png", b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024))
    assert big.status_code == 422 and "gambar maksimal 5 MB, PDF maksimal 10 MB" in big.text
    huge = await upload(web, "brosur.pdf", b"%PDF-" + b"0" * (DOCUMENT_LIMIT + 70_000), "application/pdf")
    assert huge.status_code == 413 and "terlalu besar" in huge.text, "refused before the body is read"
    assert await files(runtime) == 0

    done = await upload(web, "poster-menjahit.png", POSTER)
    assert done.status_code == 303 and done.headers["location"] == f"{OPENING}?diubah=1"
    page = (await web.get(OPENING)).text
    assert f'<img src="{OPENING}/poster"' in page and "poster-menjahit.png" in page
    download = await web.get(f"{OPENING}/poster")
    assert download.status_code == 200 and download.content == POSTER
    assert download.headers["content-type"] == "image/png"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith("attachment;")

    assert (await upload(web, "brosur.pdf", PDF, "application/pdf")).status_code == 303
    assert await files(runtime) == 1, "the brochure replaced the poster and its file"
    page = (await web.get(OPENING)).text
    assert f'<img src="{OPENING}/poster"' not in page and "brosur.pdf" in page

    asked = await web.get(f"{OPENING}/poster/hapus")
    assert asked.status_code == 200 and "Hapus posternya?" in asked.text and "brosur.pdf" in asked.text
    removed = await web.post(f"{OPENING}/poster/hapus", data={"csrf_token": found(CSRF, asked.text)})
    assert removed.status_code == 303
    assert await files(runtime) == 0
    assert (await web.get(f"{OPENING}/poster")).status_code == 404


async def test_a_viewer_sees_the_poster_but_may_not_change_it(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await seed_catalog(runtime, clock)
    await as_role(runtime, clock, web)
    assert (await upload(web, "poster.png", POSTER)).status_code == 303
    web.cookies.clear()
    await as_role(runtime, clock, web, Role.VIEWER)
    page = (await web.get(OPENING)).text
    assert "poster.png" in page and 'name="poster_file"' not in page
    assert (await web.get(f"{OPENING}/poster")).content == POSTER
    refused = await web.post(f"{OPENING}/poster/hapus", data={"csrf_token": found(CSRF, page)})
    assert refused.status_code == 403
    async with runtime.session_factory() as session:
        assert await opening_poster(session, "t1") is not None


async def test_a_broadcast_written_with_a_poster_reaches_its_recipients_with_it(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, web: httpx.AsyncClient
) -> None:
    await ChatUser(runtime, channel, "siti").send("/start")
    await as_role(runtime, clock, web)
    form = (await web.get(NEW)).text
    assert 'enctype="multipart/form-data"' in form
    fields = {"csrf_token": found(CSRF, form), "form_id": found(FORM_ID, form), "text_id": "Bursa kerja Sabtu ini",
              "group": "everyone", "when": "now"}
    refused = await web.post(NEW, data={**fields, "action": "preview"},
                             files={"poster_file": ("a.gif", b"GIF89a" + b"0" * 20, "image/gif")})
    assert refused.status_code == 422 and "brosur PDF" in refused.text
    assert "Bursa kerja Sabtu ini" in refused.text, "what was typed is kept"
    preview = await web.post(NEW, data={**fields, "action": "preview"},
                             files={"poster_file": ("bursa.png", POSTER, "image/png")})
    assert preview.status_code == 200 and "bursa.png" in preview.text
    file_id = found(re.compile(r'name="poster" value="(\d+)"'), preview.text)
    thumbnail = await web.get(f"/dasbor/siaran/unggahan/{file_id}")
    assert thumbnail.status_code == 200 and thumbnail.content == POSTER
    sent = await web.post(NEW, data={**fields, "poster": file_id, "action": "send"})
    assert sent.status_code == 303
    number = int(sent.headers["location"].split("/")[-1].split("?")[0])
    page = (await web.get(f"/dasbor/siaran/{number}")).text
    assert f'<img src="/dasbor/siaran/{number}/poster"' in page
    assert (await web.get(f"/dasbor/siaran/unggahan/{file_id}")).status_code == 404, "linked now: not an upload"
    await send_broadcasts(runtime)
    [received] = [reply for reply in channel.to("siti") if reply.image is not None]
    assert received.image is not None and received.image.name == "bursa.png"
    assert received.text.startswith("Pengumuman dari Disnaker Kabupaten Tabalong:\n\nBursa kerja Sabtu ini")


async def test_a_made_up_poster_id_in_the_form_sends_nothing(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, web: httpx.AsyncClient
) -> None:
    await ChatUser(runtime, channel, "siti").send("/start")
    async with runtime.session_factory() as session, session.begin():
        from models.files import store_file

        export = await store_file(session, name="data.txt", media_type="text/plain", content=b"NIK", now=clock())
    await as_role(runtime, clock, web)
    form = (await web.get(NEW)).text
    fields = {"csrf_token": found(CSRF, form), "form_id": found(FORM_ID, form), "text_id": "Info",
              "group": "everyone", "when": "now", "poster": str(export)}
    sent = await web.post(NEW, data={**fields, "action": "send"})
    assert sent.status_code == 422 and "Berkas itu sudah tidak ada." in sent.text
    assert (await web.get(f"/dasbor/siaran/unggahan/{export}")).status_code == 404


async def test_staff_remove_a_scheduled_broadcasts_poster_after_a_confirmation(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, web: httpx.AsyncClient
) -> None:
    await ChatUser(runtime, channel, "siti").send("/start")
    await as_role(runtime, clock, web)
    form = (await web.get(NEW)).text
    fields = {"csrf_token": found(CSRF, form), "form_id": found(FORM_ID, form), "text_id": "Info",
              "group": "everyone", "when": "later", "send_date": "2027-01-05", "send_time": "09:00"}
    sent = await web.post(NEW, data={**fields, "action": "send"}, files={"poster_file": ("b.pdf", PDF,
                                                                                          "application/pdf")})
    assert sent.status_code == 303
    number = int(sent.headers["location"].split("/")[-1].split("?")[0])
    page = (await web.get(f"/dasbor/siaran/{number}")).text
    assert "b.pdf" in page and f"/dasbor/siaran/{number}/poster/hapus" in page
    asked = await web.get(f"/dasbor/siaran/{number}/poster/hapus")
    assert "Penerima yang belum dikirimi hanya mendapat teksnya." in asked.text
    done = await web.post(f"/dasbor/siaran/{number}/poster/hapus", data={"csrf_token": found(CSRF, asked.text)})
    assert done.status_code == 303
    async with runtime.session_factory() as session:
        assert await broadcast_poster(session, number) is None
