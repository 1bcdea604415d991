"""Commands that run the bot or look after its database: `run`, `chat`, `db`, `seed-demo`."""

from __future__ import annotations

import os
import stat
import sys
from typing import TYPE_CHECKING

from bot import migrate
from bot.channels.console.channel import ConsoleChannel
from bot.channels.console.channel import chat as console_chat
from bot.channels.registry import CONSOLE, configured
from bot.engine.channel_port import RuntimePort
from bot.engine.runtime import Runtime

if TYPE_CHECKING:
    from bot.serve import BackgroundWeb
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.wiring import build_runtime
from jobs.retry_sending import retry_sending
from models.db import create_engine
from models.seeds import seed_demo
from models.surveys import SurveyFileError, check_survey_files


async def migrate_database(settings: Settings, command: str, revision: str | None) -> int:
    engine = create_engine(settings.database_url)
    try:
        if command == "upgrade":
            await migrate.upgrade(engine, revision or "head")
        elif command == "downgrade":
            await migrate.downgrade(engine, revision or "base")
        print(f"database at revision {await migrate.current_revision(engine) or 'base'}")
    finally:
        await engine.dispose()
    return 0


async def ensure_schema(settings: Settings) -> None:
    """Bring the database to the latest schema; a no-op when it already is (safe with several workers)."""
    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


async def seed(settings: Settings) -> int:
    await ensure_schema(settings)
    runtime = build_runtime(settings)
    try:
        async with runtime.session_factory() as session, session.begin():
            now = runtime.clock()
            today = runtime.services.office.date_at(now)
            loaded = await seed_demo(session, runtime.services.cipher, now, today)
        print("demo data loaded" if loaded else "demo data already present")
    finally:
        await runtime.aclose()
    return 0


async def run(settings: Settings) -> int:
    try:
        check_survey_files()
    except SurveyFileError as error:
        print(f"Configuration error: survey file {error}", file=sys.stderr)
        return 2
    await ensure_schema(settings)
    if configured(settings.model_dump()):
        from bot.serve import serve  # noqa: PLC0415 (the web server and its imports only when a channel needs them)

        return await serve(settings)
    if nobody_can_type():
        print(NO_CHANNEL_NO_TERMINAL, file=sys.stderr)
        return 78  # EX_CONFIG: a setting is missing; a restart cannot help
    from bot.serve import dashboard_notice  # noqa: PLC0415 (as above)

    print("No channel credentials configured: starting the console chat. Type /help for help, Ctrl-D to leave.",
          dashboard_notice(settings), sep="\n", file=sys.stderr)
    return await chat(settings, CONSOLE, None, with_dashboard=True)


NO_CHANNEL_NO_TERMINAL = ("Configuration error: no channel configured (TELEGRAM_BOT_TOKEN or WHATSAPP_TOKEN, see "
                          ".env.example) and no terminal for the console chat; stopping.")


def nobody_can_type() -> bool:
    """Whether the console chat could never hear anyone: standard input is closed or is /dev/null, as for a
    container without `-i` or a systemd service. Then `run` without a channel stops with one line instead of
    chatting with nobody (and, under a restart policy, starting again forever). A terminal is a person and a pipe
    or a file is a script feeding the chat (`printf '...' | python -m bot run`): both chat as before."""
    try:
        given = os.fstat(sys.stdin.fileno())
    except (AttributeError, OSError, ValueError):  # no sys.stdin, or descriptor 0 closed
        return True
    try:
        null = os.stat(os.devnull)
    except OSError:
        return False
    return stat.S_ISCHR(given.st_mode) and given.st_rdev == null.st_rdev


async def chat(settings: Settings, user: str, lang: str | None, *, with_dashboard: bool = False) -> int:
    """The console session of `user`: first what was written to them while they had none, then their
    conversation; other users' messages wait for their own session. The scheduled jobs run here too (any number
    of sessions and workers may run them at once), so broadcasts and check-ins go on while anyone chats.
    `run` serves the staff dashboard beside it; a side `chat` session starts quickly without it."""
    await ensure_schema(settings)
    runtime: Runtime = build_runtime(settings, {CONSOLE: ConsoleChannel(sys.stdout)}, only_to={CONSOLE: [user]},
                                     flush_when_idle=True)  # marked sent as soon as shown, not in batches
    scheduler = Scheduler(runtime)
    web = _serve_dashboard(settings, runtime) if with_dashboard else None
    try:
        await retry_sending(runtime)
        scheduler.start()
        await console_chat(RuntimePort(runtime), user, locale=lang)
    finally:
        if web is not None:
            await web.stop()
        await scheduler.stop()
        await runtime.aclose()
    return 0


def _serve_dashboard(settings: Settings, runtime: Runtime) -> BackgroundWeb:
    from bot.serve import BackgroundWeb  # noqa: PLC0415 (uvicorn and FastAPI only for `run`)

    return BackgroundWeb.start(settings, runtime)
