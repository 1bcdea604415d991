"""The placement chart of a follow-up report, in the reader's language: the picture staff get with `/laporan`
and the PNG `python -m bot report` writes beside its files.

A year in which no alumnus has answered a check-in has no placement to draw: the chat then says so instead.
"""

from __future__ import annotations

from typing import Any

from bot.engine.messages import Msg, _
from documents.report_files import placement_chart
from documents.report_tables import Render
from models.applications import OpeningKind
from models.reports import COMPANY, PROGRAM, FollowUpReport, ReportRow


def chart_title(report: FollowUpReport) -> Msg:
    if report.kind is OpeningKind.APPRENTICESHIP:
        return _("Apprentices' placement by company, {year}").format(year=str(report.year))
    return _("Placement by program, {year}").format(year=str(report.year))


def chart_file_name(report: FollowUpReport) -> str:
    kind = "-pemagangan" if report.kind is OpeningKind.APPRENTICESHIP else ""
    return f"penempatan{kind}-{report.year}.png"


def _bars(report: FollowUpReport) -> list[ReportRow]:
    """A bar per training program, or per company taking apprentices."""
    return report.breakdowns.get(COMPANY if report.kind is OpeningKind.APPRENTICESHIP else PROGRAM, [])


def has_placement(report: FollowUpReport) -> bool:
    """Whether there is anything to draw: someone of that year has answered a check-in."""
    return any(row.responded for row in _bars(report))


CHART_BARS = 30
"""The most bars a chart shows: a picture of 240 programs is 109 inches tall, unreadable on a phone and a dozen
seconds to draw. Beyond this, the programs (or companies) with the most answers are drawn and the title says so;
the report's tables list them all."""


def charted(rows: list[ReportRow]) -> list[ReportRow]:
    """The rows a chart draws: all of them up to `CHART_BARS`, else those with the most answers, in report order."""
    if len(rows) <= CHART_BARS:
        return rows
    chosen = {id(row) for row in sorted(rows, key=lambda row: row.responded, reverse=True)[:CHART_BARS]}
    return [row for row in rows if id(row) in chosen]


def chart_drawing(report: FollowUpReport, render: Render) -> dict[str, Any]:
    """What `documents.report_files.placement_chart` draws, in words already rendered: plain values, which a
    process of its own can be given (`services.reports.draw_placement_chart`)."""
    every = _bars(report)
    programs = charted(every)
    title = render(chart_title(report))
    if len(programs) < len(every):
        title += "\n" + render(_("the {shown} with the most answers, of {total}").format(
            shown=str(len(programs)), total=str(len(every))))
    return {
        "title": title,
        "programs": [row.label for row in programs],
        "formal": [100 * row.formal / row.responded if row.responded else 0 for row in programs],
        "informal": [100 * row.informal / row.responded if row.responded else 0 for row in programs],
        "legend": (render(_("Formal")), render(_("Informal"))),
        "axis": render(_("Alumni working, % of those who responded")),
    }


def placement_chart_of(report: FollowUpReport, render: Render) -> bytes:
    """The chart as PNG bytes (empty bars without `has_placement`, which the command line still writes)."""
    return placement_chart(**chart_drawing(report, render))
