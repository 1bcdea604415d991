"""The business account's message templates over the Graph API (`/{WABA-ID}/message_templates`), with pywa's
own calls: list every template with its review state, and submit one for review.

A template submission Meta refuses outright (a name taken, a body it will not accept) is answered as a
rejected template with Meta's words as the reason, so staff see why beside it; an account that cannot be reached
at all (a wrong token or id, no network) raises `TemplateApiError`, whose message says which.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
from pywa_async import errors as wa_errors
from pywa_async.client import WhatsApp

from bot.channels.base import ChannelSettings, TemplateReport
from bot.channels.whatsapp.channel import WhatsAppConfig, build_client
from bot.channels.whatsapp.connect import whatsapp_config

LIST_FIELDS = ("id", "name", "language", "status", "category", "rejected_reason", "components")
PAGE_SIZE = 100
MAX_PAGES = 50  # 5,000 templates: an account holds at most a few hundred; a cursor that never ends stops here
REJECTED = "REJECTED"


class TemplateApiError(Exception):
    """The business account could not be asked; the message is one line staff can act on."""


class NotConfigured(TemplateApiError):
    """A setting the business account is reached with is missing."""


class GraphTemplateAccount:
    """One WhatsApp Business Account's templates (WHATSAPP_BUSINESS_ACCOUNT_ID), reached with the channel's
    token."""

    def __init__(self, config: WhatsAppConfig, business_account_id: str, client: WhatsApp | None = None) -> None:
        self._session: httpx.AsyncClient | None = None
        if client is None:
            client, self._session = build_client(config)
        self._client = client
        self._account = business_account_id

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.aclose()

    async def list_templates(self) -> list[TemplateReport]:
        found: list[TemplateReport] = []
        after: str | None = None
        for _page in range(MAX_PAGES):
            paging = {"limit": PAGE_SIZE, **({"after": after} if after else {})}
            answer = await self._ask(self._client.api.get_templates(self._account, fields=LIST_FIELDS,
                                                                    pagination=paging))
            data = answer.get("data")
            found += [template for item in (data if isinstance(data, list) else []) if
                      (template := _template(item)) is not None]
            after = _next_cursor(answer)
            if after is None:
                break
        return found

    async def submit(self, request: dict[str, Any]) -> TemplateReport:
        return await self._send(request, self._client.api.create_template(self._account, request))

    async def edit(self, meta_id: str, request: dict[str, Any]) -> TemplateReport:
        """`POST /{template-id}` with the definition's category and components: a rejected template reviewed
        again (its name and language stay)."""
        changes = {key: request[key] for key in ("category", "components")}
        answer = await self._send(request, self._client.api.update_template(meta_id, changes))  # type: ignore[arg-type]
        return answer if answer.status == REJECTED else replace(answer, meta_id=meta_id)

    async def _send(self, request: dict[str, Any], call: Any) -> TemplateReport:
        """A submission's answer; a refusal of the template itself (a 4xx other than the token's) is one too."""
        name, language = str(request.get("name", "")), str(request.get("language", ""))
        try:
            answer = await self._ask(call)
        except TemplateApiError as failure:
            error = failure.__cause__
            if not isinstance(error, wa_errors.WhatsAppError) or not 400 <= (error.status_code or 0) < 500 or (
                    error.code in (190, 200)):
                raise
            details = f" ({error.details})" if error.details else ""
            return TemplateReport(name, language, REJECTED, f"{error.message}{details}"[:255])
        return TemplateReport(name, language, str(answer.get("status") or "PENDING"), meta_id=_id(answer))

    async def _ask(self, call: Any) -> Mapping[str, Any]:
        try:
            answer = await call
        except wa_errors.WhatsAppError as error:
            raise _unreachable(error) from error
        except httpx.HTTPError as error:
            raise TemplateApiError(f"WhatsApp could not be reached: {error!r}") from error
        return answer if isinstance(answer, Mapping) else {}


def template_account(settings: ChannelSettings) -> GraphTemplateAccount:
    """The business account the settings name; `TemplateApiError` saying which setting is missing otherwise."""
    config = whatsapp_config(settings)
    if config is None:
        raise NotConfigured("Configuration error: WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID are required to "
                            "manage WhatsApp templates")
    account_id = settings.get("whatsapp_business_account_id")
    if not account_id:
        raise NotConfigured("Configuration error: WHATSAPP_BUSINESS_ACCOUNT_ID (the WABA id, in Meta's WhatsApp "
                            "Manager) is required to manage WhatsApp templates")
    return GraphTemplateAccount(config, str(account_id))


@asynccontextmanager
async def opened_account(settings: ChannelSettings) -> AsyncIterator[GraphTemplateAccount]:
    """`template_account`, closed afterwards."""
    account = template_account(settings)
    try:
        yield account
    finally:
        await account.aclose()


def _unreachable(error: wa_errors.WhatsAppError) -> TemplateApiError:
    hint = " Check WHATSAPP_TOKEN and WHATSAPP_BUSINESS_ACCOUNT_ID." if error.status_code in (400, 401, 403) else ""
    return TemplateApiError(f"WhatsApp refused to list or submit templates: error {error.code}: {error.message}"
                            f"{hint}")


def _template(item: object) -> TemplateReport | None:
    if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
        return None
    reason = item.get("rejected_reason")
    bodies = [c.get("text") for c in item.get("components") or [] if isinstance(c, Mapping)
              and str(c.get("type", "")).upper() == "BODY"]
    category = item.get("category")
    return TemplateReport(item["name"], str(item.get("language", "")), str(item.get("status", "")),
                          str(reason) if reason else None, _id(item),
                          bodies[0] if bodies and isinstance(bodies[0], str) else None,
                          category if isinstance(category, str) else None)


def _id(item: Mapping[str, Any]) -> str | None:
    value = item.get("id")
    return str(value) if value is not None else None


def _next_cursor(answer: Mapping[str, Any]) -> str | None:
    paging = answer.get("paging")
    if not isinstance(paging, Mapping) or not paging.get("next"):
        return None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, Mapping) else None
    return str(after) if after else None
