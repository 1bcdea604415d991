"""How the bot is deployed, checked without a Docker daemon: the Dockerfile installs from the lock in a builder
stage and runs as non-root with a health check; compose.yaml has PostgreSQL, Redis, a one-shot migration and a
scalable bot that waits for both; `/healthz` answers beside the console chat; and `run` with no channel and no
terminal stops with one line instead of chatting with nobody.

`docker compose config` validates compose.yaml too where the Compose plugin is installed (it needs no daemon);
where it is not, that part is skipped and says so.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli.process import NO_CHANNEL_NO_TERMINAL
from bot.settings import Settings
from tests.conftest import TEST_KEY

ROOT = Path(__file__).resolve().parent.parent


def _stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuation lines joined, comments dropped), one list per stage."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    stages: list[list[str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        stages[-1].append(line)
    return stages


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def test_the_image_installs_the_lock_in_a_builder_and_runs_as_non_root_with_a_health_check() -> None:
    builder, runtime = _stages()
    assert builder[0].endswith(" AS builder")
    assert "RUN pip install --require-hashes -r requirements/runtime.txt" in builder, "the locked versions"
    assert any(line.startswith("RUN pip install --no-deps .") for line in builder), "then the project, nothing more"
    assert "COPY --from=builder /opt/venv /opt/venv" in runtime, "only the venv reaches the runtime stage"
    assert not any("pip install" in line for line in runtime)
    users = [line.split()[1] for line in runtime if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0"), "runs as a non-root user"
    (health,) = (line for line in runtime if line.startswith("HEALTHCHECK "))
    assert "/healthz" in health
    assert runtime[-1] == 'CMD ["python", "-m", "bot", "run"]'
    for line in builder:  # everything copied exists, and every package the wheel needs is copied
        if line.startswith("COPY ") and "--from" not in line:
            assert all((ROOT / source).exists() for source in line.split()[1:-1]), line
    copied = {line.split()[1] for line in builder if line.startswith("COPY ")}
    assert {"bot", "handlers", "models", "jobs", "documents", "services", "web", "locales"} <= copied


def test_compose_runs_postgres_redis_a_migration_and_a_scalable_bot() -> None:
    compose = _compose()
    services = compose["services"]
    assert set(services) >= {"postgres", "redis", "migrate", "bot"}
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"] and "pgdata" in compose["volumes"]
    for name in ("postgres", "redis", "bot"):
        assert services[name]["healthcheck"]["test"], f"{name} has a health check"
    assert "/healthz" in " ".join(services["bot"]["healthcheck"]["test"])

    migrate, bot = services["migrate"], services["bot"]
    assert migrate["command"] == ["python", "-m", "bot", "db", "upgrade"] and migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert bot["command"] == ["python", "-m", "bot", "run"]
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert bot["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "container_name" not in bot, "a fixed name would stop --scale bot=N"
    for port in bot.get("ports", []):
        assert re.fullmatch(r"(127\.0\.0\.1:)?\d+-\d+:8080", str(port)), f"{port}: one host port per replica"

    for service in (migrate, bot):  # the same image, settings from .env, the stack's own database and Redis
        assert service["env_file"] == ".env" and service["image"] == "sahabat-kerja:latest"
        assert set(service["environment"]) <= {name.upper() for name in Settings.model_fields}
        assert service["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert service["environment"]["DATABASE_URL"].endswith("@postgres:5432/sahabat_kerja")
        assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"


def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    docker = shutil.which("docker")
    version = None if docker is None else subprocess.run([docker, "compose", "version"], capture_output=True,
                                                         check=False, timeout=60)
    if docker is None or version is None or version.returncode != 0:
        pytest.skip("the Docker Compose plugin is not installed here (`docker compose version` fails); "
                    "compose.yaml is checked by parsing it only")
    shutil.copy(ROOT / "compose.yaml", tmp_path / "compose.yaml")
    shutil.copy(ROOT / "Dockerfile", tmp_path / "Dockerfile")
    (tmp_path / ".env").write_text(f"NIK_ENCRYPTION_KEY={TEST_KEY}\nPOSTGRES_PASSWORD=secret\n", encoding="utf-8")
    checked = subprocess.run([docker, "compose", "config", "--quiet"], cwd=tmp_path, capture_output=True, text=True,
                             check=False, timeout=120)
    assert checked.returncode == 0, checked.stderr


def _bot(env: dict[str, str], tmp_path: Path, **popen: Any) -> subprocess.Popen[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "NIK_", "TELEGRAM", "WHATS",
                                                                      "REDIS", "WEB_"))}
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], text=True, cwd=tmp_path,
                            env={**clean, "PYTHONPATH": str(ROOT), "NIK_ENCRYPTION_KEY": TEST_KEY,
                                 "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db", **env}, **popen)


def test_without_a_channel_or_a_terminal_run_stops_with_one_line(tmp_path: Path) -> None:
    process = _bot({}, tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 78
    assert err.strip() == NO_CHANNEL_NO_TERMINAL and not out


def test_healthz_answers_beside_the_console_chat(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = _bot({"WEB_PORT": str(port)}, tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    assert answer.status == 200 and b'"ok"' in answer.read()
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "no /healthz beside the chat"
                time.sleep(0.3)
        out, _err = process.communicate("halo\n", timeout=60)  # the chat went on: a pipe is a script typing
        assert "Selamat datang" in out and process.returncode == 0
    finally:
        process.kill()
        process.wait()
