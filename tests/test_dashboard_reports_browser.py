"""The Reports page in Chromium, as staff use it: choose a year, read the figures and the chart, set the year's
target, switch to apprenticeships and download the report as Excel, which opens with the page's figures.
Screenshots of the page (desktop and a 390 px phone) are saved under build/screenshots/."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from playwright.async_api import Browser, Locator

from bot.engine.runtime import Runtime
from models.applications import OpeningKind
from models.users import Role
from tests.browser import SCREENSHOTS, served
from tests.conftest import Clock
from tests.test_dashboard_access import link_for, office_member
from tests.test_dashboard_browser import browser as browser  # noqa: PLC0414 (Chromium, a fixture)
from tests.test_dashboard_reports import expected_tables, trainings_of_2025
from tests.test_report_apprenticeships import store_apprentices


async def drawn(chart: Locator) -> bool:
    """Whether the chart's picture has come and shows (once it has been drawn and sent)."""
    return bool(await chart.evaluate("image => image.decode().then(() => image.naturalWidth > 0)"))


async def test_staff_read_a_years_report_set_its_target_and_download_it_as_excel(
    runtime: Runtime, clock: Clock, browser: Browser, tmp_path: Path
) -> None:
    await store_apprentices(runtime)
    await trainings_of_2025(runtime)
    link = await link_for(runtime, clock, await office_member(runtime, clock, "petugas", Role.STAFF))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with served(runtime) as base:
        page = await browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)
        await page.goto(base + link)
        await page.get_by_role("button", name="Masuk").click()
        await page.wait_for_url(base + "/dasbor")
        await page.get_by_role("link", name="Laporan").click()
        await page.get_by_label("Tahun", exact=True).fill("2025")
        await page.get_by_role("button", name="Tampilkan laporan").click()
        assert await page.get_by_role("heading", level=1).inner_text() == "Laporan monev alumni 2025"
        assert await drawn(page.get_by_role("img", name="Penempatan per program, 2025")), "drawn on request"
        await page.screenshot(path=SCREENSHOTS / "reports.png", full_page=True)

        await page.get_by_label("Target untuk").select_option("")
        await page.get_by_label("Peserta pada tahun 2025").fill("4000")
        await page.get_by_role("button", name="Simpan target").click()
        assert await page.get_by_text("Target sudah disimpan.").is_visible()
        assert await page.locator(".report-summary dd").nth(1).inner_text() == "4.000"

        await page.locator("#f-jenis").select_option("apprenticeship")
        await page.get_by_role("button", name="Tampilkan laporan").click()
        assert await page.get_by_role("heading", level=1).inner_text() == "Laporan monev pemagangan 2025"
        assert await drawn(page.get_by_role("img", name="Penempatan peserta pemagangan per perusahaan, 2025"))
        await page.set_viewport_size({"width": 390, "height": 844})  # a cheap phone's screen
        await page.screenshot(path=SCREENSHOTS / "reports-phone.png", full_page=True)
        async with page.expect_download() as waiting:
            await page.get_by_role("button", name="Unduh Excel (XLSX)").click()
        download = await waiting.value
        assert download.suggested_filename == "laporan-pemagangan-2025.xlsx"
        saved = tmp_path / download.suggested_filename
        await download.save_as(saved)
    workbook = load_workbook(saved)
    tables = await expected_tables(runtime, OpeningKind.APPRENTICESHIP, locale="id")
    assert workbook.sheetnames == [table.name for table in tables]
    for table in tables:
        assert [list(row) for row in workbook[table.name].iter_rows(values_only=True)] == [table.header, *table.rows]
