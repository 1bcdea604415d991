"""The dashboard as a staff member uses it, in Chromium: sign in with a link from the chat, read the overview,
switch language, sign out. Each page is saved as a screenshot under build/screenshots/."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

from bot.engine.runtime import Runtime
from models.seeds import seed_demo
from models.users import Role
from tests.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, require_browser, served
from tests.chat import ChatUser, RecordingChannel
from tests.conftest import Clock
from tests.test_dashboard_access import LINK, office_member


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    require_browser()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


async def test_a_staff_member_signs_in_from_the_chat_reads_the_overview_and_signs_out(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, browser: Browser, database_url: str
) -> None:
    async with runtime.session_factory() as session, session.begin():
        await seed_demo(session, runtime.services.cipher, clock(), runtime.services.office.date_at(clock()))
    await office_member(runtime, clock, "petugas", Role.STAFF)
    answered = "\n".join(reply.text for reply in await ChatUser(runtime, channel, "petugas").send("/masuk"))
    match = LINK.search(answered)
    assert match is not None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with served(runtime) as base:
        page = await browser.new_page(viewport={"width": 1280, "height": 800})
        await page.goto(base + match.group(1))
        await page.screenshot(path=SCREENSHOTS / "sign-in.png")
        await page.get_by_role("button", name="Masuk").click()
        await page.wait_for_url(base + "/dasbor")
        assert await page.get_by_role("heading", level=1).inner_text() == runtime.services.office.name
        assert await page.get_by_text("Pencari kerja terdaftar").is_visible()
        backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
        await page.screenshot(path=SCREENSHOTS / f"overview-{backend}.png", full_page=True)
        await page.get_by_role("link", name="English").click()
        assert await page.get_by_text("The office at a glance").is_visible()
        await page.set_viewport_size({"width": 390, "height": 844})  # a cheap phone's screen
        await page.screenshot(path=SCREENSHOTS / "overview-phone.png", full_page=True)
        await page.set_viewport_size({"width": 1280, "height": 800})
        await page.get_by_text("petugas").click()
        await page.get_by_role("button", name="Sign out", exact=True).click()
        assert await page.get_by_role("heading", name="You are signed out").is_visible()
        await page.goto(base + "/dasbor")
        assert await page.get_by_role("heading", name="Please sign in").is_visible()
