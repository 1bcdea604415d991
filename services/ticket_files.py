"""Files in questions to staff: a photo or document a user sends with a message, or staff attach to an answer.

Only what people send about work is kept: photos (JPEG, PNG: what WhatsApp shows as pictures), PDF and Word
documents, at most
`FILE_LIMIT` bytes. The type is read from the file's first bytes, not only from the name or the type the sender's
app declared, so a file named `cv.pdf` that is something else is refused; the dashboard serves files as downloads
of that checked type only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import PurePath

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.messages import MAX_DOCUMENT_BYTES, Image
from models.files import store_file

FILE_LIMIT = MAX_DOCUMENT_BYTES
"""The largest file kept, in bytes: what the channels fetch at most (2 MB), enough for a phone's photo or a CV."""
NAME_LIMIT = 120

SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/msword", ".doc"),
)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class FileProblem(StrEnum):
    TOO_LARGE = "too_large"
    WRONG_TYPE = "wrong_type"
    EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """A file fit to keep: a safe name, the media type its bytes show, and the bytes."""

    name: str
    media_type: str
    content: bytes


def media_type_of(name: str, content: bytes) -> str | None:
    """The media type the bytes show, among the kinds kept; None for anything else. A ZIP container counts as a
    Word document only when its name says .docx."""
    for signature, media_type, _suffix in SIGNATURES:
        if content.startswith(signature):
            return media_type
    if content.startswith(b"PK\x03\x04") and name.lower().endswith(".docx"):
        return DOCX
    return None


def safe_name(name: str) -> str:
    """The file's own name without any folder, control characters or quotes, at most `NAME_LIMIT` characters."""
    kept = "".join(c for c in PurePath(name.replace("\\", "/")).name if c.isprintable() and c not in "\"'")
    return kept.strip()[:NAME_LIMIT] or "file"


def check_file(name: str, content: bytes) -> CheckedFile | FileProblem:
    """The file as kept, or why it is not: too large, empty or not a kind kept."""
    if len(content) > FILE_LIMIT:
        return FileProblem.TOO_LARGE
    if not content:
        return FileProblem.EMPTY
    media_type = media_type_of(name, content)
    if media_type is None:
        return FileProblem.WRONG_TYPE
    return CheckedFile(safe_name(name), media_type, content)


async def keep_file(session: AsyncSession, file: CheckedFile, *, now: datetime) -> Image:
    """Store the checked file; the `Image` that sends it (as a picture or a document) names it by id."""
    file_id = await store_file(session, name=file.name, media_type=file.media_type, content=file.content, now=now)
    return Image(file_id, file.name, file.media_type, file.content)
