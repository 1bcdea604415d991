"""The WhatsApp channel: sends rendered replies through the Cloud API with pywa, within the number's limits.

It paces sends to the number's rate (80 messages/s by default), turns throttling into a wait the outbox obeys,
and sends an approved template when the 24-hour customer-service window is closed (before sending, when the
recipient's last message is known to be too old, or after error 131047). Failures become `DeliveryError`s:
retryable ones are retried by the outbox sweep, permanent ones are recorded on the outbox row for staff.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import httpx
from pywa_async import errors as wa_errors
from pywa_async.client import WhatsApp
from pywa_async.utils import UserIdentifier

from bot.channels.base import DeliveryError, EnginePort, NumberEvent, TierUsage
from bot.channels.meter import NO_METER, Meter
from bot.channels.rate_limits import RateLimiter, SendRateLimiter
from bot.channels.registry import WHATSAPP as CHANNEL
from bot.channels.uploaded_media import MediaIds
from bot.channels.whatsapp.account_events import NUMBER_FIELDS, checked
from bot.channels.whatsapp.inbound import MediaRef, PageTap
from bot.channels.whatsapp.render import (
    OutboundMessage,
    media_messages,
    page_of,
    render_reply,
    template_message,
)
from bot.engine.messages import (
    MAX_DOCUMENT_BYTES,
    STALE_BUTTON_TOKEN,
    Document,
    Image,
    Incoming,
    IncomingKind,
    Purpose,
    Reply,
)

log = logging.getLogger(__name__)

SERVICE_WINDOW = timedelta(hours=24)
NOTIFICATION = Purpose.NOTIFICATION.value
"""The purpose of replies and of proactive messages that name none; its templates stand in for any purpose
without its own."""
NO_TEMPLATE = "undeliverable: no approved WhatsApp template"
"""How the reason of a message that needed a template and had none begins: staff are shown these apart."""
MAX_RATE_PER_SECOND = 1000.0
SLOWING_ERRORS = frozenset({131048, 131049})
"""Spam-rate and ecosystem limits: retrying at once makes them worse, so the whole number waits."""
SLOWED = "slowed"
PICTURE_TYPES = frozenset({"image/jpeg", "image/png"})
"""What WhatsApp shows as an image message; any other file goes as a document."""
PART_RETRIES = 3  # a throttled later part of a split text is retried here, so earlier parts are not sent twice


@dataclass(frozen=True, slots=True)
class WhatsAppConfig:
    """What the channel needs from settings.

    `templates` (WHATSAPP_TEMPLATES) maps a purpose and a locale to the name of an approved template whose body
    has exactly one text parameter, `{{1}}`, which receives the message (e.g. "Kabar dari Disnaker: {{1}} Balas
    pesan ini untuk melanjutkan."); it overrides the approved templates the engine knows of
    (`models/data/whatsapp_templates.toml`). `template_languages` maps our locales to WhatsApp's language codes.
    """

    token: str
    phone_number_id: str
    app_secret: str = ""
    verify_token: str = ""
    api_base: str = "https://graph.facebook.com"
    api_version: str = "23.0"
    templates: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    template_languages: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({"id": "id", "en": "en"}))
    default_locale: str = "id"
    rate_per_second: float = 80.0
    daily_unique_recipients: int | None = 1000
    """The number's messaging tier: unique users it may start conversations with per 24 h (None: unlimited)."""
    throttle_backoff_s: float = 2.0
    pair_backoff_s: float = 6.0  # 131056: about one message per 6 s to the same user is allowed
    auth_backoff_s: float = 300.0
    limit_backoff_s: float = 600.0
    """After 131048 or 131049, nothing is sent on the number for this long."""
    timeout_s: float = 10.0

    def __post_init__(self) -> None:
        if not 0 < self.rate_per_second <= MAX_RATE_PER_SECOND:
            raise ValueError(f"WhatsApp rate must be above 0 and at most {MAX_RATE_PER_SECOND:g} messages/s")

    def template_for(self, purpose: str, locale: str | None,
                     approved: Mapping[str, Mapping[str, str]] | None = None) -> tuple[str, str] | None:
        """(template name, WhatsApp language code) for `purpose` in `locale`, else the general notification
        template in `locale` (the reader's language matters more than the wording), else either in the default
        locale. `approved` (purpose -> WhatsApp language code -> name: what WhatsApp approved) is consulted where
        `templates` (WHATSAPP_TEMPLATES, an override) names none."""
        for candidate in (locale, self.default_locale):
            if not candidate:
                continue
            code = self.template_languages.get(candidate, candidate)
            for chosen in (purpose, NOTIFICATION):
                name = self.templates.get(chosen, {}).get(candidate) or (approved or {}).get(chosen, {}).get(code)
                if name:
                    return name, code
        return None


def window_is_open(last_inbound_at: datetime | None, now: datetime) -> bool:
    """Whether free-form messages may still be sent: the user wrote within the last 24 hours."""
    return last_inbound_at is not None and now - last_inbound_at < SERVICE_WINDOW


def build_client(config: WhatsAppConfig) -> tuple[WhatsApp, httpx.AsyncClient]:
    """A pywa client on its own httpx session, pointed at `config.api_base` (tests use a fake server).

    pywa has no base-URL option and sets the session's base URL itself, so it is overwritten afterwards.
    Users are addressed by phone number (`to`): pywa 4.5 would prefer the business-scoped id.
    """
    session = httpx.AsyncClient(timeout=config.timeout_s)
    priority = (UserIdentifier.WA_ID, UserIdentifier.BSUID, UserIdentifier.PARENT_BSUID)
    client = WhatsApp(phone_id=config.phone_number_id, token=config.token, session=session,
                      api_version=config.api_version, app_secret=config.app_secret or None,
                      user_identifier_priority=priority)
    session.base_url = f"{config.api_base.rstrip('/')}/v{config.api_version}"
    return client, session


class WhatsAppChannel:
    """Sends replies to WhatsApp users; `address` is the user's WhatsApp id (their phone, digits only).

    Through `port` (optional) it looks the user up, so a closed window goes straight to a template (without it
    the channel learns of a closed window from error 131047), and finds the last reply with options sent to a
    user, so a tap on a list's "more" row can show the next page without keeping state.
    """

    name = CHANNEL
    skips_unreachable = False

    def __init__(
        self,
        config: WhatsAppConfig,
        *,
        client: WhatsApp | None = None,
        port: EnginePort | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.config = config
        self._session: httpx.AsyncClient | None = None
        if client is None:
            client, self._session = build_client(config)
        self._client = client
        self._port = port
        self._sleep = sleep
        self._limiter = limiter or SendRateLimiter(config.rate_per_second, sleep=sleep)
        self._media = MediaIds(self._upload, self._now)

    @property
    def _meter(self) -> Meter:
        return self._port.meter if self._port is not None else NO_METER

    def _now(self) -> datetime:
        return self._port.now() if self._port is not None else datetime.now(UTC)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.aclose()

    async def send(self, address: str, reply: Reply) -> Sequence[str]:
        return await self.deliver(address, reply, reply.purpose or NOTIFICATION)

    async def deliver(self, address: str, reply: Reply, purpose: str = NOTIFICATION) -> list[str]:
        """Send `reply`; returns the WhatsApp message ids (wamids) that status callbacks will name."""
        recipient = await self._port.recipient(CHANNEL, address) if self._port is not None else None
        locale = recipient.locale if recipient is not None else None
        if recipient is not None and not window_is_open(recipient.last_inbound_at, self._now()):
            self._check_tier(recipient.tier_usage)
            return [await self._send_template(address, reply.text, purpose, locale)]
        if reply.image is not None:
            document_name = None if reply.image.media_type in PICTURE_TYPES else reply.image.name
            messages = media_messages(await self._media.media_id(reply.image), reply.text,
                                      document_name=document_name)
            return await self._send_parts(address, messages, reply.text, purpose, locale)
        return await self._send_parts(address, render_reply(reply), reply.text, purpose, locale)

    async def _upload(self, image: Image) -> str:
        """`POST /{phone-number-id}/media` (multipart): an image or document message names its file by the id
        returned."""
        try:
            answer = await self._client.api.upload_media(
                phone_id=self.config.phone_number_id, media=image.data, mime_type=image.media_type,
                filename=image.name)
            return str(answer["id"])
        except wa_errors.WhatsAppError as error:
            raise self._delivery_error(error) from error
        except (httpx.HTTPError, KeyError, TypeError) as error:
            raise DeliveryError(f"uploading {image.name} to WhatsApp failed: {error!r}") from error

    def _check_tier(self, usage: TierUsage | None) -> None:
        """A new user beyond the number's daily tier waits until a day has passed since the oldest one.

        The wait is a retryable `DeliveryError`, so a broadcast's remaining messages go out the next day
        instead of failing.
        """
        tier = self.config.daily_unique_recipients
        if tier is None or usage is None or usage.includes_this_user or usage.unique_recipients < tier:
            return
        now = self._now()
        oldest = usage.oldest_at or now
        wait = max((oldest + SERVICE_WINDOW - now).total_seconds(), 60.0)
        raise DeliveryError(f"the number's tier of {tier} users a day is reached; sending again in {wait:.0f} s",
                            retry_after=wait)

    async def check_number(self) -> NumberEvent | None:
        """The number's messaging tier and quality as the Graph API has them now (`GET /{phone-number-id}`);
        None when it cannot be asked (the daily check tries again)."""
        try:
            answer = await self._client.api.get_business_phone_number(
                phone_id=self.config.phone_number_id, fields=NUMBER_FIELDS)
        except (wa_errors.WhatsAppError, httpx.HTTPError) as error:
            log.warning("could not read the WhatsApp number's tier and quality: %r", error)
            return None
        return checked(answer)

    async def show_page(self, tap: PageTap) -> None:
        """Answer a tap on a "more" row with the next page of the list it belongs to, if it is still current; a
        stale one (of an older list, or made up) goes to the handlers as the button it is, which they answer
        as every stale button: it is no longer valid, and the current question again."""
        if self._port is None:
            return
        reply = await self._port.last_reply_with_options(CHANNEL, tap.address)
        page = page_of(reply, tap.request) if reply is not None else None
        if reply is None or page is None:
            await self._port.handle(Incoming(channel=CHANNEL, external_id=tap.address, kind=IncomingKind.OPTION,
                                             option=STALE_BUTTON_TOKEN, event_id=tap.event_id))
            return
        try:
            await self._send_parts(tap.address, render_reply(reply, page), reply.text, NOTIFICATION, None)
        except DeliveryError as error:  # the user can tap again; the webhook must not be redelivered for it
            log.warning("could not show the next page to %s: %s", tap.address, error)

    async def fetch_document(self, media: MediaRef) -> Document | None:
        """The file's bytes, at most one byte more than handlers accept (so they can say it is too large).

        None when WhatsApp will not give it: the message is then handled as one the bot cannot read.
        """
        content = bytearray()
        try:
            described = await self._client.api.get_media_url(media_id=media.media_id)
            async with self._client.api.stream_media_bytes(media_url=described["url"]) as response:
                response.raise_for_status()
                async for chunk in response.aiter_bytes():
                    content += chunk
                    if len(content) > MAX_DOCUMENT_BYTES:
                        break
        except (wa_errors.WhatsAppError, httpx.HTTPError, KeyError, TypeError) as error:
            log.warning("could not fetch WhatsApp media %s: %r", media.media_id, error)
            return None
        return Document(media.filename, bytes(content[:MAX_DOCUMENT_BYTES + 1]), media.mime_type)

    async def _send_parts(
        self, address: str, messages: Sequence[OutboundMessage], text: str, purpose: str, locale: str | None
    ) -> list[str]:
        wamids: list[str] = []
        for index, message in enumerate(messages):
            try:
                wamids.append(await self._post_with_retries(address, message, retries=PART_RETRIES if index else 0))
            except wa_errors.ReEngagementMessage:
                wamids.append(await self._send_template(address, text, purpose, locale))
                break
        return wamids

    async def _post_with_retries(self, address: str, message: OutboundMessage, retries: int) -> str:
        for attempt in range(retries + 1):
            try:
                return await self._post(address, message)
            except DeliveryError as error:
                if error.permanent or error.retry_after is None or attempt == retries:
                    raise
                await self._sleep(error.retry_after)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send_template(self, address: str, text: str, purpose: str, locale: str | None) -> str:
        approved = await self._port.usable_templates(CHANNEL) if self._port is not None else None
        template = self.config.template_for(purpose, locale, approved)
        if template is None:
            raise DeliveryError(
                f"{NO_TEMPLATE} for {purpose} in {locale or self.config.default_locale}: the person's 24-hour "
                "window is closed (python -m bot whatsapp templates)", permanent=True)
        try:
            return await self._post(address, template_message(*template, text))
        except wa_errors.ReEngagementMessage as error:  # pragma: no cover - templates are exempt
            raise DeliveryError(str(error), permanent=True) from error

    async def _post(self, address: str, message: OutboundMessage) -> str:
        """One send, paced by the rate limit; errors other than a closed window become `DeliveryError`s."""
        await self._limiter.acquire()
        try:
            answer = await self._client.api.send_message(
                sender=self.config.phone_number_id, to=address, recipient=None, recipient_type="individual",
                typ=message.type, msg=message.content)
        except wa_errors.ReEngagementMessage:
            raise
        except wa_errors.WhatsAppError as error:
            if error.code in SLOWING_ERRORS:
                raise await self._slow_down(error) from error
            raise self._delivery_error(error) from error
        except httpx.TimeoutException as error:
            raise DeliveryError(f"WhatsApp did not answer in time: {error!r}") from error
        except httpx.TransportError as error:
            raise DeliveryError(f"WhatsApp could not be reached: {error!r}") from error
        return _message_id(answer)

    async def _slow_down(self, error: wa_errors.WhatsAppError) -> DeliveryError:
        """131048/131049: every sender of the number waits `limit_backoff_s`, the message is tried again after
        it, and the engine hears of it (the broadcast's progress shows the wait)."""
        wait = self.config.limit_backoff_s
        self._limiter.pause(wait)
        if self._port is not None:
            await self._port.record_number_event(CHANNEL, NumberEvent(
                kind=SLOWED, event=str(error.code), slowed_for_s=wait,
                detail={"code": error.code, "message": str(error.message)[:200]}))
        return DeliveryError(f"WhatsApp error {error.code}: {error.message}; the number waits {wait:.0f} s",
                             retry_after=wait)

    def _delivery_error(self, error: wa_errors.WhatsAppError) -> DeliveryError:
        described = f"WhatsApp error {error.code}: {error.message}" + (f" ({error.details})" if error.details else "")
        if isinstance(error, wa_errors.TooManyMessages):
            self._meter.rate_limited(CHANNEL, 0)  # one recipient's messages wait, the number goes on
            return DeliveryError(described, retry_after=self.config.pair_backoff_s)
        if isinstance(error, wa_errors.ThrottlingError):
            self._limiter.pause(self.config.throttle_backoff_s)
            self._meter.rate_limited(CHANNEL, self.config.throttle_backoff_s)
            return DeliveryError(described, retry_after=self.config.throttle_backoff_s)
        if isinstance(error, wa_errors.AuthorizationError):
            # A wrong or expired token is fixed by staff in settings; the messages wait for that.
            return DeliveryError(described, retry_after=self.config.auth_backoff_s)
        status = error.status_code or 0
        return DeliveryError(described, permanent=400 <= status < 500)


def _message_id(answer: Mapping[str, Any]) -> str:
    messages = answer.get("messages") if isinstance(answer, Mapping) else None
    if isinstance(messages, list) and messages and isinstance(messages[0], Mapping):
        return str(messages[0].get("id", ""))
    return ""
