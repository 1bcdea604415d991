"""The dashboard in a real browser: Debian's Chromium driven by Playwright, against the real app served by
uvicorn on a free local port. Without the browser the tests skip, except under CI=true, where they fail."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import Browser, Page

from bot.engine.runtime import Runtime
from bot.webhooks import create_app
from tests.test_telegram_e2e import free_port
from web.dashboard import DashboardConfig

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
"""As this machine needs them: no sandbox as root, and no reaching out to a network it does not have."""


def require_browser() -> None:
    if CHROMIUM.exists() or shutil.which("chromium"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package")
    pytest.skip("Chromium is not installed (apt-get install chromium)")


@asynccontextmanager
async def served(runtime: Runtime, dashboard: DashboardConfig | None = None) -> AsyncIterator[str]:
    """The app on a free port of 127.0.0.1, for as long as the block runs; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(create_app(runtime=runtime, dashboard=dashboard), host="127.0.0.1", port=port,
                            lifespan="off", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def signed_in_page(browser: Browser, base: str, link: str) -> Page:
    """A desktop-sized page of `browser`, signed in with the sign-in `link` (a path) and on the overview."""
    page = await browser.new_page(viewport={"width": 1280, "height": 800})
    await page.goto(base + link)
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_url(base + "/dasbor")
    return page
