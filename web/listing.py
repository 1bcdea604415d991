"""What list pages share: reading a page number, a filter or a sort from the address safely (anything else is
ignored, never an error), the address of another page of the same list, and the list as a download."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response

from documents.spreadsheets import xlsx_bytes
from models.regions import Office

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MOST_PAGES = 100_000
SEARCH_LIMIT = 100
"""The longest text a search box takes, in characters."""


def page_number(request: Request) -> int:
    """The page asked for, counted from 0 in the code and from 1 in the address ("?halaman=2")."""
    raw = request.query_params.get("halaman", "")
    return min(int(raw), MOST_PAGES) - 1 if raw.isascii() and raw.isdigit() and len(raw) < 7 and int(raw) else 0


def chosen(request: Request, name: str, allowed: Collection[str]) -> str | None:
    """A filter's value when it is one of `allowed`; None for none or anything else."""
    value = request.query_params.get(name)
    return value if value in allowed else None


def typed(request: Request, name: str, limit: int = SEARCH_LIMIT) -> str:
    """A search box's text, trimmed and cut at `limit` characters."""
    return " ".join(request.query_params.get(name, "").split())[:limit]


def address(path: str, values: Mapping[str, str | None], **changed: str | int | None) -> str:
    """`path` with the list's filters and `changed` (a page, a sort) as its query; empty values left out."""
    merged = {**values, **changed}
    query = urlencode({name: value for name, value in merged.items() if value not in (None, "")})
    return f"{path}?{query}" if query else path


def xlsx_download(name: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Response:
    """The table as an Excel file the browser saves as `name`.xlsx (personal data: kept in no cache)."""
    return Response(xlsx_bytes(header, rows), media_type=XLSX, headers={
        "content-disposition": f'attachment; filename="{name}.xlsx"', "cache-control": "no-store"})


def kecamatan_names(office: Office) -> dict[str, str]:
    """The office's kecamatan by code, for a filter's choices."""
    return {kecamatan.code: kecamatan.name for kecamatan in office.kecamatan}


def office_time(office: Office) -> Callable[[datetime], datetime]:
    """A stored moment as the office's clock shows it, for a template's "2 Desember 2026 09:15"."""
    zone = ZoneInfo(office.timezone)
    return lambda moment: moment.astimezone(zone)
