"""End to end: the real `python -m bot run` process against the fake Bot API, in polling and in webhook mode.

A job seeker registers, browses and applies; redelivered updates are handled once; a process killed with
SIGKILL after committing a reply but before Telegram got it sends that reply exactly once after a restart.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.engine.runtime import Runtime
from models.applications import Application
from tests.conftest import TEST_KEY, Clock, RuntimeFactory
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_updates import JsonDict
from tests.telegram_chat import STARTUP_TIMEOUT, TelegramUser, wait_for
from tests.test_openings import seed_catalog
from tests.test_telegram_adapter import TOKEN, register_on_telegram

SECRET = "e2e_webhook-SECRET_1"
WELDING = "Pengelasan SMAW 3G"
CHECKOUT = Path(__file__).resolve().parent.parent


class BotProcess:
    """`python -m bot run` in a temporary directory, its output in a log file for when a test fails."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        # PYTHONPATH: this checkout's code, not whichever checkout the venv has installed (a git worktree's tests
        # would otherwise start the main checkout's bot, whose migrations may not know the database's revision)
        self.env = {"PATH": os.environ.get("PATH", ""), "HOME": str(workdir), "PYTHONPATH": str(CHECKOUT), **env}
        self.workdir = workdir
        self.process: asyncio.subprocess.Process | None = None
        self.log = workdir / "bot.log"

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=self.env, cwd=self.workdir,
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log,
            )

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> int | None:
        if self.process is None or self.process.returncode is not None:
            return None if self.process is None else self.process.returncode
        self.process.terminate()
        try:
            return await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError("the bot did not stop on SIGTERM:\n" + self.log.read_text()) from None


async def wait_until_serving(http: httpx.AsyncClient) -> None:
    """Until the process's web server answers /healthz (it starts after the channels are set up)."""
    deadline = asyncio.get_running_loop().time() + STARTUP_TIMEOUT
    while asyncio.get_running_loop().time() < deadline:
        try:
            if (await http.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            await asyncio.sleep(0.05)
    raise AssertionError("timed out waiting for the bot's web server to answer /healthz")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def activity(tg: FakeTelegram, chat: int) -> int:
    return sum(1 for name, params in tg.calls
               if name in ("sendMessage", "editMessageText") and str(params.get("chat_id")) == str(chat))


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, hang_seconds=120) as fake:
        yield fake


@pytest.fixture
async def database(make_runtime: RuntimeFactory, clock: Clock) -> Runtime:
    """The test's database with the demo catalog; the runtime is for looking at the rows afterwards."""
    runtime = make_runtime()
    await seed_catalog(runtime, clock)
    return runtime


@pytest.fixture
async def launch(
    tg: FakeTelegram, database: Runtime, database_url: str, tmp_path: Path
) -> AsyncIterator[Callable[..., Awaitable[BotProcess]]]:
    started: list[BotProcess] = []

    async def start(**extra: str) -> BotProcess:
        env = {
            "DATABASE_URL": database_url,
            "NIK_ENCRYPTION_KEY": TEST_KEY,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE": tg.base_url,
            "TELEGRAM_MESSAGES_PER_CHAT_PER_SECOND": "1000",
            "LOG_LEVEL": "WARNING",
            "FLOOD_MESSAGES": "1000000",  # scripted users write faster than any person
            "WEB_PORT": str(free_port()),  # the dashboard is served in every mode: never on a port in use
            **extra,
        }
        bot = BotProcess(env, tmp_path)
        await bot.start()
        started.append(bot)
        return bot

    yield start
    for bot in started:
        await bot.stop()
    tg.assert_clean()


def polling_user(tg: FakeTelegram, user_id: int) -> TelegramUser:
    async def feed(update: JsonDict) -> None:
        before = activity(tg, user_id)
        tg.push_update(update)
        await wait_for(lambda: activity(tg, user_id) > before, what=f"a reply to update {update['update_id']}")

    return TelegramUser(tg, user_id, feed)


async def applications(runtime: Runtime) -> int:
    async with runtime.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(Application)) or 0)


async def register_browse_and_apply(user: TelegramUser) -> None:
    await register_on_telegram(user)
    assert "Pendaftaran Anda sudah selesai" in user.text
    await user.tap("Pelatihan yang dibuka")
    while WELDING not in [button["text"] for button in user.buttons()]:
        await user.tap("Halaman berikutnya")
    await user.tap(WELDING)
    await user.tap("Daftar")
    assert user.text.startswith(f"Kirim pendaftaran Anda untuk {WELDING}?")
    await user.tap("Ya, kirim")
    assert f"Pendaftaran Anda untuk {WELDING} sudah terkirim." in user.text


async def test_polling_registration_browse_and_apply(
    tg: FakeTelegram, launch: Callable[..., Awaitable[BotProcess]], database: Runtime
) -> None:
    await launch()
    await wait_for(lambda: tg.calls_of("deleteWebhook"), timeout=STARTUP_TIMEOUT, what="the bot to start polling")
    assert len(tg.calls_of("setMyCommands")) == 3
    await register_browse_and_apply(polling_user(tg, 701))
    assert await applications(database) == 1
    assert tg.calls_of("getUpdates")[-1]["allowed_updates"] == ["message", "callback_query", "my_chat_member"]


async def test_webhook_registration_browse_apply_and_redelivery(
    tg: FakeTelegram, launch: Callable[..., Awaitable[BotProcess]], database: Runtime
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    await launch(TELEGRAM_WEBHOOK_URL=url, TELEGRAM_WEBHOOK_SECRET=SECRET, WEB_HOST="127.0.0.1", WEB_PORT=str(port))
    await wait_for(lambda: tg.webhook is not None, timeout=STARTUP_TIMEOUT, what="setWebhook")
    assert tg.webhook is not None and tg.webhook["secret_token"] == SECRET and tg.webhook["url"] == url
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=20) as http:
        await wait_until_serving(http)

        async def post(update: JsonDict, secret: str | None = SECRET) -> int:
            assert tg.spec.check_object("Update", update) == []
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
            return (await http.post("/telegram/hook", json=update, headers=headers)).status_code

        async def feed(update: JsonDict) -> None:
            before = activity(tg, 702)
            assert await post(update) == 200
            await wait_for(lambda: activity(tg, 702) > before, what=f"a reply to update {update['update_id']}")

        start = tg.text_update(702, "/start")
        assert await post(start, secret=None) == 403
        assert await post(start, secret="guess") == 403
        await feed(start)
        assert await post(start) == 200, "Telegram redelivers when unsure; the bot answers once"
        await feed(tg.text_update(702, "bantuan"))
        assert [m["text"][:15] for m in tg.sent_messages(702)] == ["Selamat datang ", "Sahabat Kerja m"]
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        garbage = await http.post("/telegram/hook", content=b"<html>", headers=headers)
        assert garbage.status_code == 400
        assert await post(tg.edited_message_update(702, "ralat")) == 200, "ignored, but acknowledged"
        await register_browse_and_apply(TelegramUser(tg, 702, feed))
    assert await applications(database) == 1


async def test_a_reply_committed_before_a_kill_is_sent_once_after_restart(
    tg: FakeTelegram, launch: Callable[..., Awaitable[BotProcess]], database: Runtime
) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("the outbox sweep's 30-second grace makes this slow; once, on SQLite, is enough")
    user = polling_user(tg, 703)
    first = await launch()
    await wait_for(lambda: tg.calls_of("deleteWebhook"), timeout=STARTUP_TIMEOUT, what="the bot to start polling")
    await user.send("/start")
    hang = tg.fail_next("sendMessage", hang=True)
    tg.push_update(tg.callback_update(703, user.buttons()[0]["callback_data"], message_id=user.last["message_id"]))
    await wait_for(lambda: hang not in tg._faults, what="the reply to be on its way")  # committed, sending
    await first.kill()

    await launch()
    await wait_for(lambda: activity(tg, 703) == 2, timeout=90, what="the outbox sweep after the restart")
    replies = tg.sent_messages(703)
    assert len(replies) == 2 and replies[0]["text"].startswith("Selamat datang"), "the first reply not repeated"
    assert "Saya setuju" in [row[0]["text"] for row in replies[1]["reply_markup"]["inline_keyboard"]]
    for _ in range(3):  # the restarted bot keeps polling: the pressed button was not handled a second time
        await wait_for(lambda: tg.pending_update_count == 0, what="the redelivered update to be confirmed")
    assert activity(tg, 703) == 2


async def test_a_webhook_without_its_secret_does_not_start(tmp_path: Path, database_url: str) -> None:
    bot = BotProcess({"DATABASE_URL": database_url, "NIK_ENCRYPTION_KEY": TEST_KEY, "TELEGRAM_BOT_TOKEN": TOKEN,
                      "TELEGRAM_WEBHOOK_URL": "https://bot.example.id/telegram/webhook"}, tmp_path)
    await bot.start()
    assert bot.process is not None
    assert await asyncio.wait_for(bot.process.wait(), 60) == 2
    assert "TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL" in bot.log.read_text()
