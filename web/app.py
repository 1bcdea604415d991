"""The dashboard's routes, mounted on the same FastAPI app as the webhooks (`bot.webhooks.create_app`).

Each request opens its own transaction, like a chat message or a CLI command: a page reads in one, a form's
change and its audit rows commit together or not at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.runtime import Runtime
from documents.labels import STATUS_FOR_STAFF
from services.overview import office_at_a_glance
from services.sign_in import SIGN_IN_PATH, Visit, sign_in, sign_out, visit
from web.access import (
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    BodyTooLarge,
    client_of,
    csrf_ok,
    form_of,
    reader_locale,
)
from web.templating import STATIC, Pages

HOME = "/dasbor"
STATIC_PATH = "/static"


@dataclass(frozen=True, slots=True)
class DashboardConfig:
    secure_cookies: bool = False
    """Mark cookies Secure: on when the public address is https."""


class Dashboard:
    def __init__(self, runtime: Runtime, config: DashboardConfig) -> None:
        self.runtime = runtime
        self.config = config
        self.pages = Pages(runtime.catalogs)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.runtime.session_factory() as session, session.begin():
            yield session

    def now(self) -> Any:
        return self.runtime.clock()

    def page(self, request: Request, name: str, who: Visit | None, status_code: int = 200,
             **context: Any) -> HTMLResponse:
        locale = reader_locale(request, who, self.runtime.catalogs.default)
        csrf = who.session.csrf_token if who is not None else ""
        response = self.pages.render(request, name, {"visit": who, "csrf_token": csrf, "home": HOME, **context},
                                     locale=locale, status_code=status_code)
        if request.query_params.get("lang") == locale:
            response.set_cookie(LANGUAGE_COOKIE, locale, max_age=365 * 86400, samesite="lax", httponly=True,
                                secure=self.config.secure_cookies)
        return response

    async def who(self, session: AsyncSession, request: Request) -> Visit | None:
        return await visit(session, request.cookies.get(SESSION_COOKIE, ""), self.now())

    # --- signing in and out -------------------------------------------------------------------------------

    async def confirm_sign_in(self, request: Request, token: str) -> Response:
        """The link only shows a button: chat apps open links to preview them, which must not spend them."""
        return self.page(request, "sign_in.html", None, token=token)

    async def do_sign_in(self, request: Request, token: str) -> Response:
        try:
            await form_of(request)
        except BodyTooLarge:
            return self.page(request, "refused.html", None, status_code=413)
        async with self.transaction() as session:
            signed = await sign_in(session, token, self.now(), client_of(request))
        if signed is None:
            return self.page(request, "link_refused.html", None, status_code=403)
        response = RedirectResponse(HOME, status_code=303)
        response.set_cookie(SESSION_COOKIE, signed.cookie_token, httponly=True, samesite="lax",
                            secure=self.config.secure_cookies, path="/")
        return response

    async def do_sign_out(self, request: Request) -> Response:
        try:
            form = await form_of(request)
        except BodyTooLarge:
            return self.page(request, "refused.html", None, status_code=413)
        async with self.transaction() as session:
            who = await self.who(session, request)
            if who is None:
                return RedirectResponse(HOME, status_code=303)
            if not csrf_ok(who, form):
                return self.page(request, "refused.html", who, status_code=403)
            await sign_out(session, who, self.now(), everywhere=form.get("everywhere") == "1")
        response = self.page(request, "signed_out.html", None)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # --- pages --------------------------------------------------------------------------------------------

    async def overview(self, request: Request) -> Response:
        async with self.transaction() as session:
            who = await self.who(session, request)
            if who is None:
                return self.page(request, "need_sign_in.html", None, status_code=401)
            glance = await office_at_a_glance(session, who.actor, self.runtime.services.office, self.now())
        return self.page(request, "overview.html", who, glance=glance, office=self.runtime.services.office,
                         status_labels=STATUS_FOR_STAFF)


def mount_dashboard(app: FastAPI, runtime: Runtime, config: DashboardConfig) -> None:
    """Add the dashboard's pages and its static files to `app`."""
    dashboard = Dashboard(runtime, config)
    router = APIRouter()
    router.add_api_route(f"{SIGN_IN_PATH}/{{token}}", dashboard.confirm_sign_in, methods=["GET"])
    router.add_api_route(f"{SIGN_IN_PATH}/{{token}}", dashboard.do_sign_in, methods=["POST"])
    router.add_api_route("/keluar", dashboard.do_sign_out, methods=["POST"])
    router.add_api_route(HOME, dashboard.overview, methods=["GET"])
    router.add_api_route("/", lambda: RedirectResponse(HOME), methods=["GET"])
    app.include_router(router)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC), name="static")
