"""The report's figures and breakdowns are defined once and looked up by name: the SQL in models/reports.py,
the words in documents/report_tables.py. These tests keep the two in step."""

from __future__ import annotations

from dataclasses import fields

from documents.report_tables import BREAKDOWN_WORDS, FIGURES, figures_of
from models.reports import BREAKDOWNS, COUNTS, ReportRow


def test_every_count_is_a_field_of_a_report_row() -> None:
    row_fields = {f.name for f in fields(ReportRow)} - {"key", "label", "target"}
    assert [count.name for count in COUNTS] == [f.name for f in fields(ReportRow) if f.name in row_fields]


def test_every_breakdown_has_its_words_and_every_figure_a_name_of_its_own() -> None:
    assert list(BREAKDOWN_WORDS) == [breakdown.name for breakdown in BREAKDOWNS]
    assert len({figure.name for figure in FIGURES}) == len(FIGURES)


def test_figures_are_looked_up_by_name_and_rates_are_cut_to_one_decimal() -> None:
    row = ReportRow("", "2025", participants=11630, completers=9000, asked=3, responded=2, formal=1, informal=0,
                    wub=0, jobs_created=0, equipment_answered=0, equipment_in_use=0, target=3000)
    shown = figures_of(row, "en")
    assert shown["achievement"] == "387.6 %"
    assert shown["response_rate"] == "66.6 %" and shown["placement_formal"] == "50.0 %"
    assert shown["equipment_in_use"] == "-" and shown["target"] == 3000
