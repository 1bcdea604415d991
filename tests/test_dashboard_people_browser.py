"""Staff at work in Chromium: tick two applicants of an opening and accept them (each finds the notice in their
own language in the outbox), then find a job seeker by name and open their file with the NIK masked.
Screenshots of each page, at desktop and phone widths, go to build/screenshots/."""

from __future__ import annotations

from playwright.async_api import Browser, Page
from sqlalchemy import select

from bot.engine.runtime import Runtime
from models.outbox import OutboxMessage
from models.users import Role
from tests.browser import SCREENSHOTS, served, signed_in_page
from tests.conftest import Clock
from tests.people import BUDI, NUR, SITI, opening_with_applicants
from tests.test_dashboard_access import link_for, office_member
from tests.test_dashboard_browser import browser as browser  # noqa: PLC0414  (the fixture, under its own name)


async def shoot(page: Page, name: str) -> None:
    """The page at a desktop's width and at a cheap phone's, where it must not need scrolling sideways (a wide
    table scrolls inside its own box)."""
    await page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.screenshot(path=SCREENSHOTS / f"{name}-phone.png", full_page=True)
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} is too wide"
    await page.set_viewport_size({"width": 1280, "height": 800})


async def test_staff_accept_two_applicants_and_find_a_job_seeker(
    runtime: Runtime, clock: Clock, browser: Browser
) -> None:
    ref, _ids = await opening_with_applicants(runtime, clock, SITI, NUR, BUDI)
    link = await link_for(runtime, clock, await office_member(runtime, clock, "petugas", Role.STAFF))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with served(runtime) as base:
        page = await signed_in_page(browser, base, link)

        await page.goto(f"{base}/dasbor/program/{ref.code}/pendaftar")
        await shoot(page, "applicants")
        await page.get_by_label("Centang Siti Rahmawati").check()
        await page.get_by_label("Centang Nurul Aini").check()
        await page.get_by_role("button", name="Ubah pendaftar yang dicentang").click()
        await page.get_by_label("Ubah status pendaftaran yang dicentang menjadi:").select_option(label="Diterima")
        await page.get_by_label("Catatan").fill("Lulus tes tertulis")
        await shoot(page, "applicants-choose")
        await page.get_by_role("button", name="Lanjut").click()
        assert await page.get_by_text("Ubah 2 pendaftaran menjadi 'Diterima'?").is_visible()
        await shoot(page, "applicants-confirm")
        await page.get_by_role("button", name="Ya, ubah semuanya").click()
        assert await page.get_by_text("2 pendaftaran sekarang 'Diterima'").is_visible()
        await shoot(page, "applicants-moved")

        await page.get_by_role("link", name="Pencari kerja").click()
        await page.get_by_label("Nama atau nomor HP").fill("nurul")
        await page.get_by_role("button", name="Cari").click()
        assert await page.get_by_text("1 pencari kerja cocok").is_visible()
        await shoot(page, "job-seekers")
        await page.get_by_role("link", name="Nurul Aini").click()
        assert await page.get_by_text("6309********0002").is_visible()
        assert NUR.nik not in await page.content()
        await shoot(page, "job-seeker")

    async with runtime.session_factory() as session:
        told = {row.address: row.payload["text"] for row in await session.scalars(select(OutboxMessage))}
    assert told["siti"].startswith("Selamat! Anda diterima sebagai peserta Menjahit Pakaian.")
    assert told["nur"].startswith("Congratulations! You have been accepted for Menjahit Pakaian.")
    assert "budi" not in told
