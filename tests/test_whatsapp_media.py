"""Files sent over WhatsApp (a staff member's CSV of openings) are fetched from the media endpoints.

The fake Graph API serves only the messages endpoint, so a small stand-in for the two media calls lives here:
`GET /v23.0/{media-id}` (the file's URL) and the URL itself, both requiring the access token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web
from fastapi import FastAPI

from bot.channels.base import SendReplies
from bot.channels.whatsapp.channel import WhatsAppChannel, WhatsAppConfig
from bot.channels.whatsapp.inbound import DeliveryStatus, MediaRef
from bot.channels.whatsapp.webhook import WEBHOOK_PATH, whatsapp_webhook_router
from bot.engine.channel_port import RuntimePort
from bot.engine.messages import MAX_DOCUMENT_BYTES, Document, Incoming, IncomingKind
from models.users import Role, set_role
from tests.chat import RecordingChannel
from tests.conftest import Clock, RuntimeFactory
from tests.fakes import whatsapp_webhooks as hooks
from tests.test_opening_import import GOOD
from tests.test_opening_upload import IMPORT, openings

TOKEN = "test-token"
CSV = b"title,provider,deadline\nPengelasan SMAW 3G,BLK Tabalong,2026-12-15\n"
BIG = b"x" * (MAX_DOCUMENT_BYTES + 5000)


class MediaServer:
    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> MediaServer:
        app = web.Application()
        app.router.add_get("/v23.0/{media_id}", self._describe)
        app.router.add_get("/files/{media_id}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {TOKEN}"

    async def _describe(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        if not self._authorised(request) or media_id not in self.files:
            error = {"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100}}
            return web.json_response(error, status=400)
        return web.json_response({
            "url": f"{self.base_url}/files/{media_id}", "mime_type": "text/csv", "sha256": "0" * 64,
            "file_size": len(self.files[media_id]), "id": media_id, "messaging_product": "whatsapp"})

    async def _file(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.Response(status=401)
        return web.Response(body=self.files[request.match_info["media_id"]], content_type="text/csv")


@pytest.fixture
async def channel() -> AsyncIterator[WhatsAppChannel]:
    async with MediaServer({"111": CSV, "222": BIG}) as media:
        whatsapp = WhatsAppChannel(WhatsAppConfig(token=TOKEN, phone_number_id="1234567890",
                                                  api_base=media.base_url))
        yield whatsapp
        await whatsapp.aclose()


async def test_a_csv_is_fetched_whole(channel: WhatsAppChannel) -> None:
    document = await channel.fetch_document(MediaRef("111", "lowongan.csv", "text/csv"))
    assert document == Document("lowongan.csv", CSV, "text/csv")
    assert document is not None
    assert document.content == CSV


async def test_a_file_too_large_is_cut_just_past_the_limit_so_the_handler_can_say_so(
    channel: WhatsAppChannel,
) -> None:
    document = await channel.fetch_document(MediaRef("222", "besar.xlsx", "application/octet-stream"))
    assert document is not None
    assert len(document.content) == MAX_DOCUMENT_BYTES + 1


async def test_a_file_whatsapp_will_not_give_is_none(channel: WhatsAppChannel) -> None:
    assert await channel.fetch_document(MediaRef("999", "hilang.csv", "text/csv")) is None


async def nothing_to_send() -> None:
    return None


async def test_a_document_message_reaches_the_handlers_with_its_file(channel: WhatsAppChannel) -> None:
    received: list[Incoming] = []

    async def handle(incoming: Incoming) -> SendReplies:
        received.append(incoming)
        return nothing_to_send

    async def ignore(_status: DeliveryStatus) -> None:
        return None

    app = FastAPI()
    app.include_router(whatsapp_webhook_router(
        verify_token="v", app_secret="app-secret", phone_number_id=None, accept=handle, on_status=ignore,
        fetch_document=channel.fetch_document))
    document: dict[str, Any] = {"id": "111", "mime_type": "text/csv", "filename": "lowongan.csv"}
    missing: dict[str, Any] = {"id": "999", "mime_type": "text/csv", "filename": "hilang.csv"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as http:
        for content in (document, missing):
            raw, headers = hooks.signed_webhook(hooks.inbound("6281200000001", "document", content), "app-secret")
            assert (await http.post(WEBHOOK_PATH, content=raw, headers=headers)).status_code == 200
    assert [(m.kind, m.document) for m in received] == [
        (IncomingKind.DOCUMENT, Document("lowongan.csv", CSV, "text/csv")), (IncomingKind.UNSUPPORTED, None)]


async def test_staff_import_openings_by_sending_a_csv_over_whatsapp(
    make_runtime: RuntimeFactory, clock: Clock
) -> None:
    staff_id = "6281300000009"
    recording = RecordingChannel(name="whatsapp")
    runtime = make_runtime(recording)
    async with runtime.session_factory() as session, session.begin():
        await set_role(session, "whatsapp", staff_id, Role.STAFF, locale="id", now=clock())

    async def ignore(_status: DeliveryStatus) -> None:
        return None

    async with MediaServer({"333": GOOD.encode()}) as media:
        whatsapp = WhatsAppChannel(WhatsAppConfig(token=TOKEN, phone_number_id="1234567890",
                                                  api_base=media.base_url))
        app = FastAPI()
        app.include_router(whatsapp_webhook_router(
            verify_token="v", app_secret="app-secret", phone_number_id=None, accept=RuntimePort(runtime).accept,
            on_status=ignore, fetch_document=whatsapp.fetch_document))

        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as http:

            async def post(payload: dict[str, Any]) -> str:
                raw, headers = hooks.signed_webhook(payload, "app-secret")
                assert (await http.post(WEBHOOK_PATH, content=raw, headers=headers)).status_code == 200
                return recording.to(staff_id)[-1].text

            def token(label: str) -> str:
                last = recording.to(staff_id)[-1]
                return next(o.token for o in (*last.options, *last.nav) if o.label == label)

            await post(hooks.text_message(staff_id, "/staf"))
            await post(hooks.list_reply(staff_id, token(IMPORT), IMPORT[:24]))
            document = {"id": "333", "mime_type": "text/csv", "filename": "lowongan.csv"}
            assert (await post(hooks.inbound(staff_id, "document", document))).startswith(
                "lowongan.csv: semua baris sudah benar.")
            assert (await post(hooks.button_reply(staff_id, token("Ya, impor"), "Ya, impor"))).startswith(
                "3 program berhasil diimpor.")
        await whatsapp.aclose()
    assert await openings(runtime) == (2, 1)
