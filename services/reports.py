"""The alumni follow-up report: its figures, the files the command line writes, the chart the chat shows.

The chat's `/laporan`, `python -m bot report` and the dashboard produce it through these functions, so the
three always show the same figures, computed apart from everyone else's replies (`produce_report`). A report
is of trainings or of apprenticeships (`models.reports` says which year each belongs to).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from asyncio.subprocess import PIPE
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

import documents
from bot.engine.messages import PNG
from documents.report_chart import chart_drawing, chart_file_name, has_placement, placement_chart_of
from documents.report_files import csv_bytes, markdown, xlsx_bytes
from documents.report_tables import Render, report_file_stem, report_tables, report_title
from models.applications import OpeningKind
from models.db import ReadApart
from models.files import store_file
from models.regions import Office
from models.reports import FollowUpReport, ReportedOpening, follow_up_report, openings_of_year
from services.permissions import Actor, require_viewer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}
"""The formats a report is downloaded in, with their media types."""


async def produce_report(
    read_apart: ReadApart, actor: Actor, year: int, program_id: int | None = None, *,
    kind: OpeningKind = OpeningKind.TRAINING,
) -> FollowUpReport:
    """The figures of the openings of `kind` of `year` (or of one of them): trainings that started in the year,
    apprenticeships whose application deadline fell in it.

    A heavy read (seconds at a million alumni), so it runs apart (`models.db.ReadApart`): call it outside any
    transaction of one's own, as the chat (after its commit), the dashboard (after its checks) and the command
    line do."""
    require_viewer(actor)
    return await read_apart(lambda session: follow_up_report(session, year, program_id, kind=kind))


async def report_openings(session: AsyncSession, actor: Actor, kind: OpeningKind,
                          year: int) -> list[ReportedOpening]:
    """The openings the report of `kind` and `year` covers: the ones a report of a single opening may name."""
    require_viewer(actor)
    return await openings_of_year(session, kind, year)


@dataclass(frozen=True, slots=True)
class ReportDownload:
    name: str
    media_type: str
    content: bytes


def report_download(report: FollowUpReport, office: Office, render: Render, locale: str,
                    file_format: str) -> ReportDownload:
    """The report's tables as a file to download (`file_format` one of `FILE_TYPES`), named as the command
    line names it."""
    tables = report_tables(report, office, render, locale)
    content = xlsx_bytes(tables) if file_format == "xlsx" else csv_bytes(tables)
    return ReportDownload(f"{report_file_stem(report)}.{file_format}", FILE_TYPES[file_format], content)


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
    formats default to `laporan-<year>.<format>`, `laporan-pemagangan-<year>.<format>` for apprenticeships) and
    the placement chart (default: beside the file)."""
    title = render(report_title(report))
    if output is None and file_format != "md":
        output = Path(f"{report_file_stem(report)}.{file_format}")
    printed = None
    if file_format == "md":
        text = markdown(title, report_tables(report, office, render, locale))
        if output is None:
            printed = text
        else:
            output.write_text(text, encoding="utf-8")
    elif output is not None:
        output.write_bytes(report_download(report, office, render, locale, file_format).content)
    chart = chart or (output.with_suffix(".png") if output is not None else None)
    if chart is not None:
        chart.write_bytes(placement_chart_of(report, render))
    return ReportFiles(title, printed, tuple(path for path in (output, chart) if path is not None))


async def draw_placement_chart(report: FollowUpReport, render: Render) -> bytes:
    """The placement chart as PNG bytes, drawn in a process of its own.

    Drawing is Python holding the GIL from start to end: a quarter of a second for a dozen programs, 14 s for
    240 (bench/report_contention.py). In a thread it still took the GIL from the event loop every few
    milliseconds, and each of the other users' messages waited for it at every database call (replies' p99
    went from tens of milliseconds to 350 ms with three users chatting). A spawned process costs about half a
    second to start, on the machine's other core (`documents.chart_process`: a fresh interpreter, which imports
    only what drawing needs, unlike a multiprocessing child, which re-imports the parent's main module)."""
    root = str(Path(documents.__file__).resolve().parent.parent)
    paths = os.pathsep.join(path for path in (root, os.environ.get("PYTHONPATH", "")) if path)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "documents.chart_process", stdin=PIPE, stdout=PIPE, stderr=PIPE,
        env={**os.environ, "PYTHONPATH": paths})
    png, errors = await process.communicate(json.dumps(chart_drawing(report, render)).encode())
    if process.returncode != 0:
        raise ChartNotDrawn(errors.decode(errors="replace")[-2000:])
    return png


class ChartNotDrawn(RuntimeError):
    """The drawing process failed; its last words are the message."""


@dataclass(frozen=True, slots=True)
class StoredChart:
    file_id: int
    name: str
    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class ChatReport:
    """A report for the chat, with its placement chart already drawn (None: nothing to draw yet)."""

    report: FollowUpReport
    chart_png: bytes | None


async def prepare_chat_report(read_apart: ReadApart, actor: Actor, year: int, render: Render) -> ChatReport:
    """The year's figures and the chart drawn in the reader's language: the slow part of `/laporan`, for after
    the message's commit (`handlers.context.Context.after_commit`)."""
    report = await produce_report(read_apart, actor, year)
    return ChatReport(report, await draw_placement_chart(report, render) if has_placement(report) else None)


async def store_placement_chart(session: AsyncSession, prepared: ChatReport, *, now: datetime) -> StoredChart | None:
    """The drawn placement chart stored for the outbox to send; None when no alumnus of that year has answered
    a check-in yet."""
    if prepared.chart_png is None:
        return None
    png, report = prepared.chart_png, prepared.report
    name = chart_file_name(report)
    file_id = await store_file(session, name=name, media_type=PNG, content=png, now=now)
    return StoredChart(file_id, name, PNG, png)
