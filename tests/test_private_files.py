"""Files holding personal data or the NIK key are the owner's alone from their first byte: the data folder 0700,
the SQLite database with its WAL and shared-memory files 0600, and `.env` 0600, whatever the umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.settings import ensure_nik_key
from models.crypto import NikCipher
from models.db import create_engine
from tests.test_settings_and_cli import ROOT


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_first_database_upgrade_leaves_private_folder_database_and_env(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "NIK_", "TELEGRAM", "WHATS"))}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"], capture_output=True, text=True, timeout=120,
        env={**clean, "PYTHONPATH": str(ROOT)}, cwd=tmp_path, check=False,
        preexec_fn=lambda: os.umask(0o022),  # the usual umask, which made them world-readable
    )
    assert done.returncode == 0, done.stderr
    assert mode(tmp_path / "data") == 0o700
    assert mode(tmp_path / "data" / "sahabat_kerja.db") == 0o600
    assert mode(tmp_path / ".env") == 0o600


async def test_write_ahead_log_and_shared_memory_are_private(tmp_path: Path) -> None:
    database = tmp_path / "state" / "bot.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))
            await connection.execute(text("INSERT INTO t VALUES (1)"))
        async with engine.connect() as connection:  # the WAL and -shm exist while a connection is open
            await connection.execute(text("SELECT x FROM t"))
            files = {path.name: mode(path) for path in database.parent.iterdir()}
    finally:
        await engine.dispose()
    assert files == {"bot.db": 0o600, "bot.db-wal": 0o600, "bot.db-shm": 0o600}
    assert mode(database.parent) == 0o700


def test_the_key_is_never_written_into_a_readable_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NIK_ENCRYPTION_KEY", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("OFFICE_NAME=Disnaker\n")
    env_file.chmod(0o644)
    modes_when_key_made: list[int] = []
    real_secret = NikCipher.generate_secret

    def generate_secret() -> str:
        modes_when_key_made.append(mode(env_file))
        return real_secret()

    monkeypatch.setattr(NikCipher, "generate_secret", staticmethod(generate_secret))
    assert ensure_nik_key(env_file) is True
    assert modes_when_key_made == [0o600]
    assert mode(env_file) == 0o600
