"""When to expect an answer: the office's opening hours from the region file (or OFFICE_OPENING), whether it is
open, when it next opens, and what a user who asks staff is told, in their language and the office's time zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine.runtime import Runtime
from bot.settings import Settings
from bot.wiring import office_from
from handlers.tickets.asking import EXPECT, EXPECT_TODAY, expectation
from models.opening_hours import OpeningError, OpeningHours, is_open, next_opening, opening_from_text, parse_opening
from models.regions import DEFAULT_REGION_FILE, RegionFileError, load_office
from tests.chat import ChatUser, RecordingChannel
from tests.conftest import Clock
from tests.people import SITI, job_seeker
from tests.test_privacy import texts

WEEKDAYS = OpeningHours(frozenset(range(5)), time(8), time(16))
ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")

openings = st.builds(
    lambda days, opens, length: OpeningHours(
        frozenset(days), time(opens // 60, opens % 60),
        time(min(opens + length, 24 * 60 - 1) // 60, min(opens + length, 24 * 60 - 1) % 60)),
    st.sets(st.integers(0, 6), min_size=1), st.integers(0, 22 * 60), st.integers(1, 12 * 60))
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1),  # noqa: DTZ001 (naive bounds)
                       timezones=st.just(UTC))


@given(openings, moments, st.sampled_from(ZONES))
def test_the_next_opening_is_ahead_within_a_week_on_an_open_day_at_the_opening_time(
    hours: OpeningHours, moment: datetime, zone: str
) -> None:
    opens = next_opening(hours, moment, zone)
    assert moment < opens <= moment + timedelta(days=7)
    assert opens.weekday() in hours.days and opens.time() == hours.opens
    assert is_open(hours, opens, zone)
    here = moment.astimezone(opens.tzinfo)
    sooner = [datetime.combine(here.date() + timedelta(days=ahead), hours.opens, tzinfo=opens.tzinfo)
              for ahead in range(8)]
    assert not [at for at in sooner if here < at < opens and at.weekday() in hours.days], "none sooner"


def test_open_closed_and_the_next_opening_in_the_offices_own_time() -> None:
    friday_evening = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)  # 17.30 WITA
    assert not is_open(WEEKDAYS, friday_evening, "Asia/Makassar")
    assert is_open(WEEKDAYS, friday_evening, "Asia/Jayapura") is False  # 18.30 WIT
    assert is_open(WEEKDAYS, datetime(2026, 12, 4, 7, 59, tzinfo=UTC), "Asia/Makassar")  # 15.59 WITA
    assert not is_open(WEEKDAYS, datetime(2026, 12, 4, 8, 0, tzinfo=UTC), "Asia/Makassar"), "closing minute"
    opens = next_opening(WEEKDAYS, friday_evening, "Asia/Makassar")
    assert (opens.date().isoformat(), opens.strftime("%H:%M"), opens.tzname()) == ("2026-12-07", "08:00", "WITA")
    early = next_opening(WEEKDAYS, datetime(2026, 12, 7, 22, 0, tzinfo=UTC), "Asia/Makassar")  # Tue 06.00 WITA
    assert early.date().isoformat() == "2026-12-08", "later the same day when it has not opened yet"


def test_opening_hours_are_read_and_checked() -> None:
    assert parse_opening("mon-fri", "08:00", "16:00") == WEEKDAYS
    assert parse_opening(["MON", "tue", "wed", "thu", "fri"], "8.00", "16:00") == WEEKDAYS
    assert parse_opening("fri-mon", "08:00", "12:00").days == frozenset({4, 5, 6, 0})
    assert opening_from_text("mon,wed 09:00-12:30") == OpeningHours(frozenset({0, 2}), time(9), time(12, 30))
    for days, opens, closes in (("mon-xyz", "08:00", "16:00"), ([], "08:00", "16:00"), ("mon", "16:00", "08:00"),
                                ("mon", "8 pagi", "16:00"), ("mon", "25:00", "26:00"), (3, "08:00", "16:00")):
        with pytest.raises(OpeningError):
            parse_opening(days, opens, closes)
    with pytest.raises(OpeningError):
        opening_from_text("mon-fri")


def test_the_region_file_gives_structured_hours_and_a_bad_table_is_named(tmp_path: Path,
                                                                        app_settings: Settings) -> None:
    office = load_office(DEFAULT_REGION_FILE)
    assert office.opening == WEEKDAYS and office.hours == "Senin-Jumat 08.00-16.00 WITA"
    broken = tmp_path / "region.toml"
    broken.write_text(DEFAULT_REGION_FILE.read_text(encoding="utf-8").replace('closes = "16:00"', 'closes = "07:00"'),
                      encoding="utf-8")
    with pytest.raises(RegionFileError, match="open before it closes"):
        load_office(broken)
    settings = app_settings.model_copy(update={"office_opening": "mon-sat 07:30-12:00"})
    assert office_from(settings).opening == OpeningHours(frozenset(range(6)), time(7, 30), time(12))


async def test_a_question_outside_office_hours_is_told_when_the_office_opens_again(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    clock.now = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)  # Friday 17.30 WITA
    await job_seeker(runtime, clock, SITI)
    siti = ChatUser(runtime, channel, SITI.external_id)
    await siti.send("/tanya")
    told = texts(await siti.send("Kapan pelatihan las dibuka?"))
    assert "Kantor sedang tutup dan buka lagi Senin, 7 Desember pukul 08.00 WITA." in told
    assert "Jam layanan: Senin-Jumat 08.00-16.00 WITA" in told, "the office's own words stay"


async def test_an_english_reader_gets_the_time_in_english(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    clock.now = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # Saturday 11.00 WITA
    await job_seeker(runtime, clock, replace(SITI, locale="en"))
    siti = ChatUser(runtime, channel, SITI.external_id)
    await siti.send("/ask")
    told = texts(await siti.send("When does the welding course open?"))
    assert "opens again on Monday, 7 December at 08:00 WITA" in told


def test_without_opening_hours_the_general_promise_stays() -> None:
    office = replace(load_office(DEFAULT_REGION_FILE), opening=None)
    assert expectation(office, datetime(2026, 12, 5, 3, 0, tzinfo=UTC)) == EXPECT
    assert expectation(replace(office, opening=WEEKDAYS), datetime(2026, 12, 7, 1, 0, tzinfo=UTC)) == EXPECT_TODAY


async def test_help_says_whether_the_office_is_open_and_when_it_opens_again(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    user = ChatUser(runtime, channel, "budi")
    await user.send("/bantuan")
    assert "Jam layanan: Senin-Jumat 08.00-16.00 WITA\nSedang buka." in user.text  # Monday 09.00 WITA
    clock.now = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # Saturday 11.00 WITA
    await user.send("/bantuan")
    assert "Sedang tutup; buka lagi Senin, 7 Desember pukul 08.00 WITA." in user.text
