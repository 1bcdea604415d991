"""The follow-up report in words and numbers staff read: tables with translated headers and group names.

Shared by the command line (md, csv, xlsx files) and the staff chat command. Percentages are written as the
offices write them, cut (not rounded) to one decimal: 11,630 / 3,000 = 387.6 %.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal

from bot.engine.messages import Msg, _, ngettext
from documents import labels
from models.regions import Office
from models.reports import UNKNOWN, FollowUpReport, ReportRow

CHAT_PROGRAMS = 10
"""Programs listed in the chat (the largest); a chat message has room for a summary, not a table."""
Render = Callable[[Msg | str], str]
Cell = str | int


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    header: list[str]
    rows: list[list[Cell]]


BREAKDOWN_NAMES: Mapping[str, Msg] = {
    "program": _("Program"),
    "category": _("Category"),
    "kecamatan": _("Kecamatan"),
    "gender": _("Gender"),
    "disability": _("Disability"),
}


def percent(part: int, whole: int | None, locale: str) -> str:
    """`part / whole` in percent, cut to one decimal ('-' when there is nothing to divide by)."""
    if not whole:
        return "-"
    tenths = Decimal(part * 1000 // whole) / 10
    return f"{format_decimal(tenths, format='#,##0.0', locale=locale)} %"


def _columns(locale: str) -> list[tuple[Msg, Callable[[ReportRow], Cell]]]:
    return [
        (_("Participants"), lambda r: r.participants),
        (_("Target"), lambda r: r.target if r.target is not None else "-"),
        (_("Achievement of target"), lambda r: percent(r.participants, r.target, locale)),
        (_("Completers"), lambda r: r.completers),
        (_("Asked to check in"), lambda r: r.asked),
        (_("Responded"), lambda r: r.responded),
        (_("Response rate"), lambda r: percent(r.responded, r.asked, locale)),
        (_("Working, formal"), lambda r: r.formal),
        (_("Working, informal"), lambda r: r.informal),
        (_("Placement rate, formal"), lambda r: percent(r.formal, r.responded, locale)),
        (_("Placement rate, informal"), lambda r: percent(r.informal, r.responded, locale)),
        (_("Placement rate, total"), lambda r: percent(r.working, r.responded, locale)),
        (_("New entrepreneurs (WUB)"), lambda r: r.wub),
        (_("Jobs created by WUB"), lambda r: r.jobs_created),
        (_("Equipment aid in use"), lambda r: percent(r.equipment_in_use, r.equipment_answered, locale)),
    ]


def group_label(breakdown: str, row: ReportRow, office: Office) -> Msg | str:
    if row.key == UNKNOWN:
        return _("Not recorded")
    if breakdown == "category":
        return labels.TRAINING_CATEGORY.get(row.key, row.key)
    if breakdown == "gender":
        return labels.GENDER.get(row.key, row.key)
    if breakdown == "disability":
        return labels.DISABILITY.get(row.key, row.key)
    if breakdown == "kecamatan":
        kecamatan = office.kecamatan_by_code(row.key)
        return kecamatan.name if kecamatan else row.key
    return row.label


def report_tables(report: FollowUpReport, office: Office, render: Render, locale: str) -> list[Table]:
    """A summary table, then one table per breakdown (program, category, kecamatan, gender, disability)."""
    columns = _columns(locale)
    header = [render(title) for title, _value in columns]
    summary = Table(render(_("Summary")), [render(_("Year")), *header],
                    [[str(report.year), *(value(report.total) for _title, value in columns)]])
    tables = [summary]
    for breakdown, rows in report.breakdowns.items():
        name = render(BREAKDOWN_NAMES[breakdown])
        tables.append(Table(name, [name, *header], [
            [render(group_label(breakdown, row, office)), *(value(row) for _title, value in columns)]
            for row in rows
        ]))
    return tables


def report_title(report: FollowUpReport) -> Msg:
    return _("Alumni follow-up report {year}").format(year=str(report.year))


def chat_summary(report: FollowUpReport, locale: str) -> list[Msg | str]:
    """What staff read in the chat: the year's figures, then placement per program."""
    total = report.total
    lines: list[Msg | str] = [
        report_title(report),
        _("Participants: {participants} (target {target}, achievement {achievement})").format(
            participants=total.participants, target=total.target if total.target is not None else "-",
            achievement=percent(total.participants, total.target, locale)),
        _("Completers: {completers}; responded to a check-in: {responded} of {asked} ({rate})").format(
            completers=total.completers, responded=total.responded, asked=total.asked,
            rate=percent(total.responded, total.asked, locale)),
        _("Placement: {total} ({formal} formal, {informal} informal)").format(
            total=percent(total.working, total.responded, locale),
            formal=percent(total.formal, total.responded, locale),
            informal=percent(total.informal, total.responded, locale)),
        _("New entrepreneurs (WUB): {wub}, creating {jobs} jobs").format(wub=total.wub, jobs=total.jobs_created),
        _("Equipment aid in use: {rate}").format(
            rate=percent(total.equipment_in_use, total.equipment_answered, locale)),
    ]
    programs = sorted(report.breakdowns.get("program", []), key=lambda row: (-row.participants, row.label))
    lines.extend(
        _("{program}: placement {rate} of {responded} who responded").format(
            program=row.label, rate=percent(row.working, row.responded, locale), responded=row.responded)
        for row in programs[:CHAT_PROGRAMS]
    )
    if len(programs) > CHAT_PROGRAMS:
        lines.append(ngettext("... and {count} smaller program: every program is in the report files.",
                              "... and {count} smaller programs: every program is in the report files.",
                              len(programs) - CHAT_PROGRAMS))
    return lines
