"""The canned answers page (`/dasbor/jawaban-siap`): the short replies staff keep for questions asked again and
again, listed for everyone at the office; staff and admins add, edit and delete them (after confirming). Every
change is `services.canned_answers`', audited there; the inbox's reply form puts one in an answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.engine.messages import Msg, _
from models.canned_answers import MOST, TEXT_LIMIT, TITLE_LIMIT, CannedAnswer
from services.canned_answers import (
    CannedRefused,
    Problem,
    add_canned,
    delete_canned,
    edit_canned,
    find_canned,
    list_canned,
)
from web.dashboard import HOME, Call, Dashboard, Need, Refused
from web.pages.opening_edits import form_id

PATH = HOME + "/jawaban-siap"
SAID: dict[str, Msg] = {"ditambah": _("The canned answer was added."), "diubah": _("The canned answer was saved."),
                        "dihapus": _("The canned answer was deleted.")}
"""The notice after a change, named by the address the change redirects to (`?selesai=ditambah`)."""


def problem_words(field: str, problem: Problem) -> Msg:
    if problem is Problem.FULL:
        return _("The office already keeps {count} canned answers: please delete one you no longer use "
                 "first.").format(count=MOST)
    if problem is Problem.EMPTY:
        return _("Please write a title.") if field == "title" else _("Please write the answer.")
    return _("Please write at most {limit} characters.").format(limit=TITLE_LIMIT if field == "title" else TEXT_LIMIT)


def routes(dashboard: Dashboard) -> APIRouter:
    router = APIRouter()

    def _form(request: Request, call: Call, canned: CannedAnswer | None, status_code: int = 200,
              **context: Any) -> Response:
        context.setdefault("typed", {"title": canned.title if canned else "", "text": canned.text if canned else ""})
        context.setdefault("errors", {})
        return dashboard.page(request, "canned/edit.html", call.visit, status_code=status_code, active="inbox",
                              canned=canned, path=PATH, title_limit=TITLE_LIMIT, text_limit=TEXT_LIMIT,
                              form_id=form_id(), **context)

    def _refused(request: Request, call: Call, canned: CannedAnswer | None, refused: CannedRefused,
                 typed: dict[str, str]) -> Response:
        errors = {field: problem_words(field, problem) for field, problem in refused.problems.items()}
        return _form(request, call, canned, status_code=422, errors=errors, typed=typed)

    async def _found(request: Request, call: Call, number: int) -> CannedAnswer:
        canned = await find_canned(call.session, call.visit.actor, number)
        if canned is None:
            raise Refused(dashboard.page(request, "not_found.html", call.visit, status_code=404))
        return canned

    def _typed(call: Call) -> dict[str, str]:
        """What was typed, cut to twice the limits so an oversized form is shown back, not stored."""
        return {"title": call.form.get("title", "")[:TITLE_LIMIT * 2],
                "text": call.form.get("text", "")[:TEXT_LIMIT * 2]}

    @router.get(PATH)
    async def canned_list(request: Request) -> Response:
        async with dashboard.call(request) as call:
            done = SAID.get(request.query_params.get("selesai", ""))
            return dashboard.page(request, "canned/list.html", call.visit, active="inbox", path=PATH,
                                  canned=await list_canned(call.session, call.visit.actor), notice=done)

    @router.get(PATH + "/baru")
    async def new_form(request: Request) -> Response:
        async with dashboard.call(request, need=Need.CHANGE) as call:
            return _form(request, call, None)

    @router.post(PATH)
    async def add(request: Request) -> Response:
        async with dashboard.call(request, need=Need.CHANGE, form=True) as call:
            typed = _typed(call)
            try:
                await add_canned(call.session, call.visit.actor, typed["title"], typed["text"], now=dashboard.now(),
                                 form=form_id(call.form))
            except CannedRefused as refused:
                return _refused(request, call, None, refused, typed)
        return RedirectResponse(f"{PATH}?selesai=ditambah", status_code=303)

    @router.get(PATH + "/{number:int}/ubah")
    async def edit_form(request: Request, number: int) -> Response:
        async with dashboard.call(request, need=Need.CHANGE) as call:
            return _form(request, call, await _found(request, call, number))

    @router.post(PATH + "/{number:int}/ubah")
    async def edit(request: Request, number: int) -> Response:
        async with dashboard.call(request, need=Need.CHANGE, form=True) as call:
            canned = await _found(request, call, number)
            typed = _typed(call)
            try:
                await edit_canned(call.session, call.visit.actor, canned.id, typed["title"], typed["text"],
                                  now=dashboard.now())
            except CannedRefused as refused:
                return _refused(request, call, canned, refused, typed)
        return RedirectResponse(f"{PATH}?selesai=diubah", status_code=303)

    @router.get(PATH + "/{number:int}/hapus")
    async def confirm_delete(request: Request, number: int) -> Response:
        async with dashboard.call(request, need=Need.CHANGE) as call:
            return dashboard.page(request, "canned/delete.html", call.visit, active="inbox", path=PATH,
                                  canned=await _found(request, call, number))

    @router.post(PATH + "/{number:int}/hapus")
    async def delete(request: Request, number: int) -> Response:
        async with dashboard.call(request, need=Need.CHANGE, form=True) as call:
            if not await delete_canned(call.session, call.visit.actor, number, now=dashboard.now()):
                return dashboard.page(request, "not_found.html", call.visit, status_code=404)
        return RedirectResponse(f"{PATH}?selesai=dihapus", status_code=303)

    return router
