"""The Messages pages (`/dasbor/pesan`): job seekers' questions to the office, open ones the longest waiting first,
with the count waiting and the longest wait kept fresh by htmx (a plain reload without JavaScript); one
conversation with its whole thread, the reply form, taking it on and closing it with a reason after confirming.
Viewers read; staff and admins answer, take and close (`services.tickets`)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.engine.messages import Msg
from models.tickets import MESSAGE_LIMIT, CloseReason, InboxTab
from services.inbox import Conversation, conversation, inbox
from services.question_report import how_long
from services.ticket_files import FileProblem
from services.tickets import Outcome, assign, close, reply
from web.dashboard import HOME, Call, Dashboard, Need, Refused
from web.listing import chosen, page_number
from web.pages import inbox_files
from web.pages.opening_edits import form_id

INBOX = f"{HOME}/pesan"
PAGE_SIZE = 25
POLL_SECONDS = 5
TABS = {tab.value: tab for tab in InboxTab}


def waited(since: datetime | None, now: datetime) -> Msg | None:
    """How long a question has waited, in the largest whole unit that says it (minutes, hours, days)."""
    return None if since is None else how_long(now - since)


def routes(dashboard: Dashboard) -> APIRouter:
    router = APIRouter()

    async def listing(request: Request, template: str) -> Response:
        tab = TABS[chosen(request, "tab", TABS) or InboxTab.OPEN.value]
        async with dashboard.call(request) as call:
            found = await inbox(call.session, call.visit.actor, tab, page=page_number(request), size=PAGE_SIZE)
            return dashboard.page(request, template, call.visit, active="inbox", found=found, tab=tab.value,
                                  tabs=list(TABS), office=dashboard.office, now=dashboard.now(), waited=waited,
                                  poll_seconds=POLL_SECONDS,
                                  page_address=lambda number: f"{INBOX}?tab={tab.value}&halaman={number + 1}")

    @router.get(INBOX)
    async def inbox_page(request: Request) -> Response:
        return await listing(request, "inbox/list.html")

    @router.get(f"{INBOX}/daftar")
    async def inbox_part(request: Request) -> Response:
        return await listing(request, "inbox/_list.html")

    @router.get(f"{INBOX}/{{number}}")
    async def thread_page(request: Request, number: str) -> Response:
        async with dashboard.call(request) as call:
            shown = await _conversation(dashboard, request, call, number)
            return _thread(dashboard, request, call, shown)

    @router.post(f"{INBOX}/{{number}}/balas")
    async def answer(request: Request, number: str) -> Response:
        if not inbox_files.body_fits(request):
            async with dashboard.call(request, need=Need.CHANGE) as call:
                shown = await _conversation(dashboard, request, call, number)
                return _thread(dashboard, request, call, shown, status_code=413,
                               file_error=inbox_files.refusal(FileProblem.TOO_LARGE))
        async with dashboard.call(request, need=Need.CHANGE, upload=inbox_files.UPLOAD_LIMIT) as call:
            shown = await _conversation(dashboard, request, call, number)
            text = call.form.get("text", "")
            file = await inbox_files.attached(call)
            if isinstance(file, FileProblem):
                return _thread(dashboard, request, call, shown, status_code=413 if file is FileProblem.TOO_LARGE
                               else 422, text=text[:MESSAGE_LIMIT * 2],
                               file_error=inbox_files.refusal(file))
            outcome = await reply(call.session, call.visit.actor, shown.ticket.id, text, now=dashboard.now(),
                                  office=dashboard.office, notices=call.notices, form=form_id(call.form), file=file)
            if outcome not in (Outcome.DONE, Outcome.HELD):
                return _thread(dashboard, request, call, shown, status_code=422, text=text[:MESSAGE_LIMIT * 2],
                               error=outcome.value)
        return RedirectResponse(f"{INBOX}/{shown.ticket.id}?terkirim=1#balas", status_code=303)

    @router.post(f"{INBOX}/{{number}}/ambil")
    async def take(request: Request, number: str) -> Response:
        async with dashboard.call(request, need=Need.CHANGE, form=True) as call:
            shown = await _conversation(dashboard, request, call, number)
            await assign(call.session, call.visit.actor, shown.ticket.id, call.visit.actor.user_id,
                         now=dashboard.now())
        return RedirectResponse(f"{INBOX}/{shown.ticket.id}", status_code=303)

    @router.get(f"{INBOX}/{{number}}/tutup")
    async def close_form(request: Request, number: str) -> Response:
        async with dashboard.call(request, need=Need.CHANGE) as call:
            shown = await _conversation(dashboard, request, call, number)
            return dashboard.page(request, "inbox/close.html", call.visit, active="inbox", shown=shown,
                                  reasons=list(CloseReason), office=dashboard.office)

    @router.post(f"{INBOX}/{{number}}/tutup")
    async def close_ticket(request: Request, number: str) -> Response:
        async with dashboard.call(request, need=Need.CHANGE, form=True) as call:
            shown = await _conversation(dashboard, request, call, number)
            reason = call.form.get("reason", "")
            if reason not in {r.value for r in CloseReason}:
                return dashboard.page(request, "inbox/close.html", call.visit, status_code=422, active="inbox",
                                      shown=shown, reasons=list(CloseReason), office=dashboard.office,
                                      error="reason")
            await close(call.session, call.visit.actor, shown.ticket.id, CloseReason(reason), now=dashboard.now())
        return RedirectResponse(f"{INBOX}/{shown.ticket.id}", status_code=303)

    return router


def _thread(dashboard: Dashboard, request: Request, call: Call, shown: Conversation, status_code: int = 200,
            **context: object) -> Response:
    return dashboard.page(request, "inbox/thread.html", call.visit, status_code=status_code, active="inbox",
                          shown=shown, office=dashboard.office, limit=MESSAGE_LIMIT, form_id=form_id(),
                          sent="terkirim" in request.query_params, file_address=inbox_files.file_address,
                          **context)


async def _conversation(dashboard: Dashboard, request: Request, call: Call, number: str) -> Conversation:
    """The ticket the address names; anything else gets the "no such question" page."""
    shown = None
    if number.isascii() and number.isdigit() and len(number) < 10:
        shown = await conversation(call.session, call.visit.actor, int(number))
    if shown is None:
        raise Refused(dashboard.page(request, "inbox/missing.html", call.visit, status_code=404, active="inbox"))
    return shown
