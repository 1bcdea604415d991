"""A turn of a conversation, written in one statement on PostgreSQL: the conversation's save and its one reply.

Every message ends by saving the conversation (guarded by its version, `models.conversations`) and queueing
the reply (`models.outbox`): two round trips. On PostgreSQL they are one statement, the reply's row inserted
from what the save returns, so a conversation changed meanwhile queues nothing and is reported as the save
alone would report it. Elsewhere (SQLite runs its statements in-process, where a round trip costs nothing;
several rows to queue) the two are written one after the other.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from models.base import table_of
from models.conversations import Conversation, record_written, save_conversation, saved_values
from models.db import dialect_name
from models.outbox import Addressed, OutboxMessage, enqueue_many, row_of
from models.prepared import Prepared, run


async def save_and_queue(
    session: AsyncSession, conversation: Conversation, messages: list[Addressed], now: datetime, due: datetime
) -> list[int]:
    """Save the conversation, then queue `messages` (due at `due`); their ids, in order."""
    if len(messages) != 1 or dialect_name(session) != "postgresql":
        await save_conversation(session, conversation, now)
        return await enqueue_many(session, messages, now, due=due)
    values = saved_values(conversation, now)
    parameters = {f"c_{key}": value for key, value in values.items()}
    parameters |= {f"o_{key}": value for key, value in row_of(messages[0], now, due).items()}
    parameters |= {"key_user_id": conversation.user_id, "key_version": conversation.version}
    ids = (await run(session, _SAVE_AND_QUEUE, parameters)).scalars()
    if not ids:
        raise StaleDataError(f"conversation of user {conversation.user_id} changed concurrently")
    record_written(session, conversation, values)
    return ids


_CONVERSATIONS, _OUTBOX = table_of(Conversation), table_of(OutboxMessage)
_SAVED_COLUMNS = ("flow", "step", "data", "prompt_seq", "version", "updated_at")
_QUEUED_COLUMNS = ("channel", "address", "user_id", "payload", "status", "attempts", "created_at", "next_attempt_at")
_SAVED = (
    update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.user_id == bindparam("key_user_id"), _CONVERSATIONS.c.version == bindparam("key_version"))
    .values({column: bindparam(f"c_{column}", type_=_CONVERSATIONS.c[column].type) for column in _SAVED_COLUMNS})
    .returning(_CONVERSATIONS.c.user_id)
    .cte("saved")
)
_SAVE_AND_QUEUE = Prepared(
    insert(_OUTBOX)
    .from_select(list(_QUEUED_COLUMNS),
                 select(*(bindparam(f"o_{column}", type_=_OUTBOX.c[column].type) for column in _QUEUED_COLUMNS))
                 .select_from(_SAVED))
    .returning(_OUTBOX.c.id)
    .add_cte(_SAVED)
)
"""WITH saved AS (UPDATE conversations ... RETURNING user_id) INSERT INTO outbox ... SELECT ... FROM saved."""
