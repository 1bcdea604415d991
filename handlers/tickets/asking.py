"""Ask staff (/tanya, /ask): the user writes to the office, and while in this mode everything they type is added
to their ticket, until they choose "Back to the menu" (offered with every message here). Commands keep working.
Where the channel carries files (Telegram, WhatsApp) a photo or a document may come too, its caption the text.

Staff answers arrive as notices (`services.tickets.reply`), with a Reply button that comes back here; answers
held while a WhatsApp user's window was closed are delivered before anything they write next is read
(`deliver_held`, called by the router for every message).
"""

from __future__ import annotations

from datetime import datetime

from bot.engine.messages import Msg, Nav, Outgoing, _, say
from handlers.context import Context
from handlers.flow import Answer, Flow, Invalid, Result, Stay, Step, begin, leave_flow
from handlers.help import reopening
from models.regions import Office
from models.tickets import MESSAGE_LIMIT, open_ticket_of
from services.ticket_files import FILE_LIMIT, CheckedFile, FileProblem, check_file
from services.tickets import Outcome, alert_staff, ask, release_held

WRITING = "writing"
TICKET = "ticket"

EXPECT = _("Staff answer during office hours, usually within one working day; the answer will come here.")
EXPECT_TODAY = _("The office is open now: staff usually answer within the working day. The answer will come here.")
EXPECT_AT = _("The office is closed now and opens again on {weekday}, {day} {month} at {time} {zone}. Staff answer "
              "from then on; the answer will come here.")


async def start_asking(ctx: Context) -> None:
    """Open the writing mode; with an open ticket, what they write next is added to it."""
    ticket = await open_ticket_of(ctx.session, ctx.user.id)
    await begin(ctx, FLOW, data={"draft": {TICKET: ticket.id} if ticket is not None else {}})


async def ask_message(ctx: Context) -> Outgoing:
    ticket = ctx.draft.get(TICKET)
    if ticket is None:
        text = _("Write your question for the office staff in one message. Staff will answer here.")
    else:
        text = _("Anything else? What you write here is added to your question #{ticket}.").format(ticket=ticket)
    return say(text, nav=(Nav.MENU,))


def _received(ctx: Context, ticket_id: int) -> list[Msg | str]:
    office = ctx.services.office
    lines: list[Msg | str] = [_("Thank you. Your question has number #{ticket}.").format(ticket=ticket_id)]
    if office.hours:
        lines.append(_("Office hours: {hours}").format(hours=office.hours))
    lines.append(expectation(office, ctx.now))
    return lines


def expectation(office: Office, now: datetime) -> Msg:
    """When to expect an answer: within the working day while the office is open, else from when it next opens
    (in the office's time and zone); the general promise where the region file sets no opening hours."""
    if office.opening is None:
        return EXPECT
    reopens = reopening(office, now)
    return EXPECT_TODAY if reopens is None else EXPECT_AT.format(**reopens)


def file_refusal(problem: FileProblem) -> Msg:
    if problem is FileProblem.TOO_LARGE:
        return _("That file is too large: at most {megabytes} MB.").format(megabytes=FILE_LIMIT // (1024 * 1024))
    return _("Please send a photo (JPG or PNG), a PDF or a Word document; this file cannot be kept.")


async def accept_message(ctx: Context, given: Answer) -> Result:
    file: CheckedFile | None = None
    if given.document is not None:
        checked = check_file(given.document.name, given.document.content)
        if isinstance(checked, FileProblem):
            return Invalid(file_refusal(checked))
        file = checked
    added = await ask(ctx.session, ctx.user.id, given.text, now=ctx.now, file=file)
    if added.outcome is Outcome.EMPTY or added.ticket is None:
        return Invalid(_("Please write your question as text."))
    if added.outcome is Outcome.TOO_LONG:
        return Invalid(_("That message is too long: please write at most {limit} characters.")
                       .format(limit=MESSAGE_LIMIT))
    if added.opened:
        ctx.send(say(*_received(ctx, added.ticket.id)))
        await alert_staff(ctx.session, added.ticket, given.text or (file.name if file is not None else ""), ctx)
    return Stay({TICKET: added.ticket.id})


FLOW = Flow(name="ask_staff", steps=(Step(WRITING, ask_message, accept_message, only_shows=True, takes_files=True),),
            finish=leave_flow, cancel=leave_flow, nav=(Nav.MENU,))


async def deliver_held(ctx: Context) -> None:
    """The staff answers the user was only told of (see `services.tickets.release_held`), before their message."""
    for answer in await release_held(ctx.session, ctx.user, ctx.services.office):
        ctx.send(answer)
