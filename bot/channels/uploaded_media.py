"""Ids the platforms give a file once it is uploaded, so a broadcast's poster is uploaded once, not per recipient.

WhatsApp keeps an uploaded file for 30 days and any number of messages may name it by its media id (`MediaIds`:
recipients sending at once wait for the same upload); Telegram answers a sent photo or document with a file id
that later messages may send instead of the bytes (`KnownFileIds`). The ids are remembered in the channel (one
upload per worker process, at most `REMEMBERED` files), keyed by the stored file and a fingerprint of its bytes:
SQLite may give a deleted file's id to the next file stored, and that file must not go out as the old picture.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.engine.messages import Image

REUSE = timedelta(days=29)
"""A day short of WhatsApp's 30, so an id is never used in its last hours."""
REMEMBERED = 64
SAMPLE = 16 * 1024


def fingerprint(image: Image) -> tuple[int, str, str, str]:
    """The file's id, name, type and a digest of its length and first and last `SAMPLE` bytes: cheap for every
    recipient of a 5 MB poster, and different for another file that took the same id."""
    data = memoryview(image.data)
    digest = hashlib.blake2b(len(data).to_bytes(8, "big"), digest_size=16)
    digest.update(data[:SAMPLE])
    digest.update(data[-SAMPLE:])
    return image.file_id, image.name, image.media_type, digest.hexdigest()


class KnownFileIds:
    """The platform's id of each file sent lately, the least recently used forgotten first."""

    def __init__(self) -> None:
        self._known: OrderedDict[tuple[int, str, str, str], str] = OrderedDict()
        self._first_sends: dict[tuple[int, str, str, str], asyncio.Lock] = {}

    def first_send(self, image: Image) -> asyncio.Lock:
        """Held while the file is uploaded: whoever sends it meanwhile waits, then sends it by its id."""
        if len(self._first_sends) > REMEMBERED:
            self._first_sends = {key: lock for key, lock in self._first_sends.items() if lock.locked()}
        return self._first_sends.setdefault(fingerprint(image), asyncio.Lock())

    def get(self, image: Image) -> str | None:
        key = fingerprint(image)
        known = self._known.get(key)
        if known is not None:
            self._known.move_to_end(key)
        return known

    def remember(self, image: Image, file_id: str) -> None:
        self._known[fingerprint(image)] = file_id
        while len(self._known) > REMEMBERED:
            self._known.popitem(last=False)

    def forget(self, image: Image) -> None:
        self._known.pop(fingerprint(image), None)


class MediaIds:
    """Uploads a file the first time it is sent and answers its media id from then on (for `REUSE`)."""

    def __init__(self, upload: Callable[[Image], Awaitable[str]], now: Callable[[], datetime]) -> None:
        self._upload = upload
        self._now = now
        self._known: OrderedDict[tuple[int, str, str, str], tuple[asyncio.Future[str], datetime]] = OrderedDict()

    async def media_id(self, image: Image) -> str:
        key = fingerprint(image)
        known = self._known.get(key)
        if known is None or self._now() - known[1] >= REUSE:
            known = (asyncio.ensure_future(self._upload(image)), self._now())
            self._known[key] = known
            while len(self._known) > REMEMBERED:
                self._known.popitem(last=False)
        self._known.move_to_end(key)
        try:
            return await asyncio.shield(known[0])  # one waiter cancelled does not cancel the others' upload
        except Exception:
            if self._known.get(key) is known:  # a failed upload is tried again by the next message
                del self._known[key]
            raise
