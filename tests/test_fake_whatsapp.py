"""Tests of the fake WhatsApp Cloud API: the spec validator, the server, and the webhook builders.

The fake is only worth trusting if Meta's own request examples pass it, hand-made mistakes fail it,
and a real pywa client sees the same results and error classes it would get from graph.facebook.com.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from pywa_async import WhatsApp, errors, types
from pywa_async.handlers import (
    CallbackButtonHandler,
    CallbackSelectionHandler,
    MessageHandler,
    MessageStatusHandler,
)

from tests.fakes import whatsapp_webhooks as hooks
from tests.fakes.whatsapp_server import FakeWhatsApp
from tests.fakes.whatsapp_spec import TOLERANCES, check_message, load_spec, spec_request_examples

TO = "6281234567890"
EXAMPLES = spec_request_examples()

# The spec's examples that contradict its schema, and the named rule each one needs (see TOLERANCES).
EXPECTED_TOLERATED: dict[str, set[str]] = {
    "Send Catalog Template Message": {
        "template_button_index", "template_button_sub_type", "template_language_policy_optional"},
    "Send Contact Message": {"recipient_type_optional"},
    "Send Flow Template Message": {
        "recipient_type_optional", "template_button_index", "template_button_sub_type",
        "template_language_policy_optional"},
    "Send Location Message": {"location_coordinates_numeric"},
    "Send Message Template Interactive": {"template_button_index", "template_language_policy_optional"},
    "Send Message Template Media": {"template_language_policy_optional"},
    "Send Message Template Text": {"template_language_policy_optional"},
    "Send Order Details Message": {"interactive_order_types"},
    "Send Order Status Message": {"interactive_order_types"},
    "Send Reply to Contact Message": {"recipient_type_optional"},
    "Send Reply to List Message": {"type_optional"},
    "Send Reply to Location Message": {"location_coordinates_numeric"},
    "Send Sample Issue Resolution Template": {"recipient_type_optional", "template_button_index"},
    "Send Sample Shipping Confirmation Template": {"template_language_policy_optional"},
    "Send Sample Text Message": {"template_language_policy_optional"},
    "Send Test Message": {"recipient_type_optional", "template_language_policy_optional"},
    "Send Text Message with Preview URL": {"recipient_type_optional", "type_optional"},
}


def _msg(**fields: Any) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO} | fields


def _buttons(*titles: str) -> dict[str, Any]:
    buttons = [{"type": "reply", "reply": {"id": f"b{i}", "title": t}} for i, t in enumerate(titles)]
    return _msg(type="interactive", interactive={"type": "button", "body": {"text": "Pilih"},
                                                 "action": {"buttons": buttons}})


def _list(*sections: list[dict[str, str]]) -> dict[str, Any]:
    secs = [{"title": f"Bagian {i}", "rows": rows} for i, rows in enumerate(sections)]
    return _msg(type="interactive", interactive={"type": "list", "body": {"text": "Pilih"},
                                                 "action": {"button": "Menu", "sections": secs}})


def _rows(n: int, prefix: str = "r", **extra: str) -> list[dict[str, str]]:
    return [{"id": f"{prefix}{i}", "title": f"Baris {i}"} | extra for i in range(n)]


# ---- the validator against the spec's own examples ---------------------------------------------------


def test_spec_examples_are_all_found() -> None:
    assert len(EXAMPLES) >= 45
    assert set(EXPECTED_TOLERATED) <= {name for name, _ in EXAMPLES}


@pytest.mark.parametrize(("name", "body"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_spec_example_passes(name: str, body: dict[str, Any]) -> None:
    report = check_message(body)
    assert report.violations == []
    assert report.tolerated == EXPECTED_TOLERATED.get(name, set())


def test_every_tolerance_is_needed_by_some_example() -> None:
    used = set().union(*EXPECTED_TOLERATED.values())
    assert used == {t.name for t in TOLERANCES}


def test_unfilled_example_is_rejected_for_its_placeholder_recipient() -> None:
    raw = load_spec()["paths"]["/{Version}/{Phone-Number-ID}/messages"]["post"]["requestBody"]
    body = raw["content"]["application/json"]["examples"]["Send Text Message"]["value"]
    assert any(v.startswith("to:") for v in check_message(body).violations)


# ---- hand-made violations -------------------------------------------------------------------------------

VIOLATIONS: dict[str, tuple[dict[str, Any], str]] = {
    "unknown top-level field": (_msg(type="text", text={"body": "hi"}, foo=1), "'foo' was unexpected"),
    "4 reply buttons": (_buttons("a", "b", "c", "d"), "4 reply buttons, limit is 3"),
    "button title 21": (_buttons("x" * 21), "buttons[0].reply.title: 21 characters, limit is 20"),
    "duplicate button ids": (
        _msg(type="interactive", interactive={"type": "button", "body": {"text": "x"}, "action": {
            "buttons": [{"type": "reply", "reply": {"id": "same", "title": t}} for t in ("a", "b")]}}),
        "button ids must be unique"),
    "11 list rows": (_list(_rows(6), _rows(5, "s")), "11 rows in total, limit is 10"),
    "row title 25": (_list([{"id": "r", "title": "x" * 25}]), "rows[0].title: 25 characters, limit is 24"),
    "row description 73": (_list(_rows(1, description="d" * 73)), "description: 73 characters, limit is 72"),
    "body 1025": (_msg(type="interactive", interactive={"type": "button", "body": {"text": "x" * 1025},
                                                        "action": {"buttons": [{"type": "reply", "reply": {
                                                            "id": "a", "title": "a"}}]}}),
                  "interactive.body.text: 1025 characters, limit is 1024"),
    "missing to": ({"messaging_product": "whatsapp", "type": "text", "text": {"body": "hi"}},
                   "'to' is a required property"),
    "text body 4097": (_msg(type="text", text={"body": "x" * 4097}), "4097 characters, limit is 4096"),
    "to not digits": (_msg(type="text", text={"body": "hi"}, to="0812-abc"), "must be digits"),
    "unknown nested field": (_msg(type="text", text={"body": "hi", "bold": True}), "'bold' was unexpected"),
    "unknown interactive field": (
        _msg(type="interactive", interactive={"type": "button", "body": {"text": "x"}, "buttons": [],
                                              "action": {"buttons": []}}), "'buttons' was unexpected"),
    "media with id and link": (_msg(type="image", image={"id": "1", "link": "https://x"}), "more than one"),
    "unknown message type": (_msg(type="poll", poll={}), "'poll' is not one of"),
    "coordinates as booleans": (_msg(type="location", location={"latitude": True, "longitude": "1"}),
                                "location.latitude"),
    "template sub_type bogus": (
        _msg(type="template", template={"name": "t", "language": {"code": "id"}, "components": [
            {"type": "button", "sub_type": "bogus", "index": "0", "parameters": []}]}), "sub_type"),
    "read receipt extra field": ({"messaging_product": "whatsapp", "status": "read", "message_id": "w",
                                  "foo": 1}, "'foo' was unexpected"),
}


@pytest.mark.parametrize(("body", "expected"), VIOLATIONS.values(), ids=VIOLATIONS.keys())
def test_violation_is_caught(body: dict[str, Any], expected: str) -> None:
    violations = check_message(body).violations
    assert any(expected in v for v in violations), violations


# ---- the server with a real pywa client ---------------------------------------------------------------


@pytest.fixture
async def wa() -> AsyncIterator[FakeWhatsApp]:
    async with FakeWhatsApp(phone_number_id="1234567890", token="test-token", app_secret="app-secret") as f:
        yield f


async def test_pywa_sends_text_buttons_and_list_cleanly(wa: FakeWhatsApp) -> None:
    client = wa.pywa_client()
    sent = await client.send_message(to=TO, text="Halo, selamat datang")
    await client.send_message(to=TO, text="Lanjut?", header="Pendaftaran", footer="Sahabat Kerja",
                              buttons=[types.Button("Ya", "yes"), types.Button("Tidak", "no")])
    await client.send_message(to=TO, text="Pilih pelatihan", buttons=types.SectionList(
        button_title="Daftar", sections=[
            types.Section(title="Teknik", rows=[types.SectionRow("Las", "las", "Las dasar")]),
            types.Section(title="Jasa", rows=[types.SectionRow("Tata boga", "boga")]),
        ]))
    await client.mark_message_as_read(message_id="wamid.in1")
    await client.indicate_typing(message_id="wamid.in1")
    wa.assert_clean()
    assert sent.id.startswith("wamid.")
    assert [b["type"] for b in wa.sent] == ["text", "interactive", "interactive"]
    assert wa.sent_to(TO)[1]["interactive"]["action"]["buttons"][1]["reply"]["id"] == "no"
    assert len(wa.read_receipts) == 2
    assert wa.read_receipts[1]["typing_indicator"] == {"type": "text"}


async def test_message_ids_are_unique(wa: FakeWhatsApp) -> None:
    client = wa.pywa_client()
    ids = {(await client.send_message(to=TO, text=f"pesan {i}")).id for i in range(5)}
    assert len(ids) == 5


async def test_invalid_send_is_refused_and_recorded(wa: FakeWhatsApp) -> None:
    client = wa.pywa_client()
    with pytest.raises(errors.WhatsAppError) as caught:
        await client.send_message(to=TO, text="Pilih", buttons=[types.Button("x" * 21, "a")])
    assert caught.value.code == 100
    assert caught.value.status_code == 400
    assert "limit is 20" in (caught.value.details or "")
    assert wa.sent == []
    with pytest.raises(AssertionError, match="1 WhatsApp API violation"):
        wa.assert_clean()


async def test_wrong_token_is_401(wa: FakeWhatsApp) -> None:
    async with httpx.AsyncClient(base_url=wa.graph_url) as http:
        res = await http.post("/1234567890/messages", json=_msg(type="text", text={"body": "hi"}),
                              headers={"Authorization": "Bearer nope"})
    assert res.status_code == 401
    assert res.json()["error"]["code"] == 190
    assert wa.unauthorized == 1
    assert errors.WhatsAppError.from_dict(res.json()["error"]).__class__ is errors.ExpiredAccessToken


async def test_unknown_endpoint_and_phone_id_are_violations(wa: FakeWhatsApp) -> None:
    headers = {"Authorization": "Bearer test-token"}
    async with httpx.AsyncClient(base_url=wa.graph_url, headers=headers) as http:
        profile = await http.post("/1234567890/whatsapp_business_profile")
        other = await http.post("/999/messages", json=_msg(type="text", text={"body": "hi"}))
    assert profile.status_code == other.status_code == 400
    assert profile.json()["error"]["error_subcode"] == 33
    assert len(wa.violations) == 2


@pytest.mark.parametrize(
    ("fault", "error_class", "status"),
    [
        ({"code": 130429}, errors.RateLimitHit, 429),
        ({}, errors.RateLimitHit, 429),
        ({"code": 131056}, errors.TooManyMessages, 429),
        ({"code": 131047}, errors.ReEngagementMessage, 400),
        ({"status": 500}, errors.UnknownError, 500),
        ({"status": 503}, errors.ServiceUnavailable, 503),
    ],
    ids=["130429", "default", "131056", "131047", "500", "503"],
)
async def test_injected_faults_surface_as_pywa_errors(
    wa: FakeWhatsApp, fault: dict[str, Any], error_class: type[errors.WhatsAppError], status: int
) -> None:
    client = wa.pywa_client()
    wa.fail_next(count=2, **fault)
    for _ in range(2):
        with pytest.raises(error_class) as caught:
            await client.send_message(to=TO, text="Halo")
        assert caught.value.status_code == status
        assert caught.value.details
    assert isinstance(caught.value, errors.ThrottlingError) == (status == 429)
    await client.mark_message_as_read(message_id="wamid.in1")  # receipts are not faulted
    await client.send_message(to=TO, text="Halo lagi")
    assert len(wa.sent) == 1
    assert len(wa.failed) == 2
    wa.assert_clean()


async def test_hang_makes_the_client_time_out(wa: FakeWhatsApp) -> None:
    client = wa.pywa_client(timeout=0.3)
    wa.fail_next(hang=True)
    with pytest.raises(httpx.ReadTimeout):
        await client.send_message(to=TO, text="Halo")
    await client.send_message(to=TO, text="Halo")
    assert len(wa.sent) == 1


async def test_closed_window_blocks_free_form_but_not_templates(wa: FakeWhatsApp) -> None:
    from pywa_async.types.templates import TemplateLanguage

    client = wa.pywa_client()
    wa.window_closed_for("+" + TO)
    with pytest.raises(errors.ReEngagementMessage):
        await client.send_message(to=TO, text="Halo")
    await client.send_template(to=TO, name="pengingat_pelatihan", language=TemplateLanguage.INDONESIAN)
    await client.send_message(to="6289999999999", text="Orang lain")
    wa.window_opened_for(TO)
    await client.send_message(to=TO, text="Halo lagi")
    assert [b["type"] for b in wa.sent] == ["template", "text", "text"]
    wa.assert_clean()


async def test_rate_limit_throttles_bursts() -> None:
    now = [0.0]
    async with FakeWhatsApp(rate=2, clock=lambda: now[0]) as wa:
        client = wa.pywa_client()
        results = await asyncio.gather(*(client.send_message(to=TO, text=f"{i}") for i in range(5)),
                                       return_exceptions=True)
        refused = [r for r in results if isinstance(r, errors.RateLimitHit)]
        assert len(refused) == wa.throttled == 3
        assert len(wa.sent) == 2
        now[0] += 0.55  # a token refills every 0.5 s
        await client.send_message(to=TO, text="setelah jeda")
        assert len(wa.sent) == 3


# ---- webhooks ------------------------------------------------------------------------------------------


def test_signed_webhook_signature_verifies() -> None:
    raw, headers = hooks.signed_webhook(hooks.text_message("6281200000001", "halo 👋"), "app-secret")
    expected = "sha256=" + hmac.new(b"app-secret", raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Hub-Signature-256"], expected)
    wrong = "sha256=" + hmac.new(b"other", raw, hashlib.sha256).hexdigest()
    assert not hmac.compare_digest(headers["X-Hub-Signature-256"], wrong)
    assert raw.isascii()


def test_builders_produce_the_cloud_api_envelope() -> None:
    payload = hooks.text_message("6281200000001", "halo", msg_id="wamid.A", name="Siti")
    assert payload["object"] == "whatsapp_business_account"
    value = payload["entry"][0]["changes"][0]["value"]
    assert payload["entry"][0]["changes"][0]["field"] == "messages"
    assert value["metadata"] == {"display_phone_number": hooks.DEFAULT_DISPLAY_PHONE_NUMBER,
                                 "phone_number_id": hooks.DEFAULT_PHONE_NUMBER_ID}
    assert value["contacts"] == [{"profile": {"name": "Siti"}, "wa_id": "6281200000001",
                                  "user_id": hooks.bsuid_for("6281200000001")}]
    assert value["messages"][0] | {"timestamp": "0"} == {
        "from": "6281200000001", "id": "wamid.A", "timestamp": "0", "type": "text", "text": {"body": "halo"}}
    failed = hooks.status_update("wamid.B", "failed", "6281200000001", [hooks.status_error(131047)])
    status = failed["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert status["errors"][0]["code"] == 131047
    assert "conversation" not in status


BUILDERS: dict[str, tuple[Callable[[], dict[str, Any]], Callable[[Any], bool]]] = {
    "text": (lambda: hooks.text_message("6281200000001", "halo"), lambda u: u.text == "halo"),
    "button": (lambda: hooks.button_reply("6281200000001", "yes", "Ya"), lambda u: u.data == "yes"),
    "list": (lambda: hooks.list_reply("6281200000001", "las", "Las", "Dasar"), lambda u: u.data == "las"),
    "image": (lambda: hooks.image_message("6281200000001", caption="KTP"),
              lambda u: u.image.caption == "KTP"),
    "audio": (lambda: hooks.audio_message("6281200000001"), lambda u: u.audio.voice is True),
    "location": (lambda: hooks.location_message("6281200000001", -6.2, 106.8, name="Disnaker"),
                 lambda u: u.location.latitude == -6.2),
    "reaction": (lambda: hooks.reaction_message("6281200000001", "wamid.X", "👍"),
                 lambda u: u.reaction.emoji == "👍"),
    "status failed": (lambda: hooks.status_update("wamid.X", "failed", "6281200000001",
                                                  [hooks.status_error(131047)]),
                      lambda u: u.error.code == 131047),
    "status delivered": (lambda: hooks.status_update("wamid.X", "delivered", "6281200000001"),
                         lambda u: u.status == "delivered" and u.from_user.wa_id == "6281200000001"),
}


async def test_reply_to_a_signed_webhook_goes_out_by_phone_number(wa: FakeWhatsApp) -> None:
    client = wa.pywa_client()

    async def echo(_: WhatsApp, msg: types.Message) -> None:
        await msg.reply_text(f"Anda menulis: {msg.text}", quote=True)  # type: ignore[misc]  # pywa_async types replies as sync

    client.add_handlers(MessageHandler(echo))  # type: ignore[arg-type]
    raw, _headers = hooks.signed_webhook(hooks.text_message(TO, "halo", msg_id="wamid.IN1"), wa.app_secret)
    await client.webhook_update_handler(raw)
    wa.assert_clean()
    assert wa.sent == [_msg(type="text", text={"body": "Anda menulis: halo", "preview_url": False},
                            context={"message_id": "wamid.IN1"})]


async def test_pywa_default_bsuid_addressing_is_flagged(wa: FakeWhatsApp) -> None:
    from pywa_async.utils import UserIdentifier

    pywa_default = (UserIdentifier.BSUID, UserIdentifier.WA_ID, UserIdentifier.PARENT_BSUID)
    client = wa.pywa_client(user_identifier_priority=pywa_default)
    received: list[types.Message] = []
    client.add_handlers(MessageHandler(lambda _c, m: received.append(m)))
    raw, _headers = hooks.signed_webhook(hooks.text_message(TO, "halo"), wa.app_secret)
    await client.webhook_update_handler(raw)
    with pytest.raises(errors.WhatsAppError):
        await received[0].reply_text("balasan")  # type: ignore[misc]
    assert any(v.split(": ", 1)[1].startswith("recipient:") for v in wa.violations), wa.violations


@pytest.mark.parametrize(("build", "check"), BUILDERS.values(), ids=BUILDERS.keys())
async def test_pywa_parses_built_webhooks(
    wa: FakeWhatsApp, build: Callable[[], dict[str, Any]], check: Callable[[Any], bool]
) -> None:
    client: WhatsApp = wa.pywa_client()
    received: list[Any] = []

    async def collect(_: WhatsApp, update: Any) -> None:
        received.append(update)

    client.add_handlers(MessageHandler(collect), CallbackButtonHandler(collect),  # type: ignore[arg-type]
                        CallbackSelectionHandler(collect), MessageStatusHandler(collect))  # type: ignore[arg-type]
    raw, headers = hooks.signed_webhook(build(), wa.app_secret)
    assert await client.webhook_update_validator(raw, headers["X-Hub-Signature-256"]) is None
    assert await client.webhook_update_handler(raw) == ("ok", 200)
    assert len(received) == 1
    assert check(received[0])
