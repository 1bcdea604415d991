"""When the office is open, from the region file's `[office.opening]` (days, opens, closes, in the office's time
zone): whether it is open at a moment, and when it next opens. Pure functions, so a user asking on Friday evening
can be told "Monday at 08.00" without a clock or a database.

Public holidays are not known here: on one, the office is taken to be open.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

DAY_NAMES: Mapping[str, int] = MappingProxyType({
    name: number for number, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))})
"""Day names as the region file writes them, to `date.weekday()` numbers."""


class OpeningError(ValueError):
    """The opening hours cannot be used; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """The days the office opens (`date.weekday()` numbers) and its hours on each, on the office's clock."""

    days: frozenset[int]
    opens: time
    closes: time

    def __post_init__(self) -> None:
        if not self.days or not self.days <= set(range(7)):
            raise OpeningError("opening days must name at least one of mon, tue, wed, thu, fri, sat, sun")
        if self.opens >= self.closes:
            raise OpeningError(f"the office must open before it closes (opens {self.opens:%H:%M}, closes "
                               f"{self.closes:%H:%M})")


def parse_opening(days: object, opens: object, closes: object) -> OpeningHours:
    """`["mon", "fri"]`-style days (or "mon-fri") and "08:00"-style times, as the region file or a setting
    gives them."""
    return OpeningHours(_days(days), _time(opens, "opens"), _time(closes, "closes"))


def opening_from_text(text: str) -> OpeningHours:
    """A setting's "mon-fri 08:00-16:00" (or "mon,wed,fri 08:00-12:00")."""
    days, _space, span = text.strip().partition(" ")
    opens, dash, closes = span.strip().partition("-")
    if not dash:
        raise OpeningError(f"opening hours must read like \"mon-fri 08:00-16:00\", not {text!r}")
    return parse_opening(days, opens, closes)


def _days(value: object) -> frozenset[int]:
    names: Sequence[object]
    if isinstance(value, str):
        first, dash, last = value.strip().lower().partition("-")
        if dash:
            if first not in DAY_NAMES or last not in DAY_NAMES:
                raise OpeningError(f"unknown day in {value!r}: use mon, tue, wed, thu, fri, sat, sun")
            start, end = DAY_NAMES[first], DAY_NAMES[last]
            return frozenset((start + step) % 7 for step in range((end - start) % 7 + 1))
        names = [part.strip() for part in value.split(",")]
    elif isinstance(value, list):
        names = value
    else:
        raise OpeningError("opening days must be a list such as [\"mon\", \"fri\"] or a range such as \"mon-fri\"")
    unknown = [name for name in names if not isinstance(name, str) or name.lower() not in DAY_NAMES]
    if unknown:
        raise OpeningError(f"unknown opening days {unknown!r}: use mon, tue, wed, thu, fri, sat, sun")
    return frozenset(DAY_NAMES[str(name).lower()] for name in names)


def _time(value: object, what: str) -> time:
    if isinstance(value, time):
        return value
    try:
        hours, minutes = str(value).strip().replace(".", ":").split(":")
        return time(int(hours), int(minutes))
    except ValueError as error:
        raise OpeningError(f"{what} must be a time such as \"08:00\", not {value!r}") from error


def local(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(ZoneInfo(timezone))


def is_open(hours: OpeningHours, moment: datetime, timezone: str) -> bool:
    """Whether the office is open at `moment` (its opening minute counts, its closing minute does not)."""
    here = local(moment, timezone)
    return here.weekday() in hours.days and hours.opens <= here.time() < hours.closes


def next_opening(hours: OpeningHours, moment: datetime, timezone: str) -> datetime:
    """The first time after `moment` that the office opens, on its own clock: later today if it has not opened
    yet, else on the next open day, at most 7 days ahead."""
    here = local(moment, timezone)
    zone = ZoneInfo(timezone)
    for ahead in range(8):
        day = here.date() + timedelta(days=ahead)
        opening = datetime.combine(day, hours.opens, tzinfo=zone)
        if day.weekday() in hours.days and opening > here:
            return opening
    raise AssertionError("an office open on some weekday opens within 7 days")  # pragma: no cover
