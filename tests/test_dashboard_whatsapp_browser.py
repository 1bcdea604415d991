"""An admin gets the office's WhatsApp templates approved, in Chromium: the overview warns, the WhatsApp page shows
every purpose not submitted, "Submit missing templates" sends them to the (fake) business account, Meta approves
one and rejects another, and "Sync with WhatsApp" shows both, the rejection with its reason. Screenshots go to
build/screenshots/."""

from __future__ import annotations

from playwright.async_api import Browser

from bot.engine.runtime import Runtime
from bot.settings import Settings
from models.users import Role
from tests.browser import SCREENSHOTS, served, signed_in_page
from tests.conftest import Clock
from tests.fakes.whatsapp_server import FakeWhatsApp
from tests.test_dashboard_access import link_for, office_member
from tests.test_dashboard_browser import browser as browser  # noqa: PLC0414  (the fixture, under its own name)
from tests.test_dashboard_people_browser import shoot
from tests.test_dashboard_whatsapp_templates import NOTIFICATION, wa, with_whatsapp
from web.dashboard import DashboardConfig

__all__ = ["wa"]  # fixture


async def test_an_admin_submits_the_templates_and_reads_metas_review(
    runtime: Runtime, clock: Clock, browser: Browser, wa: FakeWhatsApp, app_settings: Settings
) -> None:
    link = await link_for(runtime, clock, await office_member(runtime, clock, "kepala", Role.ADMIN))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    config = DashboardConfig(channel_settings=with_whatsapp(app_settings, wa).model_dump())
    async with served(runtime, config) as base:
        page = await signed_in_page(browser, base, link)
        warning = page.locator("#template-warning")
        assert "belum memiliki templat yang disetujui" in await warning.inner_text()
        await warning.get_by_role("link", name="Lihat templat WhatsApp").click()
        await page.wait_for_url(base + "/dasbor/whatsapp")
        assert await page.get_by_text("Belum diajukan").count() == 14

        await page.get_by_role("button", name="Ajukan templat yang belum ada").click()
        assert await page.get_by_text("Diajukan untuk ditinjau: 14.").is_visible()
        assert await page.get_by_text("Sedang ditinjau").count() == 14

        wa.templates.review(NOTIFICATION, "id", "APPROVED")
        wa.templates.review("sahabat_kerja_opening_alert", "en", "REJECTED", reason="INCORRECT_CATEGORY")
        await page.get_by_role("button", name="Sinkronkan dengan WhatsApp").click()
        assert await page.get_by_text("14 templat dibaca dari WhatsApp.").is_visible()
        rejected = page.locator('tr[data-purpose="opening_alert"][data-language="en"]')
        assert "Ditolak" in await rejected.inner_text() and "INCORRECT_CATEGORY" in await rejected.inner_text()
        approved = page.locator('tr[data-purpose="notification"][data-language="id"]')
        assert "Disetujui" in await approved.inner_text()
        await shoot(page, "whatsapp-templates")
        for width in (1280, 390):  # a desktop and a cheap phone: the table never needs scrolling sideways
            await page.set_viewport_size({"width": width, "height": 844})
            table = page.locator("table.templates")
            assert await table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth"), width
    wa.assert_clean()
