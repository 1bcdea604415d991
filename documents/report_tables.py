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
from models.applications import OpeningKind
from models.regions import Office
from models.reports import COMPANY, OPENING, PROGRAM, UNKNOWN, FollowUpReport, ReportRow

CHAT_PROGRAMS = 10
"""Programs listed in the chat (the largest); a chat message has room for a summary, not a table."""
Render = Callable[[Msg | str], str]
Cell = str | int


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    header: list[str]
    rows: list[list[Cell]]


def percent(part: int, whole: int | None, locale: str) -> str:
    """`part / whole` in percent, cut to one decimal ('-' when there is nothing to divide by)."""
    if not whole:
        return "-"
    tenths = Decimal(part * 1000 // whole) / 10
    return f"{format_decimal(tenths, format='#,##0.0', locale=locale)} %"


@dataclass(frozen=True, slots=True)
class Figure:
    """A column of the report: its header and how a row's counts show in it (a count, or a rate of two)."""

    name: str
    header: Msg
    value: Callable[[ReportRow, str], Cell]
    """The cell of a row, given the reader's locale (for the decimal separator)."""
    training_only: bool = False
    """Targets and equipment aid exist for trainings only: an apprenticeship report leaves the column out."""


FIGURES: tuple[Figure, ...] = (
    Figure("participants", _("Participants"), lambda r, _locale: r.participants),
    Figure("target", _("Target"), lambda r, _locale: r.target if r.target is not None else "-", training_only=True),
    Figure("achievement", _("Achievement of target"), lambda r, locale: percent(r.participants, r.target, locale),
           training_only=True),
    Figure("completers", _("Completers"), lambda r, _locale: r.completers),
    Figure("asked", _("Asked to check in"), lambda r, _locale: r.asked),
    Figure("responded", _("Responded"), lambda r, _locale: r.responded),
    Figure("response_rate", _("Response rate"), lambda r, locale: percent(r.responded, r.asked, locale)),
    Figure("formal", _("Working, formal"), lambda r, _locale: r.formal),
    Figure("informal", _("Working, informal"), lambda r, _locale: r.informal),
    Figure("placement_formal", _("Placement rate, formal"), lambda r, locale: percent(r.formal, r.responded, locale)),
    Figure("placement_informal", _("Placement rate, informal"),
           lambda r, locale: percent(r.informal, r.responded, locale)),
    Figure("placement", _("Placement rate, total"), lambda r, locale: percent(r.working, r.responded, locale)),
    Figure("wub", _("New entrepreneurs (WUB)"), lambda r, _locale: r.wub),
    Figure("jobs_created", _("Jobs created by WUB"), lambda r, _locale: r.jobs_created),
    Figure("equipment_in_use", _("Equipment aid in use"),
           lambda r, locale: percent(r.equipment_in_use, r.equipment_answered, locale), training_only=True),
)


def figures_for(kind: OpeningKind) -> tuple[Figure, ...]:
    """The columns of a report of `kind`."""
    return tuple(f for f in FIGURES if kind is OpeningKind.TRAINING or not f.training_only)


def figures_of(row: ReportRow, locale: str, kind: OpeningKind = OpeningKind.TRAINING) -> dict[str, Cell]:
    """Every figure of a row, by name."""
    return {figure.name: figure.value(row, locale) for figure in figures_for(kind)}


def _coded(words: Mapping[str, Msg]) -> Callable[[ReportRow, Office], Msg | str]:
    return lambda row, _office: words.get(row.key, row.key)


def _kecamatan_name(row: ReportRow, office: Office) -> Msg | str:
    kecamatan = office.kecamatan_by_code(row.key)
    return kecamatan.name if kecamatan else row.key


@dataclass(frozen=True, slots=True)
class BreakdownWords:
    """How a breakdown of `models.reports.BREAKDOWNS` reads: its title, and the name of each of its groups."""

    title: Msg
    group_name: Callable[[ReportRow, Office], Msg | str]


BREAKDOWN_WORDS: Mapping[str, BreakdownWords] = {
    PROGRAM: BreakdownWords(_("Program"), lambda row, _office: row.label),
    OPENING: BreakdownWords(_("Apprenticeship opening"), lambda row, _office: row.label),
    COMPANY: BreakdownWords(_("Company"), lambda row, _office: row.label),
    "category": BreakdownWords(_("Category"), _coded(labels.TRAINING_CATEGORY)),
    "kecamatan": BreakdownWords(_("Kecamatan"), _kecamatan_name),
    "gender": BreakdownWords(_("Gender"), _coded(labels.GENDER)),
    "disability": BreakdownWords(_("Disability"), _coded(labels.DISABILITY)),
}


def group_label(breakdown: str, row: ReportRow, office: Office) -> Msg | str:
    if row.key == UNKNOWN:
        return _("Not recorded")
    return BREAKDOWN_WORDS[breakdown].group_name(row, office)


def report_tables(report: FollowUpReport, office: Office, render: Render, locale: str) -> list[Table]:
    """A summary table, then one table per breakdown (program, category, kecamatan, gender, disability for
    trainings; opening, company, kecamatan, gender, disability for apprenticeships)."""
    header = [render(figure.header) for figure in figures_for(report.kind)]
    summary = Table(render(_("Summary")), [render(_("Year")), *header],
                    [[str(report.year), *figures_of(report.total, locale, report.kind).values()]])
    tables = [summary]
    for breakdown, rows in report.breakdowns.items():
        name = render(BREAKDOWN_WORDS[breakdown].title)
        tables.append(Table(name, [name, *header], [
            [render(group_label(breakdown, row, office)), *figures_of(row, locale, report.kind).values()]
            for row in rows
        ]))
    return tables


def report_title(report: FollowUpReport) -> Msg:
    if report.kind is OpeningKind.APPRENTICESHIP:
        return _("Apprenticeship follow-up report {year}").format(year=str(report.year))
    return _("Alumni follow-up report {year}").format(year=str(report.year))


def report_file_stem(report: FollowUpReport) -> str:
    """The name of the report's files, without the extension: laporan-2025, laporan-pemagangan-2025."""
    kind = "-pemagangan" if report.kind is OpeningKind.APPRENTICESHIP else ""
    one = f"-{report.program_id}" if report.program_id is not None else ""
    return f"laporan{kind}-{report.year}{one}"


def chat_summary(report: FollowUpReport, locale: str) -> list[Msg | str]:
    """What staff read in the chat: the year's figures, then placement per program."""
    total = figures_of(report.total, locale)
    lines: list[Msg | str] = [
        report_title(report),
        _("Participants: {participants} (target {target}, achievement {achievement})").format(
            participants=total["participants"], target=total["target"], achievement=total["achievement"]),
        _("Completers: {completers}; responded to a check-in: {responded} of {asked} ({rate})").format(
            completers=total["completers"], responded=total["responded"], asked=total["asked"],
            rate=total["response_rate"]),
        _("Placement: {total} ({formal} formal, {informal} informal)").format(
            total=total["placement"], formal=total["placement_formal"], informal=total["placement_informal"]),
        _("New entrepreneurs (WUB): {wub}, creating {jobs} jobs").format(
            wub=total["wub"], jobs=total["jobs_created"]),
        _("Equipment aid in use: {rate}").format(rate=total["equipment_in_use"]),
    ]
    programs = sorted(report.breakdowns.get(PROGRAM, []), key=lambda row: (-row.participants, row.label))
    lines.extend(
        _("{program}: placement {rate} of {responded} who responded").format(
            program=row.label, rate=figures_of(row, locale)["placement"], responded=row.responded)
        for row in programs[:CHAT_PROGRAMS]
    )
    if len(programs) > CHAT_PROGRAMS:
        lines.append(ngettext("... and {count} smaller program: every program is in the report files.",
                              "... and {count} smaller programs: every program is in the report files.",
                              len(programs) - CHAT_PROGRAMS))
    return lines
