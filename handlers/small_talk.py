"""Greetings and thanks typed at the menu, or at a question answered by choosing, get a kind word back, not
"please choose a menu item" (and a greeting is never saved as a skill).

Only a message made entirely of such words counts ("halo kak", "terima kasih banyak", "selamat pagi"): anything
more is a real answer and goes where answers go.
"""

from __future__ import annotations

from bot.engine.messages import Msg, _
from handlers.choices import comparable

POLITE_WORDS = frozenset({"kak", "min", "admin", "pak", "bu", "bapak", "ibu", "mas", "mbak", "bang", "semua", "ya",
                          "banyak", "so", "much", "very", "you", "there", "all", "sir", "madam"})
GREETINGS = frozenset({"halo", "hallo", "helo", "hai", "hay", "hi", "hello", "hey", "pagi", "siang", "sore",
                       "malam", "selamat", "assalamualaikum", "assalamu'alaikum", "salam", "permisi", "good",
                       "morning", "afternoon", "evening"})
THANKS = frozenset({"terima", "kasih", "terimakasih", "makasih", "makasi", "trims", "tengkyu", "thanks", "thank",
                    "thx", "tq", "ty", "nuhun", "matur", "nuwun", "suwun"})
GREETING_REPLY = _("Hello! We are glad to help. Choose what you need from the menu below.")
THANKS_REPLY = _("You are welcome! If there is anything else, choose it from the menu below.")
GREETING_AT_A_QUESTION = _("Hello! We are glad to help. Please answer the question below.")
THANKS_AT_A_QUESTION = _("You are welcome! Please answer the question below when you are ready.")


def reply_to_small_talk(text: str, *, at_a_question: bool = False) -> Msg | None:
    """A kind answer when `text` is only a greeting or only thanks; None for anything else."""
    words = set(comparable(text).split())
    if not words or len(words) > 6:
        return None
    if words & THANKS and words <= THANKS | GREETINGS | POLITE_WORDS:
        return THANKS_AT_A_QUESTION if at_a_question else THANKS_REPLY
    if words & GREETINGS and words <= GREETINGS | POLITE_WORDS:
        return GREETING_AT_A_QUESTION if at_a_question else GREETING_REPLY
    return None
