"""Builders for realistic Telegram Update objects fed to the bot by the fake Bot API server.

Tests need updates that look like Telegram's (ids, chats, entities) without hand-writing JSON; message ids
share one counter per chat with the messages the fake "sends", just as in a real private chat.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

JsonDict = dict[str, Any]


class UpdateFactory:
    """Builds Update dicts; ``update_id``s and per-chat ``message_id``s are allocated here."""

    def __init__(self, bot_id: int, bot_username: str, bot_first_name: str) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int | str, int] = {}
        self._callback_ids = itertools.count(1)
        self._users: dict[int, JsonDict] = {}

    # -- ids and small objects ---------------------------------------------------------------------

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def next_message_id(self, chat_id: int | str) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def bot_user(self) -> JsonDict:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_first_name,
                "username": self.bot_username}

    def user(self, user_id: int, *, first_name: str = "Budi", language_code: str | None = "id") -> JsonDict:
        """A human user; remembered so private chats with them carry the same first name."""
        user: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        self._users[user_id] = user
        return user

    def chat(self, chat_id: int | str) -> JsonDict:
        """The Chat object for an id: positive = private, -100… = supergroup, other negative = group."""
        if isinstance(chat_id, str):
            username = chat_id.lstrip("@")
            return {"id": -1_000_000_000_000 - sum(map(ord, username)), "type": "channel", "title": username,
                    "username": username}
        if chat_id > 0:
            first_name = self._users.get(chat_id, {}).get("first_name", "Budi")
            return {"id": chat_id, "type": "private", "first_name": first_name}
        kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
        return {"id": chat_id, "type": kind, "title": "Grup Alumni BLK"}

    def message(self, chat_id: int | str, sender: JsonDict, **content: Any) -> JsonDict:
        """A Message in ``chat_id`` from ``sender`` with a fresh message_id (overridable via content)."""
        message: JsonDict = {
            "message_id": content.pop("message_id", None) or self.next_message_id(chat_id),
            "from": sender,
            "date": int(time.time()),
            "chat": self.chat(chat_id),
        }
        message.update(content)
        return message

    def _update(self, **payload: Any) -> JsonDict:
        return {"update_id": self.next_update_id(), **payload}

    @staticmethod
    def _text_content(text: str) -> JsonDict:
        content: JsonDict = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            length = len(command.encode("utf-16-le")) // 2  # entity offsets count UTF-16 code units
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return content

    # -- updates -----------------------------------------------------------------------------------

    def text_update(
        self, user_id: int, text: str, *, first_name: str = "Budi", language_code: str | None = "id"
    ) -> JsonDict:
        """A private text message; a leading /command gets its bot_command entity like on Telegram."""
        sender = self.user(user_id, first_name=first_name, language_code=language_code)
        return self._update(message=self.message(user_id, sender, **self._text_content(text)))

    def callback_update(
        self, user_id: int, data: str, *, message_id: int | None = None, message_text: str = "Pilih menu:",
        first_name: str = "Budi", language_code: str | None = "id",
    ) -> JsonDict:
        """A button press on a bot message in the private chat (``message_id`` defaults to a fresh one)."""
        sender = self.user(user_id, first_name=first_name, language_code=language_code)
        bot_message = self.message(user_id, self.bot_user(), message_id=message_id, text=message_text)
        query = {
            "id": str(next(self._callback_ids) + user_id * 1000),
            "from": sender,
            "message": bot_message,
            "chat_instance": f"ci-{user_id}",
            "data": data,
        }
        return self._update(callback_query=query)

    def contact_update(
        self, user_id: int, phone_number: str, *, first_name: str = "Budi", own: bool = True
    ) -> JsonDict:
        """A shared contact; ``own`` ones carry the sender's user_id, as from a request_contact button."""
        sender = self.user(user_id, first_name=first_name)
        contact: JsonDict = {"phone_number": phone_number, "first_name": first_name}
        if own:
            contact["user_id"] = user_id
        return self._update(message=self.message(user_id, sender, contact=contact))

    def photo_update(self, user_id: int, *, caption: str | None = None) -> JsonDict:
        sender = self.user(user_id)
        sizes = [
            {"file_id": f"AgAD-photo-{user_id}-{side}", "file_unique_id": f"ph{user_id}{side}",
             "width": side, "height": side, "file_size": side * 40}
            for side in (90, 320, 800)
        ]
        content: JsonDict = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return self._update(message=self.message(user_id, sender, **content))

    def document_update(self, user_id: int, file_id: str, file_name: str, file_size: int) -> JsonDict:
        """A file sent as a document (a spreadsheet, say)."""
        sender = self.user(user_id)
        document = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_name": file_name,
                    "file_size": file_size}
        return self._update(message=self.message(user_id, sender, document=document))

    def sticker_update(self, user_id: int, *, emoji: str = "👍") -> JsonDict:
        sender = self.user(user_id)
        sticker = {
            "file_id": f"CAAD-sticker-{user_id}", "file_unique_id": f"st{user_id}", "type": "regular",
            "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": emoji,
        }
        return self._update(message=self.message(user_id, sender, sticker=sticker))

    def edited_message_update(self, user_id: int, text: str, *, message_id: int = 1) -> JsonDict:
        """An edit of an earlier user message; bots often forget this update type exists."""
        sender = self.user(user_id)
        edited = self.message(user_id, sender, message_id=message_id, text=text, edit_date=int(time.time()))
        return self._update(edited_message=edited)

    def group_message_update(
        self, user_id: int, text: str, *, chat_id: int = -1_001_234_567_890, first_name: str = "Budi"
    ) -> JsonDict:
        """A text message in a group/supergroup the bot was added to."""
        sender = self.user(user_id, first_name=first_name)
        return self._update(message=self.message(chat_id, sender, **self._text_content(text)))
