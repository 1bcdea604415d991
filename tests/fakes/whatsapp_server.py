"""A strict local WhatsApp Cloud API (v23.0 messages endpoint), so no test reaches graph.facebook.com.

Every send is checked against Meta's spec (`whatsapp_spec`), and throttling, a closed 24h window, 5xx and
hangs can be injected to test how the bot copes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx
from aiohttp import BodyPartReader, web

from tests.fakes.whatsapp_spec import UploadedMedia, check_media_upload, check_message, phone_number_fields
from tests.fakes.whatsapp_templates import FakeTemplates
from tests.fakes.whatsapp_webhooks import DEFAULT_WABA_ID, new_wamid, signed_webhook

if TYPE_CHECKING:
    from pywa_async import WhatsApp

__all__ = ["GRAPH_ERRORS", "FakeWhatsApp", "signed_webhook"]

SPEC_VERSION = "23.0"
_MESSAGES_ROUTE = re.compile(r"^/v(\d+\.\d+)/([^/]+)/(messages|media)$")
_NUMBER_ROUTE = re.compile(r"^/v\d+\.\d+/(\d+)$")
_TEMPLATES_ROUTE = re.compile(r"^/v(\d+\.\d+)/([^/]+)/message_templates$")
_TEMPLATE_ROUTE = re.compile(r"^/v(\d+\.\d+)/(\d+)$")  # one template, by its id
_VALIDATION_SUBCODE = 2494010  # a fixed stand-in: Graph uses varied subcodes for parameter errors
_HANG_LIMIT_S = 60.0

# code -> (HTTP status, message, error_data.details), as the Cloud API words them.
GRAPH_ERRORS: dict[int, tuple[int, str, str]] = {
    130429: (429, "(#130429) Rate limit hit", "Cloud API message throughput has been reached."),
    131056: (429, "(#131056) (Business Account, Consumer Account) pair rate limit hit",
             "Message failed to send because there were too many messages sent from this phone number "
             "to the same phone number in a short period of time."),
    131047: (400, "(#131047) Re-engagement message",
             "Message failed to send because more than 24 hours have passed since the customer last "
             "replied to this number."),
    131000: (500, "(#131000) Something went wrong", "Message failed to send due to an unknown error."),
    131016: (503, "(#131016) Service unavailable", "A service is temporarily unavailable."),
    131048: (400, "(#131048) Spam rate limit hit",
             "Message failed to send because there are restrictions on how many messages can be sent from this "
             "phone number. This may be because too many previous messages were blocked or flagged as spam."),
    131049: (400, "(#131049) This message was not delivered to maintain healthy ecosystem engagement.",
             "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."),
}
_CODE_FOR_STATUS = {500: 131000, 503: 131016}


@dataclass
class _Fault:
    code: int | None
    status: int | None
    hang: bool


class _TokenBucket:
    """`rate` sends per second with a burst of one second's worth (at least one)."""

    def __init__(self, rate: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.clock = clock
        self.stamp = clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def graph_error(
    code: int, message: str, details: str | None = None, subcode: int | None = None
) -> dict[str, Any]:
    """The `{"error": {...}}` body Graph answers with."""
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if details is not None:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
    return {"error": error}


class FakeWhatsApp:
    """The messages endpoint of the Cloud API on 127.0.0.1 (random port), strict about every body.

    pywa has no base-URL option: `GraphAPI.__init__` sets `session.base_url` to
    `https://graph.facebook.com/v{api_version}` on the httpx client it is given. Pass your own
    `httpx.AsyncClient` and overwrite its `base_url` *after* constructing the client::

        async with FakeWhatsApp(phone_number_id="1234567890", token="test-token") as wa:
            session = httpx.AsyncClient(timeout=5)
            client = pywa_async.WhatsApp(
                phone_id="1234567890", token="test-token", session=session, api_version="23.0",
                user_identifier_priority=(UserIdentifier.WA_ID, UserIdentifier.BSUID,
                                          UserIdentifier.PARENT_BSUID))
            session.base_url = f"{wa.base_url}/v23.0"   # == wa.graph_url
            await client.send_message(to="6281234567890", text="Halo")
            wa.assert_clean()
            assert wa.sent[0]["text"]["body"] == "Halo"

    or let `wa.pywa_client()` do exactly that. Without `server`/`callback_url` pywa starts no webhook
    server and registers nothing remotely. `user_identifier_priority` (pywa_async.utils) matters for
    replies: pywa's default (BSUID first) addresses users by `recipient`, which the v23.0 spec lacks.

    Records: `sent` (accepted message bodies), `read_receipts` (read/typing bodies), `failed`
    ((code, body) of injected or rule-based failures), `violations` (spec violations), `throttled`
    (sends refused by the rate limit), `unauthorized` (requests with a wrong token).
    """

    def __init__(
        self,
        phone_number_id: str = "1234567890",
        token: str = "test-token",
        app_secret: str = "app-secret",
        *,
        rate: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        waba_id: str = DEFAULT_WABA_ID,
    ) -> None:
        """`clock` drives the rate limit; tests pass one they move by hand, so timing never flakes."""
        self.phone_number_id = phone_number_id
        self.clock = clock
        self.token = token
        self.app_secret = app_secret
        self.rate = rate
        self.sent: list[dict[str, Any]] = []
        self.wamids: list[str] = []
        """The id given to each accepted message, in the order of `sent`."""
        self.media: dict[str, UploadedMedia] = {}
        """Uploaded media by the id the upload answered: what image messages may name."""
        self.read_receipts: list[dict[str, Any]] = []
        self.failed: list[tuple[int, dict[str, Any]]] = []
        self.violations: list[str] = []
        self.throttled = 0
        self.unauthorized = 0
        self.templates = FakeTemplates(self, waba_id)
        """The business account's message templates (`/{waba_id}/message_templates`)."""
        self.latency = 0.0
        self.tier = "TIER_1K"
        self.quality = "GREEN"
        """What `GET /{phone-number-id}` answers for `messaging_limit_tier` and `quality_rating`."""
        self.number_reads: list[list[str]] = []
        """The fields each `GET /{phone-number-id}` asked for."""
        """Seconds every message send takes before it is answered (a slow Graph API)."""
        self._faults: list[_Fault] = []
        self._closed_windows: set[str] = set()
        self._buckets: dict[str, _TokenBucket] = {}
        self._closing = asyncio.Event()
        self._sessions: list[httpx.AsyncClient] = []
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    @property
    def graph_url(self) -> str:
        """Base URL including the spec's version, for `httpx.AsyncClient.base_url`."""
        return f"{self.base_url}/v{SPEC_VERSION}"

    async def __aenter__(self) -> FakeWhatsApp:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closing.set()
        for session in self._sessions:
            await session.aclose()
        if self._runner is not None:
            await self._runner.cleanup()

    def pywa_client(self, *, timeout: float = 5.0, **kwargs: Any) -> WhatsApp:
        """A `pywa_async.WhatsApp` wired to this fake (its httpx session is closed on exit).

        Replies go out by phone number (`to`): pywa 4.5 prefers the business-scoped user id and would
        send `recipient`, which the v23.0 spec does not have, so `user_identifier_priority` puts WA_ID first.
        """
        from pywa_async import WhatsApp
        from pywa_async.utils import UserIdentifier

        session = httpx.AsyncClient(timeout=timeout)
        self._sessions.append(session)
        priority = (UserIdentifier.WA_ID, UserIdentifier.BSUID, UserIdentifier.PARENT_BSUID)
        kwargs = {"app_secret": self.app_secret, "api_version": SPEC_VERSION,
                  "user_identifier_priority": priority} | kwargs
        client = WhatsApp(phone_id=self.phone_number_id, token=self.token, session=session, **kwargs)
        session.base_url = self.graph_url
        return client

    # ---- test controls -------------------------------------------------------------------------

    def fail_next(
        self, count: int = 1, code: int | None = None, *, status: int | None = None, hang: bool = False
    ) -> None:
        """Make the next `count` message sends fail (read receipts are not affected).

        `code`: a Graph error code (130429 throttled, 131056 pair rate limit, 131047 window closed ...);
        `status`: an HTTP 5xx (500 → code 131000, 503 → 131016); `hang`: never answer (until the
        client times out or the fake closes). With none of them: 130429.
        """
        self._faults += [_Fault(code=code, status=status, hang=hang) for _ in range(count)]

    def window_closed_for(self, wa_id: str) -> None:
        """From now on non-template messages to `wa_id` fail with 131047; templates still go out."""
        self._closed_windows.add(wa_id.lstrip("+"))

    def window_opened_for(self, wa_id: str) -> None:
        """The user wrote again: the 24h customer-service window is open."""
        self._closed_windows.discard(wa_id.lstrip("+"))

    def assert_clean(self) -> None:
        """Fail the test if any request broke the spec."""
        if self.violations:
            listing = "\n  - ".join(self.violations)
            raise AssertionError(f"{len(self.violations)} WhatsApp API violation(s):\n  - {listing}")

    def sent_to(self, wa_id: str) -> list[dict[str, Any]]:
        """Accepted message bodies addressed to `wa_id`."""
        return [body for body in self.sent if str(body.get("to", "")).lstrip("+") == wa_id.lstrip("+")]

    def sent_images(self, wa_id: str) -> list[tuple[dict[str, Any], UploadedMedia]]:
        """Image messages accepted for `wa_id`, each with the upload its id names."""
        return [(body["image"], self.media[body["image"]["id"]])
                for body in self.sent_to(wa_id) if body.get("type") == "image" and "id" in body["image"]]

    # ---- HTTP ----------------------------------------------------------------------------------

    def _reject(self, violations: list[str], where: str, code: int = 100, subcode: int = _VALIDATION_SUBCODE,
                status: int = 400) -> web.Response:
        self.violations += [f"{where}: {v}" for v in violations]
        message = f"(#{code}) Invalid parameter" if code == 100 else violations[0]
        return web.json_response(graph_error(code, message, "; ".join(violations), subcode), status=status)

    def _refuse(self, code: int, message: str, subcode: int, details: str) -> web.Response:
        """A request the spec allows that Graph still refuses (a template name taken): not a violation."""
        return web.json_response(graph_error(code, f"(#{code}) {message}", details, subcode), status=400)

    def _error(self, code: int, body: dict[str, Any], status: int | None = None) -> web.Response:
        fallback = (400, f"(#{code}) Injected error", "Injected.")
        default_status, message, details = GRAPH_ERRORS.get(code, fallback)
        self.failed.append((code, body))
        return web.json_response(graph_error(code, message, details), status=status or default_status)

    async def _handle(self, request: web.Request) -> web.Response:
        where = f"{request.method} {request.path}"
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            self.unauthorized += 1
            error = graph_error(190, "Invalid OAuth access token - Cannot parse access token")
            return web.json_response(error, status=401)
        number = _NUMBER_ROUTE.match(request.path)
        if request.method == "GET" and number is not None:
            return self._read_number(number.group(1), request.query.get("fields", ""), where)
        if (templates := _TEMPLATES_ROUTE.match(request.path)) is not None:
            return await self.templates.handle(request, templates.group(2), where)
        if (template := _TEMPLATE_ROUTE.match(request.path)) is not None:
            return await self.templates.edit(request, template.group(2), where)
        route = _MESSAGES_ROUTE.match(request.path)
        if request.method != "POST" or route is None:
            unsupported = (f"unsupported endpoint {where} (the fake serves POST /vNN.N/{{id}}/messages and /media, "
                           "GET and POST /vNN.N/{waba-id}/message_templates, POST /vNN.N/{template-id})")
            return self._reject([unsupported], where, subcode=33)
        if route.group(2) != self.phone_number_id:
            unknown = f"unknown phone number id {route.group(2)!r} (expected {self.phone_number_id})"
            return self._reject([unknown], where, subcode=33)
        if route.group(3) == "media":
            return await self._upload(request, where)
        try:
            body = json.loads(await request.read())
        except ValueError:
            return self._reject(["body is not JSON"], where)
        report = check_message(body)
        if report.violations:
            return self._reject(report.violations, where)
        if (media_id := _media_id(body)) is not None and media_id not in self.media:
            return self._reject([f"{body['type']}.id: no media was uploaded as {media_id!r}"], where)
        if "status" in body:
            self.read_receipts.append(body)
            return web.json_response({"success": True})
        return await self._send(body)

    def _read_number(self, phone_id: str, fields: str, where: str) -> web.Response:
        """`GET /{phone-number-id}?fields=...`: the fields the spec names for a phone number, nothing else."""
        if phone_id != self.phone_number_id:
            return self._reject([f"unknown phone number id {phone_id!r}"], where, subcode=33)
        asked = [name.strip() for name in fields.split(",") if name.strip()]
        unknown = [name for name in asked if name not in phone_number_fields()]
        if unknown:
            return self._reject([f"fields: {name!r} is not a phone number field" for name in unknown], where)
        self.number_reads.append(asked)
        answer: dict[str, Any] = {"id": self.phone_number_id, "display_phone_number": "+62 811-0000-1111",
                                  "verified_name": "Disnaker", "quality_rating": self.quality}
        if "messaging_limit_tier" in asked:
            answer["messaging_limit_tier"] = self.tier
        return web.json_response(answer)

    async def _upload(self, request: web.Request, where: str) -> web.Response:
        """`POST /{phone-id}/media`: a multipart form with the file; answers the media id to send it by."""
        if request.content_type != "multipart/form-data":
            return self._reject([f"media uploads are multipart/form-data, not {request.content_type!r}"], where)
        fields: dict[str, str] = {}
        file: UploadedMedia | None = None
        async for part in await request.multipart():
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                file = UploadedMedia(part.filename, content_type, bytes(await part.read()))
            else:
                fields[part.name] = await part.text()
        violations = check_media_upload(fields, file)
        if violations:
            return self._reject(violations, where)
        assert file is not None
        media_id = str(len(self.media) + 4490709327384033)
        self.media[media_id] = file
        return web.json_response({"id": media_id})

    async def _send(self, body: dict[str, Any]) -> web.Response:
        if self.latency:
            await asyncio.sleep(self.latency)
        if self._faults:
            fault = self._faults.pop(0)
            if fault.hang:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closing.wait(), _HANG_LIMIT_S)
                return self._error(131000, body)
            if fault.status is not None:
                return self._error(fault.code or _CODE_FOR_STATUS.get(fault.status, 1), body, fault.status)
            return self._error(fault.code or 130429, body)
        if self.rate is not None:
            bucket = self._buckets.setdefault(self.phone_number_id, _TokenBucket(self.rate, self.clock))
            if not bucket.take():
                self.throttled += 1
                return self._error(130429, body)
        to = str(body["to"])
        wa_id = to.lstrip("+")
        is_template = body.get("type") == "template"
        if wa_id in self._closed_windows and not is_template:
            return self._error(131047, body)
        message: dict[str, Any] = {"id": new_wamid()}
        self.sent.append(body)
        self.wamids.append(message["id"])
        if is_template:
            message["message_status"] = "accepted"
        answer = {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": wa_id}]}
        return web.json_response(answer | {"messages": [message]})


def _media_id(body: dict[str, Any]) -> str | None:
    """The uploaded media a media message names by id (a `link` names none)."""
    media = body.get(body.get("type", ""))
    if body.get("type") in ("image", "audio", "document", "sticker", "video") and isinstance(media, dict):
        media_id = media.get("id")
        return str(media_id) if media_id is not None else None
    return None
