"""The WhatsApp webhook: verification, signatures over the raw body, replays, statuses and unsupported messages."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.base import SendReplies
from bot.channels.whatsapp.inbound import DeliveryStatus, PageTap, parse_webhook
from bot.channels.whatsapp.render import CONTACT_ID, MoreRequest, more_row_id
from bot.channels.whatsapp.webhook import (
    SIGNATURE_HEADER,
    WEBHOOK_PATH,
    signature_is_valid,
    verify_subscription,
    whatsapp_webhook_router,
)
from bot.engine.channel_port import RuntimePort
from bot.engine.messages import Incoming, IncomingKind
from bot.engine.runtime import Runtime
from tests.chat import RecordingChannel
from tests.conftest import RuntimeFactory
from tests.fakes import whatsapp_webhooks as hooks

SECRET = "app-secret"
VERIFY = "verify-me"
WA_ID = "6281200000001"


@dataclass
class Received:
    messages: list[Incoming] = field(default_factory=list)
    statuses: list[DeliveryStatus] = field(default_factory=list)
    taps: list[PageTap] = field(default_factory=list)

    async def handle(self, incoming: Incoming) -> SendReplies:
        self.messages.append(incoming)
        return nothing_to_send

    async def status(self, status: DeliveryStatus) -> None:
        self.statuses.append(status)

    async def tap(self, tap: PageTap) -> None:
        self.taps.append(tap)


async def nothing_to_send() -> None:
    return None


def app_for(handle: Any, received: Received) -> FastAPI:
    app = FastAPI()
    app.include_router(whatsapp_webhook_router(
        verify_token=VERIFY, app_secret=SECRET, phone_number_id=hooks.DEFAULT_PHONE_NUMBER_ID,
        accept=handle, on_status=received.status, on_page_tap=received.tap))
    return app


@pytest.fixture
def received() -> Received:
    return Received()


@pytest.fixture
async def http(received: Received) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app_for(received.handle, received))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        yield client


async def post(http: httpx.AsyncClient, payload: dict[str, Any], secret: str = SECRET) -> httpx.Response:
    raw, headers = hooks.signed_webhook(payload, secret)
    return await http.post(WEBHOOK_PATH, content=raw, headers=headers)


# ---- verification and signatures ----------------------------------------------------------------------


async def test_meta_subscribes_with_the_right_verify_token(http: httpx.AsyncClient) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    answer = await http.get(WEBHOOK_PATH, params=params)
    assert (answer.status_code, answer.text) == (200, "1158201444")
    wrong = await http.get(WEBHOOK_PATH, params=params | {"hub.verify_token": "guess"})
    assert wrong.status_code == 403
    assert "1158201444" not in wrong.text
    assert (await http.get(WEBHOOK_PATH, params=params | {"hub.mode": "unsubscribe"})).status_code == 403
    assert (await http.get(WEBHOOK_PATH)).status_code == 403


def test_verification_needs_a_configured_token() -> None:
    assert verify_subscription("subscribe", "", "1", "") is None
    assert verify_subscription("subscribe", "t", "1", "t") == "1"


async def test_a_signed_message_is_handled(http: httpx.AsyncClient, received: Received) -> None:
    answer = await post(http, hooks.text_message(WA_ID, "halo", msg_id="wamid.A"))
    assert answer.status_code == 200
    [incoming] = received.messages
    assert (incoming.channel, incoming.external_id, incoming.text, incoming.event_id) == (
        "whatsapp", WA_ID, "halo", "wamid.A")
    assert incoming.received_at is not None


async def test_missing_wrong_or_tampered_signatures_are_refused_and_nothing_is_processed(
    http: httpx.AsyncClient, received: Received
) -> None:
    raw, headers = hooks.signed_webhook(hooks.text_message(WA_ID, "halo"), SECRET)
    missing = {k: v for k, v in headers.items() if k != SIGNATURE_HEADER}
    assert (await http.post(WEBHOOK_PATH, content=raw, headers=missing)).status_code == 401
    assert (await post(http, hooks.text_message(WA_ID, "halo"), secret="other")).status_code == 401
    tampered = raw.replace(b"halo", b"hola")
    assert (await http.post(WEBHOOK_PATH, content=tampered, headers=headers)).status_code == 401
    garbage = headers | {SIGNATURE_HEADER: "sha256=zz"}
    assert (await http.post(WEBHOOK_PATH, content=raw, headers=garbage)).status_code == 401
    assert received.messages == []


@given(st.binary(max_size=200), st.text(max_size=80))
def test_signature_check_accepts_only_the_digest_of_the_exact_body(body: bytes, header: str) -> None:
    real = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert signature_is_valid(body, real, SECRET)
    assert not signature_is_valid(body + b" ", real, SECRET)
    assert not signature_is_valid(body, real, "another-secret")
    assert not signature_is_valid(body, header, SECRET)
    assert not signature_is_valid(body, None, SECRET)


async def test_signed_but_not_json_is_a_bad_request(http: httpx.AsyncClient) -> None:
    raw = b"not json"
    _, headers = hooks.signed_webhook({}, SECRET)
    headers[SIGNATURE_HEADER] = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert (await http.post(WEBHOOK_PATH, content=raw, headers=headers)).status_code == 400


# ---- what comes in -------------------------------------------------------------------------------------


async def test_button_and_list_taps_come_back_with_their_exact_tokens(
    http: httpx.AsyncClient, received: Received
) -> None:
    await post(http, hooks.button_reply(WA_ID, "12|o3", "Ya"))
    await post(http, hooks.list_reply(WA_ID, "/lihat t12", "3. Las", "Las dasar"))
    await post(http, hooks.list_reply(WA_ID, "12|nav:back", "Kembali"))
    assert [(m.kind, m.option) for m in received.messages] == [
        (IncomingKind.OPTION, "12|o3"), (IncomingKind.OPTION, "/lihat t12"), (IncomingKind.OPTION, "12|nav:back")]


async def test_the_contact_button_shares_the_senders_own_number(http: httpx.AsyncClient, received: Received) -> None:
    await post(http, hooks.button_reply(WA_ID, CONTACT_ID, "Kirim nomor HP saya"))
    [incoming] = received.messages
    assert (incoming.kind, incoming.contact_phone) == (IncomingKind.CONTACT, f"+{WA_ID}")


async def test_a_more_tap_is_kept_for_the_adapter(http: httpx.AsyncClient, received: Received) -> None:
    await post(http, hooks.list_reply(WA_ID, more_row_id(1, "12|o9"), "▸ 9–16", msg_id="wamid.M"))
    assert received.messages == []
    assert received.taps == [PageTap(WA_ID, MoreRequest(1, "12|o9"), "wamid.M")]


@pytest.mark.parametrize("payload", [
    hooks.image_message(WA_ID, caption="KTP"),
    hooks.audio_message(WA_ID),
    hooks.location_message(WA_ID, -6.2, 106.8, name="Disnaker"),
    hooks.reaction_message(WA_ID, "wamid.X", "👍"),
    hooks.inbound(WA_ID, "document", {"id": "1", "mime_type": "text/csv", "filename": "lowongan.csv"}),
    hooks.inbound(WA_ID, "sticker", {"id": "1", "mime_type": "image/webp"}),
], ids=["image", "audio", "location", "reaction", "document-not-fetched", "sticker"])
async def test_other_message_types_are_unsupported(
    http: httpx.AsyncClient, received: Received, payload: dict[str, Any]
) -> None:
    await post(http, payload)
    [incoming] = received.messages
    assert incoming.kind is IncomingKind.UNSUPPORTED
    assert incoming.event_id


async def test_statuses_are_reported_with_their_errors(http: httpx.AsyncClient, received: Received) -> None:
    for state in ("sent", "delivered", "read"):
        await post(http, hooks.status_update("wamid.OUT", state, WA_ID))
    await post(http, hooks.status_update("wamid.OUT2", "failed", WA_ID, [hooks.status_error(131047)]))
    assert [(s.message_id, s.status) for s in received.statuses] == [
        ("wamid.OUT", "sent"), ("wamid.OUT", "delivered"), ("wamid.OUT", "read"), ("wamid.OUT2", "failed")]
    failed = received.statuses[-1]
    assert failed.recipient == WA_ID
    assert failed.errors[0].code == 131047
    assert "24 hours" in failed.errors[0].details
    assert received.messages == []


async def test_webhooks_for_another_number_are_ignored(http: httpx.AsyncClient, received: Received) -> None:
    answer = await post(http, hooks.text_message(WA_ID, "halo", phone_number_id="999"))
    assert answer.status_code == 200
    assert received.messages == []


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner,
                                                                                 max_size=3), max_leaves=20))
def test_parsing_never_fails_on_odd_json(payload: Any) -> None:
    parse_webhook(payload)
    parse_webhook({"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages",
                                                                                  "value": payload}]}]})


@given(st.sampled_from(["text", "interactive", "image", "contacts", "button"]), st.dictionaries(
    st.sampled_from(["type", "id", "body", "button_reply", "list_reply", "phones", "text"]),
    st.none() | st.text(max_size=5) | st.lists(st.dictionaries(st.text(max_size=5), st.text(max_size=5)))))
def test_parsing_never_fails_on_odd_message_content(kind: str, content: dict[str, Any]) -> None:
    batch = parse_webhook(hooks.inbound(WA_ID, kind, content))
    assert len(batch.messages) + len(batch.page_taps) == 1


# ---- through the real dispatcher ----------------------------------------------------------------------


@pytest.fixture
def whatsapp_runtime(make_runtime: RuntimeFactory) -> tuple[Runtime, RecordingChannel]:
    channel = RecordingChannel(name="whatsapp")
    return make_runtime(channel), channel


async def test_a_redelivered_message_is_processed_once(whatsapp_runtime: tuple[Runtime, RecordingChannel]) -> None:
    runtime, channel = whatsapp_runtime
    received = Received()
    transport = httpx.ASGITransport(app=app_for(RuntimePort(runtime).accept, received))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
        payload = hooks.text_message(WA_ID, "/start", msg_id="wamid.SAME")
        assert (await post(http, payload)).status_code == 200
        first = len(channel.to(WA_ID))
        assert first >= 1
        assert (await post(http, json.loads(json.dumps(payload)))).status_code == 200
    assert len(channel.to(WA_ID)) == first


async def test_an_unsupported_message_is_answered_politely(
    whatsapp_runtime: tuple[Runtime, RecordingChannel],
) -> None:
    runtime, channel = whatsapp_runtime
    received = Received()
    transport = httpx.ASGITransport(app=app_for(RuntimePort(runtime).accept, received))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
        await post(http, hooks.text_message(WA_ID, "/start"))
        before = len(channel.to(WA_ID))
        await post(http, hooks.image_message(WA_ID, caption="KTP saya"))
    answers = channel.to(WA_ID)[before:]
    assert answers
    assert "hanya dapat membaca" in answers[0].text.lower() or "only read" in answers[0].text.lower()
