"""When check-ins fall due: the pure schedule, in the office's time zone, outside quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.follow_up_schedule import (
    FollowUpPlan,
    PlanError,
    add_months,
    check_in_days,
    check_in_schedule,
    next_delivery_slot,
    outside_quiet_hours,
)

WITA = "Asia/Makassar"
DEFAULT = FollowUpPlan()


def test_the_default_plan_asks_a_month_after_completion_then_monthly_for_a_year() -> None:
    days = check_in_days(date(2026, 1, 31), DEFAULT)
    assert [period for period, _day in days] == list(range(1, 13))
    assert [day for _period, day in days][:4] == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30),
                                                  date(2026, 5, 31)]
    assert days[-1] == (12, date(2027, 1, 31))


def test_check_ins_go_out_at_the_delivery_hour_of_the_office_time_zone() -> None:
    completed = date(2026, 11, 23)
    assert check_in_schedule(completed, DEFAULT, WITA)[0] == (1, datetime(2026, 12, 23, 1, 0, tzinfo=UTC))
    assert check_in_schedule(completed, DEFAULT, "Asia/Jakarta")[0][1] == datetime(2026, 12, 23, 2, 0, tzinfo=UTC)
    assert check_in_schedule(completed, DEFAULT, "Asia/Jayapura")[0][1] == datetime(2026, 12, 23, 0, 0, tzinfo=UTC)


def test_a_plan_can_ask_quarterly() -> None:
    plan = FollowUpPlan.from_json({"first_after_months": 3, "every_months": 3, "until_months": 12,
                                   "delivery_hour": 16})
    schedule = check_in_schedule(date(2026, 11, 23), plan, WITA)
    assert [period for period, _due in schedule] == [3, 6, 9, 12]
    assert schedule[0][1] == datetime(2027, 2, 23, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("local_hour", "local_minute", "moved_to"), [
    (21, 0, (1, 7)), (22, 30, (1, 7)), (23, 59, (1, 7)), (0, 0, (0, 7)), (6, 59, (0, 7)),
])
def test_a_time_in_quiet_hours_moves_to_the_morning(local_hour: int, local_minute: int,
                                                    moved_to: tuple[int, int]) -> None:
    local = datetime(2026, 12, 1, local_hour, local_minute, tzinfo=UTC) - timedelta(hours=8)  # WITA is UTC+8
    days_later, hour = moved_to
    expected = datetime(2026, 12, 1 + days_later, hour, 0, tzinfo=UTC) - timedelta(hours=8)
    assert outside_quiet_hours(local, DEFAULT, WITA) == expected


@pytest.mark.parametrize("local_hour", [7, 9, 12, 20])
def test_a_time_outside_quiet_hours_stays(local_hour: int) -> None:
    moment = datetime(2026, 12, 1, local_hour, 30, tzinfo=UTC) - timedelta(hours=8)
    assert outside_quiet_hours(moment, DEFAULT, WITA) == moment


def test_quiet_hours_that_do_not_cross_midnight_work_too() -> None:
    plan = FollowUpPlan(quiet_from=time(12, 0), quiet_until=time(13, 0))
    noon = datetime(2026, 12, 1, 4, 15, tzinfo=UTC)  # 12:15 WITA
    assert outside_quiet_hours(noon, plan, WITA) == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


def test_the_next_delivery_slot_is_today_or_tomorrow_at_the_delivery_hour() -> None:
    assert next_delivery_slot(datetime(2026, 12, 1, 0, 0, tzinfo=UTC), DEFAULT, WITA) == datetime(
        2026, 12, 1, 1, 0, tzinfo=UTC)
    assert next_delivery_slot(datetime(2026, 12, 1, 1, 1, tzinfo=UTC), DEFAULT, WITA) == datetime(
        2026, 12, 2, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(("plan", "message"), [
    ({"delivery_hour": 22}, "outside quiet hours"),
    ({"first_after_months": 0}, "first_after_months"),
    ({"every_months": 0}, "every_months"),
    ({"remind_after_days": 8}, "before the check-in closes"),
    ({"when": "often"}, "unknown fields when"),
    ({"quiet_from": "late"}, "follow-up plan"),
])
def test_a_plan_that_cannot_work_is_refused_with_the_field_named(plan: dict[str, Any], message: str) -> None:
    with pytest.raises(PlanError, match=message):
        FollowUpPlan.from_json(plan)


def test_an_empty_plan_is_the_default() -> None:
    assert FollowUpPlan.from_json({}) == DEFAULT
    assert FollowUpPlan.from_json(None) == DEFAULT


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 120))
def test_adding_months_lands_in_the_right_month_never_past_the_day(day: date, months: int) -> None:
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day <= day.day


NAIVE_BOUNDS = {"min_value": datetime(2020, 1, 1), "max_value": datetime(2040, 1, 1)}  # noqa: DTZ001 (hypothesis wants naive)


@given(st.datetimes(**NAIVE_BOUNDS, timezones=st.just(UTC)))  # type: ignore[arg-type]  # overloads miss **bounds
def test_no_moment_is_left_in_quiet_hours(moment: datetime) -> None:
    allowed = outside_quiet_hours(moment, DEFAULT, WITA)
    assert allowed >= moment and allowed - moment <= timedelta(hours=10)
    local = allowed.astimezone(ZoneInfo(WITA)).time()
    assert not DEFAULT.in_quiet_hours(local)
