"""The Messages pages (`/dasbor/pesan`): job seekers' questions to the office, open ones the longest waiting first,
with the count waiting and the longest wait kept fresh by htmx (a plain reload without JavaScript); one
conversation with its whole thread and, beside it, the asker's applications and the bot's latest messages to them;
the reply form (a canned answer can be put in it: by htmx at once, or by a plain GET that shows the page again with
it), taking it on or giving it to another staff member, and closing it with a reason after confirming.
Viewers read; staff and admins answer, assign and close (`services.tickets`)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.engine.messages import Msg
from documents.labels import OPENING_KIND, STATUS_FOR_STAFF
from models.tickets import MESSAGE_LIMIT, CloseReason, InboxTab
from services.canned_answers import canned_text, list_canned
from services.inbox import Conversation, asker_context, assignable_staff, conversation, inbox
from services.question_report import how_long
from services.ticket_files import FileProblem
from services.tickets import Outcome, assign, close, reply
from web.dashboard import HOME, Call, Dashboard, Need, Refused
from web.listing import chosen, page_number
from web.pages import inbox_files
from web.pages.opening_edits import form_id

INBOX = f"{HOME}/pesan"
CANNED_PARAM = "jawaban"
"""The query parameter naming a canned answer to put in the reply form."""
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
            return await _thread(dashboard, request, call, shown,
                                 text=await _with_canned(request.query_params.get(CANNED_PARAM, ""), "", call))

    @router.post(f"{INBOX}/{{number}}/isian")
    async def answer_box(request: Request, number: str) -> Response:
        """The answer's text box with the chosen canned answer added to what was typed (htmx swaps it in). A POST,
        so that the typed answer stays out of addresses and access logs."""
        async with dashboard.call(request, need=Need.CHANGE, form=True) as call:
            await _conversation(dashboard, request, call, number)
            text = await _with_canned(call.form.get(CANNED_PARAM, ""), call.form.get("text", ""), call)
            return dashboard.page(request, "inbox/_answer.html", call.visit, limit=MESSAGE_LIMIT, text=text)

    @router.post(f"{INBOX}/{{number}}/balas")
    async def answer(request: Request, number: str) -> Response:
        if not inbox_files.body_fits(request):
            async with dashboard.call(request, need=Need.CHANGE) as call:
                shown = await _conversation(dashboard, request, call, number)
                return await _thread(dashboard, request, call, shown, status_code=413,
                               file_error=inbox_files.refusal(FileProblem.TOO_LARGE))
        async with dashboard.call(request, need=Need.CHANGE, upload=inbox_files.UPLOAD_LIMIT) as call:
            shown = await _conversation(dashboard, request, call, number)
            text = call.form.get("text", "")
            file = await inbox_files.attached(call)
            if isinstance(file, FileProblem):
                return await _thread(dashboard, request, call, shown, status_code=413 if file is FileProblem.TOO_LARGE
                               else 422, text=text[:MESSAGE_LIMIT * 2],
                               file_error=inbox_files.refusal(file))
            outcome = await reply(call.session, call.visit.actor, shown.ticket.id, text, now=dashboard.now(),
                                  office=dashboard.office, notices=call.notices, form=form_id(call.form), file=file)
            if outcome not in (Outcome.DONE, Outcome.HELD):
                return await _thread(dashboard, request, call, shown, status_code=422,
                                     text=text[:MESSAGE_LIMIT * 2], error=outcome.value)
        return RedirectResponse(f"{INBOX}/{shown.ticket.id}?terkirim=1#balas", status_code=303)

    @router.post(f"{INBOX}/{{number}}/ambil")
    async def take(request: Request, number: str) -> Response:
        async with dashboard.call(request, need=Need.CHANGE, form=True) as call:
            shown = await _conversation(dashboard, request, call, number)
            await assign(call.session, call.visit.actor, shown.ticket.id, call.visit.actor.user_id,
                         now=dashboard.now())
        return RedirectResponse(f"{INBOX}/{shown.ticket.id}", status_code=303)

    @router.post(f"{INBOX}/{{number}}/tetapkan")
    async def give(request: Request, number: str) -> Response:
        """Give the question to the staff member chosen ("nobody": to no one); any other id changes nothing."""
        async with dashboard.call(request, need=Need.CHANGE, form=True) as call:
            shown = await _conversation(dashboard, request, call, number)
            chosen_id = call.form.get("assignee", "")
            outcome = Outcome.NOT_STAFF
            if chosen_id == "" or (chosen_id.isascii() and chosen_id.isdigit() and len(chosen_id) < 10):
                outcome = await assign(call.session, call.visit.actor, shown.ticket.id,
                                       int(chosen_id) if chosen_id else None, now=dashboard.now())
            if outcome is not Outcome.DONE:
                return await _thread(dashboard, request, call, shown, status_code=422, assign_error=True)
        return RedirectResponse(f"{INBOX}/{shown.ticket.id}?ditetapkan=1", status_code=303)

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


async def _thread(dashboard: Dashboard, request: Request, call: Call, shown: Conversation, status_code: int = 200,
                  **context: object) -> Response:
    actor = call.visit.actor
    return dashboard.page(request, "inbox/thread.html", call.visit, status_code=status_code, active="inbox",
                          shown=shown, office=dashboard.office, limit=MESSAGE_LIMIT, form_id=form_id(),
                          sent="terkirim" in request.query_params, assigned="ditetapkan" in request.query_params,
                          about=await asker_context(call.session, actor, shown),
                          staff=await assignable_staff(call.session, actor) if actor.is_staff else [],
                          canned=await list_canned(call.session, actor) if actor.is_staff else [],
                          canned_param=CANNED_PARAM, statuses=STATUS_FOR_STAFF, kinds=OPENING_KIND,
                          file_address=inbox_files.file_address, **context)


async def _with_canned(chosen_id: str, typed: str, call: Call) -> str:
    """What was typed followed by the canned answer `chosen_id` names, if there is one."""
    typed = typed[:MESSAGE_LIMIT * 2]
    if not (chosen_id.isascii() and chosen_id.isdigit() and len(chosen_id) < 10):
        return typed
    text = await canned_text(call.session, call.visit.actor, int(chosen_id))
    if text is None:
        return typed
    return f"{typed.rstrip()}\n\n{text}" if typed.strip() else text


async def _conversation(dashboard: Dashboard, request: Request, call: Call, number: str) -> Conversation:
    """The ticket the address names; anything else gets the "no such question" page."""
    shown = None
    if number.isascii() and number.isdigit() and len(number) < 10:
        shown = await conversation(call.session, call.visit.actor, int(number))
    if shown is None:
        raise Refused(dashboard.page(request, "inbox/missing.html", call.visit, status_code=404, active="inbox"))
    return shown
