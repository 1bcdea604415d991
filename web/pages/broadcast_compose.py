"""Writing a broadcast (`/dasbor/siaran/baru`), staff and admins only: the message and its audience with the
live count, the preview as each language's readers will see it, send now or at a moment, a confirmation, and
the broadcast created through `services.broadcasts.send_broadcast` as the chat's `/broadcast` creates it.

One form walks through the steps: each POST carries every field (hidden once typed) and says in `action` what
it asks for, so nothing is kept between requests and the browser's Back button loses nothing. Registered
before `web.pages.broadcasts`, whose `/dasbor/siaran/{id}` would otherwise take `baru` and `jumlah`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.engine.messages import Msg, parse_id
from documents.labels import LANGUAGE_NAMES
from handlers.broadcasts.audience import FILTER_NAMES, GROUPS, describe
from handlers.broadcasts.message import SeenMessage, as_seen
from models.audiences import Group
from models.broadcasts import text_in
from services.broadcast_form import (
    FIELDS,
    FILTER_LABELS,
    LATER,
    NOW,
    Composed,
    FieldErrors,
    compose,
    counted,
    form_values,
    send_moment,
)
from services.broadcasts import MAX_TEXT, send_broadcast
from services.posters import REFUSALS, image_of, upload_for_broadcast, uploaded_poster
from services.ticket_files import FileProblem
from web.access import fits
from web.dashboard import Call, Dashboard, Need
from web.listing import kecamatan_names
from web.pages import posters
from web.pages.opening_edits import form_id
from web.pages.whatsapp_number import audience_pacing, number_words

BROADCASTS = "/dasbor/siaran"
COMPOSE = f"{BROADCASTS}/baru"
COUNT = f"{BROADCASTS}/jumlah"
STEPS = ("count", "edit", "preview", "confirm", "send")
"""What a POST of the form asks for: the count (without JavaScript), back to the form, the preview, the
confirmation, the sending."""


def routes(dashboard: Dashboard) -> APIRouter:
    router = APIRouter()

    @router.get(COMPOSE)
    async def new_form(request: Request) -> Response:
        async with dashboard.call(request, need=Need.CHANGE) as call:
            values = form_values({"group": Group.EVERYONE, "when": NOW})
            return await compose_page(dashboard, request, call, values)

    @router.get(COUNT)
    async def count(request: Request) -> Response:
        async with dashboard.call(request, need=Need.CHANGE) as call:
            size = await counted(call.session, call.visit.actor, form_values(request.query_params), dashboard.office)
            return dashboard.page(request, "broadcasts/_count.html", call.visit, size=size)

    @router.post(COMPOSE)
    async def step(request: Request) -> Response:
        if not fits(request, posters.BODY_LIMIT):  # refused unread: what was typed is lost with it
            async with dashboard.call(request, need=Need.CHANGE) as call:
                return await compose_page(dashboard, request, call, form_values({}), status_code=413,
                                          errors={"poster": posters.too_large()})
        async with dashboard.call(request, need=Need.CHANGE, upload=posters.UPLOAD_LIMIT) as call:
            values = form_values(call.form)
            if (refused := await _take_poster(dashboard, call, values)) is not None:
                return await compose_page(dashboard, request, call, values, errors={"poster": refused},
                                          status_code=422)
            action = call.form.get("action", "")
            if action not in ("preview", "confirm", "send"):
                return await compose_page(dashboard, request, call, values)
            composed = await compose(call.session, call.visit.actor, values, dashboard.office)
            if isinstance(composed, dict):
                return await compose_page(dashboard, request, call, values, errors=composed, status_code=422)
            now = dashboard.now()
            moment = send_moment(values, dashboard.office, now, passed_ok=action == "send")
            pacing = await audience_pacing(dashboard, call, composed.draft.audience,
                                           moment if isinstance(moment, datetime) else now)
            if action == "preview" or isinstance(moment, dict):
                errors = moment if isinstance(moment, dict) and action != "preview" else {}
                return preview_page(dashboard, request, call, values, composed=composed, errors=errors,
                                    pacing=pacing, **await number_words(dashboard, call))
            if action == "confirm":
                return dashboard.page(request, "broadcasts/confirm.html", call.visit, active="broadcasts",
                                      **_carried(call, values), composed=composed, pacing=pacing,
                                      moment=dashboard.office.local_time(moment) if moment else None)
            broadcast = await send_broadcast(call.session, call.visit.actor, replace(composed.draft, send_at=moment),
                                             now=now, form=form_id(call.form))
        return RedirectResponse(f"{BROADCASTS}/{broadcast.id}?baru=1", status_code=303)

    return router


async def _take_poster(dashboard: Dashboard, call: Call, values: dict[str, str]) -> Msg | None:
    """Keep the file chosen in the form as the broadcast's poster (its id then carried from step to step), or
    forget the one carried when staff remove it; why a file was refused, if it was."""
    if call.form.get("poster_remove") == "1":
        values["poster"] = ""
    checked = await posters.uploaded(call)
    if isinstance(checked, FileProblem):
        return REFUSALS[checked]
    if checked is not None:
        values["poster"] = str(await upload_for_broadcast(call.session, call.visit.actor, checked,
                                                          now=dashboard.now()))
    return None


def _carried(call: Call, values: Mapping[str, str]) -> dict[str, Any]:
    """What every step's form carries on: the fields, and the one-time id that makes sending it twice harmless."""
    return {"values": values, "fields": FIELDS, "form_id": form_id(call.form)}


async def compose_page(dashboard: Dashboard, request: Request, call: Call, values: Mapping[str, str], *,
                       errors: FieldErrors | None = None, status_code: int = 200) -> Response:
    """The form, with what was typed, the problems beside their fields, and the audience's count."""
    size = await counted(call.session, call.visit.actor, values, dashboard.office)
    file_id = parse_id(values.get("poster", ""))
    poster = await uploaded_poster(call.session, call.visit.actor, file_id) if file_id is not None else None
    return dashboard.page(request, "broadcasts/compose.html", call.visit, status_code=status_code,
                          active="broadcasts", **_carried(call, values), errors=errors or {}, size=size,
                          limit=MAX_TEXT, groups=GROUPS, filter_names=FILTER_NAMES, filter_labels=FILTER_LABELS,
                          kecamatan_names=kecamatan_names(dashboard.office), poster=poster,
                          poster_address=posters.upload_address)


def preview_page(dashboard: Dashboard, request: Request, call: Call, values: Mapping[str, str], *,
                 composed: Composed, errors: FieldErrors, **more: Any) -> Response:
    """The message as each language's readers will see it, how many read it in each, and when to send it."""
    draft = composed.draft
    poster = image_of(composed.poster) if composed.poster is not None else None
    seen: list[tuple[str, str, int, SeenMessage]] = []
    for locale in sorted(dashboard.runtime.catalogs.locales, key=lambda code: (code != "id", code)):
        render = dashboard.runtime.catalogs.translator(locale).render
        text = text_in(locale, draft.text_id, draft.text_en)
        seen.append((locale, LANGUAGE_NAMES.get(locale, locale), composed.size.by_locale.get(locale, 0),
                     as_seen(render, text, draft.opening_code, dashboard.office.name, poster)))
    zone = dashboard.office.local_time(dashboard.now()).strftime("%Z")
    return dashboard.page(request, "broadcasts/preview.html", call.visit, status_code=422 if errors else 200,
                          active="broadcasts", **_carried(call, values), errors=errors, composed=composed,
                          seen=seen, zone=zone, now_choice=NOW, later_choice=LATER,
                          audience=describe(dashboard.office, draft.audience), poster=composed.poster,
                          poster_address=posters.upload_address, **more)
