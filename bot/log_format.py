"""How log lines look (LOG_FORMAT): text for a person at a terminal, or JSON for a log collector (one object a
line: time, level, logger, message, the call's `extra=` fields, the traceback), both with personal data masked.

The masking filter (`bot.log_masking`) has already masked a record's message and traceback when a formatter sees
it; the `extra=` fields reach no filter, so the formatter masks each of them (a number that masking changes becomes
its masked text).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any, Literal

from bot.log_masking import mask_personal_data, mask_personal_data_in_logs

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_STANDARD_FIELDS = frozenset({*logging.makeLogRecord({}).__dict__, "message", "asctime", "taskName", "color_message"})
"""What every record carries (and uvicorn's terminal-coloured copy of the message); anything else on one came from
the call's `extra=`."""


class JsonFormatter(logging.Formatter):
    """One JSON object a line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((key, value) for key, value in record.__dict__.items() if key not in _STANDARD_FIELDS)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["traceback"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(_masked(entry), ensure_ascii=False)


def _masked(value: object) -> object:
    """`value` as JSON can hold it, with personal data masked in every text and number in it."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, dict):
        return {str(key): _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_masked(item) for item in value]
    text = str(value)
    masked = mask_personal_data(text)
    return value if isinstance(value, int | float) and masked == text else masked


def configure_logging(level: str, log_format: Literal["text", "json"] = "text") -> None:
    """The root logger at `level`, writing to stderr in `log_format`, every line masked."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
    mask_personal_data_in_logs()
