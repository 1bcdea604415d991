""".env.example lists every setting once, nothing else, each with its explanation and the true default.

When a setting is added to `bot.settings.Settings`, this fails until the example says what it is for.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import Settings, load_settings
from tests.conftest import TEST_KEY

EXAMPLE = Path(__file__).resolve().parent.parent / ".env.example"
SETTING = re.compile(r"^# ([A-Z][A-Z0-9_]*)=(.*)$")


def example_settings() -> dict[str, str]:
    """NAME -> value of every `# NAME=value` line, after checking each follows a line of explanation."""
    found: dict[str, str] = {}
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for before, line in zip(["", *lines], lines, strict=False):
        if match := SETTING.match(line):
            name, value = match.groups()
            assert name not in found, f"{name} is listed twice"
            assert before.startswith("# ") and not SETTING.match(before), f"{name} has no line saying what it is"
            found[name] = value
    return found


def test_every_setting_is_listed_and_nothing_else() -> None:
    assert sorted(example_settings()) == sorted(name.upper() for name in Settings.model_fields)


def test_the_listed_values_are_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    given = {name: value for name, value in example_settings().items() if value}
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{name}={value}\n" for name, value in given.items()), encoding="utf-8")
    monkeypatch.chdir(EXAMPLE.parent)  # REGION_FILE is relative to the project, as `make run` starts the bot
    from_example = load_settings(_env_file=env_file, nik_encryption_key=TEST_KEY)
    defaults = load_settings(_env_file=None, nik_encryption_key=TEST_KEY)
    for name, value in given.items():
        field = name.lower()
        mine, default = getattr(from_example, field), getattr(defaults, field)
        if isinstance(mine, Path):
            mine, default = mine.resolve(), default.resolve()
        assert mine == default, f"{name}: .env.example says {value!r}, the default is {default!r}"
    with_a_default = {name.upper() for name in Settings.model_fields if getattr(defaults, name) is not None}
    assert set(given) == with_a_default - {"NIK_ENCRYPTION_KEY"}, "a default left out, or a value that is none"
