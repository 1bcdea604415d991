"""What a typed reply means among a question's options, as people on WhatsApp type it rather than tap.

A reply chooses an option by its number in the list (only a plain number in range: `-1` is not option 1), by
its label or any word of it that no other option shares, by a common word for what it means in either language
(`iya`, `setuju`, `nggak`, `selesai`, `wanita`...), or by a small typo of its label (`tanjng` for Tanjung).
When two options are about as close, the answer is a question back ("did you mean...?"), never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

MAX_WORDS_TO_INTERPRET = 4
"""Longer text is an answer in its own words (a broadcast, a name), never read as one of the options."""
SURE_SIMILARITY = 85.0
CLOSE_SIMILARITY = 72.0
CLEAR_LEAD = 8.0
MIN_TYPO_LENGTH = 4
PLAIN_NUMBER = re.compile(r"[0-9]{1,3}[.)]?")
MANY_NUMBERS = re.compile(r"[0-9]{1,3}(?:\s*(?:,|;|&|\s|dan|and)\s*[0-9]{1,3})+")


class Meaning(StrEnum):
    """What a short reply says, whatever the words: the meanings options are commonly answered with."""

    NO = "no"
    YES = "yes"
    DONE = "done"
    FEMALE = "female"
    MALE = "male"


WORDS_FOR: dict[Meaning, frozenset[str]] = {
    Meaning.NO: frozenset({
        "tidak", "tdk", "gak", "ga", "nggak", "ngga", "enggak", "engga", "kagak", "bukan", "jangan", "belum",
        "no", "n", "nope", "not", "nah", "dont", "don't",
    }),
    Meaning.YES: frozenset({
        "ya", "iya", "iyaa", "iyah", "y", "yes", "yep", "yup", "yeah", "ok", "oke", "okay", "okey", "setuju",
        "benar", "betul", "bener", "boleh", "mau", "siap", "sip", "agree", "sure", "correct", "right",
    }),
    Meaning.DONE: frozenset({"selesai", "sudah", "udah", "cukup", "done", "finish", "finished", "enough"}),
    Meaning.FEMALE: frozenset({"perempuan", "wanita", "cewek", "female", "woman", "women", "ibu", "p"}),
    Meaning.MALE: frozenset({"laki", "lelaki", "pria", "cowok", "male", "man", "men", "bapak", "l"}),
}


REMOVE_WORDS = frozenset({"hapus", "buang", "hilangkan", "batalkan", "kurangi", "remove", "delete", "untick",
                          "unselect", "drop"})
"""A first word that asks to take a chosen option off a list (`hapus 3`, `hapus menjahit`)."""


@dataclass(frozen=True, slots=True)
class Choice:
    """One option as its reader sees it: its id and its label rendered in their language."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Understood:
    """The outcome: the option meant, or the options it might mean (to ask back), or neither."""

    option_id: str | None = None
    did_you_mean: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UnderstoodMany:
    """Several options typed at once (`1, 3, 5`), or the option that finishes the list."""

    option_ids: tuple[str, ...]


NOTHING = Understood()


def comparable(text: str) -> str:
    """Lower case, accents and punctuation dropped, white space folded: 'Laki-laki' and 'laki laki' compare equal."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join("".join(ch if ch.isalnum() or ch == "'" else " " for ch in bare).split())


def meaning_of(text: str) -> Meaning | None:
    """The meaning of a short text: a word of refusal wins over any other ('tidak setuju' means no)."""
    words = set(comparable(text).split())
    for meaning, synonyms in WORDS_FOR.items():  # NO first
        if words & synonyms:
            return meaning
    return None


def understand(text: str, choices: Sequence[Choice]) -> Understood:
    """The option `text` chooses among `choices`, or the close ones to ask about, or nothing."""
    typed = comparable(text)
    if not typed or not choices:
        return NOTHING
    number = _number(text)
    if number is not None:
        return Understood(choices[number - 1].id) if 1 <= number <= len(choices) else NOTHING
    if typed.isdigit() or len(typed.split()) > MAX_WORDS_TO_INTERPRET:
        return NOTHING
    labels = [comparable(choice.label) for choice in choices]
    for choice, label in zip(choices, labels, strict=True):
        if label == typed:
            return Understood(choice.id)
    return _by_meaning(typed, choices, labels) or _by_words(typed, choices, labels) or _by_likeness(typed, choices,
                                                                                                      labels)


def understand_many(text: str, choices: Sequence[Choice]) -> UnderstoodMany | None:
    """Several numbers in one reply (`1, 3, 5` or `1 dan 3`), all in range; None when it is not such a list."""
    stripped = unicodedata.normalize("NFKC", text).strip()
    if not MANY_NUMBERS.fullmatch(stripped):
        return None
    numbers = [int(n) for n in re.findall(r"[0-9]{1,3}", stripped)]
    if not all(1 <= n <= len(choices) for n in numbers):
        return None
    return UnderstoodMany(tuple(dict.fromkeys(choices[n - 1].id for n in numbers)))


def removal_of(text: str) -> str | None:
    """What `hapus 3` or `remove sewing` asks to take off a list ('3', 'sewing'); None when it does not ask that."""
    first, _space, rest = " ".join(text.split()).partition(" ")
    if comparable(first) not in REMOVE_WORDS or not rest:
        return None
    return rest


def _number(text: str) -> int | None:
    """A plain option number as typed ('2', '2.', '２'); anything with a sign or other script is not one."""
    stripped = unicodedata.normalize("NFKC", text).strip()
    if PLAIN_NUMBER.fullmatch(stripped) and stripped.isascii():
        return int(stripped.rstrip(".)"))
    return None


def _by_meaning(typed: str, choices: Sequence[Choice], labels: list[str]) -> Understood | None:
    """The option that means what was typed; among several, the one whose label starts with it ('tidak' at the
    disability question is 'Bukan penyandang disabilitas', not 'Saya memilih tidak menjawab')."""
    meaning = meaning_of(typed)
    if meaning is None:
        return None
    meant = [(choice.id, label) for choice, label in zip(choices, labels, strict=True) if meaning_of(label) is meaning]
    if len(meant) > 1:
        leading = [option_id for option_id, label in meant if label.split()[0] in WORDS_FOR[meaning]]
        meant = [(option_id, "") for option_id in leading] if len(leading) == 1 else meant
    if not meant:
        return None
    return Understood(meant[0][0]) if len(meant) == 1 else Understood(did_you_mean=tuple(i for i, _l in meant[:3]))


def _by_words(typed: str, choices: Sequence[Choice], labels: list[str]) -> Understood | None:
    """The one option whose label holds every typed word ('jahit' finds 'Jahit menjahit', not two options)."""
    words = typed.split()
    holding = [choice.id for choice, label in zip(choices, labels, strict=True)
               if _contains_words(label.split(), words)]
    return Understood(holding[0]) if len(holding) == 1 else None


def _contains_words(label: list[str], words: list[str]) -> bool:
    return any(label[start:start + len(words)] == words for start in range(len(label) - len(words) + 1))


def _by_likeness(typed: str, choices: Sequence[Choice], labels: list[str]) -> Understood:
    """A small typo of a label, or of one of its words; close calls are asked back rather than guessed."""
    if len(typed) < MIN_TYPO_LENGTH:
        return NOTHING
    scores = sorted(((_likeness(typed, label), choice.id) for choice, label in zip(choices, labels, strict=True)),
                    reverse=True)
    best_score, best_id = scores[0]
    runner_up = scores[1][0] if len(scores) > 1 else 0.0
    if best_score >= SURE_SIMILARITY and best_score - runner_up >= CLEAR_LEAD:
        return Understood(best_id)
    close = tuple(option_id for score, option_id in scores if score >= CLOSE_SIMILARITY)
    return Understood(did_you_mean=close[:3]) if close else NOTHING


def _likeness(typed: str, label: str) -> float:
    whole = fuzz.ratio(typed, label)
    if len(typed.split()) > 1:
        return whole
    words = [word for word in label.split() if len(word) >= MIN_TYPO_LENGTH]
    return max([whole, *(fuzz.ratio(typed, word) for word in words)])
