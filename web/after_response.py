"""Messages a dashboard action queues are sent after the page has answered, not before.

A staff member who moves 300 applicants, or answers a question while Telegram or Meta is slow, should see the
result at once: the notices are already committed to the outbox in the action's transaction, so sending them is
only a matter of time, and a process that dies before it has sent them leaves them to the outbox sweep. A page
puts what it queued in the request's `after_response` list (`pending`), and this ASGI middleware delivers it once
the app has sent the response; under uvicorn the browser has the page by then, and in tests (httpx's ASGI
transport waits for the app to finish) the messages are sent when the request returns, so tests stay exact.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.engine.delivery import Envelope
from bot.engine.runtime import Runtime

KEY = "after_response"


def pending(request: Request) -> list[Envelope] | None:
    """The request's list of messages to send after the response (None outside the middleware: send at once)."""
    found = request.scope.get("state", {}).get(KEY)
    return found if isinstance(found, list) else None


class DeliverAfterResponse:
    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        envelopes: list[Envelope] = []
        scope.setdefault("state", {})[KEY] = envelopes
        try:
            await self.app(scope, receive, send)
        finally:
            if envelopes:
                await self.runtime.delivery.deliver(envelopes)
