"""The Broadcasts pages as a staff member uses them in Chromium: write a broadcast to the job seekers of one
kecamatan while the count follows the filters, read the preview in both languages, send it after the
confirmation, and watch its page reach 100 % as the broadcasts job sends it (the page polls by itself). Each
page is saved under build/screenshots/ (desktop, and a phone's 390 px)."""

from __future__ import annotations

from playwright.async_api import Browser, Page

from bot.engine.runtime import Runtime
from jobs.broadcasts import send_broadcasts
from models.users import Role
from tests.browser import SCREENSHOTS, served, signed_in_page
from tests.chat import RecordingChannel
from tests.conftest import Clock
from tests.test_broadcasts import received_broadcast, seekers
from tests.test_dashboard_access import link_for, office_member
from tests.test_dashboard_browser import browser  # noqa: F401 (the fixture)
from tests.test_dashboard_openings_browser import shot
from tests.test_openings import seed_catalog


async def write_the_broadcast(page: Page) -> None:
    """The sewing announcement of the chat's test, to the job seekers of Tanjung, the count following along."""
    await page.get_by_role("button", name="Siaran baru").click()
    await page.get_by_label("Pengumuman dalam bahasa Indonesia").fill("Pendaftaran pelatihan menjahit dibuka!")
    await page.get_by_label("Pengumuman yang sama dalam bahasa Inggris").fill(
        "Sewing training registration is open!")
    await page.get_by_label("Program yang ditautkan").fill("t1")
    count = page.locator("#audience-count")
    assert "4 orang akan menerimanya." in await count.inner_text(), \
        "everyone: four job seekers (petugas, set up by the command line, never wrote: no opt-in)"
    await page.get_by_label("Siapa penerimanya?").select_option("job_seekers")
    await page.get_by_text("4 orang akan menerimanya.").wait_for()
    await page.get_by_label("Kecamatan").select_option("tanjung")
    await page.get_by_text("3 orang akan menerimanya.").wait_for()
    await shot(page, "broadcast-compose")
    await shot(page, "broadcast-compose-phone", phone=True)


async def test_staff_send_a_broadcast_to_a_kecamatan_and_watch_it_reach_everyone(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, browser: Browser  # noqa: F811 (the fixture)
) -> None:
    await seed_catalog(runtime, clock)
    await seekers(runtime, channel)
    link = await link_for(runtime, clock, await office_member(runtime, clock, "petugas", Role.STAFF))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with served(runtime) as base:
        page = await signed_in_page(browser, base, link)
        await page.get_by_role("link", name="Siaran", exact=True).click()
        assert await page.get_by_text("Belum ada siaran yang dikirim.").is_visible()
        await shot(page, "broadcasts-empty")

        await write_the_broadcast(page)
        await page.get_by_role("button", name="Pratinjau").click()
        assert await page.get_by_text("2 orang yang memakai Bahasa Indonesia akan menerima:").is_visible()
        assert await page.get_by_text("1 orang yang memakai English akan menerima:").is_visible()
        assert await page.get_by_text("See details and apply").is_visible()
        await shot(page, "broadcast-preview")
        await shot(page, "broadcast-preview-phone", phone=True)
        await page.get_by_role("button", name="Lanjut").click()
        assert await page.get_by_role("heading", name="Kirim ke 3 orang sekarang?").is_visible()
        await shot(page, "broadcast-confirm")
        await page.get_by_role("button", name="Ya, kirim").click()
        assert await page.get_by_text("Siaran #1 sedang dikirim kepada 3 orang.").is_visible()
        assert await page.get_by_text("0,0%").is_visible()
        await shot(page, "broadcast-sending")

        sent = await send_broadcasts(runtime, batch=1)
        assert sent == 3 and all(len(received_broadcast(channel, name)) == 1 for name in ("siti", "sari", "susi"))
        await page.get_by_text("100,0%").wait_for(timeout=10_000)  # the page asked by itself, no reload
        assert await page.get_by_text("3 terkirim, 0 gagal, 0 tidak terjangkau, 0 dilewati, 0 tersisa (dari 3).",
                                      exact=True).is_visible()
        assert await page.locator("#progress").get_attribute("hx-trigger") is None, "it stopped asking"
        await shot(page, "broadcast-done")
        await shot(page, "broadcast-done-phone", phone=True)

        await page.get_by_role("link", name="Semua siaran").click()
        assert await page.get_by_role("link", name="Pendaftaran pelatihan menjahit dibuka!").is_visible()
        await shot(page, "broadcasts-list")
        await shot(page, "broadcasts-list-phone", phone=True)
        await page.get_by_role("button", name="Pesan yang tidak terkirim").click()
        assert await page.get_by_text("Semua pesan dalam 7 hari terakhir sudah terkirim.").is_visible()
        await shot(page, "broadcasts-undelivered")
