"""The alumni follow-up report: its figures, the files the command line writes, the chart the chat shows.

The chat's `/laporan`, `python -m bot report` and the dashboard produce it through these functions, so the
three always show the same figures.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.messages import PNG
from documents.report_chart import chart_file_name, has_placement, placement_chart_of
from documents.report_files import markdown, write_csv, write_xlsx
from documents.report_tables import Render, report_tables, report_title
from models.files import store_file
from models.regions import Office
from models.reports import FollowUpReport, follow_up_report
from services.permissions import Actor, require_viewer


async def produce_report(
    session: AsyncSession, actor: Actor, year: int, program_id: int | None = None
) -> FollowUpReport:
    """The figures of the programs that started in `year` (or of one program)."""
    require_viewer(actor)
    return await follow_up_report(session, year, program_id)


@dataclass(frozen=True, slots=True)
class ReportFiles:
    title: str
    printed: str | None
    """The Markdown text when no file was asked for, for the caller to print."""
    written: tuple[Path, ...]


def write_report(
    report: FollowUpReport, office: Office, render: Render, locale: str, *, file_format: str,
    output: Path | None, chart: Path | None,
) -> ReportFiles:
    """Write the report's tables as `file_format` (Markdown without `output` is returned, not written; the other
    formats default to `laporan-<year>.<format>`) and the placement chart (default: beside the file)."""
    tables = report_tables(report, office, render, locale)
    title = render(report_title(report))
    if output is None and file_format != "md":
        output = Path(f"laporan-{report.year}.{file_format}")
    printed = None
    if output is None:
        printed = markdown(title, tables)
    elif file_format == "md":
        output.write_text(markdown(title, tables), encoding="utf-8")
    elif file_format == "csv":
        write_csv(output, tables)
    else:
        write_xlsx(output, tables)
    chart = chart or (output.with_suffix(".png") if output is not None else None)
    if chart is not None:
        chart.write_bytes(placement_chart_of(report, render))
    return ReportFiles(title, printed, tuple(path for path in (output, chart) if path is not None))


@dataclass(frozen=True, slots=True)
class StoredChart:
    file_id: int
    name: str
    media_type: str
    content: bytes


async def store_placement_chart(
    session: AsyncSession, report: FollowUpReport, render: Render, *, now: datetime
) -> StoredChart | None:
    """The placement chart drawn in the reader's language and stored for the outbox to send; None when no
    alumnus of that year has answered a check-in yet."""
    if not has_placement(report):
        return None
    # Drawing takes a quarter of a second of CPU: in a thread, the other users' messages go on meanwhile.
    png = await asyncio.to_thread(placement_chart_of, report, render)
    name = chart_file_name(report)
    file_id = await store_file(session, name=name, media_type=PNG, content=png, now=now)
    return StoredChart(file_id, name, PNG, png)
