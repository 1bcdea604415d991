"""Messages that did not arrive, for staff (under /broadcast): how many this week, the common reasons, the latest.

The reason is the platform's own wording (a WhatsApp error code and title, Telegram's "403 Forbidden: bot was
blocked by the user"), shown as it is: staff pass it on to whoever runs the bot's number, and a translation
would hide the code they need.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.engine.messages import Msg, Outgoing, _, ngettext, one_line, say
from handlers.context import Context
from handlers.flow import Answer, Invalid, Result
from models.delivery_failures import Reason, count_failed, failure_reasons, latest_failed

WINDOW_DAYS = 7
SHOWN_REASON = 80
NO_REASON = "?"


def shown(reason: str | None) -> str:
    return one_line(reason or NO_REASON, SHOWN_REASON)


def reason_lines(reasons: Sequence[Reason]) -> list[Msg | str]:
    return [f"• {shown(reason.reason)} ({reason.count})" for reason in reasons]


async def ask_failures(ctx: Context) -> Outgoing:
    since = ctx.now - timedelta(days=WINDOW_DAYS)
    total = await count_failed(ctx.session, since)
    if total == 0:
        return say(_("Every message of the last {days} days was delivered.").format(days=WINDOW_DAYS))
    lines: list[Msg | str] = [
        ngettext("{count} message of the last {days} days was not delivered.",
                 "{count} messages of the last {days} days were not delivered.", total).format(days=WINDOW_DAYS),
        "", _("Most common reasons:"), *reason_lines(await failure_reasons(ctx.session, since=since)),
        "", _("Latest:"),
    ]
    for failed in await latest_failed(ctx.session, since):
        local = ctx.services.office.local_time(failed.at)
        lines.append(_("{day} {time}, {channel}, {who}: {reason}").format(
            day=local.date(), time=local.strftime("%H:%M"),
            channel=ctx.services.channel_titles.get(failed.channel, failed.channel),
            who=failed.name or failed.address, reason=shown(failed.reason)))
    return say(*lines)


async def accept_failures(_ctx: Context, _given: Answer) -> Result:
    return Invalid(_("Choose Back to return to the broadcasts menu."))
