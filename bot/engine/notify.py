"""Messages the bot starts on its own (a broadcast's progress for its author): in the recipient's language,
queued in the caller's transaction, returned for the caller to deliver after commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.delivery import Envelope
from bot.engine.i18n import Catalogs
from bot.engine.messages import Outgoing
from bot.engine.rendering import render_all
from models.outbox import enqueue
from models.users import get_user


async def queue_for_user(
    session: AsyncSession, catalogs: Catalogs, user_id: int, message: Outgoing, now: datetime
) -> list[Envelope]:
    user = await get_user(session, user_id)
    if user is None:
        return []  # the account is gone
    replies = render_all([message], catalogs.translator(user.locale))
    ids = await enqueue(session, channel=user.channel, address=user.external_id, user_id=user.id,
                        payloads=[reply.to_json() for reply in replies], now=now)
    return [Envelope(row_id, user.channel, user.external_id, reply) for row_id, reply in zip(ids, replies,
                                                                                              strict=True)]
