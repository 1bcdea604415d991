"""Where each user is in a conversation: the flow, the step, and the answers given so far.

State lives here and nowhere else, so a restart or a second worker picks up exactly where the user was.
The `version` column is an optimistic lock: two writers of the same conversation cannot both win. `data` is
plain JSON; whoever changes it marks it modified (the dispatcher does, once per message).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JsonDocument


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


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value
