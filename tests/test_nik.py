"""Stories about what people type as their NIK and what the bot makes of it."""

from __future__ import annotations

import datetime
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.nik import PROVINCE_CODES, InvalidNik, Nik, NikProblem, parse_nik

# A woman from Tabalong (South Kalimantan), born 1 January 1995, serial 0001.
TABALONG_WOMAN = "6309014101950001"
# A man from Bojonegoro (East Java), born 17 August 1985, serial 0123.
BOJONEGORO_MAN = "3522011708850123"


def problem_of(raw: str) -> NikProblem:
    with pytest.raises(InvalidNik) as info:
        parse_nik(raw)
    return info.value.problem


def test_a_plain_sixteen_digit_nik_is_accepted() -> None:
    nik = parse_nik(TABALONG_WOMAN)
    assert nik.digits == TABALONG_WOMAN
    assert (nik.province_code, nik.regency_code, nik.district_code) == ("63", "6309", "630901")


def test_balikpapan_city_code_is_read_from_the_first_four_digits() -> None:
    assert parse_nik("6471011708850123").regency_code == "6471"


def test_woman_born_on_the_first_adds_forty_to_the_day() -> None:
    nik = parse_nik(TABALONG_WOMAN)
    assert nik.gender == "female"
    assert (nik.birth_day, nik.birth_month, nik.birth_year_2digits) == (1, 1, 95)


def test_man_keeps_his_real_day_of_birth() -> None:
    nik = parse_nik(BOJONEGORO_MAN)
    assert nik.gender == "male"
    assert (nik.birth_day, nik.birth_month, nik.birth_year_2digits) == (17, 8, 85)


@pytest.mark.parametrize(
    "typed",
    [
        "63 09 01 410195 0001",
        "6309.0141.0195.0001",
        "6309-0141-0195-0001",
        "  6309014101950001\n",
        "6309\u00a00141\u20130195 0001",  # non-breaking space and en dash
    ],
)
def test_separators_between_digit_groups_are_ignored(typed: str) -> None:
    assert parse_nik(typed).digits == TABALONG_WOMAN


def test_full_width_digits_from_a_japanese_keyboard_are_normalised() -> None:
    full_width = "".join(chr(0xFF10 + int(d)) for d in TABALONG_WOMAN)
    assert parse_nik(full_width).digits == TABALONG_WOMAN


def test_arabic_indic_digits_are_not_folded_by_nfkc_so_they_are_rejected() -> None:
    arabic = "".join(chr(0x0660 + int(d)) for d in TABALONG_WOMAN)
    assert problem_of(arabic) is NikProblem.NOT_DIGITS


@pytest.mark.parametrize("typed", ["", "   ", "\t\n"])
def test_an_empty_message_is_reported_as_empty(typed: str) -> None:
    assert problem_of(typed) is NikProblem.EMPTY


@pytest.mark.parametrize("typed", ["6309O14101950001", "NIK 6309014101950001", "630901410195000😀", "---"])
def test_letters_emoji_or_only_dashes_are_not_digits(typed: str) -> None:
    assert problem_of(typed) is NikProblem.NOT_DIGITS


@pytest.mark.parametrize("typed", ["630901410195001", "63090141019500011", "6"])
def test_one_digit_too_few_or_too_many_is_the_wrong_length(typed: str) -> None:
    assert problem_of(typed) is NikProblem.WRONG_LENGTH


def test_a_huge_paste_is_rejected_cheaply() -> None:
    assert problem_of("1" * 1_000_000) is NikProblem.WRONG_LENGTH
    assert problem_of("x" * 1_000_000) is NikProblem.NOT_DIGITS


@pytest.mark.parametrize("province", ["00", "10", "20", "37", "99"])
def test_a_province_that_kemendagri_never_issued_is_unknown(province: str) -> None:
    assert problem_of(province + TABALONG_WOMAN[2:]) is NikProblem.UNKNOWN_PROVINCE


@pytest.mark.parametrize("province", ["93", "94", "95", "96", "97"])
def test_the_new_papua_provinces_are_known(province: str) -> None:
    assert parse_nik(province + TABALONG_WOMAN[2:]).province_code == province


@pytest.mark.parametrize("ddmmyy", ["000195", "320195", "400195", "720195", "011395", "010095", "310495"])
def test_a_birth_date_that_cannot_exist_is_a_bad_date(ddmmyy: str) -> None:
    assert problem_of(f"630901{ddmmyy}0001") is NikProblem.BAD_DATE


@pytest.mark.parametrize("ddmmyy", ["290200", "690200", "290204", "290296"])
def test_leap_day_is_fine_when_either_century_is_a_leap_year(ddmmyy: str) -> None:
    assert parse_nik(f"630901{ddmmyy}0001").birth_day == 29


@pytest.mark.parametrize("ddmmyy", ["290201", "690201", "290297"])
def test_leap_day_in_a_year_that_is_never_leap_is_a_bad_date(ddmmyy: str) -> None:
    assert problem_of(f"630901{ddmmyy}0001") is NikProblem.BAD_DATE


def test_serial_zero_zero_zero_zero_is_never_issued() -> None:
    assert problem_of("6309014101950000") is NikProblem.ZERO_SERIAL


def test_checks_run_in_the_documented_order() -> None:
    # Unknown province, impossible date and zero serial at once: the province is reported first.
    assert problem_of("9909019999990000") is NikProblem.UNKNOWN_PROVINCE
    assert problem_of("6309019999990000") is NikProblem.BAD_DATE


def test_masking_shows_only_the_region_and_the_serial() -> None:
    assert parse_nik(TABALONG_WOMAN).masked() == "6309********0001"


def test_birth_date_matches_the_date_the_person_tells_us() -> None:
    nik = parse_nik(BOJONEGORO_MAN)
    assert nik.birth_date_matches(datetime.date(1985, 8, 17))
    assert not nik.birth_date_matches(datetime.date(1985, 8, 18))
    assert not nik.birth_date_matches(datetime.date(1985, 9, 17))
    assert not nik.birth_date_matches(datetime.date(1986, 8, 17))


def test_two_digit_year_cannot_tell_the_centuries_apart() -> None:
    nik = parse_nik("6309011701000001")  # born 17 January in '00
    assert nik.birth_date_matches(datetime.date(2000, 1, 17))
    assert nik.birth_date_matches(datetime.date(1900, 1, 17))
    assert not nik.birth_date_matches(datetime.date(2001, 1, 17))


def test_a_woman_matches_her_real_birth_day_not_the_offset_one() -> None:
    nik = parse_nik(TABALONG_WOMAN)
    assert nik.birth_date_matches(datetime.date(1995, 1, 1))


def test_constructing_a_nik_directly_still_validates() -> None:
    with pytest.raises(InvalidNik) as info:
        Nik("6309014101950000")
    assert info.value.problem is NikProblem.ZERO_SERIAL


def test_the_error_is_a_value_error_with_a_developer_message_and_survives_pickling() -> None:
    error = InvalidNik(NikProblem.BAD_DATE)
    assert isinstance(error, ValueError)
    assert "birth date" in str(error)
    assert pickle.loads(pickle.dumps(error)).problem is NikProblem.BAD_DATE


@st.composite
def valid_niks(draw: st.DrawFn) -> tuple[str, str, datetime.date, str, int]:
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    rest = draw(st.text("0123456789", min_size=4, max_size=4))
    born = draw(st.dates(datetime.date(1900, 1, 1), datetime.date(2099, 12, 31)))
    gender = draw(st.sampled_from(["female", "male"]))
    serial = draw(st.integers(1, 9999))
    day = born.day + (40 if gender == "female" else 0)
    digits = f"{province}{rest}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    return digits, province + rest, born, gender, serial


@given(valid_niks())
def test_any_well_formed_nik_round_trips_to_its_components(
    case: tuple[str, str, datetime.date, str, int],
) -> None:
    digits, district, born, gender, serial = case
    nik = parse_nik(digits)
    assert nik.digits == digits
    assert nik.district_code == district
    assert nik.province_code == district[:2]
    assert nik.gender == gender
    assert (nik.birth_day, nik.birth_month, nik.birth_year_2digits) == (born.day, born.month, born.year % 100)
    assert nik.birth_date_matches(born)
    assert int(nik.digits[12:]) == serial
    assert nik.masked() == digits[:4] + "********" + digits[-4:]


@given(st.one_of(st.text(), st.binary().map(lambda b: b.decode("latin-1"))))
def test_arbitrary_text_only_ever_raises_invalid_nik(raw: str) -> None:
    try:
        parse_nik(raw)
    except InvalidNik as error:
        assert isinstance(error.problem, NikProblem)
        assert str(error)


@given(st.text("0123456789", min_size=16, max_size=16))
def test_any_sixteen_digits_either_parse_or_fail_on_content(digits: str) -> None:
    try:
        assert parse_nik(digits).digits == digits
    except InvalidNik as error:
        assert error.problem in {NikProblem.UNKNOWN_PROVINCE, NikProblem.BAD_DATE, NikProblem.ZERO_SERIAL}
