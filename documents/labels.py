"""The words users see for the codes stored in the database (education levels, interests, ...).

Codes belong to `models`; their names belong here, as translatable sentences, so the database never holds
a word in one language.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.engine.messages import Msg, Option, _
from models.applications import ApplicationStatus
from models.catalog import OpeningStatus, TrainingCategory
from models.profiles import CurrentStatus, Disability, Education, Gender, Interest
from models.users import Role

TRAINING_CATEGORY: Mapping[str, Msg] = {
    TrainingCategory.COMPETENCY: _("Competency-based training"),
    TrainingCategory.NON_COMPETENCY: _("Non-competency training (practical skills)"),
    TrainingCategory.COMMUNITY: _("Community-based training"),
}

OPENING_STATUS: Mapping[str, Msg] = {
    OpeningStatus.DRAFT: _("Draft"),
    OpeningStatus.OPEN: _("Taking applications"),
    OpeningStatus.CLOSED: _("Applications closed"),
    OpeningStatus.RUNNING: _("Under way"),
    OpeningStatus.FINISHED: _("Finished"),
}
"""An opening's state as staff read it in lists."""

OPENING_KIND: Mapping[str, Msg] = {"training": _("Training"), "apprenticeship": _("Apprenticeship")}

STATUS_FOR_STAFF: Mapping[str, Msg] = {
    ApplicationStatus.SUBMITTED: _("Sent, waiting for selection"),
    ApplicationStatus.SHORTLISTED: _("Shortlisted"),
    ApplicationStatus.ACCEPTED: _("Accepted"),
    ApplicationStatus.REJECTED: _("Not accepted"),
    ApplicationStatus.WITHDRAWN: _("Withdrawn by applicant"),
    ApplicationStatus.ENROLLED: _("Taking part"),
    ApplicationStatus.COMPLETED: _("Completed"),
    ApplicationStatus.DROPPED_OUT: _("Stopped before the end"),
}
"""An application's status as staff read it (withdrawing is the applicant's own act, never a staff move)."""

STATUS_FOR_APPLICANT: Mapping[str, Msg] = {**STATUS_FOR_STAFF, ApplicationStatus.WITHDRAWN: _("Withdrawn by you")}
"""An application's status as the applicant reads it about their own application."""

GENDER: Mapping[str, Msg] = {Gender.FEMALE: _("Female"), Gender.MALE: _("Male")}

EDUCATION: Mapping[str, Msg] = {
    Education.NONE: _("No schooling / not finished primary school"),
    Education.SD: _("Primary school (SD)"),
    Education.SMP: _("Junior high school (SMP)"),
    Education.SMA: _("Senior high school (SMA)"),
    Education.SMK: _("Vocational high school (SMK)"),
    Education.D1: _("Diploma 1 (D1)"),
    Education.D2: _("Diploma 2 (D2)"),
    Education.D3: _("Diploma 3 (D3)"),
    Education.D4_S1: _("Bachelor or Diploma 4 (S1/D4)"),
    Education.S2: _("Master's degree (S2)"),
    Education.S3: _("Doctorate (S3)"),
}

MINIMUM_EDUCATION: Mapping[str, Msg] = {
    **EDUCATION,
    Education.SMA: _("Senior or vocational high school (SMA/SMK)"),
    Education.SMK: _("Vocational high school (SMK; SMA does not qualify)"),
}
"""An opening's minimum as applicants read it: "at least SMA" takes SMK too, "at least SMK" does not take SMA."""

INTEREST: Mapping[str, Msg] = {
    Interest.SEWING: _("Sewing and tailoring"),
    Interest.COOKING: _("Cooking and food processing"),
    Interest.WELDING: _("Welding"),
    Interest.AUTOMOTIVE: _("Car and motorcycle repair"),
    Interest.ELECTRICAL: _("Electrical installation"),
    Interest.COMPUTING: _("Computers and office administration"),
    Interest.BEAUTY: _("Beauty and hairdressing"),
    Interest.AGRICULTURE: _("Farming, plantations and fisheries"),
    Interest.CONSTRUCTION: _("Building construction"),
    Interest.HOSPITALITY: _("Hotels, tourism and hospitality"),
    Interest.HEAVY_EQUIPMENT: _("Heavy equipment operation"),
    Interest.ENTREPRENEURSHIP: _("Starting a business"),
}

DISABILITY: Mapping[str, Msg] = {
    Disability.NONE: _("No disability"),
    Disability.PHYSICAL: _("Physical disability"),
    Disability.VISUAL: _("Visual impairment"),
    Disability.HEARING_SPEECH: _("Hearing or speech impairment"),
    Disability.INTELLECTUAL: _("Intellectual disability"),
    Disability.MENTAL: _("Psychosocial (mental) disability"),
    Disability.MULTIPLE: _("More than one disability"),
    Disability.NOT_SAID: _("I prefer not to say"),
}

CURRENT_STATUS: Mapping[str, Msg] = {
    CurrentStatus.LOOKING: _("Looking for work"),
    CurrentStatus.WORKING: _("Working"),
    CurrentStatus.STUDYING: _("Studying"),
    CurrentStatus.BUSINESS: _("Running a business"),
}

LANGUAGE_NAMES: Mapping[str, str] = {"id": "Bahasa Indonesia", "en": "English"}

OFFICE_ROLE: Mapping[str, Msg] = {
    Role.VIEWER: _("Viewer: reads lists and reports"),
    Role.STAFF: _("Staff: manages openings and selection"),
    Role.ADMIN: _("Admin: also manages staff"),
}
ROLE: Mapping[str, Msg] = {Role.MEMBER: _("No office role"), Role.VIEWER: _("Viewer"), Role.STAFF: _("Staff"),
                           Role.ADMIN: _("Admin")}
CHANNEL: Mapping[str, Msg] = {"telegram": _("Telegram"), "whatsapp": _("WhatsApp"), "console": _("Console")}


def options_for(labels: Mapping[str, Msg]) -> tuple[Option, ...]:
    """One option per code, in the order the labels are listed."""
    return tuple(Option(str(code), label) for code, label in labels.items())
