"""Migrations: the models and the migrated schema agree, and every migration can be undone and redone.

Runs on a fresh SQLite file and a fresh PostgreSQL database of its own (the shared test database stays at
head for the other tests).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

import models.all  # noqa: F401  (registers every table)
from bot import migrate
from models.base import Base, compared
from models.db import create_engine
from tests.conftest import ADMIN_URL, _admin, _postgres_available


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}")
        yield engine
        await engine.dispose()
        return
    if not await _postgres_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is not reachable at {ADMIN_URL}, and CI requires the PostgreSQL run")
        pytest.skip(f"PostgreSQL is not reachable at {ADMIN_URL}")
    name = f"sahabat_migrations_{uuid.uuid4().hex[:10]}"
    await _admin(f'CREATE DATABASE "{name}"')
    engine = create_engine(f"{ADMIN_URL.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+asyncpg://')}/{name}")
    try:
        yield engine
    finally:
        await engine.dispose()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_the_migrated_schema_matches_the_models(empty_engine: AsyncEngine) -> None:
    await migrate.upgrade(empty_engine)
    async with empty_engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(
                sync, opts={"compare_type": True, "include_object": compared}), Base.metadata)
        )
    assert differences == []


async def test_every_migration_can_be_undone_and_redone(empty_engine: AsyncEngine) -> None:
    await migrate.upgrade(empty_engine)
    assert await migrate.current_revision(empty_engine) == migrate.head_revision()
    await migrate.downgrade(empty_engine, "base")
    async with empty_engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert set(tables) <= {"alembic_version"}
    await migrate.upgrade(empty_engine)
    assert await migrate.current_revision(empty_engine) == migrate.head_revision()


def test_the_alembic_command_upgrades_finds_nothing_to_generate_and_numbers_a_new_revision(tmp_path: Path) -> None:
    """`alembic upgrade head`, `alembic check` and `alembic revision --autogenerate` (what `make migration`
    runs) from alembic.ini, on a copy of the migrations so the new revision lands in tmp_path."""
    shutil.copy(migrate.ALEMBIC_INI, tmp_path / "alembic.ini")
    shutil.copytree(migrate.MIGRATIONS_DIR, tmp_path / "models" / "migrations",
                    ignore=shutil.ignore_patterns("__pycache__"))
    commands = [["upgrade", "head"], ["check"], ["revision", "--autogenerate", "-m", "add x"], ["history"]]
    argvs = json.dumps([["-c", str(tmp_path / "alembic.ini"), *command] for command in commands])
    alembic = "import json, sys\nfrom alembic.config import main\nfor argv in json.loads(sys.argv[1]): main(argv)"
    done = subprocess.run(  # one process for the four commands: the imports are the slow part
        [sys.executable, "-c", alembic, argvs],
        cwd=migrate.PROJECT_DIR, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'alembic.db'}"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No new upgrade operations detected." in done.stdout
    head = migrate.head_revision()
    assert head is not None
    following = f"{int(head) + 1:04d}"
    [generated] = (tmp_path / "models" / "migrations" / "versions").glob(f"{following}_*.py")
    assert generated.name == f"{following}_add_x.py"
    assert f"revision = '{following}'\ndown_revision = '{head}'" in generated.read_text(encoding="utf-8")
    assert f"{head} -> {following} (head), add x" in done.stdout
