"""The kinds of training program, on their own so that the command line can offer them without loading the
database layer (`python -m bot --help` stays quick)."""

from __future__ import annotations

from enum import StrEnum


class TrainingCategory(StrEnum):
    COMPETENCY = "competency"
    """Pelatihan berbasis kompetensi: to the Ministry of Manpower's competency standards."""
    NON_COMPETENCY = "non_competency"
    """Pelatihan nonkompetensi: sewing, cooking, workshop and repair skills."""
    COMMUNITY = "community"
    """Pelatihan berbasis masyarakat: aimed at micro-business independence."""


ALL_CATEGORIES = ""
"""A training target for every category together, not one of them."""
