"""The report as staff get it: Markdown, CSV, XLSX with a sheet per breakdown, the placement chart, the
command line (`report`, `target set`) and the staff chat command `/laporan`."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from bot.engine.runtime import Runtime
from documents.report_files import markdown, placement_chart, write_csv, write_xlsx
from documents.report_tables import report_tables, report_title
from models.reports import follow_up_report
from models.targets import set_target
from models.users import Role, set_role
from tests.chat import CHANNEL, ChatUser, RecordingChannel
from tests.conftest import TEST_KEY, Clock
from tests.test_report_figures import generate, store
from tests.test_settings_and_cli import run_bot

SHEETS = ["Summary", "Program", "Category", "Kecamatan", "Gender", "Disability"]


async def test_the_report_is_written_as_markdown_csv_xlsx_and_a_chart(
    runtime: Runtime, clock: Clock, tmp_path: Path
) -> None:
    programs, people = generate(seed=11)
    await store(runtime, programs, people)
    async with runtime.session_factory() as session, session.begin():
        await set_target(session, 2025, 150)
        report = await follow_up_report(session, 2025)
    translate = runtime.catalogs.translator("en")
    tables = report_tables(report, runtime.services.office, translate, "en")
    assert [t.name for t in tables] == SHEETS
    text = markdown(translate(report_title(report)), tables)
    assert text.startswith("# Alumni follow-up report 2025\n")
    assert "| Year | Participants | Target | Achievement of target |" in text
    assert "| Menjahit Pakaian |" in text and "| Non-competency training (practical skills) |" in text
    assert "| Tanjung |" in text and "| Female |" in text and "| Physical disability |" in text

    write_xlsx(tmp_path / "report.xlsx", tables)
    workbook = load_workbook(tmp_path / "report.xlsx")
    assert workbook.sheetnames == SHEETS
    summary = list(workbook["Summary"].iter_rows(values_only=True))
    assert summary[1][:3] == ("2025", report.total.participants, 150)
    assert len(list(workbook["Program"].iter_rows())) == 1 + 3

    write_csv(tmp_path / "report.csv", tables)
    with (tmp_path / "report.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["", "Year", "Participants"]
    assert {row[0] for row in rows} == {"", *SHEETS}

    programs_rows = report.breakdowns["program"]
    chart = placement_chart(title="Placement", programs=[r.label for r in programs_rows],
                            formal=[50.0] * len(programs_rows), informal=[20.0] * len(programs_rows),
                            legend=("Formal", "Informal"), axis="%")
    assert chart.startswith(b"\x89PNG")


def test_the_command_line_sets_the_target_and_writes_the_report(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db", "NIK_ENCRYPTION_KEY": TEST_KEY}
    assert run_bot("target", "set", "2025", "3000", env=env, cwd=tmp_path).stdout.strip() == (
        "target 2025: 3000 participants")
    refused = run_bot("target", "set", "2025", "0", env=env, cwd=tmp_path)
    assert refused.returncode == 2 and "positive" in refused.stderr
    printed = run_bot("report", "--year", "2025", "--lang", "en", env=env, cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert "| 2025 | 0 | 3000 | 0.0 % |" in printed.stdout
    written = run_bot("report", "--year", "2025", "--format", "xlsx", "--output", "laporan.xlsx", env=env,
                      cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert load_workbook(tmp_path / "laporan.xlsx").sheetnames == [
        "Ringkasan", "Program", "Kategori", "Kecamatan", "Jenis kelamin", "Disabilitas"]
    assert (tmp_path / "laporan.png").read_bytes().startswith(b"\x89PNG")


async def test_staff_read_the_report_in_the_chat_and_members_never_see_the_command(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    programs, people = generate(seed=3)
    await store(runtime, programs, people)
    async with runtime.session_factory() as session, session.begin():
        await set_target(session, 2025, 150)
        await set_role(session, CHANNEL, "petugas", Role.STAFF, locale="en", now=clock())
        report = await follow_up_report(session, 2025)
    staff = ChatUser(runtime, channel, "petugas", locale="en")
    await staff.send("/laporan")
    assert [o.label for o in staff.last.options] == ["2026", "2025", "2024"]
    await staff.send("1999")
    assert staff.text.startswith("Please choose a year, or type one like 2026.")
    summary, chart, menu = await staff.tap("2025")
    assert "Alumni follow-up report 2025" in summary.text.splitlines()
    assert chart.text == "Placement by program, 2025" and chart.image is not None
    assert chart.image.data.startswith(b"\x89PNG") and menu.options
    assert f"Participants: {report.total.participants} (target 150, achievement" in summary.text
    assert "Menjahit Pakaian: placement" in summary.text
    member = ChatUser(runtime, channel, "ani", locale="en")
    await member.send("/laporan")
    assert "I do not know the command /laporan." in member.text


def test_a_programs_follow_up_plan_is_set_from_the_command_line(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db", "NIK_ENCRYPTION_KEY": TEST_KEY}
    assert run_bot("seed-demo", env=env, cwd=tmp_path).returncode == 0
    saved = run_bot("follow-up-plan", "1", '{"first_after_months": 3, "every_months": 3}', env=env, cwd=tmp_path)
    assert saved.stdout.strip() == "program 1: plan saved, 0 check-ins scheduled", saved.stderr
    refused = run_bot("follow-up-plan", "1", '{"delivery_hour": 23}', env=env, cwd=tmp_path)
    assert refused.returncode == 2 and "outside quiet hours" in refused.stderr
    missing = run_bot("follow-up-plan", "999", "{}", env=env, cwd=tmp_path)
    assert missing.returncode == 1 and "no training program 999" in missing.stderr


def test_the_chat_lists_the_ten_largest_programs_and_says_how_many_more() -> None:
    from documents.report_tables import chat_summary
    from models.reports import FollowUpReport, ReportRow

    def row(n: int) -> ReportRow:
        return ReportRow(str(n), f"Pelatihan {n}", participants=n, completers=n, asked=n, responded=n, formal=0,
                         informal=n, wub=0, jobs_created=0, equipment_answered=0, equipment_in_use=0)

    report = FollowUpReport(2025, None, row(100), {"program": [row(n) for n in range(1, 13)]})
    lines = chat_summary(report, "en")
    programs: list[Any] = [line for line in lines if getattr(line, "msgid", "").startswith("{program}")]
    assert [line.values["program"] for line in programs] == [f"Pelatihan {n}" for n in range(12, 2, -1)]
    assert lines[-1].count == 2
