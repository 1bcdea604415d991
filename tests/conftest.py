"""Fixtures: a migrated database on SQLite and on the machine's real PostgreSQL, a clock, and chat users.

Every test that asks for `runtime` runs twice, once per backend. PostgreSQL gets one throwaway database per
test session (dropped at the end); SQLite gets a fresh copy of a migrated template file per test. Under
CI=true a PostgreSQL that cannot be reached fails the run instead of skipping.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import text

import models.all  # noqa: F401  (every table, for TABLES)
from bot import migrate
from bot.engine.runtime import Runtime
from bot.settings import Settings, load_settings
from bot.wiring import build_runtime
from models.base import Base
from models.crypto import NikCipher
from models.db import create_engine
from tests.chat import RecordingChannel

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_KEY = NikCipher.generate_secret()
TABLES = ", ".join(table.name for table in Base.metadata.sorted_tables)

settings.register_profile(
    "default", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.register_profile(
    "thorough", max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


class Clock:
    """A clock the test moves by hand; starts on a Monday morning in Tabalong (WITA)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _postgres_available() -> bool:
    try:
        connection = await asyncpg.connect(_asyncpg_dsn(ADMIN_URL), timeout=5)
    except (OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(ADMIN_URL))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _upgrade(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def migrated_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database at the latest migration: a template SQLite file, or a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        template = tmp_path_factory.mktemp("sqlite") / "template.db"
        asyncio.run(_upgrade(f"sqlite+aiosqlite:///{template}"))
        yield f"sqlite:{template}"
        return
    if not asyncio.run(_postgres_available()):
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is not reachable at {ADMIN_URL}, and CI requires the PostgreSQL run")
        pytest.skip(f"PostgreSQL is not reachable at {ADMIN_URL}")
    name = f"sahabat_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    url = f"{base}/{name}"
    try:
        asyncio.run(_upgrade(url))
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> str:
    if migrated_database.startswith("sqlite:"):
        copy = tmp_path / "sahabat.db"
        shutil.copyfile(migrated_database.removeprefix("sqlite:"), copy)
        return f"sqlite+aiosqlite:///{copy}"
    return migrated_database


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app_settings(database_url: str) -> Settings:
    # Tests drive whole conversations at one frozen instant, faster than any person types: no flood limit.
    return load_settings(database_url=database_url, nik_encryption_key=TEST_KEY, _env_file=None,
                         flood_messages=1_000_000)


@pytest.fixture
def channel() -> RecordingChannel:
    return RecordingChannel()


RuntimeFactory = Callable[..., Runtime]


@pytest.fixture
async def make_runtime(app_settings: Settings, clock: Clock) -> AsyncIterator[RuntimeFactory]:
    """Build runtimes ("workers") on the test database; all are closed and the database emptied afterwards."""
    built: list[Runtime] = []

    def make(*channels: RecordingChannel, **options: Any) -> Runtime:
        """A runtime sending through `channels`; `options` are `build_runtime`'s (`only_to`, `flush_when_idle`)."""
        runtime = build_runtime(app_settings, {c.name: c for c in channels}, clock=clock, raise_errors=True,
                                **options)
        built.append(runtime)
        return runtime

    yield make
    for runtime in built:
        await runtime.aclose()
    if built and built[0].engine.dialect.name == "postgresql":
        engine = create_engine(app_settings.database_url)
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
        await engine.dispose()


@pytest.fixture
def runtime(make_runtime: RuntimeFactory, channel: RecordingChannel) -> Runtime:
    return make_runtime(channel)
