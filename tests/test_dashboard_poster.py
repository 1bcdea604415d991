"""The Poster page over HTTP and in Chromium: every office role sees the office's poster (or an opening's) as a
preview, downloads its PDF and PNG in either language, and copies the click-to-chat links; without a WhatsApp
number or Telegram username the page says what to set."""

from __future__ import annotations

import dataclasses
from io import BytesIO

import httpx
import pytest
from PIL import Image
from playwright.async_api import Browser

from bot.engine.runtime import Runtime
from documents.chat_links import ChatLinks
from models.users import Role
from tests.browser import SCREENSHOTS, served, signed_in_page
from tests.conftest import Clock
from tests.test_dashboard_access import link_for, office_member
from tests.test_dashboard_browser import browser  # noqa: F401 (the fixture)
from tests.test_dashboard_openings import as_role, web  # noqa: F401 (the fixture)
from tests.test_openings import seed_catalog
from tests.test_poster import one_a4_page

PAGE = "/dasbor/poster"
LINKS = ChatLinks("6281150001234", "DisnakerTabalongBot")


def with_links(runtime: Runtime, links: ChatLinks = LINKS) -> None:
    runtime.services = dataclasses.replace(runtime.services, chat_links=links)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.STAFF, Role.ADMIN])
async def test_every_office_role_gets_the_poster_and_its_links(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient, role: Role  # noqa: F811 (the fixture)
) -> None:
    with_links(runtime)
    await as_role(runtime, clock, web, role)
    page = await web.get(PAGE)
    assert page.status_code == 200
    assert "<code class=\"link-text\">https://wa.me/6281150001234?text=DAFTAR</code>" in page.text
    assert "<code class=\"link-text\">https://t.me/DisnakerTabalongBot?start=daftar</code>" in page.text
    assert 'src="/dasbor/poster/poster.png?bahasa=id"' in page.text
    assert 'download="poster-id.pdf"' in page.text and "Unduh PDF (A4, untuk dicetak)" in page.text

    document = await web.get(f"{PAGE}/poster.pdf?bahasa=en")
    assert document.headers["content-type"] == "application/pdf"
    one_a4_page(document.content)
    picture = await web.get(f"{PAGE}/poster.png")
    assert picture.headers["content-type"] == "image/png"
    assert Image.open(BytesIO(picture.content)).size == (1240, 1754)


async def test_an_openings_poster_is_reached_from_its_page_and_carries_its_code(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient  # noqa: F811 (the fixture)
) -> None:
    with_links(runtime)
    await seed_catalog(runtime, clock)
    await as_role(runtime, clock, web, Role.VIEWER)
    assert 'href="/dasbor/poster?kode=t1"' in (await web.get("/dasbor/program/t1")).text
    page = await web.get(f"{PAGE}?kode=t1&lang=en")
    assert page.status_code == 200
    assert "https://wa.me/6281150001234?text=DAFTAR%20t1" in page.text
    assert "https://t.me/DisnakerTabalongBot?start=t1" in page.text
    assert "Opens WhatsApp with the message DAFTAR t1 written, ready to send." in page.text
    assert 'download="poster-t1-en.png"' in page.text
    document = await web.get(f"{PAGE}/poster.pdf?kode=t1&bahasa=id")
    assert b"/URI (https://t.me/DisnakerTabalongBot?start=t1)" in document.content
    for wrong in ("t999", "zz", "t" + "9" * 20):
        assert (await web.get(f"{PAGE}?kode={wrong}")).status_code == 404
        assert (await web.get(f"{PAGE}/poster.png?kode={wrong}")).status_code == 404
    assert (await web.get(f"{PAGE}/poster.svg")).status_code == 404


async def test_without_links_the_page_says_what_to_set_and_strangers_get_nothing(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient  # noqa: F811 (the fixture)
) -> None:
    assert (await web.get(PAGE)).status_code == 401
    assert (await web.get(f"{PAGE}/poster.pdf")).status_code == 401
    await as_role(runtime, clock, web, Role.STAFF)
    page = await web.get(PAGE)
    assert page.status_code == 200
    assert "isi WHATSAPP_PUBLIC_NUMBER atau TELEGRAM_BOT_USERNAME" in page.text
    assert "poster.png" not in page.text
    assert (await web.get(f"{PAGE}/poster.pdf")).status_code == 404


async def test_a_viewer_opens_the_poster_in_the_browser_and_downloads_it(
    runtime: Runtime, clock: Clock, browser: Browser  # noqa: F811 (the fixture)
) -> None:
    with_links(runtime)
    link = await link_for(runtime, clock, await office_member(runtime, clock, "pengamat", Role.VIEWER))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with served(runtime) as base:
        page = await signed_in_page(browser, base, link)
        await page.get_by_role("link", name="Poster", exact=True).click()
        assert await page.get_by_role("heading", level=1).inner_text() == "Poster"
        preview = await page.wait_for_function(
            "() => { const image = document.querySelector('img.poster-preview'); "
            "return image && image.complete && image.naturalWidth; }")
        assert await preview.json_value() == 1240, "the preview is the PNG, loaded"
        assert await page.get_by_text("https://wa.me/6281150001234?text=DAFTAR", exact=True).is_visible()
        await page.screenshot(path=SCREENSHOTS / "poster.png", full_page=True)
        async with page.expect_download() as download:
            await page.get_by_role("button", name="Unduh PDF (A4, untuk dicetak)").click()
        saved = await (await download.value).path()
        assert saved is not None
        one_a4_page(saved.read_bytes())
        assert (await download.value).suggested_filename == "poster-id.pdf"
