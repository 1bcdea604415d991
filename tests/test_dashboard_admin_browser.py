"""An admin at work in Chromium: add a staff member by their WhatsApp number, make them a viewer, remove them
after confirming, then read what happened in the audit trail. Screenshots of each page, at desktop and phone
widths, go to build/screenshots/."""

from __future__ import annotations

from playwright.async_api import Browser

from bot.engine.runtime import Runtime
from models.users import Role
from tests.browser import SCREENSHOTS, served
from tests.conftest import Clock
from tests.test_dashboard_access import link_for, office_member
from tests.test_dashboard_browser import browser as browser  # noqa: PLC0414  (the fixture, under its own name)
from tests.test_dashboard_people_browser import shoot
from tests.test_dashboard_staff import role_of


async def test_an_admin_adds_changes_and_removes_a_staff_member_then_reads_the_audit_trail(
    runtime: Runtime, clock: Clock, browser: Browser
) -> None:
    link = await link_for(runtime, clock, await office_member(runtime, clock, "kepala", Role.ADMIN))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with served(runtime) as base:
        page = await browser.new_page(viewport={"width": 1280, "height": 800})
        await page.goto(base + link)
        await page.get_by_role("button", name="Masuk").click()
        await page.wait_for_url(base + "/dasbor")

        await page.get_by_role("link", name="Petugas", exact=True).click()
        await page.get_by_label("Chat").select_option(label="WhatsApp")
        await page.get_by_label("ID Telegram, nomor WhatsApp, atau nama konsol").fill("0812-5100-0009")
        await page.locator('form[action="/dasbor/staf"] select[name="role"]').select_option(
            label="Petugas: mengelola program dan seleksi")
        await page.get_by_role("button", name="Tambahkan", exact=True).click()
        assert await page.get_by_text("WhatsApp 6281251000009 sekarang berperan Petugas.").is_visible()
        await shoot(page, "staff")

        await page.get_by_label("Peran 6281251000009").select_option(label="Pemantau")
        await page.get_by_role("button", name="Ubah peran").click()
        assert await page.get_by_text("WhatsApp 6281251000009 sekarang berperan Pemantau.").is_visible()
        await page.get_by_role("button", name="Keluarkan", exact=True).click()
        await shoot(page, "staff-remove")
        await page.get_by_role("button", name="Ya, keluarkan").click()
        assert await page.get_by_text("Sudah dikeluarkan dari petugas kantor").is_visible()

        await page.get_by_role("link", name="Audit").click()
        await page.get_by_label("Tindakan").select_option(label="Peran kantor diubah")
        await page.get_by_role("button", name="Tampilkan").click()
        assert await page.get_by_text("3 entri cocok").is_visible()
        await shoot(page, "audit")
    assert await role_of(runtime, "whatsapp", "6281251000009") == "member"
