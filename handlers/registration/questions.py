"""The questions about a job seeker, asked at registration and again to edit the profile; `fields.py` puts
them in order, one profile field each.

Each step validates with a pure function from `models/` and turns its problem code into a sentence that
says what is wrong and what is expected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.engine.messages import MonthName, Msg, Option, Outgoing, _, say
from documents import labels
from handlers.context import Context
from handlers.flow import Answer, Invalid, Result, Stay, Step, Store, several_chosen
from models.answers import AnswerError, AnswerProblem, clean_free_text, clean_full_name, parse_typed_date
from models.nik import InvalidNik, Nik, NikProblem, parse_nik
from models.phone import InvalidPhone, PhoneProblem, normalize_phone
from models.profiles import nik_taken_by_other

MIN_AGE, MAX_AGE = 15, 100
MAX_OTHER_INTERESTS = 5
MAX_OTHER_INTEREST_LENGTH = 60
DONE = "done"

CHOOSE_FROM_LIST = _("Please choose one of the options, by its number or its name.")

NIK_PROBLEMS: Mapping[NikProblem, Msg] = {
    NikProblem.EMPTY: _("Please type your NIK: the 16-digit number on your KTP or family card."),
    NikProblem.NOT_DIGITS: _("A NIK has digits only. Please type the 16 digits on your KTP."),
    NikProblem.WRONG_LENGTH: _("A NIK has exactly 16 digits. Please check the number on your KTP."),
    NikProblem.UNKNOWN_PROVINCE: _(
        "The first two digits of this NIK are not an Indonesian province code. Please check it."
    ),
    NikProblem.BAD_DATE: _(
        "Digits 7 to 12 of a NIK are a date of birth, and these are not a real date. Please check it."
    ),
    NikProblem.ZERO_SERIAL: _("The last four digits of a NIK cannot be 0000. Please check it."),
}

PHONE_PROBLEMS: Mapping[PhoneProblem, Msg] = {
    PhoneProblem.EMPTY: _("Please type your phone number, for example 0812 3456 7890."),
    PhoneProblem.NOT_A_NUMBER: _("That does not look like a phone number. Please type it like 0812 3456 7890."),
    PhoneProblem.INVALID: _("That number is not complete or not valid. Please type it like 0812 3456 7890."),
    PhoneProblem.NOT_MOBILE: _("That looks like a landline. Please give a mobile number that can receive chats."),
    PhoneProblem.NOT_INDONESIAN: _("That number is not an Indonesian one, and the office can only reach Indonesian "
                                   "numbers. Please give a number that starts with 08 or +62."),
}


def single_choice(name: str, question: Msg, choices: Callable[[Context], tuple[Option, ...]], key: str) -> Step:
    """A step answered by picking exactly one option; its id is stored under `key`."""

    async def ask(ctx: Context) -> Outgoing:
        return say(question, options=choices(ctx))

    async def accept(ctx: Context, given: Answer) -> Result:
        if given.option in {o.id for o in choices(ctx)}:
            return Store({key: given.option})
        return Invalid(CHOOSE_FROM_LIST)

    return Step(name, ask, accept)


# --- full name ---------------------------------------------------------------------------------------------

async def ask_name(ctx: Context) -> Outgoing:
    return say(_("What is your full name, as written on your KTP?"))


async def accept_name(ctx: Context, given: Answer) -> Result:
    try:
        return Store({"full_name": clean_full_name(given.text)})
    except AnswerError as error:
        if error.problem is AnswerProblem.TOO_LONG:
            return Invalid(_("That name is too long. Please write at most 100 characters."))
        if error.problem is AnswerProblem.TOO_SHORT:
            return Invalid(_("That name is too short. Please write your full name as on your KTP."))
        return Invalid(_("Please write your name with letters only (spaces, dots, hyphens and apostrophes are fine)."))


# --- NIK -----------------------------------------------------------------------------------------------------

def draft_nik(ctx: Context) -> Nik | None:
    token = ctx.draft.get("nik_encrypted")
    return parse_nik(ctx.services.cipher.decrypt(token)) if token else None


async def ask_nik(ctx: Context) -> Outgoing:
    return say(_("What is your NIK? It is the 16-digit number on your KTP or family card (Kartu Keluarga)."))


async def accept_nik(ctx: Context, given: Answer) -> Result:
    try:
        nik = parse_nik(given.text)
    except InvalidNik as error:
        return Invalid(NIK_PROBLEMS[error.problem])
    cipher = ctx.services.cipher
    if await nik_taken_by_other(ctx.session, cipher.lookup_hash(nik.digits), ctx.user.id):
        return Invalid(
            _("This NIK is already registered with another account. If it is yours, please contact {office}.")
            .format(office=ctx.services.office.name)
        )
    return Store({"nik_encrypted": cipher.encrypt(nik.digits)})


# --- date of birth -----------------------------------------------------------------------------------------

async def ask_birth_date(ctx: Context) -> Outgoing:
    return say(_("What is your date of birth? For example 17-08-1995 or 17 Agustus 1995."))


async def accept_birth_date(ctx: Context, given: Answer) -> Result:
    try:
        born = parse_typed_date(given.text)
    except AnswerError as error:
        if error.problem is AnswerProblem.NO_SUCH_DAY:
            return Invalid(_no_such_day(error))
        return Invalid(_("I could not read that date. Please write day, month and year, like 17-08-1995."))
    today = ctx.today
    if born > today:
        return Invalid(_("That date is in the future. Please type your date of birth."))
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if not MIN_AGE <= age <= MAX_AGE:
        return Invalid(_("Registration is for people aged 15 to 100. Please check the year of birth."))
    nik = draft_nik(ctx)
    if nik is not None and not nik.birth_date_matches(born):
        return Invalid(
            _("This date does not match your NIK, which says {day:02d}-{month:02d}-..{year:02d}. "
              "Check the date, or type 'back' to correct the NIK.")
            .format(day=nik.birth_day, month=nik.birth_month, year=nik.birth_year_2digits)
        )
    return Store({"birth_date": born.isoformat()})


def _no_such_day(error: AnswerError) -> Msg:
    """'February has no 31st', or for the 29th, that the year was not a leap year."""
    if error.month == 2 and error.day == 29:  # the leap day
        return _("{year} was not a leap year: February {year} has 28 days. Please check the date of birth.").format(
            year=str(error.year))
    return _("{month} has no day {day}. Please check the date of birth.").format(month=MonthName(error.month),
                                                                               day=error.day)


# --- gender, confirmed from the NIK --------------------------------------------------------------------------

async def ask_gender(ctx: Context) -> Outgoing:
    nik = draft_nik(ctx)
    options = labels.options_for(labels.GENDER)
    if nik is None:
        return say(_("What is your gender?"), options=options)
    first = tuple(sorted(options, key=lambda o: o.id != nik.gender))
    return say(
        _("Your NIK says your gender is: {gender}. Please confirm, or choose the other if it is wrong.")
        .format(gender=labels.GENDER[nik.gender]),
        options=first,
    )


async def accept_gender(ctx: Context, given: Answer) -> Result:
    if given.option in labels.GENDER:
        return Store({"gender": given.option})
    return Invalid(CHOOSE_FROM_LIST)


# --- phone -----------------------------------------------------------------------------------------------------

THIS_NUMBER = "this_number"


def chat_number(ctx: Context) -> str | None:
    """The number the user writes from, on a channel whose addresses are phone numbers (WhatsApp's id is the
    number without the '+'), when it is mobile."""
    if ctx.user.channel not in ctx.services.phone_number_channels or not ctx.user.external_id.isdigit():
        return None
    try:
        return normalize_phone(f"+{ctx.user.external_id}")
    except InvalidPhone:
        return None


async def ask_phone(ctx: Context) -> Outgoing:
    known = chat_number(ctx)
    if known is not None:  # WhatsApp: confirm the number rather than ask for it
        return say(_("Is {phone} the number to reach you on? If not, type the right one.").format(phone=known),
                   options=(Option(THIS_NUMBER, _("Yes, this number")),))
    question = say(_("What is your mobile phone number? Type it, or share your contact with the button."))
    return Outgoing(text=question.text, request_contact=True)


async def accept_phone(ctx: Context, given: Answer) -> Result:
    if given.option == THIS_NUMBER and (known := chat_number(ctx)) is not None:
        return Store({"phone": known})
    try:
        return Store({"phone": normalize_phone(given.contact_phone or given.text,
                                               foreign_allowed=ctx.services.foreign_phones_allowed)})
    except InvalidPhone as error:
        return Invalid(PHONE_PROBLEMS[error.problem])


# --- interests: several options plus free text -----------------------------------------------------------

def _interest_options(ctx: Context) -> tuple[Option, ...]:
    chosen = set(ctx.draft.get("interests", []))
    options = [
        Option(code, _("✓ {item}").format(item=label) if code in chosen else label)
        for code, label in labels.INTEREST.items()
    ]
    return (*options, Option(DONE, _("Done, continue")))


async def ask_interests(ctx: Context) -> Outgoing:
    others = ctx.draft.get("other_interests", [])
    parts: list[Msg | str] = [
        _("Which skills interest you? Choose as many as you like, one at a time or several numbers at once "
          "(like 1, 3, 5), then choose 'Done'. You can also type a skill that is not in the list; 'remove 3' "
          "takes one off.")
    ]
    if others:
        parts.append(_("Your own additions: {items}").format(items=", ".join(others)))
    return say(*parts, options=_interest_options(ctx), several=True)


async def accept_interests(ctx: Context, given: Answer) -> Result:
    chosen: list[str] = list(ctx.draft.get("interests", []))
    others: list[str] = list(ctx.draft.get("other_interests", []))
    if given.option == DONE or DONE in given.options:
        chosen = several_chosen(chosen, given, labels.INTEREST) or chosen
        if not chosen and not others:
            return Invalid(_("Please choose at least one skill, or type your own."))
        return Store({"interests": chosen})
    now_chosen = several_chosen(chosen, given, labels.INTEREST)
    if now_chosen is not None:
        return Stay({"interests": now_chosen})
    if given.removing:
        return _remove_other_interest(others, given.text)
    return _add_other_interest(others, given.text)


def _remove_other_interest(others: list[str], text: str) -> Result:
    kept = [item for item in others if item.casefold() != " ".join(text.split()).casefold()]
    if len(kept) == len(others):
        return Invalid(_("'{item}' is not among your choices. Choose a number from the list to remove.")
                       .format(item=text[:MAX_OTHER_INTEREST_LENGTH]))
    return Stay({"other_interests": kept})


def _add_other_interest(others: list[str], text: str) -> Result:
    try:
        item = clean_free_text(text, max_length=MAX_OTHER_INTEREST_LENGTH)
    except AnswerError:
        return Invalid(_("Please choose from the list, or type a skill of at most 60 characters."))
    if not any(ch.isalpha() for ch in item):
        return Invalid(_("Please choose from the list, or type a skill of at most 60 characters."))
    if item.casefold() in {o.casefold() for o in others}:
        return Stay({})
    if len(others) >= MAX_OTHER_INTERESTS:
        return Invalid(_("You can add at most 5 skills of your own. Choose 'Done' to continue."))
    return Stay({"other_interests": [*others, item]})
