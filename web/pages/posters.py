"""Posters and brochures on the dashboard: an opening's poster (attach, replace, remove after a confirmation,
download), a broadcast's (download, remove while it has not gone out), and a file uploaded for a broadcast still
being written (its preview's thumbnail). Every check and change is `services.posters`'.

A download is an attachment of the type its bytes were checked to be, with `nosniff` (as `web.pages.inbox_files`
serves a question's files); a thumbnail's `<img>` loads the same address and ignores the attachment header. An
upload's size is judged from the request's length before its body is read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.messages import Msg, _
from models.applications import OpeningRef
from models.posters import PosterInfo
from services.permissions import Actor
from services.posters import (
    DOCUMENT_LIMIT,
    REFUSALS,
    attach_to_opening,
    check_poster,
    poster_file,
    poster_of_broadcast,
    poster_of_opening,
    remove_from_broadcast,
    remove_from_opening,
    uploaded_poster,
)
from services.ticket_files import CheckedFile, FileProblem
from web.access import MAX_FORM_BYTES, fits
from web.dashboard import HOME, Call, Dashboard, Need, Refused
from web.pages.inbox_files import checked_upload, content_disposition
from web.pages.openings import OPENINGS, missing, opening_named, opening_ref

BROADCASTS = f"{HOME}/siaran"
UPLOAD_LIMIT = DOCUMENT_LIMIT
"""The largest file a poster form takes: a PDF's limit (a picture's, smaller, is the service's to check)."""
BODY_LIMIT = UPLOAD_LIMIT + MAX_FORM_BYTES
POSTER_FIELD = "poster_file"


def opening_poster_address(code: str) -> str:
    return f"{OPENINGS}/{code}/poster"


def broadcast_poster_address(broadcast_id: int) -> str:
    return f"{BROADCASTS}/{broadcast_id}/poster"


def upload_address(file_id: int) -> str:
    """A poster uploaded for a broadcast still being written: only its uploader can load it."""
    return f"{BROADCASTS}/unggahan/{file_id}"


def too_large() -> Msg:
    return REFUSALS[FileProblem.TOO_LARGE]


async def uploaded(call: Call) -> CheckedFile | FileProblem | None:
    """The form's file checked as a poster; None when no file was chosen (an empty file input)."""
    return await checked_upload(call, UPLOAD_LIMIT, check_poster)


def _number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def routes(dashboard: Dashboard) -> APIRouter:
    router = APIRouter()

    async def download(call: Call, poster: PosterInfo | None, request: Request) -> Response:
        stored = await poster_file(call.session, call.visit.actor, poster)
        if stored is None:
            raise Refused(dashboard.page(request, "not_found.html", call.visit, status_code=404))
        return Response(stored.content, media_type=stored.media_type, headers={
            "content-disposition": content_disposition(stored.name),
            "x-content-type-options": "nosniff",
            "cache-control": "private, no-store",
        })

    @router.get(f"{OPENINGS}/{{code}}/poster")
    async def opening_file(request: Request, code: str) -> Response:
        async with dashboard.call(request) as call:
            ref = opening_ref(dashboard, request, call, code)
            return await download(call, await poster_of_opening(call.session, call.visit.actor, ref), request)

    @router.post(f"{OPENINGS}/{{code}}/poster")
    async def attach(request: Request, code: str) -> Response:
        if not fits(request, BODY_LIMIT):
            async with dashboard.call(request, need=Need.CHANGE) as call:
                return await poster_form(dashboard, request, call, code, too_large(), status_code=413)
        async with dashboard.call(request, need=Need.CHANGE, upload=UPLOAD_LIMIT) as call:
            checked = await uploaded(call)
            if not isinstance(checked, CheckedFile):
                problem = REFUSALS[checked] if checked is not None else _("Please choose the picture or PDF.")
                return await poster_form(dashboard, request, call, code, problem, status_code=422)
            ref = opening_ref(dashboard, request, call, code)
            if await attach_to_opening(call.session, call.visit.actor, ref, checked, now=dashboard.now()) is None:
                raise missing(dashboard, request, call)
        return RedirectResponse(f"{OPENINGS}/{ref.code}?diubah=1", status_code=303)

    @router.get(f"{OPENINGS}/{{code}}/poster/hapus")
    async def confirm_opening_removal(request: Request, code: str) -> Response:
        async with dashboard.call(request, need=Need.CHANGE) as call:
            ref, opening = await opening_named(dashboard, request, call, code)
            poster = await poster_of_opening(call.session, call.visit.actor, ref)
            return dashboard.page(request, "posters/remove.html", call.visit, active="openings", poster=poster,
                                  action=f"{opening_poster_address(ref.code)}/hapus",
                                  back=f"{OPENINGS}/{ref.code}")

    @router.post(f"{OPENINGS}/{{code}}/poster/hapus")
    async def remove_opening_poster(request: Request, code: str) -> Response:
        async with dashboard.call(request, need=Need.CHANGE, form=True) as call:
            ref = opening_ref(dashboard, request, call, code)
            await remove_from_opening(call.session, call.visit.actor, ref, now=dashboard.now())
        return RedirectResponse(f"{OPENINGS}/{ref.code}?diubah=1", status_code=303)

    def file_route(path: str, find: Callable[[AsyncSession, Actor, int], Awaitable[PosterInfo | None]],
                   need: Need) -> None:
        """A download of the poster `find` gives for the number in the address (a broadcast's, an upload's)."""

        async def serve(request: Request, number: str) -> Response:
            async with dashboard.call(request, need=need) as call:
                found = _number(number)
                return await download(call, await find(call.session, call.visit.actor, found) if found else None,
                                      request)

        router.add_api_route(path, serve, methods=["GET"])

    file_route(f"{BROADCASTS}/{{number}}/poster", poster_of_broadcast, Need.VIEW)
    file_route(f"{BROADCASTS}/unggahan/{{number}}", uploaded_poster, Need.CHANGE)

    @router.get(f"{BROADCASTS}/{{number}}/poster/hapus")
    async def confirm_broadcast_removal(request: Request, number: str) -> Response:
        async with dashboard.call(request, need=Need.CHANGE) as call:
            found = _number(number)
            poster = await poster_of_broadcast(call.session, call.visit.actor, found) if found else None
            return dashboard.page(request, "posters/remove.html", call.visit, active="broadcasts", poster=poster,
                                  action=f"{BROADCASTS}/{found}/poster/hapus", back=f"{BROADCASTS}/{found}",
                                  broadcast=True)

    @router.post(f"{BROADCASTS}/{{number}}/poster/hapus")
    async def remove_broadcast_poster(request: Request, number: str) -> Response:
        async with dashboard.call(request, need=Need.CHANGE, form=True) as call:
            found = _number(number)
            if found is not None:
                await remove_from_broadcast(call.session, call.visit.actor, found, now=dashboard.now())
        return RedirectResponse(f"{BROADCASTS}/{found or ''}", status_code=303)

    return router


async def poster_form(dashboard: Dashboard, request: Request, call: Call, code: str, problem: Msg, *,
                      status_code: int) -> Response:
    """The opening's poster form again, with why the file was refused beside it."""
    ref, opening = await opening_named(dashboard, request, call, code)
    poster = await poster_of_opening(call.session, call.visit.actor, ref)
    return dashboard.page(request, "posters/opening.html", call.visit, status_code=status_code, active="openings",
                          ref=ref, opening=opening, poster=poster, poster_errors={POSTER_FIELD: problem})


async def opening_poster_context(call: Call, ref: OpeningRef) -> dict[str, object]:
    """What the opening's page and its edit form show of its poster."""
    return {"poster": await poster_of_opening(call.session, call.visit.actor, ref), "poster_errors": {}}
