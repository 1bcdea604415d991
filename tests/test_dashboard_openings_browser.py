"""The Openings pages as a staff member uses them in Chromium: add a training by the form, publish it after the
confirmation, find it in the list, then import a spreadsheet with one bad row and read the report. Each page is
saved under build/screenshots/ (desktop, and a phone's 390 px for the list and the form)."""

from __future__ import annotations

from playwright.async_api import Browser, FilePayload, Page

from bot.engine.runtime import Runtime
from models.users import Role
from tests.browser import SCREENSHOTS, served, signed_in_page
from tests.conftest import Clock
from tests.test_dashboard_access import link_for, office_member
from tests.test_dashboard_browser import browser  # noqa: F401 (the fixture)
from tests.test_opening_import import GOOD
from tests.test_openings import seed_catalog


async def shot(page: Page, name: str, *, phone: bool = False) -> None:
    if phone:
        await page.set_viewport_size({"width": 390, "height": 844})
    await page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    if phone:
        await page.set_viewport_size({"width": 1280, "height": 800})


async def fill_in_a_training(page: Page, ends: str) -> None:
    await page.get_by_label("Penyelenggara atau perusahaan").fill("UPT BLK Tabalong")
    await page.get_by_label("Judul").fill("Barista Kopi Lokal")
    await page.get_by_label("Kategori").select_option("non_competency")
    await page.get_by_label("Tanggal mulai").fill("2027-02-01")
    await page.get_by_label("Tanggal selesai").fill(ends)
    await page.get_by_label("Batas pendaftaran").fill("2027-01-15")
    await page.get_by_label("Kuota").fill("12")
    await page.get_by_label("Kecamatan").select_option("tanjung")
    await page.get_by_label("Perhotelan dan pariwisata").check()


async def test_staff_add_and_publish_a_training_then_import_a_sheet_with_a_bad_row(
    runtime: Runtime, clock: Clock, browser: Browser  # noqa: F811 (the fixture)
) -> None:
    await seed_catalog(runtime, clock)
    link = await link_for(runtime, clock, await office_member(runtime, clock, "petugas", Role.STAFF))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with served(runtime) as base:
        page = await signed_in_page(browser, base, link)
        await page.get_by_role("link", name="Program", exact=True).click()
        assert await page.get_by_role("heading", level=1).inner_text() == "Program"
        await shot(page, "openings-list")
        await shot(page, "openings-list-phone", phone=True)

        await page.get_by_role("button", name="Program baru").click()
        await fill_in_a_training(page, ends="2027-01-20")
        await page.get_by_role("button", name="Simpan sebagai draf").click()
        assert await page.get_by_text("Tanggal selesai lebih awal dari tanggal mulai.").is_visible()
        assert await page.get_by_label("Judul").input_value() == "Barista Kopi Lokal", "what was typed is kept"
        await shot(page, "opening-form-problem")
        await shot(page, "opening-form-phone", phone=True)
        await page.get_by_label("Tanggal selesai").fill("2027-02-20")
        await page.get_by_role("button", name="Simpan sebagai draf").click()
        assert await page.get_by_text("Tersimpan.").is_visible()
        assert await page.get_by_text("Draf", exact=True).is_visible()
        await page.get_by_role("button", name="Terbitkan").click()
        assert await page.get_by_role("heading", name="Terbitkan Barista Kopi Lokal?").is_visible()
        await shot(page, "opening-publish")
        await page.get_by_role("button", name="Ya, terbitkan").click()
        assert await page.get_by_text("Pendaftaran dibuka", exact=True).is_visible()
        await shot(page, "opening")
        await shot(page, "opening-phone", phone=True)

        await page.get_by_role("link", name="Semua program").click()
        await page.get_by_placeholder("Judul, posisi, atau penyelenggara").fill("barista")
        await page.get_by_role("button", name="Saring").click()
        assert await page.get_by_role("link", name="Barista Kopi Lokal").is_visible()
        await shot(page, "openings-list-filtered")

        await page.goto(base + "/dasbor/program/impor")
        bad = GOOD.replace("UPT BLK Tabalong;tanjung", "UPT BLK Tabalong;Atlantis")
        await page.get_by_label("Berkas CSV atau XLSX").set_input_files(
            files=FilePayload(name="lowongan.csv", mimeType="text/csv", buffer=bad.encode()))
        await page.get_by_label("Baris dengan status open").check()
        await page.get_by_role("button", name="Periksa dan impor").click()
        assert await page.get_by_text("Tidak ada yang diimpor").is_visible()
        assert await page.get_by_role("cell", name="Atlantis bukan kecamatan di Kabupaten Tabalong").is_visible()
        await shot(page, "openings-import-report")
        await shot(page, "openings-import-report-phone", phone=True)
