"""A poster as staff attach it in Chromium: a wrong file refused beside the field, then a real picture shown as the
opening's thumbnail, removed after the confirmation; a broadcast written with a brochure. Pages saved under
build/screenshots/."""

from __future__ import annotations

import io

from PIL import Image as Picture
from PIL import ImageDraw
from playwright.async_api import Browser, FilePayload

from bot.engine.runtime import Runtime
from models.users import Role
from tests.browser import SCREENSHOTS, served, signed_in_page
from tests.chat import ChatUser, RecordingChannel
from tests.conftest import Clock
from tests.test_dashboard_access import link_for, office_member
from tests.test_dashboard_browser import browser  # noqa: F401 (the fixture)
from tests.test_dashboard_openings_browser import shot
from tests.test_openings import seed_catalog
from tests.test_posters import PDF


def poster() -> bytes:
    """A small poster as a phone would photograph it: a coloured sheet with a heading bar."""
    picture = Picture.new("RGB", (360, 480), (240, 200, 60))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((20, 20, 340, 110), fill=(30, 70, 140))
    draw.text((40, 55), "PELATIHAN MENJAHIT", fill=(255, 255, 255))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


async def test_staff_attach_a_poster_to_an_opening_and_a_brochure_to_a_broadcast(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, browser: Browser  # noqa: F811 (the fixture)
) -> None:
    await seed_catalog(runtime, clock)
    await ChatUser(runtime, channel, "siti").send("/start")
    link = await link_for(runtime, clock, await office_member(runtime, clock, "petugas", Role.STAFF))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with served(runtime) as base:
        page = await signed_in_page(browser, base, link)
        await page.goto(base + "/dasbor/program/t1")
        field = page.get_by_label("Lampirkan berkas")
        await field.set_input_files(files=FilePayload(name="poster.gif", mimeType="image/gif",
                                                      buffer=b"GIF89a" + b"0" * 40))
        await page.get_by_role("button", name="Unggah").click()
        assert await page.get_by_text("Mohon kirim gambar (JPG, PNG atau WebP) atau brosur PDF").is_visible()
        await shot(page, "opening-poster-refused")
        await page.get_by_label("Lampirkan berkas").set_input_files(
            files=FilePayload(name="poster-menjahit.jpg", mimeType="image/jpeg", buffer=poster()))
        await page.get_by_role("button", name="Unggah").click()
        assert await page.get_by_text("Tersimpan.").is_visible()
        thumbnail = page.get_by_role("img", name="Poster: poster-menjahit.jpg")
        await thumbnail.scroll_into_view_if_needed()
        assert await thumbnail.evaluate("image => image.complete && image.naturalWidth === 360")
        await shot(page, "opening-poster")
        await shot(page, "opening-poster-phone", phone=True)
        await page.get_by_role("button", name="Hapus berkas").click()
        assert await page.get_by_role("heading", name="Hapus posternya?").is_visible()
        await page.get_by_role("button", name="Ya, hapus").click()
        assert await page.get_by_text("Belum ada.").is_visible()

        await page.goto(base + "/dasbor/siaran/baru")
        await page.get_by_label("Pengumuman dalam Bahasa Indonesia").fill("Bursa kerja Sabtu ini")
        await page.get_by_label("Poster atau brosur (opsional)").set_input_files(
            files=FilePayload(name="brosur-bursa.pdf", mimeType="application/pdf", buffer=PDF))
        await page.get_by_role("button", name="Pratinjau").click()
        assert await page.get_by_role("link", name="brosur-bursa.pdf").first.is_visible()
        await shot(page, "broadcast-preview-brochure")
