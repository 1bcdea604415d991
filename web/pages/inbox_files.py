"""Files in the Messages pages: staff download what a user sent (or what staff attached) with a question, and
attach a file to an answer.

A download is always an attachment of the type its bytes were checked to be (`services.ticket_files`), with
`nosniff`, so a file is never opened by the browser as a page of the dashboard. Thumbnails in the thread load the
same address into an `<img>`, which ignores the attachment header.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.engine.messages import Msg, _
from services.inbox import ticket_file
from services.ticket_files import FILE_LIMIT, CheckedFile, FileProblem, check_file
from web.access import MAX_FORM_BYTES, fits
from web.dashboard import HOME, Call, Dashboard, Need, Refused

UPLOAD_LIMIT = FILE_LIMIT
"""The largest file staff may attach to an answer: what the users' own files may be, and what both channels send."""
BODY_LIMIT = UPLOAD_LIMIT + MAX_FORM_BYTES


def file_address(ticket_id: int, file_id: int) -> str:
    return f"{HOME}/pesan/{ticket_id}/berkas/{file_id}"


def body_fits(request: Request) -> bool:
    """The answer form's body says it is small enough: an oversized file is refused before it is read."""
    return fits(request, BODY_LIMIT)


def refusal(problem: FileProblem) -> Msg:
    if problem is FileProblem.TOO_LARGE:
        return _("That file is too large: at most {megabytes} MB.").format(megabytes=UPLOAD_LIMIT // (1024 * 1024))
    return _("Please attach a photo (JPG or PNG), a PDF or a Word document.")


async def attached(call: Call) -> CheckedFile | FileProblem | None:
    """The file attached to the answer, checked; None when none was chosen (an empty file input)."""
    return await checked_upload(call, UPLOAD_LIMIT, check_file)


async def checked_upload(call: Call, limit: int, check: Callable[[str, bytes], CheckedFile | FileProblem]
                         ) -> CheckedFile | FileProblem | None:
    """The form's file as `check` finds it, reading at most one byte over `limit`; None when none was chosen."""
    upload = call.upload
    if upload is None or not upload.filename:
        return None
    if upload.size is not None and upload.size > limit:
        return FileProblem.TOO_LARGE
    return check(upload.filename, await upload.read(limit + 1))


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback name and the real one (RFC 6266/5987), for names in any script."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name) or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def routes(dashboard: Dashboard) -> APIRouter:
    router = APIRouter()

    @router.get(f"{HOME}/pesan/{{number}}/berkas/{{file_number}}")
    async def download(request: Request, number: str, file_number: str) -> Response:
        async with dashboard.call(request, need=Need.CHANGE) as call:
            stored = None
            if all(part.isascii() and part.isdigit() and len(part) < 10 for part in (number, file_number)):
                stored = await ticket_file(call.session, call.visit.actor, int(number), int(file_number))
            if stored is None:
                raise Refused(dashboard.page(request, "inbox/missing.html", call.visit, status_code=404,
                                             active="inbox"))
            return Response(stored.content, media_type=stored.media_type, headers={
                "content-disposition": content_disposition(stored.name),
                "x-content-type-options": "nosniff",
                "cache-control": "private, no-store",
            })

    return router
