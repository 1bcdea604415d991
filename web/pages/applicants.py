"""The applicants of one opening (`/dasbor/program/t12/pendaftar`): a table to filter, sort and page through,
its export, and staff moving several applicants at once: tick, choose a status, confirm.

The moving is three forms: the ticked ids go to `pilih` (the statuses open to every one of them, and why the
others are not), then to `konfirmasi` (what will happen), then to `ubah`, which moves them through
`services.applicants.move_picked` only if they are still as `pilih` showed them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.engine.messages import Msg, _, ngettext
from documents.labels import EDUCATION, GENDER, STATUS_FOR_STAFF
from handlers.selection.outcomes import not_moved, waiting_lines
from models.applicant_table import ApplicantFilters, ApplicantOrder
from models.applications import ApplicationStatus, OpeningRef
from models.selection_rules import REMARK_LIMIT
from services.applicants import MOST_PICKED, Picked, move_picked, opening_applicants, picked_applicants
from services.exports import applicant_table
from services.selection import Moved, Outcome
from web.dashboard import HOME, Call, Dashboard, Need, Refused
from web.listing import address, chosen, kecamatan_names, page_number, typed, xlsx_download

PATH = HOME + "/program/{code}/pendaftar"
PICKED = re.compile(r"a([0-9]{1,9})")
ORDER_WORDS: Mapping[str, Msg] = {
    ApplicantOrder.FIRST_COME: _("First come first"),
    ApplicantOrder.NAME: _("Name"),
    ApplicantOrder.STATUS: _("Status"),
    ApplicantOrder.LAST_CHANGED: _("Last changed first"),
}


def _opening(dashboard: Dashboard, request: Request, code: str, call: Call) -> OpeningRef:
    """The opening the address names; a code that names none gets the page saying so."""
    ref = OpeningRef.from_code(code)
    if ref is None:
        raise Refused(dashboard.page(request, "not_found.html", call.visit, status_code=404))
    return ref


def _filters(request: Request, dashboard: Dashboard) -> dict[str, str | None]:
    """The table's filters and sort as the address gives them (anything unknown is ignored)."""
    return {
        "status": chosen(request, "status", STATUS_FOR_STAFF),
        "kecamatan": chosen(request, "kecamatan", kecamatan_names(dashboard.office)),
        "gender": chosen(request, "gender", GENDER),
        "education": chosen(request, "education", EDUCATION),
        "nama": typed(request, "nama") or None,
        "urut": chosen(request, "urut", ORDER_WORDS),
    }


def _picked_ids(form: Mapping[str, str]) -> list[int] | None:
    """The ticked applications: boxes named a<id> and the ids a later step carries; None when more than
    `MOST_PICKED` (a forged form), and no id twice."""
    ids = [int(m.group(1)) for name in form if (m := PICKED.fullmatch(name))]
    ids += [int(part) for part in form.get("ids", "").split(",") if part.isascii() and part.isdigit()
            and len(part) <= 9]
    unique = list(dict.fromkeys(ids))
    return None if len(unique) > MOST_PICKED else unique


def _moved_words(moved: Moved, wanted: ApplicationStatus) -> Msg:
    if moved.outcome is Outcome.MOVED:
        return ngettext("Done: {count} application is now '{status}'; the applicant has been told.",
                        "Done: {count} applications are now '{status}'; each applicant has been told.",
                        moved.count).format(status=STATUS_FOR_STAFF[wanted])
    if moved.outcome is Outcome.ALREADY:
        return _("These applications are already '{status}': the form was sent twice and the change was made "
                 "once.").format(status=STATUS_FOR_STAFF[wanted])
    if moved.outcome in (Outcome.GONE, Outcome.CHANGED):
        return _("The applications changed meanwhile; nothing was changed.")
    return not_moved(moved, wanted)


def _blocked_lines(picked: Picked) -> list[Msg]:
    lines = waiting_lines(picked.moves)
    for blocked in picked.blocked:
        lines.extend(ngettext("'{status}' is not possible for {count} ticked application that is '{current}'.",
                              "'{status}' is not possible for {count} ticked applications that are '{current}'.",
                              count).format(status=STATUS_FOR_STAFF[blocked.status],
                                            current=STATUS_FOR_STAFF[current])
                     for current, count in blocked.current)
    return lines


def routes(dashboard: Dashboard) -> APIRouter:
    router = APIRouter()

    @router.get(PATH)
    async def applicants(request: Request, code: str) -> Response:
        values = _filters(request, dashboard)
        filters = ApplicantFilters(status=values["status"], kecamatan=values["kecamatan"], gender=values["gender"],
                                   education=values["education"], name=values["nama"])
        order = ApplicantOrder(values["urut"] or ApplicantOrder.FIRST_COME)
        async with dashboard.call(request) as call:
            ref = _opening(dashboard, request, code, call)
            found = await opening_applicants(call.session, call.visit.actor, ref, filters, order=order,
                                             page=page_number(request))
            if found is None:
                return dashboard.page(request, "not_found.html", call.visit, status_code=404)
            path = PATH.format(code=ref.code)
            return dashboard.page(
                request, "applicants/list.html", call.visit, found=found, values=values, path=path,
                filtered=any(value for name, value in values.items() if name != "urut"),
                page_address=lambda number: address(path, values, halaman=number + 1),
                office=dashboard.office, kecamatan_names=kecamatan_names(dashboard.office), statuses=STATUS_FOR_STAFF,
                genders=GENDER, educations=EDUCATION, orders=ORDER_WORDS, may_change=call.visit.actor.is_staff)

    @router.get(PATH + "/unduh")
    async def export(request: Request, code: str) -> Response:
        async with dashboard.call(request, need=Need.CHANGE) as call:
            ref = _opening(dashboard, request, code, call)
            header, rows = await applicant_table(call.session, call.visit.actor, ref, dashboard.office,
                                                 now=dashboard.now())
        return xlsx_download(f"pendaftar-{ref.code}", header, rows)

    async def _step(request: Request, code: str, template: str, **context: Any) -> Response:
        """Show the ticked applicants with `template`, or why they cannot be shown."""
        async with dashboard.call(request, need=Need.CHANGE, form=True) as call:
            ref = _opening(dashboard, request, code, call)
            back = PATH.format(code=ref.code)
            ids = _picked_ids(call.form)
            if not ids:
                problem = (_("Please tick at least one applicant.") if ids is not None else
                           _("Please tick at most {count} applicants at once.").format(count=MOST_PICKED))
                return dashboard.page(request, "applicants/problem.html", call.visit, status_code=400,
                                      problem=problem, back=back)
            picked = await picked_applicants(call.session, call.visit.actor, ref, ids, dashboard.office.date_at(
                dashboard.now()))
            if picked is None or not picked.rows:
                return dashboard.page(request, "not_found.html", call.visit, status_code=404)
            wanted = call.form.get("status", "")
            remark = call.form.get("remark", "")
            errors: dict[str, Msg] = {}
            if template == "applicants/confirm.html":
                if wanted not in picked.moves.now:
                    errors["status"] = _("Please choose one of the statuses offered.")
                if len(remark.strip()) > REMARK_LIMIT:
                    errors["remark"] = _("Please keep the remark to at most {limit} characters; it now has "
                                         "{length}.").format(limit=REMARK_LIMIT, length=len(remark.strip()))
                if errors:
                    template = "applicants/choose.html"
            return dashboard.page(
                request, template, call.visit, status_code=400 if errors else 200, picked=picked,
                ids=",".join(str(row.application.id) for row in picked.rows), back=back, path=back,
                wanted=wanted, remark=remark, errors=errors, why_not=_blocked_lines(picked), statuses=STATUS_FOR_STAFF,
                remark_limit=REMARK_LIMIT, **context)

    @router.post(PATH + "/pilih")
    async def choose(request: Request, code: str) -> Response:
        return await _step(request, code, "applicants/choose.html")

    @router.post(PATH + "/konfirmasi")
    async def confirm(request: Request, code: str) -> Response:
        return await _step(request, code, "applicants/confirm.html")

    @router.post(PATH + "/ubah")
    async def move(request: Request, code: str) -> Response:
        async with dashboard.call(request, need=Need.CHANGE, form=True) as call:
            ref = _opening(dashboard, request, code, call)
            back = PATH.format(code=ref.code)
            ids = _picked_ids(call.form)
            raw = call.form.get("status", "")
            if not ids or raw not in STATUS_FOR_STAFF or len(call.form.get("remark", "").strip()) > REMARK_LIMIT:
                return dashboard.page(request, "applicants/problem.html", call.visit, status_code=400,
                                      problem=_("The form was incomplete; nothing was changed."), back=back)
            wanted = ApplicationStatus(raw)
            moved = await move_picked(
                call.session, call.visit.actor, ref, ids, wanted, remark=call.form.get("remark", ""),
                expected=call.form.get("fingerprint", ""), now=dashboard.now(), office=dashboard.office,
                notices=call.notices)
            done = moved.outcome in (Outcome.MOVED, Outcome.ALREADY)
            return dashboard.page(request, "applicants/moved.html", call.visit, status_code=200 if done else 409,
                                  done=done, said=_moved_words(moved, wanted), back=back)

    return router
