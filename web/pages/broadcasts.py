"""The Broadcasts pages (`/dasbor/siaran`): every broadcast with its state and progress, one broadcast with its
progress live while it goes out and why its messages failed, cancelling one after a confirmation, and the
messages of the last days that did not arrive. Viewers read; staff and admins also cancel (and write new ones,
`web.pages.broadcast_compose`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.engine.messages import one_line
from handlers.broadcasts.audience import describe
from handlers.broadcasts.delivery_problems import WINDOW_DAYS, shown
from handlers.broadcasts.progress import STATUS, figures_line
from models.audiences import Audience
from services.broadcasts import BroadcastLine, broadcast_for_staff, cancel, list_broadcasts, undelivered
from services.posters import poster_of_broadcast
from web.dashboard import Call, Dashboard, Need, Refused
from web.listing import page_number
from web.pages.broadcast_compose import BROADCASTS
from web.pages.whatsapp_number import broadcast_waiting, number_words

PAGE_SIZE = 20
SHOWN_TEXT = 80
UNDELIVERED = f"{BROADCASTS}/tak-terkirim"
POLL_SECONDS = 3
"""How often an open broadcast's page asks for its figures while they still move."""
WORDS: dict[str, Any] = {"states": STATUS, "figures_line": figures_line, "one_line": one_line, "shown_reason": shown,
         "shown_text": SHOWN_TEXT, "poll_seconds": POLL_SECONDS}
"""What the templates use to word a broadcast: the chat's own words for its state and figures."""


def routes(dashboard: Dashboard) -> APIRouter:
    router = APIRouter()

    @router.get(BROADCASTS)
    async def broadcasts_list(request: Request) -> Response:
        async with dashboard.call(request) as call:
            page = await list_broadcasts(call.session, call.visit.actor, page_number(request), PAGE_SIZE)
            return dashboard.page(request, "broadcasts/list.html", call.visit, active="broadcasts", page=page,
                                  office=dashboard.office, page_address=lambda number: _page(BROADCASTS, number),
                                  **WORDS, **await number_words(dashboard, call))

    @router.get(UNDELIVERED)
    async def undelivered_messages(request: Request) -> Response:
        async with dashboard.call(request) as call:
            since = dashboard.now() - timedelta(days=WINDOW_DAYS)
            found = await undelivered(call.session, call.visit.actor, since, page_number(request), PAGE_SIZE)
            return dashboard.page(request, "broadcasts/undelivered.html", call.visit, active="broadcasts",
                                  found=found, days=WINDOW_DAYS, office=dashboard.office,
                                  channels=dashboard.runtime.services.channel_titles,
                                  page_address=lambda number: _page(UNDELIVERED, number), **WORDS)

    @router.get(f"{BROADCASTS}/{{number}}")
    async def broadcast_page(request: Request, number: str) -> Response:
        async with dashboard.call(request) as call:
            line = await _broadcast(dashboard, request, call, number)
            audience = describe(dashboard.office, Audience.from_json(line.broadcast.audience))
            poster = await poster_of_broadcast(call.session, call.visit.actor, line.broadcast.id)
            return dashboard.page(request, "broadcasts/broadcast.html", call.visit, active="broadcasts", line=line,
                                  audience=audience, office=dashboard.office, poster=poster, **WORDS,
                                  **await number_words(dashboard, call),
                                  waiting=await broadcast_waiting(dashboard, call, line.broadcast))

    @router.get(f"{BROADCASTS}/{{number}}/kemajuan")
    async def progress(request: Request, number: str) -> Response:
        async with dashboard.call(request) as call:
            line = await _broadcast(dashboard, request, call, number)
            return dashboard.page(request, "broadcasts/_progress.html", call.visit, line=line, **WORDS,
                                  waiting=await broadcast_waiting(dashboard, call, line.broadcast))

    @router.get(f"{BROADCASTS}/{{number}}/batalkan")
    async def cancel_form(request: Request, number: str) -> Response:
        async with dashboard.call(request, need=Need.CHANGE) as call:
            line = await _broadcast(dashboard, request, call, number)
            return dashboard.page(request, "broadcasts/cancel.html", call.visit, active="broadcasts", line=line,
                                  **WORDS)

    @router.post(f"{BROADCASTS}/{{number}}/batalkan")
    async def cancel_broadcast(request: Request, number: str) -> Response:
        async with dashboard.call(request, need=Need.CHANGE, form=True) as call:
            line = await _broadcast(dashboard, request, call, number)
            done = await cancel(call.session, call.visit.actor, line.broadcast.id, now=dashboard.now())
        outcome = "dibatalkan" if done is not None else "selesai"
        return RedirectResponse(f"{BROADCASTS}/{line.broadcast.id}?{outcome}=1", status_code=303)

    return router


def _page(path: str, number: int) -> str:
    return f"{path}?halaman={number + 1}"


async def _broadcast(dashboard: Dashboard, request: Request, call: Call, number: str) -> BroadcastLine:
    """The broadcast the address names; anything else gets the "no such broadcast" page."""
    line = None
    if number.isascii() and number.isdigit() and len(number) < 10:
        line = await broadcast_for_staff(call.session, call.visit.actor, int(number))
    if line is None:
        raise Refused(dashboard.page(request, "broadcasts/missing.html", call.visit, status_code=404,
                                     active="broadcasts"))
    return line
