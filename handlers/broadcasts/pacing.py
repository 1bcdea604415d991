"""The WhatsApp tier's pacing in words: "12000 recipients on WhatsApp: 10000 today, 2000 tomorrow from 08.00",
in the preview (chat and dashboard) before sending, and what still waits in the progress while it goes out."""

from __future__ import annotations

from datetime import datetime

from bot.engine.messages import ClockTime, Items, Msg, _
from models.broadcasts import Broadcast
from models.regions import Office
from models.sending_days import Portion
from services.whatsapp_pacing import WhatsAppPlan


def portion_words(portion: Portion, office: Office, now: datetime) -> Msg:
    """ "10000 today", "2000 tomorrow from 08.00", "500 on 3 December 2026 from 08.00" (the office's clock)."""
    local = office.local_time(portion.start)
    days = (local.date() - office.date_at(now)).days
    time = ClockTime(local.hour, local.minute)
    if days <= 0 and portion.start <= now:
        return _("{count} today").format(count=portion.count)
    if days <= 0:
        return _("{count} today from {time}").format(count=portion.count, time=time)
    if days == 1:
        return _("{count} tomorrow from {time}").format(count=portion.count, time=time)
    return _("{count} on {date} from {time}").format(count=portion.count, date=local.date(), time=time)


def plan_lines(plan: WhatsAppPlan, office: Office, now: datetime) -> list[Msg]:
    """What the author reads before sending: the days it takes on WhatsApp, and a pause if there is one."""
    lines: list[Msg] = []
    if plan.spread:
        lines.append(
            _(
                "{count} recipients on WhatsApp, more than the number may start conversations with in a "
                "day ({limit}): {portions}."
            ).format(
                count=plan.count,
                limit=plan.number.limit,
                portions=Items(portion_words(portion, office, now) for portion in plan.portions),
            )
        )
    if plan.number.paused and plan.count:
        lines.append(
            _(
                "WhatsApp broadcasts are paused ({reason}): its {count} recipients on WhatsApp wait until "
                "staff resume them."
            ).format(reason=plan.number.paused_reason, count=plan.count)
        )
    return lines


def waiting_lines(plan: WhatsAppPlan, broadcast: Broadcast, office: Office, now: datetime) -> list[Msg]:
    """What the progress adds while WhatsApp recipients wait: for the next day, a pause, or a slow-down."""
    lines: list[Msg] = []
    if plan.number.paused and plan.count:
        lines.append(
            _("Paused on WhatsApp ({reason}): {count} recipients wait until staff resume WhatsApp broadcasts.").format(
                reason=plan.number.paused_reason, count=plan.count
            )
        )
    elif broadcast.held_until is not None and broadcast.held_until > now and plan.count:
        lines.append(
            _("The number's daily limit is reached: {count} recipients on WhatsApp wait, {portions}.").format(
                count=plan.count, portions=Items(portion_words(portion, office, now) for portion in plan.portions)
            )
        )
    slowed = plan.number.slowed_until
    if slowed is not None and slowed > now:
        local = office.local_time(slowed)
        lines.append(
            _("WhatsApp asked the number to slow down ({reason}): sending on WhatsApp waits until {time}.").format(
                reason=plan.number.slowed_reason, time=ClockTime(local.hour, local.minute)
            )
        )
    return lines
