"""The office a deployment serves and its districts (kecamatan), read from a region file.

Region lists are data, not code: an office adds its own file and points `REGION_FILE` at it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from models.opening_hours import OpeningError, OpeningHours, parse_opening

DEFAULT_REGION_FILE = Path(__file__).parent / "data" / "regions" / "tabalong.toml"


@dataclass(frozen=True, slots=True)
class Kecamatan:
    """A district of the office's regency or city."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Office:
    name: str
    regency: str
    timezone: str
    kecamatan: tuple[Kecamatan, ...]
    address: str = ""
    hours: str = ""
    phone: str = ""
    """How people reach the office in person or by phone, as the office writes it: `/help` shows what is set."""
    opening: OpeningHours | None = None
    """The hours `hours` describes, for the bot to reckon with (`[office.opening]`): when a question asked now can
    expect an answer. None: not set, and nothing is promised."""

    def kecamatan_by_code(self, code: str) -> Kecamatan | None:
        return next((k for k in self.kecamatan if k.code == code), None)

    def local_time(self, moment: datetime) -> datetime:
        """`moment` on the office's clock: what staff read and type times in."""
        return moment.astimezone(ZoneInfo(self.timezone))

    def date_at(self, moment: datetime) -> date:
        """The office's calendar day at `moment`: deadlines, ages and dates count in its time zone, not UTC."""
        return self.local_time(moment).date()


class RegionFileError(ValueError):
    """The region file is missing or malformed; the message names the file and the problem."""


def load_office(path: Path) -> Office:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        office = data["office"]
        districts = tuple(Kecamatan(code=str(k["code"]), name=str(k["name"])) for k in data["kecamatan"])
        result = Office(
            name=str(office["name"]),
            regency=str(office["regency"]),
            timezone=str(office["timezone"]),
            kecamatan=districts,
            address=str(office.get("address", "")),
            hours=str(office.get("hours", "")),
            phone=str(office.get("phone", "")),
            opening=_opening(office.get("opening")),
        )
    except FileNotFoundError as error:
        raise RegionFileError(f"region file {path} does not exist") from error
    except (tomllib.TOMLDecodeError, KeyError, TypeError, OpeningError) as error:
        raise RegionFileError(f"region file {path} is malformed: {error}") from error
    if not districts:
        raise RegionFileError(f"region file {path} lists no kecamatan")
    if len({k.code for k in districts}) != len(districts):
        raise RegionFileError(f"region file {path} repeats a kecamatan code")
    return result


def _opening(table: Any) -> OpeningHours | None:
    """`[office.opening]`: `days` (a list of mon..sun, or "mon-fri"), `opens` and `closes` ("08:00")."""
    if table is None:
        return None
    if not isinstance(table, dict):
        raise OpeningError("[office.opening] must be a table with days, opens and closes")
    return parse_opening(table["days"], table["opens"], table["closes"])
