"""Schema migrations with Alembic, driven from the async engine (`python -m bot db upgrade`, `alembic ...`).

Alembic's commands are synchronous; they run inside `AsyncConnection.run_sync` on the connection we give
them, so one code path serves SQLite and PostgreSQL, the CLI, the `alembic` command and the tests. On
PostgreSQL an advisory lock keeps two workers starting at once from migrating together.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from importlib.resources import files
from logging.config import fileConfig
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.operations.ops import MigrationScript
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.settings import SettingsError, load_settings
from models.crypto import NikCipher
from models.db import create_engine

PROJECT_DIR = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = Path(str(files("models"))) / "migrations"
"""The revisions are package data of `models`: an installed wheel migrates with no source checkout."""
ALEMBIC_INI = PROJECT_DIR / "alembic.ini"
"""Only a checkout has it (for the `alembic` command); an installed package runs without it."""
MIGRATION_LOCK_KEY = 7_301_2026


def alembic_config() -> Config:
    """alembic.ini, as the `alembic` command reads it (a checkout has one; the Docker image only needs the
    migrations), with the migrations wherever the package is installed."""
    config = Config(ALEMBIC_INI if ALEMBIC_INI.is_file() else None)
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    await _run(engine, lambda config: command.upgrade(config, revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    await _run(engine, lambda config: command.downgrade(config, revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def number_revision(context: MigrationContext, revision: object, directives: list[MigrationScript]) -> None:
    """A new revision is numbered after the latest, as the files in versions/ are: 0010 after 0009."""
    assert context.script is not None, "alembic passes its script directory when making a revision"
    numbers = [int(script.revision) for script in context.script.walk_revisions() if script.revision.isdigit()]
    directives[0].rev_id = f"{max(numbers, default=0) + 1:04d}"


def run_alembic_command(config: Config, migrations: Callable[[Connection], None]) -> None:
    """For the `alembic` command (models/migrations/env.py): `migrations` on the database the bot's settings
    name (DATABASE_URL, then .env), under the same lock as `upgrade`."""
    if config.config_file_name:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    try:  # migrations never read a NIK: a throwaway key lets the settings load where none is set
        url = load_settings(nik_encryption_key=NikCipher.generate_secret()).database_url
    except SettingsError as error:
        raise SystemExit(str(error)) from error
    asyncio.run(_on_database(url, migrations))


async def _on_database(url: str, migrations: Callable[[Connection], None]) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await _lock(connection)
            await connection.run_sync(migrations)
    finally:
        await engine.dispose()


async def _run(engine: AsyncEngine, action: Callable[[Config], None]) -> None:
    async with engine.begin() as connection:
        await _lock(connection)
        await connection.run_sync(_with_connection, action)


async def _lock(connection: AsyncConnection) -> None:
    if connection.dialect.name == "postgresql":
        await connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})


def _with_connection(connection: Connection, action: Callable[[Config], None]) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    action(config)
