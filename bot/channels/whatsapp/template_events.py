"""Meta's `message_template_status_update` webhook: a template approved, rejected (with the reason), paused,
disabled or reinstated, so the stored state follows Meta's without anyone pressing "sync".

The change arrives on the same signed webhook as messages, under the business account's entry; one for another
business account (when WHATSAPP_BUSINESS_ACCOUNT_ID is set) is ignored, and a malformed one is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.channels.base import TemplateReport

FIELD = "message_template_status_update"
NAME_MAX, LANGUAGE_MAX, STATUS_MAX, REASON_MAX = 512, 16, 32, 255


def template_events(payload: Any, business_account_id: str | None = None) -> list[TemplateReport]:
    """Every template status change in one webhook POST (for our business account)."""
    if not isinstance(payload, Mapping) or payload.get("object") != "whatsapp_business_account":
        return []
    changes = [change for entry in _mappings(payload.get("entry"))
               if not business_account_id or str(entry.get("id", "")) == business_account_id
               for change in _mappings(entry.get("changes")) if change.get("field") == FIELD]
    return [event for change in changes if (event := _event(change.get("value"))) is not None]


def _event(value: Any) -> TemplateReport | None:
    if not isinstance(value, Mapping):
        return None
    name, language, status = (value.get(key) for key in ("message_template_name", "message_template_language",
                                                         "event"))
    if not (isinstance(name, str) and isinstance(language, str) and isinstance(status, str)) or not name:
        return None
    reason = value.get("reason")
    info = value.get("disable_info") or value.get("other_info")
    if (not isinstance(reason, str) or reason.upper() == "NONE") and isinstance(info, Mapping):
        reason = info.get("description") or info.get("title")
    meta_id = value.get("message_template_id")
    return TemplateReport(name[:NAME_MAX], language[:LANGUAGE_MAX], status[:STATUS_MAX],
                               str(reason)[:REASON_MAX] if isinstance(reason, str) and reason else None,
                               str(meta_id) if isinstance(meta_id, int | str) and not isinstance(meta_id, bool)
                               else None)


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []
