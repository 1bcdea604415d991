"""The WhatsApp templates page (`/dasbor/whatsapp`), for admins: each purpose and language with its review state,
"Submit missing templates" and "Sync with WhatsApp" against the spec-checking fake Graph API, a rejection's reason
beside it, and the overview's warning while a purpose has no approved template. Over HTTP, on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.engine.runtime import Runtime
from bot.settings import Settings
from bot.webhooks import create_app
from models.audit import AuditEntry
from models.users import Role
from tests.conftest import Clock
from tests.fakes.whatsapp_server import FakeWhatsApp
from tests.fakes.whatsapp_webhooks import DEFAULT_WABA_ID
from tests.test_dashboard_access import link_for, office_member, signed_in
from tests.test_dashboard_applicants import csrf_of, seen
from tests.test_dashboard_openings import as_role
from web.dashboard import DashboardConfig

PAGE = "/dasbor/whatsapp"
NOTIFICATION = "sahabat_kerja_notification"


@pytest.fixture
async def wa() -> AsyncIterator[FakeWhatsApp]:
    async with FakeWhatsApp() as fake:
        yield fake


def with_whatsapp(app_settings: Settings, wa: FakeWhatsApp) -> Settings:
    return app_settings.model_copy(update={
        "whatsapp_token": SecretStr(wa.token), "whatsapp_phone_number_id": wa.phone_number_id,
        "whatsapp_api_base": wa.base_url, "whatsapp_business_account_id": DEFAULT_WABA_ID,
    })


@pytest.fixture
async def web(runtime: Runtime, app_settings: Settings, wa: FakeWhatsApp) -> AsyncIterator[httpx.AsyncClient]:
    """The dashboard as `python -m bot run` serves it with WhatsApp configured."""
    config = DashboardConfig(channel_settings=with_whatsapp(app_settings, wa).model_dump())
    transport = httpx.ASGITransport(app=create_app(runtime=runtime, dashboard=config))
    async with httpx.AsyncClient(transport=transport, base_url="http://dasbor.test") as client:
        yield client


async def as_admin(runtime: Runtime, clock: Clock, web: httpx.AsyncClient) -> str:
    admin = await office_member(runtime, clock, "kepala", Role.ADMIN)
    await signed_in(web, await link_for(runtime, clock, admin))
    return csrf_of((await web.get(PAGE)).text)


def row_of(page: str, purpose: str, language: str) -> str:
    start = page.index(f'data-purpose="{purpose}" data-language="{language}"')
    return page[start:page.index("</tr>", start)]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.STAFF])
async def test_only_an_admin_opens_the_page_or_acts_on_it(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient, wa: FakeWhatsApp, role: Role
) -> None:
    await as_role(runtime, clock, web, role)
    assert (await web.get(PAGE)).status_code == 403
    assert (await web.post(PAGE + "/ajukan", data={"csrf_token": "x"})).status_code == 403
    assert wa.templates.created == []


async def test_an_admin_submits_the_missing_templates_and_syncs_the_review(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient, wa: FakeWhatsApp
) -> None:
    csrf = await as_admin(runtime, clock, web)
    page = seen(await web.get(PAGE))
    assert "Belum diajukan" in row_of(page, "notification", "id")
    overview = seen(await web.get("/dasbor"))
    assert "WhatsApp: 14 tujuan dan bahasa belum memiliki templat yang disetujui" in overview
    assert 'href="/dasbor/whatsapp"' in overview

    assert (await web.post(PAGE + "/ajukan", data={"csrf_token": "forged"})).status_code == 403
    assert wa.templates.created == [], "a forged form submits nothing"
    submitted = await web.post(PAGE + "/ajukan", data={"csrf_token": csrf})
    assert submitted.status_code == 200
    assert "Diajukan untuk ditinjau: 14. Sudah ada di akun: 0. Ditolak: 0" in seen(submitted)
    assert "Sedang ditinjau" in row_of(seen(submitted), "ticket_reply", "en")
    wa.assert_clean()

    for language in ("id", "en"):
        wa.templates.review(NOTIFICATION, language, "APPROVED")
    wa.templates.review("sahabat_kerja_broadcast", "id", "REJECTED", reason="INCORRECT_CATEGORY")
    synced = seen(await web.post(PAGE + "/sinkron", data={"csrf_token": csrf}))
    assert "14 templat dibaca dari WhatsApp." in synced
    assert "Disetujui" in row_of(synced, "notification", "en")
    assert "INCORRECT_CATEGORY" in row_of(synced, "broadcast", "id")
    assert "Templat notifikasi umum dikirim sebagai gantinya." in row_of(synced, "reminder", "id")
    overview = seen(await web.get("/dasbor"))
    assert "templat notifikasi umum dikirim sebagai gantinya" in overview
    async with runtime.session_factory() as session:
        actions = list(await session.scalars(select(AuditEntry.action).where(
            AuditEntry.action.like("whatsapp_templates.%")).order_by(AuditEntry.id)))
    assert actions == ["whatsapp_templates.submit", "whatsapp_templates.sync"]


async def test_an_unreachable_account_is_said_on_the_page(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient, wa: FakeWhatsApp
) -> None:
    csrf = await as_admin(runtime, clock, web)
    wa.token = "rotated"
    answer = await web.post(PAGE + "/sinkron", data={"csrf_token": csrf, "lang": "en"})
    assert answer.status_code == 502
    assert "WhatsApp tidak dapat dihubungi: WhatsApp refused to list or submit templates" in seen(answer)


async def test_without_whatsapp_the_overview_warns_of_nothing(runtime: Runtime, clock: Clock) -> None:
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://dasbor.test") as plain:
        await signed_in(plain, await link_for(runtime, clock, await office_member(runtime, clock, "kepala",
                                                                                  Role.ADMIN)))
        assert 'id="template-warning"' not in (await plain.get("/dasbor")).text
        page = seen(await plain.get(PAGE))
    assert "WhatsApp belum diatur" in page
