"""The package stands alone: the wheel, installed with the locked dependencies into a fresh virtual environment
(no system site-packages, no source checkout on its path, a working directory outside the repository), migrates
a database, loads the demo data and answers a piped console chat in Indonesian. Locales, surveys, the region
file, templates and migrations all come from the installed package.

It builds and installs for real (pip reaches the package registry; its cache makes later runs quicker), so it
takes a minute or two; it is part of the normal suite, marked `wheel` so a quick local run can leave it out
(`pytest -m "not wheel"`).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot import migrate
from tests.conftest import TEST_KEY

ROOT = Path(__file__).resolve().parent.parent
ANYWHERE = shutil.ignore_patterns("__pycache__", "*.egg-info", ".*_cache", ".hypothesis")
AT_THE_TOP = {".git", ".venv", "build", "dist", "data", ".env", "bench", "tests", "docs"}  # not models/data


def _not_copied(directory: str, names: list[str]) -> set[str]:
    top = {name for name in names if name in AT_THE_TOP} if Path(directory) == ROOT else set()
    return top | ANYWHERE(directory, names)

pytestmark = pytest.mark.wheel


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run(*command: str | Path, cwd: Path, env: dict[str, str], stdin: str = "",
         timeout: float = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(part) for part in command], input=stdin, capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout, check=False)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def test_the_installed_wheel_migrates_seeds_and_chats_outside_the_source_tree(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("PYTHON", "VIRTUAL_ENV", "DATABASE_URL", "NIK_", "TELEGRAM", "WHATSAPP", "REDIS",
                                   "WEB_", "REGION_FILE"))}
    source = tmp_path / "source"  # built from a copy: the build leaves nothing (build/, *.egg-info) in the checkout
    shutil.copytree(ROOT, source, ignore=_not_copied)
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", tmp_path / "dist", source,
         cwd=tmp_path, env=env)
    (wheel,) = (tmp_path / "dist").glob("sahabat_kerja-*.whl")

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path, env=env)  # system site-packages stay out
    python = venv / "bin" / "python"
    _run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--require-hashes",
         "-r", ROOT / "requirements" / "runtime.txt", cwd=tmp_path, env=env)
    _run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", wheel,
         cwd=tmp_path, env=env)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    bot_env = {**env, "DATABASE_URL": f"sqlite+aiosqlite:///{elsewhere}/bot.db", "NIK_ENCRYPTION_KEY": TEST_KEY,
               "WEB_PORT": str(_free_port())}
    where = _run(python, "-c", "import bot, locales, models; print(bot.__file__, locales.__file__, models.__file__)",
                 cwd=elsewhere, env=bot_env).stdout.split()
    assert all(path.startswith(str(venv)) for path in where), f"imported from outside the venv: {where}"

    upgraded = _run(python, "-m", "bot", "db", "upgrade", cwd=elsewhere, env=bot_env, timeout=180)
    assert upgraded.stdout.strip() == f"database at revision {migrate.head_revision()}"
    seeded = _run(python, "-m", "bot", "seed-demo", cwd=elsewhere, env=bot_env, timeout=180)
    assert seeded.stdout.strip() == "demo data loaded"
    chat = _run(python, "-m", "bot", "run", cwd=elsewhere, env=bot_env, stdin="halo\n1\n", timeout=180)
    assert "Selamat datang di Sahabat Kerja Disnaker Kabupaten Tabalong!" in chat.stdout, chat.stdout
    assert "  1. Bahasa Indonesia" in chat.stdout
    assert "Traceback" not in chat.stderr, chat.stderr
    assert all(path.name.startswith("bot.db") for path in elsewhere.iterdir()), "nothing else written here"
