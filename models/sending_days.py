"""How a broadcast larger than the WhatsApp number's daily limit spreads over the following days.

The number may start conversations with only `limit` people in any rolling 24 hours (its messaging tier). What
remains of today's allowance goes at once; the rest waits until the first of those messages is a day old, and
no earlier than the office's opening hour (a message at 03:00 is not what an office sends). Pure functions: the
preview (chat and dashboard), the progress and the sending job all reckon the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from models.opening_hours import OpeningHours, is_open, next_opening
from models.regions import Office

DAY = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Portion:
    """`count` recipients whose messages go out from `start`."""

    start: datetime
    count: int


@dataclass(frozen=True, slots=True)
class OfficeClock:
    """When the office works, for holding back the rest of a broadcast until it opens (None: any time)."""

    timezone: str
    opening: OpeningHours | None = None

    @classmethod
    def of(cls, office: Office) -> OfficeClock:
        return cls(office.timezone, office.opening)


def resume_at(moment: datetime, clock: OfficeClock) -> datetime:
    """`moment`, or the office's next opening when it is closed then."""
    if clock.opening is None or is_open(clock.opening, moment, clock.timezone):
        return moment
    return next_opening(clock.opening, moment, clock.timezone)


def split_into_days(
    count: int,
    *,
    limit: int | None,
    used: int,
    oldest_use: datetime | None,
    start: datetime,
    clock: OfficeClock,
) -> list[Portion]:
    """`count` recipients in portions the number may start conversations with: the first at `start` with what
    is left of the rolling day (`limit` less the `used` since `oldest_use`), then at most `limit` a day, each
    portion a day after the one before (or after the oldest use, when nothing is left today), at opening hours.

    `limit` None is an unlimited tier: everyone at `start`.
    """
    if count <= 0:
        return []
    if limit is None:
        return [Portion(start, count)]
    portions: list[Portion] = []
    left = count
    free = max(0, limit - used)
    last = oldest_use if oldest_use is not None and used > 0 else start
    if free > 0:
        portions.append(Portion(start, min(left, free)))
        left -= portions[-1].count
        last = start
    while left > 0:
        last = resume_at(max(last + DAY, start), clock)
        portions.append(Portion(last, min(left, limit)))
        left -= portions[-1].count
    return portions
