"""Asking the office, end to end in Chromium: a job seeker asks in the chat, staff read the question in the
dashboard's inbox and answer it there (with a canned answer put in by htmx, after giving the question to a
colleague), and the answer reaches the job seeker's chat."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

from bot.engine.runtime import Runtime
from models.users import Role
from services.canned_answers import add_canned
from services.permissions import Actor
from tests.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, require_browser, served, signed_in_page
from tests.chat import ChatUser, RecordingChannel, register
from tests.conftest import Clock
from tests.test_dashboard_access import link_for, office_member


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    require_browser()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


async def test_a_job_seeker_asks_in_chat_and_staff_answer_in_the_browser(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, browser: Browser
) -> None:
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    await siti.send("/tanya")
    await siti.send("Apakah saya boleh membawa <b>alat sendiri</b> ke pelatihan?")
    staff_link = await link_for(runtime, clock, await office_member(runtime, clock, "petugas", Role.STAFF))
    await office_member(runtime, clock, "rekan", Role.ADMIN)
    async with runtime.session_factory() as session, session.begin():
        await add_canned(session, Actor.system(), "Alat sendiri", "Boleh membawa alat sendiri.", now=clock())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with served(runtime) as base:
        page = await signed_in_page(browser, base, staff_link)
        await page.goto(base + "/dasbor/pesan")
        await page.screenshot(path=SCREENSHOTS / "inbox.png", full_page=True)
        await page.get_by_text("alat sendiri", exact=False).first.click()
        assert await page.get_by_text("<b>alat sendiri</b>", exact=False).is_visible(), "HTML is shown as text"
        assert await page.get_by_text("menulis ke Dinas (pertanyaan ini)").is_visible(), "where they are in chat"
        await page.get_by_label("Serahkan kepada").select_option(label="rekan")
        await page.get_by_role("button", name="Serahkan", exact=True).click()
        await page.wait_for_load_state()
        assert await page.get_by_text("Pertanyaan sudah diserahkan.").is_visible()
        answer = page.get_by_label("Jawaban Anda")
        await answer.fill("Selamat siang.")
        await page.get_by_label("Jawaban siap pakai").select_option(label="Alat sendiri")
        await page.wait_for_function("document.getElementById('text').value.includes('alat sendiri.')")
        assert await page.get_by_label("Jawaban Anda").input_value() == "Selamat siang.\n\nBoleh membawa alat sendiri."
        await page.set_viewport_size({"width": 1280, "height": 900})
        await page.screenshot(path=SCREENSHOTS / "inbox-thread.png", full_page=True)
        await page.set_viewport_size({"width": 390, "height": 844})
        await page.screenshot(path=SCREENSHOTS / "inbox-thread-phone.png", full_page=True)
        await page.get_by_role("button", name="Kirim jawaban").click()
        await page.wait_for_load_state()
        assert await page.get_by_text("Boleh membawa alat sendiri.").first.is_visible()
        await page.get_by_role("link", name="Kelola jawaban siap pakai").click()
        assert await page.get_by_role("heading", name="Jawaban siap pakai").is_visible()
        await page.screenshot(path=SCREENSHOTS / "canned-answers-phone.png", full_page=True)
    await runtime.delivery.flush()
    answers = [reply.text for reply in channel.to("siti") if "Boleh membawa alat sendiri." in reply.text]
    assert len(answers) == 1 and "Selamat siang." in answers[0], "the answer reaches the chat once"
