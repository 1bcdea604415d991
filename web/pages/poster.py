"""The Poster page: the office's poster (or one opening's) to print or post, its PNG as a preview, both files to
download, and the click-to-chat links as text for staff to paste into social media. Every office role may."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.engine.i18n import SUPPORTED_LOCALES
from documents.poster import NO_CHAT_LINKS, NoChatLinks, Poster
from documents.poster_drawing import pdf, png
from models.applications import OpeningRef
from services.office_poster import NoSuchOpening, poster_of
from web.access import reader_locale
from web.dashboard import HOME, Call, Dashboard
from web.pages.openings import missing

POSTER = f"{HOME}/poster"
FILES = {"pdf": ("application/pdf", pdf), "png": ("image/png", png)}


def routes(dashboard: Dashboard) -> APIRouter:
    router = APIRouter()

    @router.get(POSTER)
    async def poster_page(request: Request) -> Response:
        async with dashboard.call(request) as call:
            ref, language = _asked(dashboard, request, call)
            links = dashboard.runtime.services.chat_links
            code = ref.code if ref else None
            try:
                words = await _words(dashboard, request, call, ref, language)
            except NoChatLinks:
                words = None
            query = f"?bahasa={language}" + (f"&kode={code}" if code else "")
            return dashboard.page(request, "poster.html", call.visit, active="poster", poster=words, ref=ref,
                                  language=language, query=query, no_links=NO_CHAT_LINKS,
                                  stem=f"poster-{code + '-' if code else ''}{language}",
                                  whatsapp=links.whatsapp_for(code), telegram=links.telegram_for(code),
                                  register_text=links.register_text(code), languages=SUPPORTED_LOCALES)

    @router.get(f"{POSTER}/poster.{{kind}}")
    async def poster_file(request: Request, kind: str) -> Response:
        if kind not in FILES:
            return Response(status_code=404)
        async with dashboard.call(request) as call:
            ref, language = _asked(dashboard, request, call)
            try:
                words = await _words(dashboard, request, call, ref, language)
            except NoChatLinks:
                return Response(status_code=404)
        media_type, draw = FILES[kind]
        content = await asyncio.to_thread(draw, words)  # a fifth of a second of drawing, off the event loop
        return Response(content, media_type=media_type, headers={"Cache-Control": "private, max-age=60"})

    return router


def _asked(dashboard: Dashboard, request: Request, call: Call) -> tuple[OpeningRef | None, str]:
    """The opening (`?kode=t12`, none: the office's poster) and the poster's language (`?bahasa=`, else the
    page's); a code that names no opening gets the "does not exist" page."""
    code = request.query_params.get("kode", "").strip()
    ref = OpeningRef.from_code(code) if code and len(code) <= 12 else None
    if code and ref is None:
        raise missing(dashboard, request, call)
    language = request.query_params.get("bahasa", "")
    if language not in SUPPORTED_LOCALES:
        language = reader_locale(request, call.visit, dashboard.runtime.catalogs.default)
    return ref, language


async def _words(dashboard: Dashboard, request: Request, call: Call, ref: OpeningRef | None,
                 language: str) -> Poster:
    services = dashboard.runtime.services
    try:
        return await poster_of(call.session, call.visit.actor, services.office, services.chat_links,
                               dashboard.runtime.catalogs.translator(language).render, opening=ref)
    except NoSuchOpening:
        raise missing(dashboard, request, call) from None
