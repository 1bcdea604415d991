"""Posters and brochures on openings and broadcasts: what staff may attach, and attaching and removing them.

A poster is a picture (JPEG, PNG or WebP) of at most `IMAGE_LIMIT` bytes: WhatsApp's limit for an image message,
which Telegram's photos also fit. A brochure is a PDF of at most `DOCUMENT_LIMIT` bytes: WhatsApp documents may be
100 MB, but every recipient downloads it over a phone's data plan and the office keeps it in its database, and a
few pages of brochure are far smaller. The type is read from the file's first bytes, never from its name; a WebP
picture is kept as JPEG or PNG (`documents.pictures`), which every channel shows as a picture.

A file is uploaded before the broadcast that carries it exists (the chat's step, the dashboard's form), so the
upload is audited to its uploader, and a broadcast takes only a file its author uploaded and nothing links yet:
a made-up id in a form cannot send somebody's data export to the whole audience.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import PurePath
from types import MappingProxyType

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.messages import Image, Msg, _
from documents.pictures import webp_as_jpeg_or_png
from models.applications import OpeningRef, get_opening
from models.audit import AuditEntry, audit
from models.broadcasts import BroadcastStatus, get_broadcast
from models.files import StoredFile, file_content, store_file
from models.posters import (
    PosterInfo,
    broadcast_poster,
    opening_poster,
    poster_file_ids,
    set_broadcast_poster,
    set_opening_poster,
)
from services.permissions import Actor, require_staff, require_viewer
from services.ticket_files import CheckedFile, FileProblem, safe_name

MEGABYTE = 1024 * 1024
IMAGE_LIMIT = 5 * MEGABYTE
DOCUMENT_LIMIT = 10 * MEGABYTE
PDF = "application/pdf"
WEBP = "image/webp"
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", PDF),
)
UPLOAD = "poster.upload"
FILE_SUBJECT = "stored_file"

REFUSALS: Mapping[FileProblem, Msg] = MappingProxyType({
    FileProblem.TOO_LARGE: _("That file is too large: a picture may have at most {image} MB, a PDF {document} "
                             "MB.").format(image=IMAGE_LIMIT // MEGABYTE, document=DOCUMENT_LIMIT // MEGABYTE),
    FileProblem.WRONG_TYPE: _("Please send a picture (JPG, PNG or WebP) or a PDF brochure; this file cannot be "
                              "attached."),
    FileProblem.EMPTY: _("The file is empty."),
})


def poster_type(content: bytes) -> str | None:
    """The media type the first bytes show, among the kinds a poster may be; None for anything else."""
    for signature, media_type in SIGNATURES:
        if content.startswith(signature):
            return media_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return WEBP
    return None


def check_poster(name: str, content: bytes) -> CheckedFile | FileProblem:
    """The file as kept, or why not: empty, not a picture or PDF, or larger than its kind may be."""
    if not content:
        return FileProblem.EMPTY
    media_type = poster_type(content)
    if media_type is None:
        return FileProblem.WRONG_TYPE
    if len(content) > (DOCUMENT_LIMIT if media_type == PDF else IMAGE_LIMIT):
        return FileProblem.TOO_LARGE
    kept_name = safe_name(name)
    if media_type == WEBP:
        converted = webp_as_jpeg_or_png(content)
        if converted is None:
            return FileProblem.WRONG_TYPE
        content, media_type = converted
        if len(content) > IMAGE_LIMIT:
            return FileProblem.TOO_LARGE
        kept_name = f"{PurePath(kept_name).stem or 'poster'}{'.png' if media_type == 'image/png' else '.jpg'}"
    return CheckedFile(kept_name, media_type, content)


def image_of(poster: PosterInfo) -> Image:
    """The poster as a message's file (its bytes loaded by the sender)."""
    return Image(poster.file_id, poster.name, poster.media_type)


async def opening_poster_image(session: AsyncSession, ref: OpeningRef) -> Image | None:
    """What the opening's details show first, for anyone browsing."""
    poster = await opening_poster(session, ref.code)
    return None if poster is None else image_of(poster)


async def broadcast_poster_image(session: AsyncSession, broadcast_id: int) -> Image | None:
    """The broadcast's poster with its bytes, for the sending job: read once for a batch of recipients."""
    poster = await broadcast_poster(session, broadcast_id)
    if poster is None:
        return None
    content = await file_content(session, poster.file_id)
    return None if content is None else Image(poster.file_id, poster.name, poster.media_type, content)


async def poster_of_opening(session: AsyncSession, actor: Actor, ref: OpeningRef) -> PosterInfo | None:
    require_viewer(actor)
    return await opening_poster(session, ref.code)


async def poster_of_broadcast(session: AsyncSession, actor: Actor, broadcast_id: int) -> PosterInfo | None:
    require_viewer(actor)
    return await broadcast_poster(session, broadcast_id)


async def poster_file(session: AsyncSession, actor: Actor, poster: PosterInfo | None) -> StoredFile | None:
    """The stored file of a poster the actor found through one of the two functions above (a download)."""
    require_viewer(actor)
    return None if poster is None else await session.get(StoredFile, poster.file_id)


async def attach_to_opening(session: AsyncSession, actor: Actor, ref: OpeningRef, file: CheckedFile, *,
                            now: datetime) -> PosterInfo | None:
    """Keep `file` as the opening's poster, in place of the one it had; None when there is no such opening."""
    require_staff(actor)
    if await get_opening(session, ref) is None:
        return None
    before = await opening_poster(session, ref.code)
    file_id = await store_file(session, name=file.name, media_type=file.media_type, content=file.content, now=now)
    await set_opening_poster(session, ref.code, file_id)
    audit(session, at=now, actor_id=actor.user_id, action="opening.poster", subject_kind=ref.kind.value,
          subject_id=ref.id, detail={"origin": actor.origin, "before": _recorded(before),
                                     "after": {"name": file.name, "media_type": file.media_type}})
    return PosterInfo(file_id, file.name, file.media_type, len(file.content))


async def remove_from_opening(session: AsyncSession, actor: Actor, ref: OpeningRef, *, now: datetime) -> bool:
    """Remove the opening's poster (and its file); False when it had none."""
    require_staff(actor)
    before = await opening_poster(session, ref.code)
    if before is None:
        return False
    await set_opening_poster(session, ref.code, None)
    audit(session, at=now, actor_id=actor.user_id, action="opening.poster_remove", subject_kind=ref.kind.value,
          subject_id=ref.id, detail={"origin": actor.origin, "before": _recorded(before), "after": None})
    return True


async def upload_for_broadcast(session: AsyncSession, actor: Actor, file: CheckedFile, *, now: datetime) -> int:
    """Keep a poster for a broadcast not yet written (a step of the chat or the form); its id, which only this
    actor's broadcast can take (`link_to_broadcast`). One never sent is forgotten by the retention job."""
    require_staff(actor)
    file_id = await store_file(session, name=file.name, media_type=file.media_type, content=file.content, now=now)
    audit(session, at=now, actor_id=actor.user_id, action=UPLOAD, subject_kind=FILE_SUBJECT, subject_id=file_id,
          detail={"origin": actor.origin, "name": file.name, "media_type": file.media_type})
    await session.flush()  # sessions do not flush on their own: the same request's preview looks for this row
    return file_id


async def uploaded_poster(session: AsyncSession, actor: Actor, file_id: int) -> PosterInfo | None:
    """The poster `file_id` names if this actor uploaded it and nothing links it yet; None otherwise."""
    uploaded = select(AuditEntry.id).where(AuditEntry.action == UPLOAD, AuditEntry.subject_kind == FILE_SUBJECT,
                                           AuditEntry.subject_id == file_id)
    uploaded = uploaded.where(AuditEntry.actor_id.is_(None) if actor.user_id is None
                              else AuditEntry.actor_id == actor.user_id)
    query = (select(StoredFile.id, StoredFile.name, StoredFile.media_type, func.length(StoredFile.content))
             .where(StoredFile.id == file_id, uploaded.exists(), StoredFile.id.not_in(poster_file_ids())))
    row = (await session.execute(query)).first()
    return None if row is None else PosterInfo(*row)


async def link_to_broadcast(session: AsyncSession, actor: Actor, broadcast_id: int, file_id: int) -> bool:
    """Make an uploaded poster the broadcast's; False when the actor may not use that file."""
    require_staff(actor)
    if await uploaded_poster(session, actor, file_id) is None:
        return False
    await set_broadcast_poster(session, broadcast_id, file_id)
    return True


async def attach_to_broadcast(session: AsyncSession, actor: Actor, broadcast_id: int, file: CheckedFile, *,
                              now: datetime) -> bool:
    """Give a scheduled broadcast a poster (in place of the one it had); False when there is no such broadcast or
    it has started: half its recipients would have had it without."""
    require_staff(actor)
    broadcast = await get_broadcast(session, broadcast_id, for_update=True)
    if broadcast is None or broadcast.status != BroadcastStatus.SCHEDULED:
        return False
    before = await broadcast_poster(session, broadcast_id)
    file_id = await store_file(session, name=file.name, media_type=file.media_type, content=file.content, now=now)
    await set_broadcast_poster(session, broadcast_id, file_id)
    audit(session, at=now, actor_id=actor.user_id, action="broadcast.poster", subject_kind="broadcast",
          subject_id=broadcast_id, detail={"origin": actor.origin, "before": _recorded(before),
                                           "after": {"name": file.name, "media_type": file.media_type}})
    return True


async def remove_from_broadcast(session: AsyncSession, actor: Actor, broadcast_id: int, *, now: datetime) -> bool:
    """Remove a broadcast's poster: those not yet sent get the text alone. False when it had none."""
    require_staff(actor)
    before = await broadcast_poster(session, broadcast_id)
    if before is None:
        return False
    await set_broadcast_poster(session, broadcast_id, None)
    audit(session, at=now, actor_id=actor.user_id, action="broadcast.poster_remove", subject_kind="broadcast",
          subject_id=broadcast_id, detail={"origin": actor.origin, "before": _recorded(before), "after": None})
    return True


def _recorded(poster: PosterInfo | None) -> dict[str, str] | None:
    return None if poster is None else {"name": poster.name, "media_type": poster.media_type}
