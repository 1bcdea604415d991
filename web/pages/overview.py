"""The first page after signing in: the office at a glance (this year's report produced apart, between two
short transactions: see `services.reports.produce_report`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from documents.labels import STATUS_FOR_STAFF
from services.overview import office_at_a_glance, this_years_report
from services.question_report import how_long
from web.dashboard import HOME, Dashboard
from web.pages.inbox import INBOX
from web.pages.whatsapp_number import number_words
from web.pages.whatsapp_templates import PATH as TEMPLATES_PAGE
from web.pages.whatsapp_templates import template_gaps


def routes(dashboard: Dashboard) -> APIRouter:
    router = APIRouter()

    @router.get("/")
    async def root() -> Response:
        return RedirectResponse(HOME)

    @router.get(HOME)
    async def overview(request: Request) -> Response:
        async with dashboard.call(request) as call:  # who asks, before seconds are spent on their report
            actor = call.visit.actor
        report = await this_years_report(dashboard.runtime.services.read_apart, actor, dashboard.office,
                                         dashboard.now())  # apart, with no transaction held meanwhile
        async with dashboard.call(request) as call:
            glance = await office_at_a_glance(call.session, call.visit.actor, dashboard.office, dashboard.now(),
                                              report)
            gaps, lost = await template_gaps(call, dashboard)
            return dashboard.page(request, "overview.html", call.visit, active="overview", glance=glance,
                                  office=dashboard.office, status_labels=STATUS_FOR_STAFF,
                                  how_long=how_long, inbox=INBOX, template_gaps=gaps, templates_lost=lost,
                                  templates_page=TEMPLATES_PAGE, **await number_words(dashboard, call))

    return router
