"""What Meta says of the number itself: the `phone_number_quality_update` and `account_update` webhooks, and the
number's own fields read from the Graph API (`GET /{phone-number-id}`: messaging tier and quality).

Each becomes a channel-neutral `NumberEvent` for the engine, which keeps it and pauses broadcasts on bad news.
Everything is bounded: Meta's words are cut to a few dozen characters and unknown fields are dropped, so a forged
or oversized report (after the signature check, which comes first) cannot grow a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.channels.base import NumberEvent

QUALITY_UPDATE = "phone_number_quality_update"
ACCOUNT_UPDATE = "account_update"
CHECKED = "checked"
NUMBER_FIELDS = ("messaging_limit_tier", "quality_rating", "status")
"""What the daily check asks of the number (the spec's names)."""
WORD_MAX = 64
_KEPT = {
    QUALITY_UPDATE: (
        "display_phone_number",
        "event",
        "current_limit",
        "old_limit",
        "max_daily_conversations_per_business",
    ),
    ACCOUNT_UPDATE: ("phone_number", "event"),
}


def _word(value: Any) -> str | None:
    """A short string Meta sent, or None for anything else."""
    if isinstance(value, str) and value:
        return value[:WORD_MAX]
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)[:WORD_MAX]
    return None


def _detail(field: str, value: Mapping[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {key: word for key in _KEPT[field] if (word := _word(value.get(key))) is not None}
    restrictions = value.get("restriction_info")
    if isinstance(restrictions, list):
        kept["restrictions"] = [
            word
            for item in restrictions[:5]
            if isinstance(item, Mapping)
            if (word := _word(item.get("restriction_type"))) is not None
        ]
    violation = value.get("violation_info")
    if isinstance(violation, Mapping) and (word := _word(violation.get("violation_type"))) is not None:
        kept["violation"] = word
    return kept


def number_events(payload: Any) -> list[NumberEvent]:
    """The reports on the number in one webhook POST; other changes (messages, statuses) are not looked at."""
    found: list[NumberEvent] = []
    if not isinstance(payload, Mapping) or payload.get("object") != "whatsapp_business_account":
        return found
    entries = payload.get("entry")
    for entry in entries if isinstance(entries, list) else []:
        changes = entry.get("changes") if isinstance(entry, Mapping) else None
        for change in changes if isinstance(changes, list) else []:
            field = change.get("field") if isinstance(change, Mapping) else None
            value = change.get("value") if isinstance(change, Mapping) else None
            if field not in _KEPT or not isinstance(value, Mapping):
                continue
            detail = _detail(field, value)
            found.append(
                NumberEvent(kind=field, event=detail.get("event"), tier=detail.get("current_limit"), detail=detail)
            )
    return found


def checked(answer: Any) -> NumberEvent | None:
    """The number's fields as `GET /{phone-number-id}` answered them; None for an answer without them."""
    if not isinstance(answer, Mapping):
        return None
    detail = {name: word for name in NUMBER_FIELDS if (word := _word(answer.get(name))) is not None}
    if not detail:
        return None
    return NumberEvent(
        kind=CHECKED, tier=detail.get("messaging_limit_tier"), quality=detail.get("quality_rating"), detail=detail
    )
