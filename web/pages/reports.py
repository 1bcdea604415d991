"""The Reports page: the follow-up report of a year (of trainings or apprenticeships, or of one opening) with
its breakdowns and placement chart, its XLSX and CSV downloads, and the year's training targets, which staff
and admins set here. The figures, files and chart are `services.reports`' (the same as `/laporan` in the chat
and `python -m bot report`); the targets' rule and audit are `services.targets`'.

The chart is drawn on request, in a thread, by its own address: nothing is cached between requests. Every report
is produced apart (`services.reports.produce_report`) after the request's transaction: the page reads what it
needs in the transaction, then the report with no connection held, so nobody else's reply waits for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.engine.i18n import Translator
from bot.engine.messages import PNG, Msg, _
from documents.labels import TRAINING_CATEGORY
from documents.report_chart import chart_title, has_placement
from documents.report_tables import report_tables, report_title
from models.applications import OpeningKind
from models.categories import TrainingCategory
from models.reports import FollowUpReport, ReportedOpening
from models.targets import ALL_CATEGORIES
from services.question_report import QuestionFigures, how_long, question_figures
from services.reports import FILE_TYPES, draw_placement_chart, produce_report, report_download, report_openings
from services.sign_in import Visit
from services.targets import EARLIEST_YEAR, MOST_PARTICIPANTS, TargetRefused, check_target, set_target, targets_of_year
from web.access import reader_locale
from web.dashboard import HOME, Call, Dashboard, Need

REPORTS = f"{HOME}/laporan"
CHART = f"{REPORTS}/grafik.png"
TARGET = f"{REPORTS}/target"
KINDS: dict[str, Msg] = {OpeningKind.TRAINING.value: _("Trainings"),
                         OpeningKind.APPRENTICESHIP.value: _("Apprenticeships")}
CATEGORIES: dict[str, Msg] = {ALL_CATEGORIES: _("All programs together"),
                              **{str(category): TRAINING_CATEGORY[category] for category in TrainingCategory}}
CHOOSE_FROM_LIST = _("Please choose one of the list.")


@dataclass(slots=True)
class ReportQuery:
    """The report asked for in the address (`?tahun=2025&jenis=apprenticeship&program=3`), each value checked;
    what was wrong is said beside its field and the report shown for what was right."""

    year: int
    kind: OpeningKind = OpeningKind.TRAINING
    program_id: int | None = None
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, Msg] = field(default_factory=dict)

    def address(self, path: str) -> str:
        query = {"tahun": str(self.year), "jenis": self.kind.value,
                 "program": "" if self.program_id is None else str(self.program_id)}
        return f"{path}?{urlencode({name: value for name, value in query.items() if value})}"


def last_year(dashboard: Dashboard) -> int:
    """The latest year a report or a target may be for: next year, so its target can be set ahead."""
    return dashboard.office.date_at(dashboard.now()).year + 1


def year_problem(dashboard: Dashboard) -> Msg:
    return _("Please type a year from {first} to {last}.").format(first=str(EARLIEST_YEAR),
                                                                   last=str(last_year(dashboard)))


def parse_year(dashboard: Dashboard, typed: str) -> int | None:
    if typed.isascii() and typed.isdigit() and len(typed) == 4 and EARLIEST_YEAR <= int(typed) <= last_year(dashboard):
        return int(typed)
    return None


def read_query(dashboard: Dashboard, request: Request) -> ReportQuery:
    """The year, the kind and the opening id as typed; the opening is checked against the year's openings later
    (`check_opening`)."""
    given = {name: request.query_params.get(name, "").strip()[:20] for name in ("tahun", "jenis", "program")}
    query = ReportQuery(year=last_year(dashboard) - 1, values=dict(given))
    if given["tahun"]:
        year = parse_year(dashboard, given["tahun"])
        if year is None:
            query.errors["tahun"] = year_problem(dashboard)
        else:
            query.year = year
    if given["jenis"] in KINDS:
        query.kind = OpeningKind(given["jenis"])
    elif given["jenis"]:
        query.errors["jenis"] = CHOOSE_FROM_LIST
    program = given["program"]
    if program.isascii() and program.isdigit() and len(program) <= 9:
        query.program_id = int(program)
    elif program:
        query.errors["program"] = CHOOSE_FROM_LIST
    query.values.update(tahun=str(query.year) if "tahun" not in query.errors else given["tahun"],
                        jenis=query.kind.value)
    return query


async def checked_query(dashboard: Dashboard, request: Request, call: Call) -> tuple[ReportQuery,
                                                                                     list[ReportedOpening]]:
    """The query, with an opening that is not one of the year's (of that kind) set aside with a word why."""
    query = read_query(dashboard, request)
    openings = await report_openings(call.session, call.visit.actor, query.kind, query.year)
    if query.program_id is not None and query.program_id not in {opening.id for opening in openings}:
        query.errors["program"] = CHOOSE_FROM_LIST
        query.program_id = None
    return query, openings


async def report_of(dashboard: Dashboard, visit: Visit, query: ReportQuery) -> FollowUpReport:
    """The report asked for, produced apart: called after the request's transaction, never inside it."""
    return await produce_report(dashboard.runtime.services.read_apart, visit.actor, query.year, query.program_id,
                                kind=query.kind)


def translator_for(dashboard: Dashboard, request: Request, visit: Visit) -> Translator:
    return dashboard.runtime.catalogs.translator(reader_locale(request, visit, dashboard.runtime.catalogs.default))


@dataclass(slots=True)
class PageParts:
    """What the Reports page reads in the request's transaction; the report itself is produced after it."""

    visit: Visit
    query: ReportQuery
    openings: list[ReportedOpening]
    targets: dict[str, int]
    asked: QuestionFigures


async def page_parts(dashboard: Dashboard, call: Call, query: ReportQuery,
                     openings: list[ReportedOpening]) -> PageParts:
    with_targets = query.kind is OpeningKind.TRAINING
    targets = await targets_of_year(call.session, call.visit.actor, query.year) if with_targets else {}
    asked = await question_figures(call.session, call.visit.actor, dashboard.office, dashboard.now())
    return PageParts(call.visit, query, openings, targets, asked)


async def report_page(dashboard: Dashboard, request: Request, parts: PageParts, *, status_code: int = 200,
                      **target_form: object) -> Response:
    query, openings, targets = parts.query, parts.openings, parts.targets
    report = await report_of(dashboard, parts.visit, query)
    render = translator_for(dashboard, request, parts.visit)
    tables = report_tables(report, dashboard.office, render, render.locale)
    with_targets = query.kind is OpeningKind.TRAINING
    target_form = {"target_values": {"kategori": ALL_CATEGORIES, "target": ""}, "target_errors": {},
                   **target_form}
    return dashboard.page(
        request, "reports/report.html", parts.visit, status_code=status_code, active="reports", query=query,
        openings=openings, report=report, title=report_title(report), tables=tables, kinds=KINDS,
        chart=query.address(CHART) if has_placement(report) else None, chart_title=chart_title(report),
        downloads={kind: query.address(f"{REPORTS}.{kind}") for kind in FILE_TYPES}, with_targets=with_targets,
        targets=targets, categories=CATEGORIES, most_participants=MOST_PARTICIPANTS,
        saved=request.query_params.get("disimpan") == "1", how_long=how_long,
        asked=parts.asked,
        **target_form)


def target_problem(typed: str) -> Msg | None:
    """What is wrong with a typed target, in the reader's words (the rule is `services.targets.check_target`)."""
    try:
        if not (typed.isascii() and typed.isdigit() and len(typed) <= 9):
            raise TargetRefused(typed)
        check_target(int(typed))
    except TargetRefused:
        return _("Please type a whole number of participants from 1 to {most}.").format(most=str(MOST_PARTICIPANTS))
    return None


def routes(dashboard: Dashboard) -> APIRouter:
    router = APIRouter()

    @router.get(REPORTS)
    async def report_view(request: Request) -> Response:
        async with dashboard.call(request) as call:
            parts = await page_parts(dashboard, call, *await checked_query(dashboard, request, call))
        return await report_page(dashboard, request, parts)  # after the transaction: no connection held

    @router.get(CHART)
    async def chart(request: Request) -> Response:
        async with dashboard.call(request) as call:
            query, _openings = await checked_query(dashboard, request, call)
            visit = call.visit
        report = await report_of(dashboard, visit, query)  # after the transaction: no connection held meanwhile
        png = await draw_placement_chart(report, translator_for(dashboard, request, visit))
        return Response(png, media_type=PNG, headers={"cache-control": "private, no-cache"})

    for file_format in FILE_TYPES:
        download_route(router, dashboard, file_format)

    @router.post(TARGET)
    async def set_year_target(request: Request) -> Response:
        async with dashboard.call(request, need=Need.CHANGE, form=True) as call:
            typed = {name: call.form.get(name, "").strip()[:20] for name in ("tahun", "kategori", "target")}
            year = parse_year(dashboard, typed["tahun"])
            errors: dict[str, Msg] = {}
            if typed["kategori"] not in CATEGORIES:
                errors["kategori"] = CHOOSE_FROM_LIST
            problem = target_problem(typed["target"])
            if problem is not None:
                errors["target"] = problem
            if year is None:
                errors["tahun"] = year_problem(dashboard)
            refused = None
            if errors or year is None:
                query = ReportQuery(year=year or last_year(dashboard) - 1)
                query.values = {"tahun": str(query.year), "jenis": query.kind.value}
                openings = await report_openings(call.session, call.visit.actor, query.kind, query.year)
                refused = await page_parts(dashboard, call, query, openings)
            else:
                await set_target(call.session, call.visit.actor, year, int(typed["target"]), typed["kategori"],
                                 now=dashboard.now())
        if refused is not None:
            return await report_page(dashboard, request, refused, status_code=422, target_values=typed,
                                     target_errors=errors)
        return RedirectResponse(f"{REPORTS}?{urlencode({'tahun': year, 'disimpan': 1})}#target", status_code=303)

    return router


def download_route(router: APIRouter, dashboard: Dashboard, file_format: str) -> None:
    """`/dasbor/laporan.xlsx` (or `.csv`) with the page's own query: the same tables as on the page."""

    async def download(request: Request) -> Response:
        async with dashboard.call(request) as call:
            query, _openings = await checked_query(dashboard, request, call)
            visit = call.visit
        report = await report_of(dashboard, visit, query)  # after the transaction: no connection held meanwhile
        render = translator_for(dashboard, request, visit)
        file = report_download(report, dashboard.office, render, render.locale, file_format)
        return Response(file.content, media_type=file.media_type, headers={
            "content-disposition": f'attachment; filename="{file.name}"', "cache-control": "private, no-cache"})

    router.add_api_route(f"{REPORTS}.{file_format}", download, methods=["GET"])
