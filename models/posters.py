"""Posters and brochures: at most one stored file on an opening and one on a broadcast.

Link tables rather than columns: SQLite cannot add a foreign key to an existing table without copying it, and
an opening lives in one of two tables (trainings, apprenticeships), so it is named by its code ('t12'). A
link owns its file: replacing or removing the poster deletes the file, and the retention job leaves linked
files alone (`poster_file_ids`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ForeignKey, String, delete, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import Select

from models.base import Base
from models.files import StoredFile


class OpeningPoster(Base):
    __tablename__ = "opening_posters"

    opening_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="CASCADE"), index=True)


class BroadcastPoster(Base):
    __tablename__ = "broadcast_posters"

    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="CASCADE"), index=True)


@dataclass(frozen=True, slots=True)
class PosterInfo:
    """What pages and messages show of a poster without its bytes: its id, name, type and size."""

    file_id: int
    name: str
    media_type: str
    size: int

    @property
    def is_picture(self) -> bool:
        return self.media_type.startswith("image/")


async def _poster(session: AsyncSession, link: type[OpeningPoster | BroadcastPoster], where: Any) -> PosterInfo | None:
    query = (select(StoredFile.id, StoredFile.name, StoredFile.media_type, func.length(StoredFile.content))
             .join(link, link.file_id == StoredFile.id).where(where))
    row = (await session.execute(query)).first()
    return None if row is None else PosterInfo(*row)


async def opening_poster(session: AsyncSession, code: str) -> PosterInfo | None:
    return await _poster(session, OpeningPoster, OpeningPoster.opening_code == code)


async def broadcast_poster(session: AsyncSession, broadcast_id: int) -> PosterInfo | None:
    return await _poster(session, BroadcastPoster, BroadcastPoster.broadcast_id == broadcast_id)


async def set_opening_poster(session: AsyncSession, code: str, file_id: int | None) -> int | None:
    """Link `file_id` to the opening (None: unlink), deleting the file it had; returns that old file's id."""
    return await _relink(session, OpeningPoster(opening_code=code, file_id=file_id),
                         OpeningPoster.opening_code == code)


async def set_broadcast_poster(session: AsyncSession, broadcast_id: int, file_id: int | None) -> int | None:
    """Link `file_id` to the broadcast (None: unlink), deleting the file it had; returns that old file's id."""
    return await _relink(session, BroadcastPoster(broadcast_id=broadcast_id, file_id=file_id),
                         BroadcastPoster.broadcast_id == broadcast_id)


async def _relink(session: AsyncSession, link: OpeningPoster | BroadcastPoster, where: Any) -> int | None:
    kind = type(link)
    old = await session.scalar(select(kind.file_id).where(where))
    if old is not None:
        await session.execute(delete(kind).where(where))
        await session.execute(delete(StoredFile).where(StoredFile.id == old))
    if link.file_id is not None:
        session.add(link)
        await session.flush()
    return old


def poster_file_ids() -> Select[tuple[int]]:
    """Every stored file a poster link names: kept as long as its opening or broadcast keeps it."""
    return select(union(select(OpeningPoster.file_id), select(BroadcastPoster.file_id)).subquery().c[0])
