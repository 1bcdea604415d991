"""Approximate Telegram's entity parsers (HTML, MarkdownV2, legacy Markdown) for the fake Bot API server.

Telegram measures text limits after entity parsing and rejects malformed markup with "can't parse entities";
the fake must do both so bugs in the bot's message formatting fail in tests instead of in production.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PARSE_MODES = ("html", "markdownv2", "markdown")

# Tags documented under "formatting options", HTML style.
HTML_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
        "tg-emoji", "tg-time", "code", "pre", "blockquote",
    }
)
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_RE = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)"
    r"((?:\s+[A-Za-z_][A-Za-z0-9_-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*(/?)>"
)
_ATTR_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6}));")

MARKDOWN_V2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_V2_TOGGLES = ("||", "__", "*", "_", "~")


@dataclass
class ParsedText:
    """Plain text left after entity parsing plus the parse errors Telegram would report."""

    text: str
    errors: list[str] = field(default_factory=list)


def parse_entities(raw: str, parse_mode: str | None) -> ParsedText:
    """Strip markup the way Telegram does for ``parse_mode`` (None/empty means plain text)."""
    if not parse_mode:
        return ParsedText(raw)
    mode = parse_mode.lower()
    if mode == "html":
        return _parse_html(raw)
    if mode == "markdownv2":
        return _parse_markdown_v2(raw)
    if mode == "markdown":
        return _parse_markdown_legacy(raw)
    return ParsedText(raw, [f"unsupported parse_mode {parse_mode!r}"])


def _byte_offset(raw: str, index: int) -> int:
    return len(raw[:index].encode("utf-8"))


def _parse_html(raw: str) -> ParsedText:
    out: list[str] = []
    errors: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(raw) and not errors:
        char = raw[i]
        if char == "<":
            i = _html_tag(raw, i, stack, errors)
        elif char == "&":
            match = _ENTITY_RE.match(raw, i)
            if match is None:
                offset = _byte_offset(raw, i)
                errors.append(f"bare '&' at byte offset {offset} is not an HTML entity; use &amp;")
                break
            out.append(_decode_entity(match))
            i = match.end()
        else:
            out.append(char)
            i += 1
    if stack and not errors:
        errors.append(f'can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return ParsedText("".join(out), errors)


def _html_tag(raw: str, i: int, stack: list[str], errors: list[str]) -> int:
    """Consume one tag starting at ``raw[i] == '<'``; return the index after it."""
    match = _TAG_RE.match(raw, i)
    offset = _byte_offset(raw, i)
    if match is None:
        errors.append(f"bare '<' at byte offset {offset} does not start a tag; use &lt;")
        return i + 1
    closing, name, attrs, self_closing = match.groups()
    name = name.lower()
    if name not in HTML_TAGS:
        errors.append(f'unsupported {"end" if closing else "start"} tag "{name}" at byte offset {offset}')
    elif self_closing:
        errors.append(f'self-closing tag "{name}" at byte offset {offset} is not supported')
    elif closing:
        if not stack:
            errors.append(f'unexpected end tag "</{name}>" at byte offset {offset}')
        elif stack[-1] != name:
            errors.append(
                f'unmatched end tag at byte offset {offset}, expected "</{stack[-1]}>", found "</{name}>"'
            )
        else:
            stack.pop()
    else:
        attributes = {m.group(1).lower(): next((g for g in m.groups()[1:] if g is not None), "")
                      for m in _ATTR_RE.finditer(attrs)}
        if name == "span" and attributes.get("class") != "tg-spoiler":
            errors.append(f'tag "span" at byte offset {offset} must have class="tg-spoiler"')
        elif name == "tg-emoji" and "emoji-id" not in attributes:
            errors.append(f'tag "tg-emoji" at byte offset {offset} needs an emoji-id attribute')
        stack.append(name)
    return match.end()


def _decode_entity(match: re.Match[str]) -> str:
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED_ENTITIES[named]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"


def _parse_markdown_v2(raw: str) -> ParsedText:
    out: list[str] = []
    errors: list[str] = []
    stack: list[str] = []
    i = 0
    at_line_start = True
    while i < len(raw) and not errors:
        char = raw[i]
        if char == "\\":
            if i + 1 < len(raw) and 0 < ord(raw[i + 1]) < 127:
                out.append(raw[i + 1])
                i += 2
            else:
                errors.append(f"character '\\' at byte offset {_byte_offset(raw, i)} escapes nothing")
            at_line_start = False
            continue
        if char == "`":
            i = _markdown_code(raw, i, out, errors)
        elif at_line_start and (char == ">" or raw.startswith("**>", i)):
            i += 1 if char == ">" else 3  # block quotation marker
        elif (token := next((t for t in _V2_TOGGLES if raw.startswith(t, i)), None)) is not None:
            if stack and stack[-1] == token:
                stack.pop()
            elif token in stack:
                errors.append(f"entity '{token}' at byte offset {_byte_offset(raw, i)} closes out of order")
            else:
                stack.append(token)
            i += len(token)
        elif char == "[" or raw.startswith("![", i):
            stack.append("[")
            i += 1 if char == "[" else 2
        elif char == "]" and stack and stack[-1] == "[":
            stack.pop()
            i = _markdown_link_target(raw, i + 1, errors)
        elif char in MARKDOWN_V2_RESERVED:
            errors.append(
                f"character '{char}' is reserved and must be escaped with the preceding '\\' "
                f"(byte offset {_byte_offset(raw, i)})"
            )
        else:
            out.append(char)
            i += 1
        at_line_start = char == "\n"
    if stack and not errors:
        errors.append(f"can't find end of the entity started by '{stack[-1]}'")
    return ParsedText("".join(out), errors)


def _markdown_code(raw: str, i: int, out: list[str], errors: list[str]) -> int:
    """Consume inline code or a pre block starting at ``raw[i] == '`'``."""
    fence = "```" if raw.startswith("```", i) else "`"
    j = i + len(fence)
    while j < len(raw) and not raw.startswith(fence, j):
        j += 2 if raw[j] == "\\" else 1
    if j >= len(raw):
        errors.append(f"can't find end of the code entity at byte offset {_byte_offset(raw, i)}")
        return len(raw)
    body = raw[i + len(fence):j]
    if fence == "```" and "\n" in body:
        body = body.split("\n", 1)[1]  # the first line names the language
    out.append(re.sub(r"\\(.)", r"\1", body))
    return j + len(fence)


def _markdown_link_target(raw: str, i: int, errors: list[str]) -> int:
    """After ``]`` expect ``(url)``; return the index after it."""
    if i >= len(raw) or raw[i] != "(":
        return i
    end = raw.find(")", i)
    if end == -1:
        errors.append(f"can't find end of the URL at byte offset {_byte_offset(raw, i)}")
        return len(raw)
    return end + 1


def _parse_markdown_legacy(raw: str) -> ParsedText:
    out: list[str] = []
    i = 0
    while i < len(raw):
        char = raw[i]
        if char in "*_`":
            fence = "```" if raw.startswith("```", i) else char
            end = raw.find(fence, i + len(fence))
            if end == -1:
                return ParsedText("".join(out), [
                    f"can't find end of the entity starting at byte offset {_byte_offset(raw, i)}"
                ])
            out.append(raw[i + len(fence):end])
            i = end + len(fence)
        elif char == "[" and (close := raw.find("](", i)) != -1 and (end := raw.find(")", close)) != -1:
            out.append(raw[i + 1:close])
            i = end + 1
        else:
            out.append(char)
            i += 1
    return ParsedText("".join(out))
