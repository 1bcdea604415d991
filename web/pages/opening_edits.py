"""Adding and editing an opening by form, importing many from a CSV or XLSX upload, and the empty template to
fill in. Staff and admins only. Every check is the service's (`services.openings`): this module turns its
answers into pages, with each problem beside its field and what was typed kept.

Registered before `web.pages.openings`, whose `/dasbor/program/{code}` would otherwise take `baru` and `impor`.
"""

from __future__ import annotations

import re
import secrets
from pathlib import PurePath

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.engine.messages import Msg, _
from documents.spreadsheets import SheetError, SheetProblem, read_table_from, table_bytes
from handlers.selection.opening_upload import SHEET_PROBLEMS
from services.opening_form import form_cells, opening_cells, version_of
from services.opening_import import COLUMNS, ISSUE_TEXT, check_rows
from services.openings import (
    NotSaved,
    create_opening,
    import_openings,
    known_providers,
    update_opening,
)
from services.posters import poster_of_opening
from web.access import MAX_FORM_BYTES, fits
from web.dashboard import Call, Dashboard, Need
from web.pages.openings import OPENINGS, labels, missing, opening_named, opening_ref

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
SHEETS = (".csv", ".xlsx")
MAX_PROBLEMS_SHOWN = 200
TEMPLATE_NAME = "templat-program.xlsx"
"""The empty template's name, under the openings' path."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORM_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


def form_id(sent: dict[str, str] | None = None) -> str:
    """The one-time id a create or import form carries, so that sending it twice applies it once."""
    given = (sent or {}).get("form_id", "")
    return given if FORM_ID.fullmatch(given) else secrets.token_urlsafe(16)


async def form_page(dashboard: Dashboard, request: Request, call: Call, status_code: int = 200,
                    **context: object) -> Response:
    providers = await known_providers(call.session, call.visit.actor)
    return dashboard.page(request, "openings/form.html", call.visit, status_code=status_code, active="openings",
                          providers=providers, office=dashboard.office, **labels(dashboard.office), **context)


def import_page(dashboard: Dashboard, request: Request, call: Call, status_code: int = 200,
                **context: object) -> Response:
    context = {"errors": {}, "problems": [], "more": 0, "form_id": form_id(call.form), **context}
    return dashboard.page(request, "openings/import.html", call.visit, status_code=status_code, active="openings",
                          **context)


def routes(dashboard: Dashboard) -> APIRouter:
    router = APIRouter()

    @router.get(f"{OPENINGS}/baru")
    async def new_form(request: Request) -> Response:
        async with dashboard.call(request, need=Need.CHANGE) as call:
            kind = "apprenticeship" if request.query_params.get("kind") == "apprenticeship" else "training"
            return await form_page(dashboard, request, call, values={"kind": kind, "quota": "0"}, errors={},
                                   form_id=form_id())

    @router.post(f"{OPENINGS}/baru")
    async def create(request: Request) -> Response:
        async with dashboard.call(request, need=Need.CHANGE, form=True) as call:
            cells = form_cells(call.form)
            sent = form_id(call.form)
            saved = await create_opening(call.session, call.visit.actor, cells, dashboard.office, form=sent,
                                         now=dashboard.now())
            if isinstance(saved, NotSaved):
                return await form_page(dashboard, request, call, 422, values=cells, errors=saved.errors,
                                       form_id=sent)
        return RedirectResponse(f"{OPENINGS}/{saved.ref.code}?diubah=1", status_code=303)

    @router.get(f"{OPENINGS}/impor")
    async def import_form(request: Request) -> Response:
        async with dashboard.call(request, need=Need.CHANGE) as call:
            return import_page(dashboard, request, call)

    @router.get(f"{OPENINGS}/{TEMPLATE_NAME}")
    async def template(request: Request) -> Response:
        async with dashboard.call(request, need=Need.CHANGE):
            content = table_bytes(TEMPLATE_NAME, COLUMNS, [])
        return Response(content, media_type=XLSX,
                        headers={"content-disposition": f'attachment; filename="{TEMPLATE_NAME}"'})

    @router.post(f"{OPENINGS}/impor")
    async def upload(request: Request) -> Response:
        if not fits(request, MAX_UPLOAD_BYTES + MAX_FORM_BYTES):
            async with dashboard.call(request, need=Need.CHANGE) as call:
                return import_page(dashboard, request, call, 413, errors={"file": too_large()})
        async with dashboard.call(request, need=Need.CHANGE, upload=MAX_UPLOAD_BYTES) as call:
            return await import_upload(dashboard, request, call)

    @router.get(f"{OPENINGS}/{{code}}/ubah")
    async def edit_form(request: Request, code: str) -> Response:
        async with dashboard.call(request, need=Need.CHANGE) as call:
            ref, opening = await opening_named(dashboard, request, call, code)
            cells = opening_cells(opening)
            return await form_page(dashboard, request, call, values=cells, errors={}, ref=ref,
                                   version=version_of(cells),
                                   poster=await poster_of_opening(call.session, call.visit.actor, ref))

    @router.post(f"{OPENINGS}/{{code}}/ubah")
    async def edit(request: Request, code: str) -> Response:
        async with dashboard.call(request, need=Need.CHANGE, form=True) as call:
            ref = opening_ref(dashboard, request, call, code)
            cells = form_cells(call.form)
            saved = await update_opening(call.session, call.visit.actor, ref, cells, dashboard.office,
                                         version=call.form.get("version", "")[:64], now=dashboard.now())
            if saved is None:
                raise missing(dashboard, request, call)
            if isinstance(saved, NotSaved):
                current = opening_cells((await opening_named(dashboard, request, call, code))[1])
                return await form_page(dashboard, request, call, 409 if saved.stale else 422,
                                       values={**cells, "kind": current["kind"]}, errors=saved.errors, ref=ref,
                                       stale=saved.stale, version=version_of(current))
        return RedirectResponse(f"{OPENINGS}/{ref.code}?diubah=1", status_code=303)

    return router


def too_large() -> Msg:
    return _("That file is too large: at most {megabytes} MB.").format(megabytes=MAX_UPLOAD_BYTES // (1024 * 1024))


async def import_upload(dashboard: Dashboard, request: Request, call: Call) -> Response:
    """Check the file's name and size before its bytes, then every row; import all of them, or none with the
    row-by-row report."""
    file = call.upload
    name = PurePath(file.filename or "").name[:120] if file is not None else ""
    errors: dict[str, Msg] = {}
    if call.form.get("confirm") != "1":
        errors["confirm"] = _("Please tick this box to confirm.")
    if file is None or not name:
        errors["file"] = _("Please choose the file to import.")
    elif PurePath(name).suffix.lower() not in SHEETS:
        errors["file"] = SHEET_PROBLEMS[SheetProblem.WRONG_TYPE]
    if errors or file is None:
        return import_page(dashboard, request, call, 422, errors=errors)
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        return import_page(dashboard, request, call, 413, errors={"file": too_large()})
    try:
        rows = read_table_from(name, content)
    except SheetError as error:
        return import_page(dashboard, request, call, 422, errors={"file": SHEET_PROBLEMS[error.problem]})
    openings, problems = check_rows(rows, dashboard.office)
    if problems:
        shown = [(problem.row, problem.column, Msg(ISSUE_TEXT[problem.issue], problem.details))
                 for problem in problems[:MAX_PROBLEMS_SHOWN]]
        return import_page(dashboard, request, call, 422, file_name=name, problems=shown,
                           more=len(problems) - len(shown))
    if not openings:
        return import_page(dashboard, request, call, 422,
                           errors={"file": _("The file has a header but no openings below it.")})
    count = await import_openings(call.session, call.visit.actor, openings, now=dashboard.now(),
                                  form=form_id(call.form), file=name)
    return RedirectResponse(f"{OPENINGS}?diimpor={count}", status_code=303)
