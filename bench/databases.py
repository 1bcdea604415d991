"""A throwaway database at the latest migration for one benchmark run: a temporary SQLite file, or a fresh
PostgreSQL database on the machine's server (`TEST_POSTGRES_URL`), dropped by the returned cleanup."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Awaitable, Callable

import asyncpg

from bot import migrate
from models.db import create_engine

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

Cleanup = Callable[[], Awaitable[None]]


async def prepare_database(backend: str, label: str) -> tuple[str, Cleanup]:
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix=f"sahabat-bench-{label}-")
        url = f"sqlite+aiosqlite:///{folder}/bench.db"

        async def remove_folder() -> None:
            shutil.rmtree(folder, ignore_errors=True)

        cleanup: Cleanup = remove_folder
    else:
        name = f"sahabat_bench_{label}_{uuid.uuid4().hex[:10]}"
        admin = await asyncpg.connect(ADMIN_URL)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        url = f"{ADMIN_URL.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+asyncpg://')}/{name}"

        async def drop_database() -> None:
            connection = await asyncpg.connect(ADMIN_URL)
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await connection.close()

        cleanup = drop_database
    engine = create_engine(url)
    await migrate.upgrade(engine)
    await engine.dispose()
    return url, cleanup
