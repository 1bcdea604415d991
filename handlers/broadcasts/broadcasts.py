"""Broadcasts, for staff only (`/broadcast`): write, choose the audience, preview, send now or later; and the
list of recent broadcasts with their figures (and why messages failed), where one still going can be
cancelled; and the messages of the last days that did not arrive (`handlers.broadcasts.delivery_problems`).

Steps: `start` (new or recent), `text_id`, `text_en` (optional), `opening` (optional link), `poster`
(optional picture or PDF brochure), the audience steps of `handlers.broadcasts.audience`, `preview` (the
message exactly as each language's readers get it, and the count), `schedule` (only when sending later),
`confirm`; or `recent`, `detail`, `cancel`; or `failures`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

from bot.engine.messages import MAX_DOCUMENT_BYTES, Image, Msg, Option, Outgoing, _, one_line, parse_id, say
from documents.labels import LANGUAGE_NAMES
from handlers.broadcasts.audience import AUDIENCE_STEPS, audience_of, describe
from handlers.broadcasts.delivery_problems import accept_failures, ask_failures, reason_lines
from handlers.broadcasts.message import as_seen
from handlers.broadcasts.pacing import plan_lines, waiting_lines
from handlers.broadcasts.progress import STATUS, figures_line
from handlers.context import Context
from handlers.flow import (
    NO,
    YES,
    Answer,
    Ended,
    Flow,
    Invalid,
    Result,
    Step,
    Store,
    begin,
    end_flow,
    leave_flow,
    unless_confirmed,
)
from models.answers import AnswerError, parse_typed_moment
from models.audiences import size_of
from models.broadcasts import BroadcastStatus, figures_of, get_broadcast, recent_broadcasts, text_in
from models.delivery_failures import failure_reasons
from models.sending_days import OfficeClock
from services.broadcasts import MAX_TEXT, BroadcastDraft, cancel, known_opening_code, send_broadcast
from services.permissions import Actor
from services.posters import (
    DOCUMENT_LIMIT,
    IMAGE_LIMIT,
    MEGABYTE,
    REFUSALS,
    check_poster,
    poster_of_broadcast,
    upload_for_broadcast,
)
from services.ticket_files import FileProblem
from services.whatsapp_pacing import plan_for_audience, plan_for_broadcast

SHOWN_TEXT = 60  # of each recent broadcast's text in the list
NEW, RECENT, FAILURES, SKIP, NOW, LATER, CANCEL = "new", "recent", "failures", "skip", "now", "later", "cancel"


def _new(draft: Mapping[str, Any]) -> bool:
    return draft.get("mode") == NEW


def _later(draft: Mapping[str, Any]) -> bool:
    return _new(draft) and draft.get("when") == LATER


def _recent(draft: Mapping[str, Any]) -> bool:
    return draft.get("mode") == RECENT


def _failures(draft: Mapping[str, Any]) -> bool:
    return draft.get("mode") == FAILURES


async def start_broadcasts(ctx: Context) -> None:
    await begin(ctx, FLOW)


async def ask_start(_ctx: Context) -> Outgoing:
    return say(_("Broadcasts. What would you like to do?"), options=(
        Option(NEW, _("Write a new broadcast")), Option(RECENT, _("Recent broadcasts")),
        Option(FAILURES, _("Messages not delivered"))))


async def accept_start(_ctx: Context, given: Answer) -> Result:
    if given.option in (NEW, RECENT, FAILURES):
        return Store({"mode": given.option})
    return Invalid(_("Please choose one of the options."))


async def ask_text_id(_ctx: Context) -> Outgoing:
    return say(_("Write the announcement in Indonesian (at most {limit} characters).").format(limit=MAX_TEXT))


def _text(given: Answer) -> str | Invalid:
    text = given.text.strip()
    if not text or given.option is not None:
        return Invalid(_("Please type the text of the announcement."))
    if len(text) > MAX_TEXT:
        return Invalid(_("That is too long: at most {limit} characters.").format(limit=MAX_TEXT))
    return text


async def accept_text_id(_ctx: Context, given: Answer) -> Result:
    text = _text(given)
    return text if isinstance(text, Invalid) else Store({"text_id": text})


async def ask_text_en(_ctx: Context) -> Outgoing:
    return say(_("Now the same announcement in English, or Skip: English readers then get the Indonesian text."),
               options=(Option(SKIP, _("Skip")),))


async def accept_text_en(_ctx: Context, given: Answer) -> Result:
    if given.option == SKIP:
        return Store({"text_en": None})
    text = _text(given)
    return text if isinstance(text, Invalid) else Store({"text_en": text})


async def ask_opening(_ctx: Context) -> Outgoing:
    return say(_("Link it to an opening? Recipients then get a 'See details and apply' button. Type the "
                 "opening's code (for example t12 or a3), or choose No link."), options=(Option(SKIP, _("No link")),))


async def accept_opening(ctx: Context, given: Answer) -> Result:
    if given.option == SKIP:
        return Store({"opening_code": None})
    code = await known_opening_code(ctx.session, given.text)
    if code is None:
        return Invalid(_("There is no opening with that code. Type a code such as t12, or choose No link."))
    return Store({"opening_code": code})


async def ask_poster(_ctx: Context) -> Outgoing:
    return say(_("Attach a poster or a brochure? Send a picture (JPG, PNG or WebP) or a PDF now, at most {megabytes} "
                 "MB here, or choose No file.").format(megabytes=MAX_DOCUMENT_BYTES // MEGABYTE),
               options=(Option(SKIP, _("No file")),))


async def accept_poster(ctx: Context, given: Answer) -> Result:
    if given.option == SKIP:
        return Store({"poster": None})
    if given.document is None:
        return Invalid(_("Please send the picture or PDF itself, or choose No file."))
    if len(given.document.content) > MAX_DOCUMENT_BYTES:
        return Invalid(_("That file is too large to send in the chat: at most {megabytes} MB. Larger ones (a "
                         "picture up to {image} MB, a PDF up to {document} MB) can be attached on the dashboard.")
                       .format(megabytes=MAX_DOCUMENT_BYTES // MEGABYTE, image=IMAGE_LIMIT // MEGABYTE,
                               document=DOCUMENT_LIMIT // MEGABYTE))
    checked = check_poster(given.document.name, given.document.content)
    if isinstance(checked, FileProblem):
        return Invalid(REFUSALS[checked])
    file_id = await upload_for_broadcast(ctx.session, Actor.of(ctx.user), checked, now=ctx.now)
    return Store({"poster": file_id, "poster_name": checked.name})


def _message_in(ctx: Context, locale: str) -> str:
    text = text_in(locale, ctx.draft["text_id"], ctx.draft.get("text_en"))
    poster = Image(int(ctx.draft["poster"]), "") if ctx.draft.get("poster") else None
    seen = as_seen(partial(ctx.services.render_in, locale), text, ctx.draft.get("opening_code"),
                   ctx.services.office.name, poster)
    shown = f"[{ctx.draft['poster_name']}]\n" if ctx.draft.get("poster") else ""
    return shown + seen.body + "".join(f"\n[{button}]" for button in seen.buttons)


async def ask_preview(ctx: Context) -> Outgoing:
    size = await size_of(ctx.session, audience_of(ctx.draft))
    lines: list[Msg | str] = []
    for locale in sorted(size.by_locale, key=lambda code: (code != "id", code)):
        lines += [_("{count} people reading {language} will see:").format(
            count=size.by_locale[locale], language=LANGUAGE_NAMES.get(locale, locale)), "", _message_in(ctx, locale),
            ""]
    lines.append(_("In all {count} people will receive it.").format(count=size.receiving))
    if size.left_out:
        lines.append(_("{count} more in this audience stopped announcements or blocked the bot: they are "
                       "skipped.").format(count=size.left_out))
    lines += await _pacing(ctx, ctx.now)
    return say(*lines, options=(Option(NOW, _("Send now")), Option(LATER, _("Schedule for later"))))


async def _pacing(ctx: Context, start: datetime) -> list[Msg]:
    """The days the WhatsApp number's tier spreads it over, from `start`."""
    plan = await plan_for_audience(ctx.session, audience_of(ctx.draft), start=start,
                                   fallback=ctx.services.whatsapp_daily_limit,
                                   clock=OfficeClock.of(ctx.services.office))
    return plan_lines(plan, ctx.services.office, ctx.now)


async def accept_preview(_ctx: Context, given: Answer) -> Result:
    if given.option in (NOW, LATER):
        return Store({"when": given.option, "at": None})
    return Invalid(_("Please choose Send now or Schedule for later."))


async def ask_schedule(_ctx: Context) -> Outgoing:
    return say(_("When should it go out? Write the date and time, for example 24-12-2026 09:00."))


async def accept_schedule(ctx: Context, given: Answer) -> Result:
    timezone = ctx.services.office.timezone
    try:
        moment = parse_typed_moment(given.text, timezone)
    except AnswerError:
        return Invalid(_("Please write a date and a time, for example 24-12-2026 09:00."))
    if moment <= ctx.now:
        return Invalid(_("That moment has passed. Please choose a later date and time."))
    return Store({"at": moment.isoformat()})


def _moment(ctx: Context) -> datetime:
    at = ctx.draft.get("at")
    return datetime.fromisoformat(at) if at else ctx.now


async def ask_confirm(ctx: Context) -> Outgoing:
    size = await size_of(ctx.session, audience_of(ctx.draft))
    if ctx.draft.get("at"):
        local = ctx.services.office.local_time(_moment(ctx))
        question = _("Send it to {count} people on {day} at {time}?").format(
            count=size.receiving, day=local.date(), time=local.strftime("%H:%M %Z"))
    else:
        question = _("Send it to {count} people now?").format(count=size.receiving)
    return say(*await _pacing(ctx, _moment(ctx)), question,
               options=(Option(YES, _("Yes, send it")), Option(NO, _("No, not now"))))


async def accept_confirm(ctx: Context, given: Answer) -> Result:
    if (not_yes := unless_confirmed(given)) is not None:
        return not_yes
    draft = BroadcastDraft(text_id=ctx.draft["text_id"], text_en=ctx.draft.get("text_en"),
                           opening_code=ctx.draft.get("opening_code"), audience=audience_of(ctx.draft),
                           send_at=_moment(ctx), poster_file_id=ctx.draft.get("poster"))
    broadcast = await send_broadcast(ctx.session, Actor.of(ctx.user), draft, now=ctx.now)
    end_flow(ctx)
    ctx.send(say(_("Broadcast #{id} is on its way to {count} people. You will see its progress here.")
                 .format(id=broadcast.id, count=broadcast.total) if broadcast.status == BroadcastStatus.SENDING else
                 _("Broadcast #{id} is scheduled. You can cancel it under Recent broadcasts.").format(id=broadcast.id)))
    return Ended()


async def ask_recent(ctx: Context) -> Outgoing:
    broadcasts = await recent_broadcasts(ctx.session)
    if not broadcasts:
        return say(_("No broadcasts have been sent yet."))
    lines: list[Msg | str] = [_("Recent broadcasts:")]
    for broadcast in broadcasts:
        lines += ["", _("#{id} ({status}): {text}").format(id=broadcast.id, status=STATUS[broadcast.status],
                                                          text=one_line(broadcast.text_id, SHOWN_TEXT)),
                  figures_line(await figures_of(ctx.session, broadcast.id))]
    return say(*lines, options=tuple(Option(f"b{b.id}", f"#{b.id}") for b in broadcasts))


async def accept_recent(ctx: Context, given: Answer) -> Result:
    chosen = given.option or ""
    broadcast_id = parse_id(chosen[1:]) if chosen.startswith("b") else None
    if broadcast_id is not None and await get_broadcast(ctx.session, broadcast_id):
        return Store({"chosen": broadcast_id})
    return Invalid(_("Please choose a broadcast from the list."))


async def ask_detail(ctx: Context) -> Outgoing:
    broadcast = await get_broadcast(ctx.session, int(ctx.draft.get("chosen", 0)))
    if broadcast is None:
        return say(_("That broadcast no longer exists."))
    audience = describe(ctx.services.office, audience_of({"audience": broadcast.audience}))
    poster = await poster_of_broadcast(ctx.session, Actor.of(ctx.user), broadcast.id)
    plan = await plan_for_broadcast(ctx.session, broadcast, now=ctx.now, fallback=ctx.services.whatsapp_daily_limit,
                                    clock=OfficeClock.of(ctx.services.office))
    lines: list[Msg | str] = [_("#{id} ({status})").format(id=broadcast.id, status=STATUS[broadcast.status]),
                              *((f"[{poster.name}]",) if poster is not None else ()), broadcast.text_id, "", *audience,
                              figures_line(await figures_of(ctx.session, broadcast.id)),
                              *waiting_lines(plan, broadcast, ctx.services.office, ctx.now)]
    if reasons := await failure_reasons(ctx.session, broadcast_id=broadcast.id):
        lines += ["", _("Why messages failed:"), *reason_lines(reasons)]
    going = broadcast.status in (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING)
    return say(*lines, options=(Option(CANCEL, _("Cancel this broadcast")),) if going else ())


async def accept_detail(_ctx: Context, given: Answer) -> Result:
    if given.option == CANCEL:
        return Store()
    return Invalid(_("Choose Back to return to the list."))


async def ask_cancel(ctx: Context) -> Outgoing:
    return say(_("Cancel broadcast #{id}? Those not yet sent will not get it.").format(id=ctx.draft.get("chosen")),
               options=(Option(YES, _("Yes, cancel it")), Option(NO, _("No, let it go on"))))


async def accept_cancel(ctx: Context, given: Answer) -> Result:
    if (not_yes := unless_confirmed(given)) is not None:
        return not_yes
    broadcast = await cancel(ctx.session, Actor.of(ctx.user), int(ctx.draft.get("chosen", 0)), now=ctx.now)
    if broadcast is not None:
        ctx.send(say(_("Broadcast #{id} is cancelled.").format(id=broadcast.id),
                     figures_line(await figures_of(ctx.session, broadcast.id))))
    else:
        ctx.send(say(_("That broadcast has already finished.")))
    end_flow(ctx)
    return Ended()


FLOW = Flow(
    name="broadcasts",
    steps=(
        Step("start", ask_start, accept_start, only_shows=True),
        Step("text_id", ask_text_id, accept_text_id, applies=_new),
        Step("text_en", ask_text_en, accept_text_en, applies=_new),
        Step("opening", ask_opening, accept_opening, applies=_new),
        Step("poster", ask_poster, accept_poster, applies=_new, takes_files=True),
        *AUDIENCE_STEPS,
        Step("preview", ask_preview, accept_preview, applies=_new),
        Step("schedule", ask_schedule, accept_schedule, applies=_later),
        Step("confirm", ask_confirm, accept_confirm, applies=_new),
        Step("recent", ask_recent, accept_recent, applies=_recent, only_shows=True),
        Step("detail", ask_detail, accept_detail, applies=_recent, only_shows=True),
        Step("cancel", ask_cancel, accept_cancel, applies=_recent),
        Step("failures", ask_failures, accept_failures, applies=_failures, only_shows=True),
    ),
    finish=leave_flow,
    cancel=leave_flow,
)
