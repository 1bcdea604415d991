"""Narrowing the list of openings: by kind of training, and to the job seeker's own kecamatan.

The choice lives in the browsing draft (`category`, `near`), so it survives paging, the details view and
a restart; "Show everything" clears it.
"""

from __future__ import annotations

from bot.engine.messages import Items, Msg, Option, Outgoing, _, say
from documents.labels import TRAINING_CATEGORY
from handlers.context import Context
from handlers.flow import Answer, Invalid, Result, Store
from models.applications import OpeningKind
from models.browsing import Filters
from models.catalog import TrainingCategory
from models.profiles import JobSeekerProfile, is_registered

FILTER = "filter"
NEAR = "near"
EVERYTHING = "all"


def filters_of(ctx: Context, profile: JobSeekerProfile | None) -> Filters:
    near = bool(ctx.draft.get(NEAR)) and profile is not None
    return Filters(category=ctx.draft.get("category"), kecamatan=profile.kecamatan if near and profile else None)


def describe(ctx: Context, filters: Filters) -> Msg | None:
    """'Filtered: ...' for the heading of a filtered list; None when nothing is filtered."""
    parts: list[Msg | str] = []
    if filters.category:
        parts.append(TRAINING_CATEGORY[filters.category])
    if filters.kecamatan:
        kecamatan = ctx.services.office.kecamatan_by_code(filters.kecamatan)
        parts.append(kecamatan.name if kecamatan else filters.kecamatan)
    return _("Filtered: {filters}").format(filters=Items(parts)) if parts else None


async def ask_filter(ctx: Context) -> Outgoing:
    options: list[Option] = []
    if ctx.draft.get("kind") != OpeningKind.APPRENTICESHIP:
        options.extend(Option(category, TRAINING_CATEGORY[category]) for category in TrainingCategory)
    if await is_registered(ctx.session, ctx.user.id):  # a visitor has no kecamatan yet
        options.append(Option(NEAR, _("Only in my kecamatan")))
    options.append(Option(EVERYTHING, _("Show everything")))
    return say(_("Which openings do you want to see?"), options=tuple(options))


async def accept_filter(ctx: Context, given: Answer) -> Result:
    if given.option == EVERYTHING:
        return Store({"category": None, NEAR: False, "page": 0})
    if given.option == NEAR:
        return Store({NEAR: True, "page": 0})
    if given.option in {category.value for category in TrainingCategory}:
        return Store({"category": given.option, "page": 0})
    return Invalid(_("Please choose one of the options."))
