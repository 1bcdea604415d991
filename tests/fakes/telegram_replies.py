"""Realistic results for Bot API methods answered by the fake Telegram server.

aiogram parses every result into its models, so replies must look like Telegram's (Message objects with
ids, chats and dates; ``true`` for setters); edits are checked against what the fake previously "sent".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tests.fakes.telegram_markup import parse_entities
from tests.fakes.telegram_spec import UploadedFile
from tests.fakes.telegram_updates import JsonDict

if TYPE_CHECKING:
    from tests.fakes.telegram_server import FakeTelegram

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


class ApiError(Exception):
    """An error answer (status + description); ``violation`` is also recorded as a violation when set."""

    def __init__(self, status: int, description: str, violation: str | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.violation = violation


def _file_ids(seed: str) -> tuple[str, str]:
    digest = hashlib.sha1(seed.encode(), usedforsecurity=False).hexdigest()
    return f"BQACAgIAAxk{digest[:24]}", f"AgAD{digest[24:34]}"


MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDES = 10_000
MAX_PHOTO_RATIO = 20
_IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"GIF87a", b"GIF89a")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def check_uploaded_photo(photo: UploadedFile) -> None:
    """sendPhoto's rules for an uploaded photo (see the method's description in the spec): an image of at most
    10 MB whose width and height add up to at most 10000 and whose sides differ by at most 20 times. A PNG's
    size is read from its header; anything else that is not a JPEG or GIF is not an image Telegram can read."""
    data = photo.data
    if len(data) > MAX_PHOTO_BYTES:
        raise ApiError(400, "Bad Request: PHOTO_TOO_BIG",
                       violation=f"sendPhoto: the photo is {len(data)} bytes, limit is {MAX_PHOTO_BYTES}")
    if data.startswith(_PNG_SIGNATURE) and data[12:16] == b"IHDR":
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        if not width or not height or width + height > MAX_PHOTO_SIDES or \
                max(width, height) > MAX_PHOTO_RATIO * min(width, height):
            raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS",
                           violation=f"sendPhoto: a {width}x{height} photo has dimensions Telegram refuses")
    elif not data.startswith(_IMAGE_SIGNATURES):
        raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED",
                       violation=f"sendPhoto: {photo.filename!r} is not a PNG, JPEG or GIF image")


class Replies:
    """Builds method results and keeps the little state they need (messages, commands, uploads)."""

    def __init__(self, tg: FakeTelegram) -> None:
        self.tg = tg
        self.stubs: dict[str, Any | Callable[[dict[str, Any]], Any]] = {}
        self.messages: dict[tuple[str, int], JsonDict] = {}
        self.commands: dict[str, list[JsonDict]] = {}
        self.uploads: dict[str, UploadedFile] = {}

    def answer(self, method: str, params: dict[str, Any]) -> Any:
        """The ``result`` for an accepted call; raises ApiError for Telegram-level refusals."""
        if method in self.stubs:
            stub = self.stubs[method]
            result = stub(params) if callable(stub) else stub
            if problems := self.tg.spec.check_result(method, result):
                raise ApiError(500, "Internal Server Error: bad stub result",
                               violation=f"stub for {method} returned an invalid result: " + "; ".join(problems))
            return result
        handler = getattr(self, f"_{method}", None)
        if handler is not None:
            return handler(params)
        returns = self.tg.spec.methods[method].returns
        if "Message" in returns and "chat_id" in params:
            return self._send(params)
        if returns == ("Boolean",):
            return True
        raise ApiError(
            400, f"Bad Request: the fake does not implement {method}",
            violation=f"{method}: not implemented by FakeTelegram; use tg.stub({method!r}, result)",
        )

    # -- messages ----------------------------------------------------------------------------------

    def _send(self, params: dict[str, Any], **content: Any) -> JsonDict:
        chat_id = params["chat_id"]
        for key in ("caption", "text"):
            if isinstance(params.get(key), str) and key not in content:
                mode = params.get("parse_mode") or None
                content[key] = parse_entities(params[key], mode).text
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            content["reply_markup"] = markup
        message = self.tg.message(chat_id, self.tg.bot_user(), **content)
        self.messages[(str(chat_id), message["message_id"])] = message
        return message

    def _sendMessage(self, params: dict[str, Any]) -> JsonDict:
        return self._send(params)

    def _sendDocument(self, params: dict[str, Any]) -> JsonDict:
        document = params["document"]
        if isinstance(document, UploadedFile):
            file_id, unique_id = _file_ids(f"{document.filename}:{len(self.uploads)}")
            self.uploads[file_id] = document
            info = {"file_name": document.filename, "mime_type": document.content_type,
                    "file_size": len(document.data)}
        else:
            file_id, unique_id = document, _file_ids(document)[1]
            info = {}
        return self._send(params, document={"file_id": file_id, "file_unique_id": unique_id, **info})

    def _sendPhoto(self, params: dict[str, Any]) -> JsonDict:
        file_id, unique_id = _file_ids(f"photo:{len(self.messages)}")
        photo = params["photo"]
        if isinstance(photo, UploadedFile):
            check_uploaded_photo(photo)
            self.uploads[file_id] = photo
        sizes = [{"file_id": f"{file_id}{side}", "file_unique_id": f"{unique_id}{side}", "width": side,
                  "height": side} for side in (90, 320, 800)]
        return self._send(params, photo=sizes)

    def _sendMediaGroup(self, params: dict[str, Any]) -> list[JsonDict]:
        group_id = str(10_000_000 + len(self.messages))
        album: list[JsonDict] = []
        for item in params["media"]:
            file_id, unique_id = _file_ids(f"album:{group_id}:{len(album)}")
            media: JsonDict = {"file_id": file_id, "file_unique_id": unique_id}
            if item["type"] == "photo":
                content: JsonDict = {"photo": [{**media, "width": 800, "height": 800}]}
            else:
                content = {"document": media}
            if "caption" in item:
                content["caption"] = parse_entities(item["caption"], item.get("parse_mode") or None).text
            album.append(self._send({"chat_id": params["chat_id"]}, media_group_id=group_id, **content))
        return album

    def _copyMessage(self, params: dict[str, Any]) -> JsonDict:
        return {"message_id": self.tg.next_message_id(params["chat_id"])}

    def _sendContact(self, params: dict[str, Any]) -> JsonDict:
        contact = {k: params[k] for k in ("phone_number", "first_name", "last_name", "vcard") if k in params}
        return self._send(params, contact=contact)

    def _sendLocation(self, params: dict[str, Any]) -> JsonDict:
        return self._send(params, location={"latitude": params["latitude"], "longitude": params["longitude"]})

    def _edit(self, params: dict[str, Any], **changes: Any) -> JsonDict | bool:
        if "inline_message_id" in params:
            return True
        key = (str(params["chat_id"]), params["message_id"])
        old = self.messages.get(key)
        new = dict(old) if old else self.tg.message(params["chat_id"], self.tg.bot_user(),
                                                    message_id=params["message_id"])
        new.update(changes)
        new.pop("reply_markup", None)
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            new["reply_markup"] = markup
        if old is not None and all(old.get(k) == new.get(k) for k in ("text", "caption", "reply_markup")):
            raise ApiError(400, NOT_MODIFIED)
        new["edit_date"] = new["date"] + 1
        self.messages[key] = new
        return new

    def _editMessageText(self, params: dict[str, Any]) -> JsonDict | bool:
        return self._edit(params, text=parse_entities(params["text"], params.get("parse_mode") or None).text)

    def _editMessageCaption(self, params: dict[str, Any]) -> JsonDict | bool:
        caption = parse_entities(params.get("caption", ""), params.get("parse_mode") or None).text
        return self._edit(params, caption=caption)

    def _editMessageReplyMarkup(self, params: dict[str, Any]) -> JsonDict | bool:
        return self._edit(params)

    def _deleteMessage(self, params: dict[str, Any]) -> bool:
        self.messages.pop((str(params["chat_id"]), params["message_id"]), None)
        return True

    # -- bot and webhook ---------------------------------------------------------------------------

    def _getMe(self, params: dict[str, Any]) -> JsonDict:
        return {**self.tg.bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}

    @staticmethod
    def _scope_key(params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code", "")], sort_keys=True)

    def _setMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands[self._scope_key(params)] = params["commands"]
        return True

    def _deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    def _getMyCommands(self, params: dict[str, Any]) -> list[JsonDict]:
        return self.commands.get(self._scope_key(params), [])

    def _setWebhook(self, params: dict[str, Any]) -> bool:
        self.tg.webhook = dict(params)
        if params.get("drop_pending_updates"):
            self.tg.drop_pending_updates()
        return True

    def _deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.tg.webhook = None
        if params.get("drop_pending_updates"):
            self.tg.drop_pending_updates()
        return True

    def _getWebhookInfo(self, params: dict[str, Any]) -> JsonDict:
        webhook = self.tg.webhook or {}
        info: JsonDict = {
            "url": webhook.get("url", ""),
            "has_custom_certificate": "certificate" in webhook,
            "pending_update_count": self.tg.pending_update_count,
        }
        optional = ("ip_address", "max_connections", "allowed_updates")
        info.update({key: webhook[key] for key in optional if key in webhook})
        return info
