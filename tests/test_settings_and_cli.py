"""Settings fail early with one clear line; the command line works as the README says, piped or not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import migrate
from bot.settings import SettingsError, ensure_nik_key, load_settings
from tests.conftest import TEST_KEY

ROOT = Path(__file__).resolve().parent.parent


def run_bot(*args: str, env: dict[str, str], stdin: str = "", cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "NIK_", "TELEGRAM", "WHATS"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True, timeout=120,
        env={**clean, "PYTHONPATH": str(ROOT), **env}, cwd=cwd, check=False,
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"database_url": "mysql://x"}, "Configuration error: DATABASE_URL use sqlite+aiosqlite"),
        ({"database_url": "::"}, "Configuration error: DATABASE_URL is not a database URL"),
        ({"timezone": "Mars/Olympus"}, "Configuration error: TIMEZONE is not a time zone name"),
        ({"default_locale": "fr"}, "Configuration error: DEFAULT_LOCALE"),
        ({"nik_encryption_key": "short"}, "Configuration error: NIK_ENCRYPTION_KEY must be a Fernet key (32"),
    ],
)
def test_bad_settings_fail_with_one_line_naming_the_setting(overrides: dict[str, str], expected: str) -> None:
    values = {"nik_encryption_key": TEST_KEY, **overrides}
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None, **values)
    assert str(raised.value).startswith(expected)
    assert "\n" not in str(raised.value)


def test_a_missing_key_is_generated_into_dot_env_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NIK_ENCRYPTION_KEY", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("OFFICE_NAME=Disnaker Kota Balikpapan")
    assert ensure_nik_key(env_file) is True
    assert ensure_nik_key(env_file) is False
    lines = env_file.read_text().splitlines()
    assert lines[0] == "OFFICE_NAME=Disnaker Kota Balikpapan"
    assert sum(line.startswith("NIK_ENCRYPTION_KEY=") for line in lines) == 1
    assert oct(env_file.stat().st_mode)[-3:] == "600"


def test_help_lists_the_commands() -> None:
    result = run_bot("--help", env={})
    assert result.returncode == 0
    for command in ("run", "chat", "db", "seed-demo", "staff"):
        assert command in result.stdout


def test_staff_are_granted_from_the_command_line(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db", "NIK_ENCRYPTION_KEY": TEST_KEY}
    added = run_bot("staff", "add", "console", "ani", env=env, cwd=tmp_path)
    assert (added.returncode, added.stdout.strip()) == (0, "console:ani is now staff")
    chat = run_bot("chat", "--user", "ani", env=env, stdin="/staf\n", cwd=tmp_path)
    assert "Seleksi. Jenis program yang mana?" in chat.stdout, "staff are not asked to register as job seekers"
    assert "Bahasa apa yang Anda inginkan?" not in chat.stdout
    removed = run_bot("staff", "remove", "console", "ani", env=env, cwd=tmp_path)
    assert removed.stdout.strip() == "console:ani is now member"


def test_a_bad_setting_stops_the_program_with_exit_code_2(tmp_path: Path) -> None:
    result = run_bot("db", "upgrade", env={"NIK_ENCRYPTION_KEY": TEST_KEY, "TIMEZONE": "Nowhere"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Configuration error: TIMEZONE is not a time zone name such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura"
    ]


SITI_REGISTERS = "1\n1\nSiti Rahmawati\n6309014508990011\n05-08-1999\n1\n0812 5100 0001\n10\n5\n1\n13\n1\n1\n1\n"
RUDI_REGISTERS = (
    "2\n1\nRudi Hartono\n6309061203970012\n12 March 1997\n1\n081251000002\n"
    "Murung Pudak\n4\n3\nDone, continue\n8\n1\n1\n"
)


def test_piped_console_chat_registers_users_in_both_languages_and_seeding_is_idempotent(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db", "NIK_ENCRYPTION_KEY": TEST_KEY}
    upgraded = run_bot("db", "upgrade", env=env, cwd=tmp_path).stdout.strip()
    assert upgraded == f"database at revision {migrate.head_revision()}"
    assert run_bot("seed-demo", env=env, cwd=tmp_path).stdout.strip() == "demo data loaded"
    assert run_bot("seed-demo", env=env, cwd=tmp_path).stdout.strip() == "demo data already present"

    siti = run_bot("chat", "--user", "siti", env=env, stdin=SITI_REGISTERS, cwd=tmp_path)
    assert siti.returncode == 0, siti.stderr
    assert "Terima kasih, Siti Rahmawati! Pendaftaran Anda sudah selesai." in siti.stdout
    assert "  1. Bahasa Indonesia" in siti.stdout

    rudi = run_bot("chat", "--user", "rudi", "--lang", "en", env=env, stdin=RUDI_REGISTERS, cwd=tmp_path)
    assert rudi.returncode == 0, rudi.stderr
    assert "Thank you, Rudi Hartono! Your registration is complete." in rudi.stdout
    assert "Traceback" not in rudi.stderr + siti.stderr

    again = run_bot("chat", "--user", "siti", env=env, stdin="1\nmenu\n4\n", cwd=tmp_path)
    assert "1. Menjahit Pakaian Wanita" in again.stdout, "the demo catalog, sewing first for Siti"
    assert "Nama lengkap: Siti Rahmawati" in again.stdout
