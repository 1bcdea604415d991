"""When alumni are asked: pure functions from a completion date and a program's follow-up plan to UTC times.

Dates are counted in the office's time zone (WIB, WITA or WIT): a check-in goes out at the plan's delivery
hour there, and nothing is sent in quiet hours (default 21:00-07:00): a time that falls in them moves to the
morning. Kept free of the database so the schedule can be tested hard with any clock.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from models.surveys import DEFAULT_SURVEY


class PlanError(ValueError):
    """A program's follow-up plan that cannot be used; the message names the field."""


@dataclass(frozen=True, slots=True)
class FollowUpPlan:
    """How one program follows its alumni up; stored as JSON in `TrainingProgram.follow_up_plan`.

    Every field may be left out of the JSON: the defaults are the office's usual practice (a first check-in a
    month after completion, then monthly for a year).
    """

    first_after_months: int = 1
    every_months: int = 1
    until_months: int = 12
    delivery_hour: int = 9
    quiet_from: time = time(21, 0)
    quiet_until: time = time(7, 0)
    remind_after: timedelta = timedelta(days=3)
    close_after: timedelta = timedelta(days=7)
    survey: str = DEFAULT_SURVEY

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> FollowUpPlan:
        data = dict(data or {})
        try:
            plan = cls(
                first_after_months=int(data.pop("first_after_months", 1)),
                every_months=int(data.pop("every_months", 1)),
                until_months=int(data.pop("until_months", 12)),
                delivery_hour=int(data.pop("delivery_hour", 9)),
                quiet_from=time.fromisoformat(data.pop("quiet_from", "21:00")),
                quiet_until=time.fromisoformat(data.pop("quiet_until", "07:00")),
                remind_after=timedelta(days=float(data.pop("remind_after_days", 3))),
                close_after=timedelta(days=float(data.pop("close_after_days", 7))),
                survey=str(data.pop("survey", DEFAULT_SURVEY)),
            )
        except (TypeError, ValueError) as error:
            raise PlanError(f"follow-up plan: {error}") from error
        if data:
            raise PlanError(f"follow-up plan: unknown fields {', '.join(sorted(data))}")
        if not (1 <= plan.first_after_months <= plan.until_months <= 120 and plan.every_months >= 1):
            raise PlanError("follow-up plan: needs 1 <= first_after_months <= until_months <= 120, every_months >= 1")
        if not 0 <= plan.delivery_hour <= 23 or plan.in_quiet_hours(time(plan.delivery_hour)):
            raise PlanError("follow-up plan: delivery_hour must be an hour outside quiet hours")
        if not timedelta(0) < plan.remind_after < plan.close_after:
            raise PlanError("follow-up plan: the reminder must come before the check-in closes")
        return plan

    def in_quiet_hours(self, moment: time) -> bool:
        if self.quiet_from <= self.quiet_until:
            return self.quiet_from <= moment < self.quiet_until
        return moment >= self.quiet_from or moment < self.quiet_until


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_in_days(completed_on: date, plan: FollowUpPlan) -> list[tuple[int, date]]:
    """(period, local day) of every check-in: period is the number of months after completion."""
    return [(months, add_months(completed_on, months))
            for months in range(plan.first_after_months, plan.until_months + 1, plan.every_months)]


def delivery_time(day: date, plan: FollowUpPlan, timezone: str) -> datetime:
    """The UTC moment of the delivery hour on that local day."""
    local = datetime.combine(day, time(plan.delivery_hour), tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


def outside_quiet_hours(moment: datetime, plan: FollowUpPlan, timezone: str) -> datetime:
    """`moment` itself, or the end of the quiet hours it falls in (UTC)."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    if not plan.in_quiet_hours(local.time().replace(tzinfo=None)):
        return moment
    morning = datetime.combine(local.date(), plan.quiet_until, tzinfo=zone)
    if morning <= local:
        morning = datetime.combine(local.date() + timedelta(days=1), plan.quiet_until, tzinfo=zone)
    return morning.astimezone(UTC)


def check_in_schedule(completed_on: date, plan: FollowUpPlan, timezone: str) -> list[tuple[int, datetime]]:
    """(period, UTC due time) of every check-in of an alumnus who completed on `completed_on`."""
    return [(period, delivery_time(day, plan, timezone)) for period, day in check_in_days(completed_on, plan)]


def next_delivery_slot(now: datetime, plan: FollowUpPlan, timezone: str) -> datetime:
    """The next delivery hour at the office from `now` on (today's if it has not passed, else tomorrow's)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    slot = delivery_time(today, plan, timezone)
    return slot if slot >= now else delivery_time(today + timedelta(days=1), plan, timezone)
