"""Files the bot sends (the placement chart), kept in the database and named by id where they are used.

An outbox row names its picture by id rather than carrying it: the channels look up recent payloads on every
button press, and those reads should not drag tens of kilobytes of image along. Being in the database, the
picture is there for whichever worker sends the row, after a restart too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class StoredFile(Base):
    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


async def store_file(session: AsyncSession, *, name: str, media_type: str, content: bytes, now: datetime) -> int:
    """Keep a file to send; returns its id, for the message that carries it."""
    result = await session.execute(
        insert(StoredFile)
        .values(name=name, media_type=media_type, content=content, created_at=now)
        .returning(StoredFile.id)
    )
    return result.scalar_one()


async def file_content(session: AsyncSession, file_id: int) -> bytes | None:
    """The bytes of a stored file, or None when it is gone."""
    content: bytes | None = await session.scalar(select(StoredFile.content).where(StoredFile.id == file_id))
    return content


async def delete_file(session: AsyncSession, file_id: int) -> None:
    """Forget a file that must not be kept once sent (a person's data export)."""
    await session.execute(delete(StoredFile).where(StoredFile.id == file_id))
