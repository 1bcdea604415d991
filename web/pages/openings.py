"""The Openings pages: the list of trainings and apprenticeships with its filters, one opening's page, and
publishing or closing it after a confirmation. Viewers read; staff and admins change (`services.openings`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.engine.messages import Msg, Rupiah, _
from documents.labels import INTEREST, MINIMUM_EDUCATION, OPENING_KIND, OPENING_STATUS, TRAINING_CATEGORY
from models.applications import Opening, OpeningKind, OpeningRef, places_taken
from models.catalog import OpeningStatus, TrainingCategory
from models.opening_search import OpeningFilters
from models.regions import Office
from services.openings import WHY_NOT, StatusChange, find_openings, opening_for_staff, set_accepting_applications
from services.posters import poster_of_opening
from web.dashboard import HOME, Call, Dashboard, Need, Refused

OPENINGS = f"{HOME}/program"
PAGE_SIZE = 20
MAX_PAGE = 10_000
MAX_WORDS = 80
ACTIONS = {"terbitkan": True, "tutup": False}
"""The two status buttons, by their path: publish (open for applications) and close."""


def labels(office: Office) -> dict[str, Any]:
    """The words for stored codes that the openings' templates show."""
    return {"kinds": OPENING_KIND, "categories": TRAINING_CATEGORY, "states": OPENING_STATUS, "money": Rupiah,
            "educations": MINIMUM_EDUCATION, "interests": INTEREST,
            "kecamatan_names": {k.code: k.name for k in office.kecamatan}}


@dataclass(slots=True)
class ListQuery:
    """The list's filters as typed in the address (each bounded and checked), and the problems found."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, Msg] = field(default_factory=dict)
    filters: OpeningFilters = OpeningFilters()
    page: int = 0

    def link(self, page: int) -> str:
        return f"{OPENINGS}?{urlencode({**{k: v for k, v in self.values.items() if v}, 'halaman': page + 1})}"


def read_query(request: Request, office: Office) -> ListQuery:
    given = {name: request.query_params.get(name, "").strip()[:200] for name in
             ("kind", "category", "status", "kecamatan", "q", "halaman")}
    query = ListQuery(values={name: value for name, value in given.items() if name != "halaman"})
    choices: dict[str, set[str]] = {
        "kind": {str(k) for k in OpeningKind}, "category": {str(c) for c in TrainingCategory},
        "status": {str(s) for s in OpeningStatus}, "kecamatan": {k.code for k in office.kecamatan}}
    for name, allowed in choices.items():
        if given[name] and given[name] not in allowed:
            query.errors[name] = _("Please choose one of the list.")
            query.values[name] = ""
    if len(given["q"]) > MAX_WORDS:
        query.errors["q"] = _("Please write at most {count} characters.").format(count=MAX_WORDS)
        query.values["q"] = given["q"][:MAX_WORDS]
    page = given["halaman"]
    if page and not (page.isascii() and page.isdigit() and 1 <= int(page) <= MAX_PAGE):
        query.errors["halaman"] = _("There is no such page; here is the first.")
        page = ""
    values = query.values
    query.filters = OpeningFilters(
        kind=OpeningKind(values["kind"]) if values["kind"] else None,
        category=TrainingCategory(values["category"]) if values["category"] else None,
        status=OpeningStatus(values["status"]) if values["status"] else None,
        kecamatan=values["kecamatan"] or None, words=values["q"])
    query.page = int(page) - 1 if page else 0
    return query


def missing(dashboard: Dashboard, request: Request, call: Call) -> Refused:
    return Refused(dashboard.page(request, "openings/missing.html", call.visit, status_code=404, active="openings"))


def opening_ref(dashboard: Dashboard, request: Request, call: Call, code: str) -> OpeningRef:
    """The opening the address names (t12, a3); a code that names none gets the "does not exist" page."""
    ref = OpeningRef.from_code(code) if len(code) <= 12 else None
    if ref is None:
        raise missing(dashboard, request, call)
    return ref


async def opening_named(dashboard: Dashboard, request: Request, call: Call, code: str) -> tuple[OpeningRef, Opening]:
    ref = opening_ref(dashboard, request, call, code)
    opening = await opening_for_staff(call.session, call.visit.actor, ref)
    if opening is None:
        raise missing(dashboard, request, call)
    return ref, opening


def routes(dashboard: Dashboard) -> APIRouter:
    router = APIRouter()

    @router.get(OPENINGS)
    async def openings_list(request: Request) -> Response:
        async with dashboard.call(request) as call:
            query = read_query(request, dashboard.office)
            page = await find_openings(call.session, call.visit.actor, query.filters, query.page, PAGE_SIZE)
            return dashboard.page(request, "openings/list.html", call.visit, active="openings", query=query,
                                  page=page, office=dashboard.office, **labels(dashboard.office))

    @router.get(f"{OPENINGS}/{{code}}")
    async def opening_page(request: Request, code: str) -> Response:
        async with dashboard.call(request) as call:
            ref, opening = await opening_named(dashboard, request, call, code)
            taken = await places_taken(call.session, ref)
            poster = await poster_of_opening(call.session, call.visit.actor, ref)
            return dashboard.page(request, "openings/opening.html", call.visit, active="openings", ref=ref,
                                  opening=opening, taken=taken, today=dashboard.office.date_at(dashboard.now()),
                                  poster=poster,
                                  changed=request.query_params.get("diubah") == "1", **labels(dashboard.office))

    for action, publish in ACTIONS.items():
        status_routes(router, dashboard, action, publish)
    return router


def status_routes(router: APIRouter, dashboard: Dashboard, action: str, publish: bool) -> None:
    """The confirmation page of publishing (or closing) an opening, and the form it sends."""
    path = f"{OPENINGS}/{{code}}/{action}"

    async def confirm(request: Request, code: str) -> Response:
        async with dashboard.call(request, need=Need.CHANGE) as call:
            ref, opening = await opening_named(dashboard, request, call, code)
            return dashboard.page(request, "openings/confirm.html", call.visit, active="openings", ref=ref,
                                  opening=opening, publish=publish, action=action, **labels(dashboard.office))

    async def change(request: Request, code: str) -> Response:
        async with dashboard.call(request, need=Need.CHANGE, form=True) as call:
            ref = opening_ref(dashboard, request, call, code)
            now = dashboard.now()
            done = await set_accepting_applications(call.session, call.visit.actor, ref, publish, now=now,
                                                    today=dashboard.office.date_at(now))
            if done is StatusChange.GONE:
                raise missing(dashboard, request, call)
            if done in WHY_NOT:
                opening = await opening_for_staff(call.session, call.visit.actor, ref)
                return dashboard.page(request, "openings/confirm.html", call.visit, status_code=409,
                                      active="openings", ref=ref, opening=opening, publish=publish, action=action,
                                      why_not=WHY_NOT[done], **labels(dashboard.office))
        return RedirectResponse(f"{OPENINGS}/{ref.code}?diubah=1", status_code=303)

    router.add_api_route(path, confirm, methods=["GET"])
    router.add_api_route(path, change, methods=["POST"])
