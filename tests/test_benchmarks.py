"""Every script in `bench/` runs at a tiny size, so that a benchmark cannot rot unseen.

Each runs as `make bench` would run it (a subprocess, from the project root) with its smallest options; the
figures are not checked, only that the run ends well and prints the final lines a script reads. Where a
script takes `--backend both`, the PostgreSQL run comes along when the machine's server answers (as the rest
of the suite, CI=true makes a missing server a failure).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ADMIN_URL, _postgres_available

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 900  # the Telegram scripts start processes that each import aiogram: slow on a busy machine


def run_bench(script: str, *options: str) -> list[str]:
    """The script's output lines, after checking it exited 0."""
    done = subprocess.run(
        [sys.executable, f"bench/{script}", *options], cwd=ROOT, capture_output=True, text=True,
        timeout=TIMEOUT_S, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False,
    )
    assert done.returncode == 0, f"bench/{script} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout.splitlines()


def figures(line: str) -> dict[str, str]:
    """`name=value name=value` (a final line) as a dict; every value is a number but `backend`."""
    pairs = dict(part.split("=", 1) for part in line.split())
    for name, value in pairs.items():
        if name != "backend":
            float(value)
    return pairs


def json_lines(lines: list[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in lines if line.startswith("{")]


@pytest.fixture(scope="module")
def backends() -> list[str]:
    """SQLite, and PostgreSQL when it answers."""
    if asyncio.run(_postgres_available()):
        return ["sqlite", "postgresql"]
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is not reachable at {ADMIN_URL}, and CI requires the PostgreSQL run")
    return ["sqlite"]


def backend_option(backends: list[str]) -> str:
    return "both" if len(backends) == 2 else "sqlite"


def test_dialog(backends: list[str]) -> None:
    lines = run_bench("dialog.py", "--users", "4", "--concurrency", "2", "--backend", backend_option(backends))
    finals = [figures(line) for line in lines[-len(backends):]]
    assert [final["backend"] for final in finals] == backends
    assert all(set(final) == {"dialog_msgs_per_s", "p99_ms", "dialog_vs_ceiling", "backend"} for final in finals)
    assert [result["registered"] for result in json_lines(lines)] == [4] * len(backends), "everyone registered"


def test_catalog(backends: list[str]) -> None:
    lines = run_bench("catalog.py", "--users", "50", "--openings", "20", "--samples", "10",
                      "--backend", backend_option(backends))
    finals = [figures(line) for line in lines[-len(backends):]]
    assert [final["backend"] for final in finals] == backends
    assert all(set(final) == {"catalog_p99_ms", "backend"} for final in finals)


def test_follow_ups(backends: list[str]) -> None:
    lines = run_bench("follow_ups.py", "--alumni", "50", "--runs", "1", "--backend", backend_option(backends))
    finals = [figures(line) for line in lines[-len(backends):]]
    assert [final["backend"] for final in finals] == backends
    assert all(set(final) == {"followup_claim_per_s", "report_s", "backend"} for final in finals)
    dispatched = [phase for phase in json_lines(lines) if phase["phase"] == "dispatch"]
    assert all(phase["handled"] == phase["due"] == phase["check_ins_opened"] for phase in dispatched)


def test_telegram_send() -> None:
    lines = run_bench("telegram_send.py", "--messages", "20", "--rate", "1000", "--updates", "10")
    assert set(figures(lines[-2])) == {"telegram_updates_per_s", "backend"}
    final = figures(lines[-1])
    assert set(final) == {"telegram_rate_ratio", "lost", "dup"}
    assert final["lost"] == final["dup"] == "0"


def test_broadcast() -> None:
    lines = run_bench("broadcast.py", "--recipients", "20", "--rate", "1000")
    final = figures(lines[-1])
    assert set(final) == {"broadcast_rate_ratio", "lost", "dup", "reply_p99_ms"}
    assert final["lost"] == final["dup"] == "0"


def test_whatsapp_send() -> None:
    lines = run_bench("whatsapp_send.py", "--messages", "20", "--rate", "1000", "--senders", "4")
    final = figures(lines[-1])
    assert set(final) == {"whatsapp_rate_ratio", "lost", "rate"}
    assert final["lost"] == "0" and final["rate"] == "1000"
    assert json_lines(lines)[0]["fake"] == "own process"


def test_web(backends: list[str]) -> None:
    lines = run_bench("web.py", "--users", "300", "--openings", "20", "--applicants", "100", "--move", "50",
                      "--samples", "5", "--backend", backend_option(backends))
    finals = [figures(line) for line in lines[-len(backends):]]
    assert [final["backend"] for final in finals] == backends
    assert all(set(final) == {"web_p99_ms", "bulk_move_s", "backend"} for final in finals)
    assert all({"overview_p99_ms", "applicants_p99_ms", "job_seekers_p99_ms"} <= set(result)
               for result in json_lines(lines))


def test_inbox(backends: list[str]) -> None:
    lines = run_bench("inbox.py", "--tickets", "300", "--samples", "5", "--messages", "4",
                      "--backend", backend_option(backends))
    finals = [figures(line) for line in lines[-len(backends):]]
    assert [final["backend"] for final in finals] == backends
    assert all(set(final) == {"inbox_p99_ms", "to_inbox_p99_ms", "backend"} for final in finals)
    assert all({"inbox_open_p99_ms", "inbox_mine_p99_ms", "to_inbox_p99_ms"} <= set(result)
               for result in json_lines(lines))


def test_hostile() -> None:
    lines = run_bench("hostile.py", "--payloads", "60", "--bodies", "2", "--body-mb", "4", "--concurrency", "4")
    final = figures(lines[-1])
    assert set(final) == {"hostile_tracebacks", "crashed", "body_rss_growth_mb"}
    assert final["hostile_tracebacks"] == final["crashed"] == "0", lines[-2]


def test_report_contention() -> None:
    lines = run_bench("report_contention.py", "--records", "20", "--users", "2", "--mode", "both")
    assert [line["mode"] for line in json_lines(lines) if "mode" in line] == ["inline", "apart"]
    assert set(figures(lines[-1])) == {"reply_p99_ms_during_report", "report_s", "replies_during_report", "backend"}


def test_metrics(backends: list[str]) -> None:
    lines = run_bench("metrics.py", "--users", "300", "--history", "2000", "--pending", "50", "--samples", "5",
                      "--backend", backend_option(backends))
    finals = [figures(line) for line in lines[-len(backends):]]
    assert [final["backend"] for final in finals] == backends
    assert all(set(final) == {"metrics_scrape_p99_ms", "backend"} for final in finals)


def test_scale(backends: list[str]) -> None:
    """Real processes on PostgreSQL and Redis: skipped where either is missing (failed under CI)."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    from tests.test_shared_rate import REDIS_URL

    try:
        Redis.from_url(REDIS_URL).ping()
        missing = None if "postgresql" in backends else "PostgreSQL"
    except (RedisConnectionError, OSError):
        missing = "Redis"
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"bench/scale.py needs {missing}, and CI requires this run")
        pytest.skip(f"bench/scale.py needs {missing}")
    lines = run_bench("scale.py", "--messages", "20", "--per-user", "2", "--concurrency", "4")
    final = figures(lines[-1])
    assert set(final) == {"scale_msgs_per_s_1w", "scale_msgs_per_s_2w", "scale_ratio_2w"}
    runs = json_lines(lines)
    assert [run["workers"] for run in runs] == [1, 2]
    assert all(run["handled"] == run["events_in_database"] == 20 and run["tracebacks"] == 0 for run in runs), runs
