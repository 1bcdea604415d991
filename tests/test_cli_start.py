"""The command line starts quickly: `--help` loads no database layer, web server or channel library, and `chat`
loads no web server, channel library or spreadsheet library. Checked by what is imported, not by a clock (the
start times measured are in BENCHMARKS.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_KEY
from tests.test_settings_and_cli import ROOT

HEAVY = ("sqlalchemy", "alembic", "fastapi", "uvicorn", "aiogram", "pywa", "openpyxl", "matplotlib", "redis")

LOADED_AFTER = """
import json, sys
from bot.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(name for name in {heavy} if name in sys.modules)), file=sys.stderr)
"""


def loaded_by(*argv: str, cwd: Path, env: dict[str, str] | None = None) -> list[str]:
    """Which of HEAVY a fresh interpreter has imported after `python -m bot <argv>`."""
    done = subprocess.run(
        [sys.executable, "-c", LOADED_AFTER.format(heavy=HEAVY), *argv], input="", capture_output=True, text=True,
        timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **(env or {})}, cwd=cwd, check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return loaded


def test_help_imports_no_database_web_or_channel_library(tmp_path: Path) -> None:
    assert loaded_by("--help", cwd=tmp_path) == []
    assert loaded_by("target", "set", "--help", cwd=tmp_path) == []


def test_chat_imports_no_web_server_channel_or_spreadsheet_library(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db", "NIK_ENCRYPTION_KEY": TEST_KEY}
    assert loaded_by("chat", "--user", "budi", cwd=tmp_path, env=env) == ["alembic", "sqlalchemy"]
