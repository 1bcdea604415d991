"""Applying to an opening from its detail view: eligibility explained, a confirmation, then the application.

Someone not yet registered is sent through registration and brought back to the same opening afterwards.
The last check happens under a lock on the opening, so two people cannot both take its last place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.engine.messages import Msg, Option, Outgoing, _, say
from documents.labels import EDUCATION, MINIMUM_EDUCATION
from handlers.context import Context
from handlers.flow import NO, YES, Answer, Back, Ended, Invalid, Result, Stay, Store, end_flow, unless_confirmed
from handlers.openings.wording import WORDS
from handlers.registration.registration import start_registration
from models.applications import (
    Opening,
    OpeningKind,
    OpeningRef,
    get_opening,
    has_active_application,
    lock_opening,
    opening_title,
    places_taken,
    submit_application,
)
from models.eligibility import Applicant, Ineligible, OpeningTerms, age_on, reasons_not_eligible
from models.profiles import JobSeekerProfile, get_profile

APPLY = "apply"

REASONS: dict[Ineligible, Msg] = {
    Ineligible.NOT_OPEN: _("- it is not taking applications now"),
    Ineligible.DEADLINE_PASSED: _("- the registration deadline has passed"),
    Ineligible.QUOTA_FULL: _("- all places are taken"),
    Ineligible.ALREADY_APPLIED: _("- you have already applied; see 'My applications' in the menu"),
    Ineligible.TOO_YOUNG: _("- it asks for an age of at least {low} years; you are {age}"),
    Ineligible.TOO_OLD: _("- it asks for an age of at most {high} years; you are {age}"),
    Ineligible.EDUCATION_TOO_LOW: _("- it asks for {required}; your profile says {yours}"),
}


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Whether a job seeker may apply, and the figures to explain each reason with."""

    reasons: list[Ineligible]
    terms: OpeningTerms
    applicant: Applicant
    age: int

    def explained(self) -> list[Msg]:
        """Each reason with what the opening asks and what the profile says ("asks for SMK; yours says SMA")."""
        required = MINIMUM_EDUCATION.get(self.terms.min_education or "", _("a higher level of education"))
        yours = EDUCATION.get(self.applicant.education, _("not given"))
        return [REASONS[reason].format(low=self.terms.min_age, high=self.terms.max_age, age=self.age,
                                       required=required, yours=yours) for reason in self.reasons]


def selected_opening(ctx: Context) -> OpeningRef:
    return OpeningRef(OpeningKind(ctx.draft.get("kind", OpeningKind.TRAINING)), int(ctx.draft.get("selected", 0)))


async def load_opening(ctx: Context, ref: OpeningRef) -> Opening | None:
    return await get_opening(ctx.session, ref)


title_of = opening_title


async def accept_apply(ctx: Context, given: Answer) -> Result:
    """The detail view's answer: only "apply" means something there (Back and Cancel are handled before)."""
    if given.option != APPLY:
        return Invalid(WORDS[selected_opening(ctx).kind].choose_button)
    profile = await get_profile(ctx.session, ctx.user.id)
    if profile is None:
        ctx.send(say(_("To apply you need to register first; it takes a few minutes. Afterwards you come back "
                       "to this opening.")))
        then = _come_back_here(ctx)
        end_flow(ctx)
        await start_registration(ctx, then=then)
        return Ended()
    eligibility = await check_eligibility(ctx, selected_opening(ctx), profile)
    if eligibility.reasons:  # an old Apply button, or "apply" typed: the details (asked again) say why not
        return Stay()
    return Store()


def _come_back_here(ctx: Context) -> dict[str, Any]:
    draft = {key: ctx.draft[key] for key in ("kind", "page", "selected") if key in ctx.draft}
    return {"flow": "openings", "at": "detail", "draft": draft}


async def check_eligibility(ctx: Context, ref: OpeningRef, profile: JobSeekerProfile) -> Eligibility:
    opening = await load_opening(ctx, ref)
    if opening is None:
        gone = OpeningTerms(status="", deadline=ctx.today, quota=0, places_taken=0)
        applicant = Applicant(birth_date=profile.birth_date, education=profile.education)
        return Eligibility([Ineligible.NOT_OPEN], gone, applicant, age_on(profile.birth_date, ctx.today))
    return await eligibility_for(ctx, ref, opening, await places_taken(ctx.session, ref), profile)


async def eligibility_for(
    ctx: Context, ref: OpeningRef, opening: Opening, taken: int, profile: JobSeekerProfile
) -> Eligibility:
    """The same check for an opening the caller has already loaded (the details view counts its places too)."""
    applicant = Applicant(birth_date=profile.birth_date, education=profile.education)
    terms = OpeningTerms(
        status=opening.status,
        deadline=opening.deadline,
        quota=opening.quota,
        places_taken=taken,
        min_age=opening.min_age,
        max_age=opening.max_age,
        min_education=opening.min_education,
    )
    already = await has_active_application(ctx.session, ctx.user.id, ref)
    return Eligibility(reasons_not_eligible(terms, applicant, today=ctx.today, already_applied=already), terms,
                       applicant, age_on(profile.birth_date, ctx.today))


async def ask_confirm(ctx: Context) -> Outgoing:
    opening = await load_opening(ctx, selected_opening(ctx))
    title = title_of(opening) if opening is not None else ""
    return say(
        WORDS[selected_opening(ctx).kind].confirm.format(title=title),
        _("The office will tell you here about selection and the next steps."),
        options=(Option(YES, _("Yes, send it")), Option(NO, _("No, not now"))),
    )


async def accept_confirm(ctx: Context, given: Answer) -> Result:
    if (not_yes := unless_confirmed(given)) is not None:
        return not_yes
    ref = selected_opening(ctx)
    profile = await get_profile(ctx.session, ctx.user.id)
    assert profile is not None, "registration comes before the confirmation"
    await lock_opening(ctx.session, ref)
    eligibility = await check_eligibility(ctx, ref, profile)
    if eligibility.reasons:  # someone took the last place, or the deadline passed, since the details were shown
        ctx.send(say(WORDS[ref.kind].could_not_send, *eligibility.explained()))
        return Back()
    opening = await load_opening(ctx, ref)
    assert opening is not None
    await submit_application(ctx.session, user_id=ctx.user.id, opening=ref, now=ctx.now)
    end_flow(ctx)
    ctx.send(say(WORDS[ref.kind].sent.format(title=title_of(opening))))
    return Ended()
