"""Every door bounds its body before reading it: the app served by uvicorn on a real port, spoken to over a raw
socket so a test can send a body that lies about its size, or never ends.

A declared length over the limit is answered 413 at once; a chunked body is answered 413 while it is still
being sent, as soon as it passes the limit (a server that waited for its end would time out here); a body
nested too deeply to parse is a 400, not a 500.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from fastapi import APIRouter

from bot.channels.base import SendReplies
from bot.channels.telegram.connect import webhook_router
from bot.channels.whatsapp.webhook import SIGNATURE_HEADER, WEBHOOK_PATH, whatsapp_webhook_router
from bot.engine.messages import Incoming
from bot.engine.runtime import Runtime
from bot.webhooks import create_app
from tests.test_telegram_e2e import free_port

APP_SECRET = "app-secret"
TELEGRAM_SECRET = "telegram-secret"
TELEGRAM_PATH = "/telegram/webhook"
LIMIT = 64 * 1024
CHUNK = b"x" * 16 * 1024
ANSWER_WITHIN = 5.0


class Unused:
    """The Telegram adapter is never reached by what these tests send."""

    async def receive(self, _update: Any) -> Any:
        raise AssertionError("an update got through")

    async def deliver(self, _send: Any) -> None:
        raise AssertionError("an update got through")


def doors() -> list[APIRouter]:
    async def handle(_incoming: Incoming) -> SendReplies:
        raise AssertionError("a message got through")

    async def nothing(_status: object) -> None:
        return None

    whatsapp = whatsapp_webhook_router(verify_token="v", app_secret=APP_SECRET, phone_number_id=None,
                                       accept=handle, on_status=nothing)
    return [whatsapp, webhook_router(Unused(), TELEGRAM_SECRET, TELEGRAM_PATH)]  # type: ignore[arg-type]


@pytest.fixture
async def port(runtime: Runtime) -> AsyncIterator[int]:
    """Both webhooks and the dashboard on one app, as `python -m bot run` serves them, with a small webhook limit."""
    chosen = free_port()
    app = create_app(doors(), runtime=runtime, webhook_max_body=LIMIT)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=chosen, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield chosen
    finally:
        server.should_exit = True
        await task


async def status_of(port: int, path: str, headers: dict[str, str], body: bytes = b"", *, chunks: int = 0) -> int:
    """POST `path` over a raw connection: `body`, or `chunks` chunks of CHUNK without an end; the status code."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    writer.write(f"POST {path} HTTP/1.1\r\nHost: bot\r\n{head}\r\n".encode() + body)
    try:
        for _ in range(chunks):  # a body that never ends: the answer must come before it would
            writer.write(f"{len(CHUNK):x}\r\n".encode() + CHUNK + b"\r\n")
            await writer.drain()
    except ConnectionError:
        pass  # the server said its word and closed: read it below
    try:
        line = await asyncio.wait_for(reader.readline(), ANSWER_WITHIN)
    finally:
        writer.close()
    return int(line.split()[1])


WEBHOOKS = {
    WEBHOOK_PATH: {SIGNATURE_HEADER: "sha256=" + "0" * 64},
    TELEGRAM_PATH: {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
}


@pytest.mark.parametrize("path", list(WEBHOOKS))
async def test_a_webhook_body_declared_too_large_is_refused_unread(port: int, path: str) -> None:
    headers = {**WEBHOOKS[path], "Content-Length": str(100 * 1024 * 1024), "Content-Type": "application/json"}
    assert await status_of(port, path, headers) == 413


@pytest.mark.parametrize("path", list(WEBHOOKS))
async def test_a_chunked_webhook_body_is_refused_as_soon_as_it_passes_the_limit(port: int, path: str) -> None:
    headers = {**WEBHOOKS[path], "Transfer-Encoding": "chunked", "Content-Type": "application/json"}
    assert await status_of(port, path, headers, chunks=LIMIT // len(CHUNK) + 8) == 413


@pytest.mark.parametrize("path", list(WEBHOOKS))
async def test_a_false_content_length_is_refused(port: int, path: str) -> None:
    headers = {**WEBHOOKS[path], "Content-Length": "9" * 40}
    assert await status_of(port, path, headers) in (400, 413)


async def test_a_dashboard_form_too_large_or_without_end_is_refused(port: int) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert await status_of(port, "/keluar", {**form, "Content-Length": str(100 * 1024 * 1024)}) == 413
    assert await status_of(port, "/keluar", {**form, "Transfer-Encoding": "chunked"}, chunks=512) == 413


async def test_a_body_nested_too_deeply_is_a_bad_request_on_both_webhooks(port: int) -> None:
    deep = b"[" * 20_000 + b"]" * 20_000
    signature = hmac.new(APP_SECRET.encode(), deep, hashlib.sha256).hexdigest()
    whatsapp = {SIGNATURE_HEADER: f"sha256={signature}", "Content-Length": str(len(deep))}
    assert await status_of(port, WEBHOOK_PATH, whatsapp, deep) == 400
    telegram = {**WEBHOOKS[TELEGRAM_PATH], "Content-Length": str(len(deep))}
    assert await status_of(port, TELEGRAM_PATH, telegram, deep) == 400
