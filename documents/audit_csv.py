"""The audit trail as a CSV file an admin opens in a spreadsheet: one row per entry, the values before and after
as JSON, times in the office's zone.

A cell starting with =, +, - or @ gets a leading apostrophe, so a value a staff member typed (a remark, an
opening's title) is never run as a spreadsheet formula by whoever opens the file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from models.audit import AuditRow

HEADER = ("waktu", "pelaku_id", "pelaku", "asal", "aksi", "subjek", "subjek_id", "sebelum", "sesudah", "rincian")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def audit_csv(rows: Sequence[AuditRow], timezone: str) -> str:
    zone = ZoneInfo(timezone)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        entry = row.entry
        detail = dict(entry.detail)
        origin = detail.pop("origin", "")
        before, after = detail.pop("before", None), detail.pop("after", None)
        actor = f"{row.actor.channel}:{row.actor.external_id}" if row.actor is not None else ""
        writer.writerow([_cell(value) for value in (
            entry.at.astimezone(zone).isoformat(timespec="seconds"), entry.actor_id or "", actor, origin,
            entry.action, entry.subject_kind, entry.subject_id, _json(before), _json(after),
            _json(detail) if detail else "")])
    return out.getvalue()
