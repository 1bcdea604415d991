"""Registration of a job seeker, and editing the profile afterwards (the same questions, from the summary).

Steps, in order: language, consent, the profile's fields (as `fields.PROFILE_FIELDS` lists them), summary
(confirm, or edit a field via choose_field). Nothing personal is written to the profile until the summary is
confirmed; declining consent or cancelling discards it all.
"""

from __future__ import annotations

from typing import Any

from bot.engine.messages import Nav, Option, Outgoing, _, say
from documents import labels
from handlers.context import Context
from handlers.flow import (
    Answer,
    Ended,
    Finish,
    Flow,
    Invalid,
    Jump,
    Result,
    Step,
    Store,
    ask,
    begin,
    end_flow,
)
from handlers.registration.fields import PROFILE_FIELDS, field_named, profile_lines
from handlers.registration.questions import CHOOSE_FROM_LIST, draft_nik
from models.answers import name_case
from models.profiles import JobSeekerProfile, NikAlreadyRegistered, answers_of, fields_from_answers, save_profile

# --- language and consent --------------------------------------------------------------------------------------

def language_options(ctx: Context) -> tuple[Option, ...]:
    return tuple(Option(code, labels.LANGUAGE_NAMES[code]) for code in ctx.services.locales)


async def ask_language(ctx: Context) -> Outgoing:
    return say(_("Welcome to Sahabat Kerja of {office}! Which language do you prefer?")
               .format(office=ctx.services.office.name), options=language_options(ctx))


async def accept_language(ctx: Context, given: Answer) -> Result:
    if given.option not in ctx.services.locales:
        return Invalid(CHOOSE_FROM_LIST)
    ctx.user.locale = given.option
    return Store({})


async def ask_consent(ctx: Context) -> Outgoing:
    return say(
        _("To register you, {office} will store your name, NIK, date of birth, gender, phone number, "
          "kecamatan, education, skills, disability (optional) and current activity. We use them only to offer "
          "you training and apprenticeships and to follow up on your progress, as the Personal Data Protection "
          "Law (UU 27/2022) requires. Your NIK is stored encrypted. You can see, export or delete your data at "
          "any time from the menu. If you delete it, the office's reports keep only anonymous figures (program, "
          "year, kecamatan, gender, disability, age group and work status) that can no longer be linked to you. "
          "Do you agree?").format(office=ctx.services.office.name),
        options=(Option("agree", _("I agree")), Option("decline", _("I do not agree"))),
    )


async def accept_consent(ctx: Context, given: Answer) -> Result:
    if given.option == "agree":
        return Store({"consented_at": ctx.now.isoformat()})
    if given.option == "decline":
        end_flow(ctx)
        ctx.send(say(_("Understood. Without your consent we cannot register you, and nothing was stored. "
                       "You can register at any time from the menu.")))
        return Ended()
    return Invalid(CHOOSE_FROM_LIST)


# --- summary and editing ---------------------------------------------------------------------------------------

async def ask_summary(ctx: Context) -> Outgoing:
    return say(
        _("Please check your data:"),
        *profile_lines(ctx, ctx.draft),
        options=(Option("confirm", _("Confirm and save")), Option("edit", _("Change something"))),
        sensitive=True,  # the NIK in full, so the person can check it
    )


async def accept_summary(ctx: Context, given: Answer) -> Result:
    if given.option == "confirm":
        return Finish()
    if given.option == "edit":
        return Jump("choose_field", return_to="summary")
    return Invalid(CHOOSE_FROM_LIST)


async def ask_choose_field(ctx: Context) -> Outgoing:
    return say(_("What would you like to change?"),
               options=tuple(Option(field.key, field.label) for field in PROFILE_FIELDS))


async def accept_choose_field(ctx: Context, given: Answer) -> Result:
    if given.option is not None and field_named(given.option) is not None:
        return Jump(given.option, return_to="summary")
    return Invalid(CHOOSE_FROM_LIST)


# --- the flow --------------------------------------------------------------------------------------------------

async def finish(ctx: Context) -> None:
    draft = ctx.draft
    nik = draft_nik(ctx)
    assert nik is not None
    fields = fields_from_answers(draft, nik.digits)
    editing = draft.get("mode") == "edit"
    try:
        await save_profile(ctx.session, ctx.user.id, fields, ctx.services.cipher, ctx.now)
    except NikAlreadyRegistered:
        ctx.send(say(_("This NIK has just been registered with another account. Please check it.")))
        step = FLOW.step("nik")
        assert step is not None
        ctx.data["edit"] = {"return_to": "summary", "queue": [step.name, *step.also_ask]}
        await ask(ctx, FLOW, step)
        return
    then = ctx.data.get("then")
    end_flow(ctx)
    if editing:
        ctx.send(say(_("Your profile has been updated.")))
    else:
        ctx.send(say(_("Thank you, {name}! Your registration is complete.").format(name=name_case(fields.full_name))))
    ctx.continue_with = then


async def cancel(ctx: Context) -> None:
    editing = ctx.draft.get("mode") == "edit"
    end_flow(ctx)
    if editing:
        ctx.send(say(_("No changes were made to your profile.")))
    else:
        ctx.send(say(_("Registration cancelled. Your answers were discarded.")))


FLOW = Flow(
    name="registration",
    steps=(
        Step("language", ask_language, accept_language, applies=lambda d: d.get("mode") != "edit"),
        Step("consent", ask_consent, accept_consent, applies=lambda d: d.get("mode") != "edit"),
        *(field.step for field in PROFILE_FIELDS),
        Step("summary", ask_summary, accept_summary),
        Step("choose_field", ask_choose_field, accept_choose_field, applies=lambda _d: False),
    ),
    finish=finish,
    cancel=cancel,
    nav=(Nav.BACK, Nav.CANCEL),
    asks_before_leaving=True,
)


async def start_registration(ctx: Context, *, then: dict[str, Any] | None = None) -> None:
    """Start registering; `then` (see `Context.continue_with`) is where the user goes once registered."""
    await begin(ctx, FLOW, data={"then": then} if then else None)


def land_after_registering(ctx: Context, then: dict[str, Any]) -> bool:
    """In the middle of registering (not editing a profile), go to `then` once registered instead of what was
    planned; False when the user is not registering."""
    if ctx.conversation.flow != FLOW.name or ctx.draft.get("mode") == "edit":
        return False
    ctx.data["then"] = then
    return True


async def start_profile_edit(ctx: Context, profile: JobSeekerProfile) -> None:
    """Open the summary of the saved profile, from which any answer can be changed."""
    draft = {"mode": "edit", **answers_of(profile)}
    await begin(ctx, FLOW, data={"draft": draft}, at="summary")
