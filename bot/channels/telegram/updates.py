"""Telegram updates turned into the channel-neutral `Incoming`, or into nothing.

Only private chats are conversations: the bot is not a group member's registration desk, so group and channel
posts are ignored rather than answered in front of everyone. Edited messages are ignored too (the first
version was already answered); stickers, voice notes and the like get the router's polite answer. A document or a
photo is a DOCUMENT whose caption is its text; the adapter fetches its bytes (`document_to_fetch`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from aiogram.types import CallbackQuery, Message, Update

from bot.channels.registry import TELEGRAM as CHANNEL
from bot.engine.messages import Incoming, IncomingKind

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
"""What the bot asks Telegram for (getUpdates and setWebhook); anything else that still arrives is ignored."""
BLOCKED = "kicked"
"""The bot's own status in a private chat after the user blocked it (`my_chat_member` update)."""
PHOTO_TYPE = "image/jpeg"
"""Telegram re-encodes every photo sent as a photo (not as a file) as JPEG."""


def incoming_from_update(update: Update) -> Incoming | None:
    """The `Incoming` for a private message or a button press; None for what the bot does not answer."""
    event_id = str(update.update_id)
    if update.message is not None:
        return _from_message(update.message, event_id)
    if update.callback_query is not None:
        return _from_callback(update.callback_query, event_id)
    return None


def _from_message(message: Message, event_id: str) -> Incoming | None:
    if message.chat.type != "private" or message.from_user is None or message.from_user.is_bot:
        return None
    base = Incoming(
        channel=CHANNEL,
        external_id=str(message.chat.id),
        event_id=event_id,
        locale_hint=_locale(message.from_user.language_code),
        received_at=message.date,
    )
    if message.text is not None:
        return replace(base, text=message.text)
    if message.contact is not None and message.contact.user_id == message.from_user.id:
        return replace(base, kind=IncomingKind.CONTACT, contact_phone=message.contact.phone_number)
    if message.document is not None or message.photo:  # fetched by the adapter before it is handled
        return replace(base, kind=IncomingKind.DOCUMENT, text=message.caption or "")
    return replace(base, kind=IncomingKind.UNSUPPORTED)


@dataclass(frozen=True, slots=True)
class FileToFetch:
    """A file sent in a private chat, for the adapter to download: Telegram's id for it, a name, its media type
    (as the sender's app declared it) and its size when Telegram says."""

    file_id: str
    name: str
    media_type: str
    size: int | None


def document_to_fetch(update: Update) -> FileToFetch | None:
    """The document, or the largest size of the photo, sent in a private chat."""
    message = update.message
    if message is None or message.chat.type != "private":
        return None
    if (document := message.document) is not None:
        return FileToFetch(document.file_id, document.file_name or "file", document.mime_type or "",
                           document.file_size)
    if message.photo:  # every size Telegram made of it, the largest last
        photo = message.photo[-1]
        return FileToFetch(photo.file_id, f"photo-{message.message_id}.jpg", PHOTO_TYPE, photo.file_size)
    return None


def _from_callback(query: CallbackQuery, event_id: str) -> Incoming | None:
    message = query.message
    if message is None or message.chat.type != "private" or query.data is None:
        return None
    return Incoming(
        channel=CHANNEL,
        external_id=str(message.chat.id),
        kind=IncomingKind.OPTION,
        option=query.data,
        event_id=event_id,
        locale_hint=_locale(query.from_user.language_code),
        source_message=str(message.message_id),
    )


def _locale(language_code: str | None) -> str | None:
    """Telegram's interface language ('en', 'en-GB', 'id') as a first guess for a new user's language."""
    if not language_code:
        return None
    return language_code.split("-", 1)[0].lower()


def blocked_change(update: Update) -> tuple[str, bool] | None:
    """`(chat, blocked)` when a user blocked the bot (True) or unblocked it (False) in a private chat: Telegram
    says so at once, so proactive messages stop (or resume) before a send is refused."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return None
    return str(change.chat.id), change.new_chat_member.status == BLOCKED
