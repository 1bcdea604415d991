"""Turns handler output (`Outgoing`) into what the outbox stores and channels send (`Reply`).

Short notes that precede a question ("that date is in the future") are folded into the question's message,
so a user gets one message per turn instead of two: fewer sends against the platform's rate limits. A message
with a picture stands alone: its text is the picture's caption, which platforms keep short.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType

from bot.engine.i18n import Translator
from bot.engine.messages import (
    Incoming,
    IncomingKind,
    Msg,
    Nav,
    Outgoing,
    RenderedOption,
    Reply,
    _,
    option_token,
    split_option_token,
)
from handlers.paging import NEXT_PAGE, PREVIOUS_PAGE

NAV_LABELS: Mapping[Nav, Msg] = MappingProxyType(
    {Nav.BACK: _("Back"), Nav.CANCEL: _("Cancel"), Nav.MENU: _("Main menu")}
)
SHARE_CONTACT = _("Share my number")  # at most 20 characters: a WhatsApp button title
MAX_FOLDED_LENGTH = 3000


def render(message: Outgoing, translator: Translator) -> Reply:
    return Reply(
        text="\n".join(translator(part) for part in message.text),
        options=tuple(
            RenderedOption(option_token(message.prompt_seq, o.id), translator(o.label)) for o in message.options
        ),
        nav=tuple(
            RenderedOption(option_token(message.prompt_seq, n.value), translator(NAV_LABELS[n])) for n in message.nav
        ),
        contact_label=translator(SHARE_CONTACT) if message.request_contact else None,
        purpose=message.purpose,
        image=message.image,
        sensitive=message.sensitive,
    )


def render_all(messages: Sequence[Outgoing], translator: Translator) -> list[Reply]:
    replies: list[Reply] = []
    carried: Reply | None = None  # notes waiting to be folded into what comes next
    for message in messages:
        reply = render(message, translator)
        if reply.image is not None:  # a picture stands alone: its text is its caption
            replies += [r for r in (carried, reply) if r is not None]
            carried = None
            continue
        interactive = reply.options or reply.nav or reply.contact_label
        joined = reply if carried is None else replace(
            reply, text=f"{carried.text}\n\n{reply.text}", purpose=reply.purpose or carried.purpose,
            sensitive=reply.sensitive or carried.sensitive)
        if len(joined.text) >= MAX_FOLDED_LENGTH:
            replies += [r for r in (carried, reply) if r is not None]
            carried = None
        elif interactive:
            replies.append(joined)
            carried = None
        else:
            carried = joined
    if carried is not None:
        replies.append(carried)
    return replies


def page_turn_source(incoming: Incoming) -> str | None:
    """The message whose "next/previous page" button was pressed: its answer replaces it in place, so paging
    through a list does not leave a trail of old pages (on channels that can edit, which say where from)."""
    if incoming.kind is not IncomingKind.OPTION or incoming.source_message is None:
        return None
    _seq, option_id = split_option_token(incoming.option)
    return incoming.source_message if option_id in (NEXT_PAGE, PREVIOUS_PAGE) else None


def replacing(replies: list[Reply], source: str | None) -> list[Reply]:
    """Mark a lone reply as replacing `source`; several replies are sent as new messages, in order, and a
    picture is always a new message."""
    if source is None or len(replies) != 1 or replies[0].image is not None:
        return replies
    [reply] = replies
    return [replace(reply, replaces=source)]
