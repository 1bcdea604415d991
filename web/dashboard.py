"""What every dashboard page shares: one transaction per request, who is asking and what they may do, the
form's CSRF token and size, and rendering in the reader's language.

A page does its work inside `async with dashboard.call(request, need=...) as call:`. Anything that stops the
request early (not signed in, a role that may not, a forged or oversized form) raises `Refused` with the page
to show, which the app turns into the response; the transaction is then rolled back, so nothing half-done
is kept. Notices a staff action queues on `call.notices` (an applicant told of their new status) are written
to the outbox in the request's transaction and delivered once the page has answered (`web.after_response`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from bot.engine.messages import Msg, _
from bot.engine.notify import NoticeList, acting
from bot.engine.runtime import Runtime
from models.regions import Office
from services.permissions import NotAllowed
from services.sign_in import Visit, visit
from web.access import LANGUAGE_COOKIE, SESSION_COOKIE, BodyTooLarge, csrf_ok, form_of, reader_locale, upload_of
from web.after_response import pending
from web.templating import Pages

HOME = "/dasbor"


class Need(StrEnum):
    """What a page asks of the person: to read (viewer and up), to change (staff, admin), to manage staff."""

    VIEW = "view"
    CHANGE = "change"
    ADMIN = "admin"


class Refused(Exception):
    """The request stops here with `response` (a page saying why)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


@dataclass(frozen=True, slots=True)
class NavEntry:
    key: str
    label: Msg
    path: str
    need: Need


NAV: tuple[NavEntry, ...] = (
    NavEntry("overview", _("Overview"), HOME, Need.VIEW),
    NavEntry("openings", _("Openings"), f"{HOME}/program", Need.VIEW),
    NavEntry("job_seekers", _("Job seekers"), f"{HOME}/pencari-kerja", Need.VIEW),
    NavEntry("reports", _("Reports"), f"{HOME}/laporan", Need.VIEW),
    NavEntry("broadcasts", _("Broadcasts"), f"{HOME}/siaran", Need.VIEW),
    NavEntry("inbox", _("Messages"), f"{HOME}/pesan", Need.VIEW),
    NavEntry("poster", _("Poster"), f"{HOME}/poster", Need.VIEW),
    NavEntry("staff", _("Staff"), f"{HOME}/staf", Need.ADMIN),
    NavEntry("audit", _("Audit"), f"{HOME}/audit", Need.ADMIN),
    NavEntry("whatsapp", _("WhatsApp"), f"{HOME}/whatsapp", Need.ADMIN),
)
"""The menu at the top of every page; each person sees the entries their role may open."""


@dataclass(frozen=True, slots=True)
class DashboardConfig:
    secure_cookies: bool = False
    """Mark cookies Secure: on when the public address is https."""
    channel_settings: Mapping[str, Any] = field(default_factory=dict)
    """The validated settings by name, for pages that reach a platform's account (WhatsApp's templates)."""


@dataclass(slots=True)
class Call:
    """One signed-in request: its transaction, who is asking, and the form's text fields (for a POST)."""

    session: AsyncSession
    visit: Visit
    form: dict[str, str] = field(default_factory=dict)
    upload: UploadFile | None = None
    """The file of a form sent with `upload=` (its bytes not read yet)."""
    notices: NoticeList = field(default_factory=NoticeList)
    """For services that tell people what they did (`services.notices.Notices`)."""


class Dashboard:
    def __init__(self, runtime: Runtime, config: DashboardConfig) -> None:
        self.runtime = runtime
        self.config = config
        self.pages = Pages(runtime.catalogs)

    @property
    def office(self) -> Office:
        return self.runtime.services.office

    def now(self) -> datetime:
        return self.runtime.clock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.runtime.session_factory() as session, session.begin():
            yield session

    @asynccontextmanager
    async def call(self, request: Request, *, need: Need = Need.VIEW, form: bool = False,
                   upload: int = 0) -> AsyncIterator[Call]:
        """A signed-in request with the right role; with `form`, a POST whose CSRF token is the session's; with
        `upload`, such a form carrying one file of at most that many bytes."""
        fields: dict[str, str] = {}
        file = None
        if form or upload:
            try:
                fields, file = await upload_of(request, upload) if upload else (await form_of(request), None)
            except BodyTooLarge:
                raise Refused(self.page(request, "refused.html", None, status_code=413)) from None
        async with acting(self.runtime, later=pending(request)) as (session, notices):
            who = await visit(session, request.cookies.get(SESSION_COOKIE, ""), self.now())
            if who is None:
                raise Refused(self.page(request, "need_sign_in.html", None, status_code=401))
            if not _may(who, need):
                raise Refused(self.page(request, "not_allowed.html", who, status_code=403))
            if (form or upload) and not csrf_ok(who, fields):
                raise Refused(self.page(request, "refused.html", who, status_code=403))
            try:
                yield Call(session, who, fields, file, notices)
            except NotAllowed:  # a service's own check: the page asked for less than the action needs
                raise Refused(self.page(request, "not_allowed.html", who, status_code=403)) from None

    def page(self, request: Request, name: str, who: Visit | None, status_code: int = 200,
             **context: Any) -> HTMLResponse:
        locale = reader_locale(request, who, self.runtime.catalogs.default)
        csrf = who.session.csrf_token if who is not None else ""
        nav = [entry for entry in NAV if who is not None and _may(who, entry.need)]
        response = self.pages.render(request, name, {"visit": who, "csrf_token": csrf, "home": HOME, "nav": nav,
                                                     **context}, locale=locale, status_code=status_code)
        if request.query_params.get("lang") == locale:
            response.set_cookie(LANGUAGE_COOKIE, locale, max_age=365 * 86400, samesite="lax", httponly=True,
                                secure=self.config.secure_cookies)
        return response


def _may(who: Visit, need: Need) -> bool:
    actor = who.actor
    if need is Need.ADMIN:
        return actor.is_admin
    if need is Need.CHANGE:
        return actor.is_staff
    return actor.may_view
