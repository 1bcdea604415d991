"""A strict fake Telegram Bot API server (aiohttp, 127.0.0.1, random port) for the test suite.

Every call is validated against the official spec, recorded, and answered like Telegram would, with
long-polling, fault injection and flood limits, so the real aiogram stack can be tested without the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

from tests.fakes.telegram_replies import ApiError, Replies
from tests.fakes.telegram_spec import TelegramSpec, UploadedFile, load_spec
from tests.fakes.telegram_updates import JsonDict, UpdateFactory

# Update types delivered when getUpdates never named allowed_updates (per the getUpdates docs).
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_FAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class Fault:
    """An injected failure for one method (or every method when ``method`` is None)."""

    method: str | None
    status: int
    retry_after: int | None
    hang: bool
    remaining: int
    description: str | None = None
    body: str | None = None


@dataclass(frozen=True)
class RecordedRequest:
    """Every request that reached the fake, accepted or not."""

    method: str
    params: dict[str, Any]
    status: int


class TokenBucket:
    """Classic token bucket: ``rate`` tokens per second, bursts up to ``capacity``."""

    def __init__(self, rate: float, now: float, capacity: float | None = None) -> None:
        self.rate = rate
        self.capacity = capacity if capacity is not None else max(1.0, rate)
        self.tokens = self.capacity
        self.stamp = now

    def wait_time(self, now: float) -> float:
        """Seconds until a token is available (0 when one is available now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


class LocalAiohttpSession(AiohttpSession):
    """aiogram's AiohttpSession minus the 250 ms TLS grace sleep on close (plain HTTP needs none)."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


class FakeTelegram(UpdateFactory):
    """``async with FakeTelegram(token="123:ABC") as tg:`` then point aiogram at ``tg.base_url``."""

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        global_rate: float | None = None,
        per_chat_rate: float | None = None,
        hang_seconds: float = 30.0,
        bot_username: str = "sahabat_kerja_test_bot",
        bot_first_name: str = "Sahabat Kerja",
        spec: TelegramSpec | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`clock` drives the flood control; tests that assert on limits pass a frozen one, so a slow
        machine cannot refill a bucket between two requests."""
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123
        super().__init__(bot_id, bot_username, bot_first_name)
        self.token = token
        self.spec = spec or load_spec()
        self.hang_seconds = hang_seconds
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.requests: list[RecordedRequest] = []
        self.violations: list[str] = []
        self.rate_limited = 0
        self.webhook: dict[str, Any] | None = None
        self.allowed_updates: list[str] | None = None
        self.replies = Replies(self)
        self._queue: list[JsonDict] = []
        self._faults: list[Fault] = []
        self._clock = clock
        self._global_bucket = TokenBucket(global_rate, clock()) if global_rate else None
        self._chat_buckets: dict[str, TokenBucket] = {}
        self._wakeup = asyncio.Event()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.files: dict[str, tuple[str, bytes]] = {}
        """file_id -> (file_path, content): what getFile describes and /file/bot<token>/<path> serves."""

    # -- lifecycle ---------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """The URL template aiogram's ``TelegramAPIServer.base`` uses: ``{base}/bot{token}/{method}``."""
        return f"{self.base_url}/bot{{token}}/{{method}}"

    @property
    def api_server(self) -> TelegramAPIServer:
        return TelegramAPIServer.from_base(self.base_url)

    def session(self, **kwargs: Any) -> AiohttpSession:
        """An aiogram session aimed at this fake (kwargs go to AiohttpSession, e.g. ``timeout=1``)."""
        return LocalAiohttpSession(api=self.api_server, **kwargs)

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        self._closing.set()
        self._wakeup.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- inspection helpers ------------------------------------------------------------------------

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        """Params of every accepted call of ``method`` (case-insensitive)."""
        return [params for name, params in self.calls if name.lower() == method.lower()]

    def sent_messages(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Params of accepted sendMessage calls, optionally only those to ``chat_id``."""
        sent = self.calls_of("sendMessage")
        return [params for params in sent if chat_id is None or str(params["chat_id"]) == str(chat_id)]

    def assert_clean(self) -> None:
        """Fail the test if the bot made any call that real Telegram would have rejected."""
        if self.violations:
            listing = "\n".join(f"  - {violation}" for violation in self.violations)
            raise AssertionError(f"{len(self.violations)} Telegram Bot API violation(s):\n{listing}")

    # -- scripting ---------------------------------------------------------------------------------

    def push_update(self, update: JsonDict) -> JsonDict:
        """Queue an update for getUpdates (update_id assigned if missing); it must match the spec's Update."""
        update.setdefault("update_id", self.next_update_id())
        problems = self.spec.check_object("Update", update)
        if problems:
            raise ValueError("pushed update does not match the spec: " + "; ".join(problems))
        self._queue.append(update)
        self._queue.sort(key=lambda u: u["update_id"])
        self._wakeup.set()
        return update

    def fail_next(
        self,
        method: str | None = None,
        *,
        status: int = 500,
        retry_after: int | None = None,
        hang: bool = False,
        times: int = 1,
        description: str | None = None,
        body: str | None = None,
    ) -> Fault:
        """Make the next ``times`` calls of ``method`` (None = any method) fail, or hang when ``hang``.

        A hang sleeps ``hang_seconds`` (ends early when the fake closes) and then answers normally, so a
        short ``hang_seconds`` doubles as a slow-server simulation. ``body`` replaces the JSON error body.
        """
        canonical = None
        if method is not None and (canonical := self.spec.canonical_method(method)) is None:
            raise ValueError(f"fail_next: no such Bot API method {method!r}")
        if status == 429 and retry_after is None:
            retry_after = 1
        fault = Fault(canonical, status, retry_after, hang, times, description, body)
        self._faults.append(fault)
        return fault

    def stub(self, method: str, result: Any | Callable[[dict[str, Any]], Any]) -> None:
        """Answer ``method`` with ``result`` (or ``result(params)``) instead of the built-in reply."""
        canonical = self.spec.canonical_method(method)
        if canonical is None:
            raise ValueError(f"stub: no such Bot API method {method!r}")
        if not callable(result) and (problems := self.spec.check_result(canonical, result)):
            raise ValueError(f"stub: result for {canonical} does not match the spec: " + "; ".join(problems))
        self.replies.stubs[canonical] = result

    def add_file(self, file_id: str, name: str, content: bytes) -> None:
        """Make a file the user sent downloadable: getFile describes it and its path serves the bytes."""
        self.files[file_id] = (f"documents/{name}", content)

        def describe(params: dict[str, Any]) -> JsonDict:
            path, data = self.files.get(str(params.get("file_id")), ("", b""))
            return {"file_id": params.get("file_id"), "file_unique_id": f"u-{params.get('file_id')}",
                    "file_size": len(data), "file_path": path}

        self.stub("getFile", describe)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        for path, content in self.files.values():
            if path == request.match_info["path"]:
                return web.Response(body=content)
        return web.Response(status=404)

    # -- request handling --------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return self._reject(method, {}, 401, "Unauthorized", [f"{method}: wrong bot token in the URL"])
        raw, files, problems = await _read_params(request)
        check = self.spec.check_call(method, raw, files)
        if check.method is None:
            return self._reject(method, raw, 404, "Not Found", check.violations)
        if problems or check.violations:
            violations = [f"{check.method}: {p}" for p in problems] + check.violations
            description = "Bad Request: " + "; ".join(violations)
            return self._reject(check.method, check.params, 400, description, violations)
        name, params = check.method, check.params
        fault = self._take_fault(name)
        if fault is not None and fault.hang:
            await self._sleep(self.hang_seconds)
            if self._closing.is_set() or request.transport is None or request.transport.is_closing():
                self.requests.append(RecordedRequest(name, params, 499))
                return web.Response(status=499)
        elif fault is not None:
            return self._fault_response(name, params, fault)
        if (retry_after := self._rate_limit(name, params)) is not None:
            self.rate_limited += 1
            description = f"Too Many Requests: retry after {retry_after}"
            return self._error(name, params, 429, description, retry_after)
        try:
            if name == "getUpdates":
                result = await self._get_updates(params)
            else:
                result = self.replies.answer(name, params)
        except ApiError as error:
            if error.violation:
                self.violations.append(error.violation)
            return self._error(name, params, error.status, error.description)
        self.calls.append((name, params))
        self.requests.append(RecordedRequest(name, params, 200))
        return web.json_response({"ok": True, "result": result})

    def _reject(self, method: str, params: dict[str, Any], status: int, description: str,
                violations: list[str]) -> web.Response:
        self.violations.extend(violations)
        return self._error(method, params, status, description)

    def _error(self, method: str, params: dict[str, Any], status: int, description: str,
               retry_after: int | None = None) -> web.Response:
        self.requests.append(RecordedRequest(method, params, status))
        body: JsonDict = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return web.json_response(body, status=status)

    def _fault_response(self, method: str, params: dict[str, Any], fault: Fault) -> web.Response:
        if fault.body is not None:
            self.requests.append(RecordedRequest(method, params, fault.status))
            return web.Response(status=fault.status, text=fault.body, content_type="text/html")
        if fault.status == 429:
            description = fault.description or f"Too Many Requests: retry after {fault.retry_after}"
            return self._error(method, params, 429, description, fault.retry_after)
        description = fault.description or _FAULT_DESCRIPTIONS.get(fault.status, f"Error {fault.status}")
        return self._error(method, params, fault.status, description, fault.retry_after)

    def _take_fault(self, method: str) -> Fault | None:
        for fault in self._faults:
            if fault.method in (None, method):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _rate_limit(self, method: str, params: dict[str, Any]) -> int | None:
        """Token-bucket flood control on send* methods; returns retry_after seconds when over the limit."""
        if not method.startswith("send") or method == "sendChatAction":
            return None
        buckets = [self._global_bucket] if self._global_bucket else []
        if self.per_chat_rate:
            key = str(params.get("chat_id"))
            now = self._clock()
            buckets.append(self._chat_buckets.setdefault(key, TokenBucket(self.per_chat_rate, now)))
        now = self._clock()
        wait = max((bucket.wait_time(now) for bucket in buckets), default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.take()
        return None

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up as soon as the fake is closing."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    # -- getUpdates --------------------------------------------------------------------------------

    @property
    def pending_update_count(self) -> int:
        return len(self._queue)

    def drop_pending_updates(self) -> None:
        self._queue.clear()

    async def _get_updates(self, params: dict[str, Any]) -> list[JsonDict]:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                 "use deleteWebhook to delete the webhook first")
        offset = params.get("offset", 0)
        if offset > 0:
            self._queue = [u for u in self._queue if u["update_id"] >= offset]
        elif offset < 0:
            self._queue = self._queue[offset:]
        if "allowed_updates" in params:
            self.allowed_updates = params["allowed_updates"]
        limit = params.get("limit", 100)
        deadline = asyncio.get_running_loop().time() + params.get("timeout", 0)
        while True:
            batch = [u for u in self._queue if self._is_allowed(u)][:limit]
            remaining = deadline - asyncio.get_running_loop().time()
            if batch or remaining <= 0 or self._closing.is_set():
                return batch
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), remaining)

    def _is_allowed(self, update: JsonDict) -> bool:
        kind = next((key for key in update if key != "update_id"), "")
        if not self.allowed_updates:
            return kind not in _OPT_IN_UPDATES
        return kind in self.allowed_updates


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile], list[str]]:
    """Collect query, form (urlencoded or multipart) or JSON parameters plus uploaded file parts."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    problems: list[str] = [f"parameter {key!r} given more than once" for key in set(request.query)
                           if len(request.query.getall(key)) > 1]
    if not request.body_exists:
        return params, files, problems
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = json.loads(await request.text())
        except ValueError:
            return params, files, [*problems, "request body is not valid JSON"]
        if not isinstance(body, dict):
            return params, files, [*problems, "JSON body must be an object"]
        params.update(body)
    elif content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = await request.post()
        for key in form:
            if key in params or key in files:
                problems.append(f"parameter {key!r} given more than once")
            value = form[key]
            if isinstance(value, web.FileField):
                files[key] = UploadedFile(key, value.filename, value.content_type, value.file.read())
            else:
                params[key] = value
    else:
        problems.append(f"unsupported Content-Type {content_type!r}")
    return params, files, problems
