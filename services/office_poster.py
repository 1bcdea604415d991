"""The office's poster, for the command line (`python -m bot poster`) and the dashboard alike: the office's own
poster, or one opening's, as PDF and PNG in the reader's language.

Any of the office's people may make one (it shows nothing that is not public). Drawing takes a fifth of a
second of pure Python (`documents.poster_drawing`), so the dashboard draws in a thread once its transaction
has closed.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from documents.chat_links import ChatLinks
from documents.poster import Poster, Render, opening_facts, poster
from models.applications import OpeningRef, get_opening
from models.regions import Office
from services.permissions import Actor, require_viewer


class NoSuchOpening(LookupError):
    """The code names no opening (a typo, or one deleted since)."""


async def poster_of(session: AsyncSession, actor: Actor, office: Office, links: ChatLinks, render: Render, *,
                    opening: OpeningRef | None = None) -> Poster:
    """The poster's words: the office's, or `opening`'s with links carrying its code. Raises `NoSuchOpening`,
    and `documents.poster.NoChatLinks` when the bot has neither a WhatsApp number nor a Telegram username."""
    require_viewer(actor)
    if opening is None:
        return poster(office, links, render)
    found = await get_opening(session, opening)
    if found is None:
        raise NoSuchOpening(opening.code)
    return poster(office, links, render, opening_facts(found, opening.code, office))

