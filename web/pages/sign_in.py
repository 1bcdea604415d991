"""Signing in with a link, and out of one session or all of them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.sign_in import SIGN_IN_PATH, sign_in, sign_out
from web.access import SESSION_COOKIE, BodyTooLarge, client_of, form_of
from web.dashboard import HOME, Dashboard


def routes(dashboard: Dashboard) -> APIRouter:
    router = APIRouter()

    @router.get(f"{SIGN_IN_PATH}/{{token}}")
    async def confirm_sign_in(request: Request, token: str) -> Response:
        """The link only shows a button: chat apps open links to preview them, which must not spend them."""
        return dashboard.page(request, "sign_in.html", None, token=token)

    @router.post(f"{SIGN_IN_PATH}/{{token}}")
    async def do_sign_in(request: Request, token: str) -> Response:
        try:
            await form_of(request)
        except BodyTooLarge:
            return dashboard.page(request, "refused.html", None, status_code=413)
        async with dashboard.transaction() as session:
            signed = await sign_in(session, token, dashboard.now(), client_of(request))
        if signed is None:
            return dashboard.page(request, "link_refused.html", None, status_code=403)
        response = RedirectResponse(HOME, status_code=303)
        response.set_cookie(SESSION_COOKIE, signed.cookie_token, httponly=True, samesite="lax",
                            secure=dashboard.config.secure_cookies, path="/")
        return response

    @router.post("/keluar")
    async def do_sign_out(request: Request) -> Response:
        async with dashboard.call(request, form=True) as call:
            await sign_out(call.session, call.visit, dashboard.now(), everywhere=call.form.get("everywhere") == "1")
        response = dashboard.page(request, "signed_out.html", None)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return router
