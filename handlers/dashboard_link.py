"""/masuk (/login): the office's people get a single-use link that signs them in to the dashboard.

The link is a credential: its message is marked sensitive, so the outbox forgets it once delivered.
"""

from __future__ import annotations

from bot.engine.messages import _, say
from handlers.context import Context
from services.permissions import Actor
from services.sign_in import login_link, sign_in_url


async def send_sign_in_link(ctx: Context) -> None:
    token = await login_link(ctx.session, Actor.of(ctx.user), ctx.user, ctx.now)
    ctx.send(say(
        _("Your sign-in link for the dashboard (valid for 15 minutes, once):"),
        sign_in_url(ctx.services.dashboard_url, token),
        _("It is yours alone: do not forward it. Type /masuk again for a new one."),
        sensitive=True,
    ))
