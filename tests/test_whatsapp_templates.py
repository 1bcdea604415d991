"""The office's WhatsApp templates: defined in the repository, submitted and synced from the command line against
the spec-checking fake Graph API, kept current by Meta's status webhook, chosen by the channel from what WhatsApp
approved, and a message that needs one and has none reported to staff as undeliverable."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr
from sqlalchemy import select

from bot.channels.base import TemplateReport
from bot.channels.whatsapp.channel import NO_TEMPLATE
from bot.channels.whatsapp.template_events import template_events
from bot.channels.whatsapp.templates_api import TemplateApiError, template_account
from bot.cli import parser
from bot.cli.whatsapp import templates, warn_of_missing_templates
from bot.engine.messages import Outgoing, Purpose
from bot.engine.notify import acting
from bot.engine.runtime import Runtime
from bot.settings import Settings
from models.outbox import OutboxMessage, OutboxStatus
from models.template_definitions import PURPOSES, DefinitionError, parse_definitions, template_definitions
from models.whatsapp_templates import (
    UNDELIVERABLE,
    record_template,
    stored_templates,
    undeliverable_counts,
)
from services.whatsapp_templates import PurposeTemplate, undeliverable
from tests.conftest import Clock, RuntimeFactory
from tests.fakes.whatsapp_server import FakeWhatsApp
from tests.fakes.whatsapp_template_spec import check_template_create, spec_template_examples
from tests.fakes.whatsapp_webhooks import DEFAULT_WABA_ID, PAUSED_FOR
from tests.people import SITI, job_seeker
from tests.test_whatsapp_conversation import WA_ID, WhatsAppUser, wa, whatsapp

__all__ = ["wa", "whatsapp"]  # fixtures

NOTIFICATION = "sahabat_kerja_notification"
STATUS_CHANGE = "sahabat_kerja_status_change"


def on_the_account(app_settings: Settings, wa: FakeWhatsApp) -> Settings:
    return app_settings.model_copy(update={
        "whatsapp_token": SecretStr(wa.token), "whatsapp_phone_number_id": wa.phone_number_id,
        "whatsapp_app_secret": SecretStr(wa.app_secret), "whatsapp_api_base": wa.base_url,
        "whatsapp_business_account_id": DEFAULT_WABA_ID,
    })


@pytest.fixture
def app_settings(app_settings: Settings) -> Settings:
    """The business account the fake serves, also for the webhook the `whatsapp` fixture wires."""
    return app_settings.model_copy(update={"whatsapp_business_account_id": DEFAULT_WABA_ID})


@pytest.fixture
async def office(make_runtime: RuntimeFactory) -> AsyncIterator[Runtime]:
    """A runtime on the test database (also so that the database is emptied afterwards)."""
    yield make_runtime()


async def states(runtime: Runtime) -> dict[tuple[str, str], tuple[str, str | None]]:
    async with runtime.session_factory() as session:
        return {(row.name, row.language): (row.status, row.reason) for row in await stored_templates(session)}


def test_every_purpose_has_a_template_in_both_languages_that_meta_would_take() -> None:
    assert tuple(purpose.value for purpose in Purpose) == PURPOSES
    definitions = template_definitions()
    assert {(d.purpose, d.language) for d in definitions} == {(p, lang) for p in PURPOSES for lang in ("id", "en")}
    for definition in definitions:
        assert check_template_create(definition.request()) == [], definition.name
    assert NO_TEMPLATE == UNDELIVERABLE


def test_the_template_checker_takes_the_specs_own_examples() -> None:
    for name, example in spec_template_examples():
        assert check_template_create(example) == [], name
    assert check_template_create({"name": "Bad Name", "language": "id", "category": "UTILITY",
                                  "components": [{"type": "BODY", "text": "{{1}} first"}]}) == [
        "name: lowercase letters, digits and underscores only, at most 512",
        "components.BODY.text: a variable may not start or end the body",
        "components.BODY.example.body_text: one list of 1 example values is required"]


GOOD = """
[{purpose}]
name = "x_{purpose}"
category = "UTILITY"
id.body = "Kabar: {{{{1}}}} Balas."
id.example = "Contoh."
en.body = "News: {{{{1}}}} Reply."
en.example = "Example."
"""


def good_file() -> str:
    return "".join(GOOD.format(purpose=purpose) for purpose in PURPOSES)


@pytest.mark.parametrize(("change", "said"), [
    (("Kabar: {{1}} Balas.", "{{1}} Balas."), "may not start or end"),
    (("Kabar: {{1}} Balas.", "Kabar: {{1}} dan {{2}}."), "exactly one variable"),
    (('name = "x_notification"', 'name = "X-Notification"'), "lowercase letters"),
    (('category = "UTILITY"', 'category = "AUTHENTICATION"'), "category must be"),
    (('en.example = "Example."', ""), "needs en.body and en.example"),
    (("[notification]", "[holiday]"), "[holiday]: not a purpose"),
])
def test_a_bad_definitions_file_is_refused_naming_the_template(change: tuple[str, str], said: str) -> None:
    assert len(parse_definitions(good_file())) == 2 * len(PURPOSES)
    with pytest.raises(DefinitionError, match=said.replace("[", r"\[").replace("]", r"\]")):
        parse_definitions(good_file().replace(*change, 1))


@given(st.text(max_size=300))
def test_any_definitions_file_is_read_or_refused_with_a_definition_error(text: str) -> None:
    with contextlib.suppress(DefinitionError):
        parse_definitions(text)


def test_the_command_is_in_the_parser() -> None:
    args = parser().parse_args(["whatsapp", "templates", "submit"])
    assert (args.command, args.templates_command) == ("whatsapp", "submit")


async def test_staff_submit_the_missing_templates_sync_their_review_and_list_them(
    office: Runtime, app_settings: Settings, wa: FakeWhatsApp, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = on_the_account(app_settings, wa)
    wa.templates.add("hello_world", "en_US")  # the account's own: kept, not ours
    assert await templates(settings, "submit") == 0
    out, err = capsys.readouterr()
    assert "14 submitted for review, 0 submitted again after a change, 0 already on the account, 0 refused" in out
    assert f"{NOTIFICATION:<34} pending" in out.replace("notification   id   ", "")
    assert "Warning: no approved WhatsApp template for notification in id" in err
    assert "cannot be delivered" in err
    assert len(wa.templates.created) == 14
    wa.assert_clean()

    wa.templates.review(NOTIFICATION, "id", "APPROVED")
    wa.templates.review(STATUS_CHANGE, "en", "REJECTED", reason="INVALID_FORMAT")
    assert await templates(settings, "sync") == 0
    out, err = capsys.readouterr()
    assert "15 templates read from the business account" in out
    found = await states(office)
    assert found[NOTIFICATION, "id"] == ("approved", None)
    assert found[STATUS_CHANGE, "en"] == ("rejected", "INVALID_FORMAT")
    assert found["hello_world", "en_US"] == ("approved", None)
    assert "status_change  en   sahabat_kerja_status_change        rejected   INVALID_FORMAT" in out
    assert "no approved WhatsApp template for status_change in id" in err
    assert "the general notification template stands in" in err, "id has an approved notification template"

    assert await templates(settings, "submit") == 0
    assert "0 submitted for review, 0 submitted again after a change, 14 already on the account" in (
        capsys.readouterr().out)
    assert len(wa.templates.created) == 14, "nothing is submitted twice"
    assert await templates(settings, "list") == 0
    del wa.templates.templates["hello_world", "en_US"]
    assert await templates(settings, "sync") == 0
    assert (await states(office))["hello_world", "en_US"] == ("deleted", None), "gone from the account"
    assert wa.templates.listed[0]["fields"].split(",") == ["id", "name", "language", "status", "category",
                                                           "rejected_reason", "components"]


async def test_a_submission_meta_refuses_is_shown_with_its_reason(
    office: Runtime, app_settings: Settings, wa: FakeWhatsApp, capsys: pytest.CaptureFixture[str]
) -> None:
    wa.templates.refuse_next.append("Template body has too many line breaks")
    assert await templates(on_the_account(app_settings, wa), "submit") == 0
    out, err = capsys.readouterr()
    assert "13 submitted for review, 0 submitted again after a change, 0 already on the account, 1 refused" in out
    assert f"refused: {NOTIFICATION} (id): (#100) Invalid parameter (Template body has too many line breaks)" in err
    assert (await states(office))[NOTIFICATION, "id"][0] == "rejected"
    wa.assert_clean()


async def test_without_the_account_id_or_with_a_wrong_token_the_command_says_what_to_fix(
    office: Runtime, app_settings: Settings, wa: FakeWhatsApp, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = on_the_account(app_settings, wa)
    assert await templates(settings.model_copy(update={"whatsapp_business_account_id": None}), "sync") == 2
    assert "WHATSAPP_BUSINESS_ACCOUNT_ID" in capsys.readouterr().err
    assert await templates(settings.model_copy(update={"whatsapp_token": SecretStr("wrong")}), "sync") == 1
    assert "Check WHATSAPP_TOKEN and WHATSAPP_BUSINESS_ACCOUNT_ID." in capsys.readouterr().err
    with pytest.raises(TemplateApiError, match="WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID are required"):
        template_account(app_settings.model_dump())


async def test_many_templates_are_read_page_by_page(
    office: Runtime, app_settings: Settings, wa: FakeWhatsApp, capsys: pytest.CaptureFixture[str]
) -> None:
    for number in range(130):
        wa.templates.add(f"hand_made_{number}", "id")
    assert await templates(on_the_account(app_settings, wa), "sync") == 0
    assert "130 templates read" in capsys.readouterr().out
    assert [query.get("after") for query in wa.templates.listed] == [None, "100"]


async def test_metas_status_webhook_keeps_the_state_current(
    whatsapp: tuple[Runtime, WhatsAppUser], wa: FakeWhatsApp, app_settings: Settings
) -> None:
    runtime, siti = whatsapp
    assert await templates(on_the_account(app_settings, wa), "submit") == 0
    assert (await states(runtime))[NOTIFICATION, "en"] == ("pending", None)

    await siti.post(wa.templates.review(NOTIFICATION, "en", "APPROVED"))
    assert (await states(runtime))[NOTIFICATION, "en"] == ("approved", None)
    await siti.post(wa.templates.review(NOTIFICATION, "en", "PAUSED"))
    assert (await states(runtime))[NOTIFICATION, "en"] == ("paused", PAUSED_FOR)
    assert await templates(on_the_account(app_settings, wa), "sync") == 0
    assert (await states(runtime))[NOTIFICATION, "en"] == ("paused", PAUSED_FOR), "a list says no pause reason"
    await siti.post(wa.templates.review(STATUS_CHANGE, "id", "REJECTED", reason="INCORRECT_CATEGORY"))
    assert (await states(runtime))[STATUS_CHANGE, "id"] == ("rejected", "INCORRECT_CATEGORY")
    other_account = wa.templates.review(NOTIFICATION, "en", "APPROVED")
    other_account["entry"][0]["id"] = "999"
    await siti.post(other_account)
    assert (await states(runtime))[NOTIFICATION, "en"] == ("paused", PAUSED_FOR), "another account's is not ours"


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                max_size=4), max_leaves=30))
def test_any_webhook_body_gives_template_events_or_none_never_an_error(payload: object) -> None:
    for event in template_events({"object": "whatsapp_business_account", "entry": [
            {"id": "1", "changes": [{"field": "message_template_status_update", "value": payload}]}]}):
        assert isinstance(event.name, str) and len(event.status) <= 32


async def test_outside_the_window_the_channel_sends_the_approved_template_or_reports_it_undeliverable(
    whatsapp: tuple[Runtime, WhatsAppUser], wa: FakeWhatsApp, clock: Clock
) -> None:
    runtime, siti = whatsapp
    user_id = await job_seeker(runtime, clock, replace(SITI, external_id=WA_ID), channel="whatsapp")
    clock.advance(hours=25)
    wa.window_closed_for(WA_ID)
    status_news = Outgoing(("Anda diterima sebagai peserta.",), purpose=Purpose.STATUS_CHANGE)

    async with acting(runtime) as (_session, notices):
        notices.notify(user_id, status_news)
    assert siti.new_messages() == []
    async with runtime.session_factory() as session:
        failed = await session.scalar(select(OutboxMessage.last_error).where(
            OutboxMessage.status == OutboxStatus.FAILED))
        counts = await undeliverable_counts(session, clock() - timedelta(days=1))
    assert failed == f"{UNDELIVERABLE} for status_change in id: the person's 24-hour window is closed " \
                     "(python -m bot whatsapp templates)"
    assert counts == {failed: 1}

    async with runtime.session_factory() as session, session.begin():
        await record_template(session, TemplateReport(STATUS_CHANGE, "id", "APPROVED"), clock())
    async with acting(runtime) as (_session, notices):
        notices.notify(user_id, status_news)
    [template] = siti.new_messages()
    assert template["template"]["name"] == STATUS_CHANGE and template["template"]["language"]["code"] == "id"
    assert template["template"]["components"][0]["parameters"][0]["text"] == "Anda diterima sebagai peserta."
    wa.assert_clean()


async def test_at_start_each_purpose_without_an_approved_template_is_named(
    office: Runtime, app_settings: Settings, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    async with office.session_factory() as session, session.begin():
        for definition in template_definitions():
            if definition.purpose != "broadcast":
                await record_template(session, TemplateReport(definition.name, definition.language, "APPROVED"),
                                      clock())
    await warn_of_missing_templates(app_settings, office)
    assert capsys.readouterr().err.splitlines() == [
        "Warning: no approved WhatsApp template for broadcast in id (sahabat_kerja_broadcast: missing); the general "
        "notification template stands in.",
        "Warning: no approved WhatsApp template for broadcast in en (sahabat_kerja_broadcast: missing); the general "
        "notification template stands in.",
        "Submit the missing ones with: python -m bot whatsapp templates submit"]
    overridden = app_settings.model_copy(update={"whatsapp_templates": {"broadcast": {"id": "siaran", "en": "news"}}})
    await warn_of_missing_templates(overridden, office)
    assert capsys.readouterr().err == "", "a template named in WHATSAPP_TEMPLATES is the office's own word"


async def test_the_fake_refuses_a_template_meta_would_refuse(wa: FakeWhatsApp) -> None:
    async with httpx.AsyncClient(base_url=wa.graph_url, headers={"Authorization": f"Bearer {wa.token}"}) as graph:
        answer = await graph.post(f"/{DEFAULT_WABA_ID}/message_templates", json={
            "name": "kabar", "language": "id", "category": "UTILITY",
            "components": [{"type": "BODY", "text": "Kabar {{2}} untuk Anda."}]})
        listed = await graph.get(f"/{DEFAULT_WABA_ID}/message_templates", params={"fields": "name,secret"})
    assert answer.status_code == 400 and listed.status_code == 400
    assert wa.violations == [
        "POST /v23.0/102290129340398/message_templates: components.BODY.text: variables must be {{1}}..{{n}} in "
        "order, not ['2']",
        "POST /v23.0/102290129340398/message_templates: components.BODY.example.body_text: one list of 1 example "
        "values is required",
        "GET /v23.0/102290129340398/message_templates: fields: 'secret' is not a field of a template"]


def test_a_purpose_is_undeliverable_only_where_no_notification_template_stands_in() -> None:
    missing = [PurposeTemplate("notification", "en", NOTIFICATION, "missing"),
               PurposeTemplate("reminder", "en", "sahabat_kerja_reminder", "rejected")]
    assert undeliverable(missing, "id") == [], "an English reader gets the Indonesian notification template"
    assert undeliverable(missing, "en") == missing


async def test_a_rejected_template_whose_definition_changed_is_submitted_again(
    office: Runtime, app_settings: Settings, wa: FakeWhatsApp, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = on_the_account(app_settings, wa)
    assert await templates(settings, "submit") == 0
    wa.templates.review(STATUS_CHANGE, "en", "REJECTED", reason="INVALID_FORMAT")
    wa.templates.review(NOTIFICATION, "en", "REJECTED", reason="INCORRECT_CATEGORY")
    wa.templates.templates[STATUS_CHANGE, "en"].components[0]["text"] = "Your status: {{1}} Reply."  # as it was
    capsys.readouterr()

    assert await templates(settings, "submit") == 0
    out = capsys.readouterr().out
    assert "0 submitted for review, 1 submitted again after a change, 13 already on the account, 0 refused" in out
    [edit] = wa.templates.edited
    assert edit["components"][0]["text"].startswith("The status of your application has changed: {{1}}")
    found = await states(office)
    assert found[STATUS_CHANGE, "en"] == ("pending", None)
    assert found[NOTIFICATION, "en"] == ("rejected", "INCORRECT_CATEGORY"), "unchanged: not submitted again"
    wa.assert_clean()
