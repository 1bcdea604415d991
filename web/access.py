"""Who is asking: the session cookie, the CSRF token of every form, the reader's language, and body limits.

A form's body is refused before it is read when it is larger than the form could honestly be; a POST whose
CSRF token is not the session's changes nothing.
"""

from __future__ import annotations

import hmac

from fastapi import Request
from starlette.datastructures import UploadFile

from bot.engine.i18n import SUPPORTED_LOCALES
from services.sign_in import Visit

SESSION_COOKIE = "sk_session"
LANGUAGE_COOKIE = "sk_lang"
MAX_FORM_BYTES = 64 * 1024
CSRF_FIELD = "csrf_token"


class BodyTooLarge(Exception):
    """A request body over its limit (or of unknown length): refused before reading it."""


def ensure_small_body(request: Request, limit: int = MAX_FORM_BYTES) -> None:
    length = request.headers.get("content-length")
    if length is None or not length.isdigit() or int(length) > limit:
        raise BodyTooLarge(length or "unknown")


async def form_of(request: Request, limit: int = MAX_FORM_BYTES) -> dict[str, str]:
    """The text fields of a small urlencoded or multipart form (files are not taken here)."""
    ensure_small_body(request, limit)
    form = await request.form(max_files=0, max_fields=200)
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def upload_of(request: Request, limit: int) -> tuple[dict[str, str], UploadFile | None]:
    """A multipart form with one file of at most `limit` bytes: refused unread when the body could hold more.
    The file's bytes are not read here, so its name can be checked first."""
    ensure_small_body(request, limit + MAX_FORM_BYTES)
    form = await request.form(max_files=1, max_fields=20)
    files = [value for value in form.values() if isinstance(value, UploadFile)]
    return {key: value for key, value in form.items() if isinstance(value, str)}, (files[0] if files else None)


def fits(request: Request, limit: int) -> bool:
    """The body says it is no larger than `limit` (a missing or false length is found out by `ensure_small_body`)."""
    length = request.headers.get("content-length", "")
    return not length.isdigit() or int(length) <= limit


def csrf_ok(visit: Visit, form: dict[str, str]) -> bool:
    return hmac.compare_digest(form.get(CSRF_FIELD, ""), visit.session.csrf_token)


def reader_locale(request: Request, visit: Visit | None, default: str) -> str:
    """`?lang=` first (the language switch), then the language cookie, then the staff member's chat language."""
    for wanted in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if wanted in SUPPORTED_LOCALES:
            return wanted
    if visit is not None and visit.user.locale in SUPPORTED_LOCALES:
        return visit.user.locale
    return default


def client_of(request: Request) -> str:
    return request.client.host if request.client is not None else ""
