"""Where each user is in a conversation: the flow, the step, and the answers given so far.

State lives here and nowhere else, so a restart or a second worker picks up exactly where the user was.
The `version` column is an optimistic lock: two writers of the same conversation cannot both win. `data` is
plain JSON; whoever changes it marks it modified (the dispatcher does, once per message).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from models.base import Base, JsonDocument
from models.prepared import Prepared, run


class Conversation(Base):
    """One row per user. `flow` and `step` are None when the user is at the main menu."""

    __tablename__ = "conversations"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    flow: Mapped[str | None] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    prompt_seq: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime]

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def snapshot(self) -> tuple[str | None, str | None, dict[str, Any]]:
        """What the conversation holds, for comparing before and after a message (tests, audits)."""
        return self.flow, self.step, _deep_copy(dict(self.data))


_UPDATE = update(Conversation).where(
    Conversation.user_id == bindparam("key_user_id"), Conversation.version == bindparam("key_version")
)
_SAVE = Prepared(_UPDATE, ("flow", "step", "data", "prompt_seq", "version", "updated_at"))


async def save_conversation(session: AsyncSession, conversation: Conversation, now: datetime) -> None:
    """Write the conversation as it is now, once per message, guarded by its version.

    One prepared UPDATE (`models.prepared`) instead of the ORM's unit of work, which cost more than the statement
    on this path (bench/dialog.py). The values are then recorded as committed and the object leaves the session, so the
    commit's flush skips it.
    Raises `StaleDataError`, as the ORM would, when another writer changed the row in between.
    """
    values = saved_values(conversation, now)
    result = await run(
        session, _SAVE, {**values, "key_user_id": conversation.user_id, "key_version": conversation.version}
    )
    if result.rowcount != 1:
        raise StaleDataError(f"conversation of user {conversation.user_id} changed concurrently")
    record_written(session, conversation, values)


async def save_conversations(session: AsyncSession, conversations: Sequence[Conversation], now: datetime) -> None:
    """`save_conversation` for many at once (a job acting for a batch of users): one executemany.

    Where the driver cannot count the rows of an executemany (asyncpg), the version guard still holds (a
    changed row is simply not written) but the conflict goes unreported: callers hold every user's lock, so
    none can happen.
    """
    if not conversations:
        return
    rows = [saved_values(conversation, now) for conversation in conversations]
    connection = await session.connection()
    result = await connection.execute(
        _UPDATE, [{**values, "key_user_id": c.user_id, "key_version": c.version}
                  for c, values in zip(conversations, rows, strict=True)]
    )
    counted = len(conversations) == 1 or connection.dialect.supports_sane_multi_rowcount
    if counted and result.rowcount != len(conversations):
        raise StaleDataError("a conversation changed concurrently")
    for conversation, values in zip(conversations, rows, strict=True):
        record_written(session, conversation, values)


def record_written(session: AsyncSession, conversation: Conversation, values: dict[str, Any]) -> None:
    """Record the saved values as committed and take the object out of the session, so the commit's flush
    finds nothing to do for it."""
    for key, value in values.items():
        set_committed_value(conversation, key, value)
    session.expunge(conversation)


def saved_values(conversation: Conversation, now: datetime) -> dict[str, Any]:
    return {
        "flow": conversation.flow,
        "step": conversation.step,
        "data": conversation.data if conversation.data is not None else {},
        "prompt_seq": conversation.prompt_seq,
        "version": conversation.version + 1,
        "updated_at": now,
    }


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value
