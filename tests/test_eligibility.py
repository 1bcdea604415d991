"""Eligibility for an opening: each rule alone, all reasons together, and ages at the boundaries."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from models.catalog import OpeningStatus
from models.eligibility import Applicant, Ineligible, OpeningTerms, age_on, reasons_not_eligible
from models.profiles import Education

TODAY = date(2027, 1, 10)
SEWING = OpeningTerms(
    status=OpeningStatus.OPEN, deadline=date(2027, 1, 25), quota=16, places_taken=3, min_age=18, max_age=35,
    min_education=Education.SMP,
)
SITI = Applicant(birth_date=date(1999, 8, 5), education=Education.SMK)


def reasons(
    terms: OpeningTerms = SEWING, applicant: Applicant | None = SITI, *, applied: bool = False
) -> list[Ineligible]:
    return reasons_not_eligible(terms, applicant, today=TODAY, already_applied=applied)


def test_a_registered_job_seeker_who_meets_every_requirement_may_apply() -> None:
    assert reasons() == []
    assert SEWING.places_left == 13


def test_each_rule_gives_its_own_reason() -> None:
    assert reasons(applicant=None) == [Ineligible.NOT_REGISTERED]
    assert reasons(replace(SEWING, status=OpeningStatus.CLOSED)) == [Ineligible.NOT_OPEN]
    assert reasons(replace(SEWING, deadline=TODAY - timedelta(days=1))) == [Ineligible.DEADLINE_PASSED]
    assert reasons(replace(SEWING, places_taken=16)) == [Ineligible.QUOTA_FULL]
    assert reasons(applied=True) == [Ineligible.ALREADY_APPLIED]
    assert reasons(replace(SEWING, min_age=30)) == [Ineligible.TOO_YOUNG]
    assert reasons(replace(SEWING, max_age=25)) == [Ineligible.TOO_OLD]
    assert reasons(replace(SEWING, min_education=Education.D3)) == [Ineligible.EDUCATION_TOO_LOW]


def test_the_deadline_day_itself_still_takes_applications() -> None:
    assert reasons(replace(SEWING, deadline=TODAY)) == []


def test_sma_and_smk_count_as_the_same_level() -> None:
    assert reasons(replace(SEWING, min_education=Education.SMA)) == []


def test_several_problems_are_all_reported() -> None:
    terms = replace(SEWING, places_taken=20, max_age=20, min_education=Education.D4_S1)
    assert reasons(terms, applied=True) == [
        Ineligible.QUOTA_FULL, Ineligible.ALREADY_APPLIED, Ineligible.TOO_OLD, Ineligible.EDUCATION_TOO_LOW
    ]


def test_age_counts_completed_years() -> None:
    assert age_on(date(2000, 1, 10), date(2027, 1, 10)) == 27
    assert age_on(date(2000, 1, 11), date(2027, 1, 10)) == 26
    assert age_on(date(2000, 2, 29), date(2027, 2, 28)) == 26
    assert age_on(date(2000, 2, 29), date(2027, 3, 1)) == 27


@given(born=st.dates(min_value=date(1940, 1, 1), max_value=date(2026, 12, 31)), limit=st.integers(10, 70))
def test_an_age_limit_admits_exactly_the_ages_inside_it(born: date, limit: int) -> None:
    applicant = Applicant(birth_date=born, education=Education.S3)
    age = age_on(born, TODAY)
    too_young = Ineligible.TOO_YOUNG in reasons(replace(SEWING, min_age=limit, max_age=None), applicant)
    too_old = Ineligible.TOO_OLD in reasons(replace(SEWING, min_age=None, max_age=limit), applicant)
    assert too_young == (age < limit)
    assert too_old == (age > limit)
