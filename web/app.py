"""The dashboard mounted on the same FastAPI app as the webhooks (`bot.webhooks.create_app`): each page module's
routes, the static files, and the one handler that turns `Refused` into its page."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from bot.engine.runtime import Runtime
from web.access import MAX_FORM_BYTES
from web.after_response import DeliverAfterResponse
from web.dashboard import Dashboard, DashboardConfig, Refused
from web.pages import (
    applicants,
    audit,
    broadcast_compose,
    broadcasts,
    canned_answers,
    inbox,
    inbox_files,
    job_seekers,
    opening_edits,
    openings,
    overview,
    poster,
    posters,
    reports,
    sign_in,
    staff,
    whatsapp_number,
    whatsapp_templates,
)
from web.templating import STATIC

__all__ = ["LARGEST_BODY", "DashboardConfig", "mount_dashboard"]

PAGES = (sign_in, overview, opening_edits, openings, applicants, job_seekers, reports, broadcast_compose,
         broadcasts, whatsapp_number, inbox, inbox_files, canned_answers, staff, audit, poster, whatsapp_templates,
         posters)
STATIC_PATH = "/static"
LARGEST_BODY = 2 * (max(opening_edits.MAX_UPLOAD_BYTES, inbox_files.UPLOAD_LIMIT, posters.UPLOAD_LIMIT)
                    + MAX_FORM_BYTES)
"""What the body limit in front of the whole app (`bot.body_limit`) lets through to a page: twice the largest body
any page takes, so that a file a little too large reaches its page, which refuses it unread in the reader's
language beside the form; only what no page would take is cut off with a bare 413."""


def mount_dashboard(app: FastAPI, runtime: Runtime, config: DashboardConfig) -> None:
    dashboard = Dashboard(runtime, config)
    for page in PAGES:
        app.include_router(page.routes(dashboard))
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC), name="static")

    async def refused(_request: Request, error: Exception) -> Response:
        assert isinstance(error, Refused)
        return error.response

    app.add_exception_handler(Refused, refused)
    app.add_middleware(DeliverAfterResponse, runtime=runtime)
