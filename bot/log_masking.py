"""Personal data never reaches a log line: phone numbers (E.164, Indonesian 08..., WhatsApp ids) and NIKs in a
message, its arguments or its traceback are masked by a filter on the root logger's handlers, wherever the line
comes from (our code, uvicorn, the channel libraries). What is left is enough to tell lines apart, not to call
anyone: "+6281******001", "6309********0002".
"""

from __future__ import annotations

import logging
import re

from models.nik import mask as mask_nik

_PHONE_OR_ID = re.compile(
    r"(?<![\d+])(?:"
    r"\+\d(?:[ -]?\d){7,14}"  # E.164, typed with spaces or dashes or not: +62 812-5100-0001
    r"|(?:62|0)[ -]?8(?:[ -]?\d){7,12}"  # an Indonesian mobile number typed in groups: 0812-5100-0001
    r"|\d{9,20}"  # bare digits: a WhatsApp id (6281251000001), 08125100001, a NIK, a Telegram chat id
    r")(?!\d)"
)
NIK_DIGITS = 16


def mask_personal_data(text: str) -> str:
    """`text` with every phone number, WhatsApp id and NIK in it masked."""
    return _PHONE_OR_ID.sub(_mask_match, text)


def _mask_match(match: re.Match[str]) -> str:
    found = match.group()
    digits = re.sub(r"\D", "", found)
    if len(digits) == NIK_DIGITS and not found.startswith("+"):
        return mask_nik(digits)
    shown_head = 4 if len(digits) >= 12 else 2  # the country and operator code identify nobody
    masked = f"{digits[:shown_head]}{'*' * (len(digits) - shown_head - 3)}{digits[-3:]}"
    return f"+{masked}" if found.startswith("+") else masked


class PersonalDataFilter(logging.Filter):
    """Masks a record's message, its arguments and its traceback before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True


def mask_personal_data_in_logs(logger: logging.Logger | None = None) -> None:
    """Put the filter on every handler of `logger` (the root logger by default): a filter on a logger would
    not see the records its children propagate, a filter on its handlers sees them all."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(existing, PersonalDataFilter) for existing in handler.filters):
            handler.addFilter(PersonalDataFilter())
