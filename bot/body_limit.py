"""Every request body bounded before it is read, in one place for every door (the webhooks, the dashboard).

An ASGI middleware in front of the app: a body whose `Content-Length` is over its path's limit is answered 413
at once, unread; a body without one (chunked) is counted as it arrives and answered 413 as soon as it passes
the limit, so an unsigned 100 MB POST never sits in memory waiting for its signature to be checked.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = b"Request body too large"


class BodyTooLarge(Exception):
    """Raised from `receive` when a body passes its limit: the middleware answers 413 instead of the app."""


class BodyLimit:
    """Bodies at most `limits[path]` bytes, else `default` (the largest body any other route takes)."""

    def __init__(self, app: ASGIApp, *, default: int, limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.default = default
        self.limits = dict(limits or {})

    def limit_for(self, path: str) -> int:
        return self.limits.get(path, self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(scope["path"])
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if started:  # the app answered before reading all of it; nothing more to say
                return
            await _refuse(send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else 1 << 62
    return None


async def _refuse(send: Send) -> None:
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(TOO_LARGE)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": TOO_LARGE})
