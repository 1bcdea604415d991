"""Words that differ by the kind of opening. In Indonesian one registers (`mendaftar`, `pendaftaran`) for a
training but applies (`melamar`, `lamaran`) for an apprenticeship, so each sentence about applying has one
message per kind, even where English would say the same."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.engine.messages import Msg, _
from models.applications import OpeningKind


@dataclass(frozen=True, slots=True)
class ApplyingWords:
    button: Msg
    choose_button: Msg
    confirm: Msg
    sent: Msg
    cannot: Msg
    could_not_send: Msg


WORDS: Mapping[OpeningKind, ApplyingWords] = {
    OpeningKind.TRAINING: ApplyingWords(
        button=_("Register"),
        choose_button=_("Choose Register, or Back to return to the list."),
        confirm=_("Send your registration for {title}?"),
        sent=_("Your registration for {title} has been sent. You can follow it under 'My applications' in the "
               "menu."),
        cannot=_("You cannot register for this training:"),
        could_not_send=_("Your registration could not be sent:"),
    ),
    OpeningKind.APPRENTICESHIP: ApplyingWords(
        button=_("Apply"),
        choose_button=_("Choose Apply, or Back to return to the list."),
        confirm=_("Send your application for {title}?"),
        sent=_("Your application for {title} has been sent. You can follow it under 'My applications' in the "
               "menu."),
        cannot=_("You cannot apply for this apprenticeship:"),
        could_not_send=_("Your application could not be sent:"),
    ),
}
