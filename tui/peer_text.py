"""Peer text made safe to show.

Names, messages and agreements come from other people's clients, so they are
untrusted. Textual markup could carry ``[@click=...]`` actions, and raw control
characters could drive the terminal itself (ANSI escapes move the cursor,
retitle the window, or hide text). Everything a peer wrote passes through
``shown()`` before it reaches a screen or stdout, and is then rendered as a
literal ``Text``/``Content``, never as markup.

Control characters are not dropped silently: they become their visible Unicode
"control pictures" (ESC shows as ␛), so a person can see that something odd was
sent. Bidirectional overrides, which can make text read differently from what
it is, become U+FFFD.
"""

from __future__ import annotations

from protocol.limits import NICK_CHARS
from protocol.names import IGNORABLE, MARK_SIZE

_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_REPLACEMENT = "\ufffd"

# One translation table per mode: str.translate walks the text in C, which keeps
# a 2,000-message log as quick to draw as a bare one.
_ONE_LINE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)}
_ONE_LINE[0x09] = " "
_ONE_LINE[0x7F] = "\u2421"
_ONE_LINE.update({code: _REPLACEMENT for code in range(0x80, 0xA0)})
_ONE_LINE.update({ord(ch): _REPLACEMENT for ch in _BIDI_CONTROLS})
_MULTILINE = {**_ONE_LINE, 0x0A: "\n", 0x09: "    "}
# In a name, what draws as nothing shows as something, so "ana" and "ana" with
# an invisible joiner do not look the same. (The zero-width joiner and the emoji
# variation selector stay: emoji sequences are built from them.)
_NAME = {
    **_ONE_LINE,
    **{
        code: _REPLACEMENT
        for low, high in IGNORABLE
        for code in range(low, high + 1)
        if code not in (0x200D, 0xFE0F)
    },
}


def shown(text: str, *, multiline: bool = False, limit: int | None = None) -> str:
    """Return ``text`` with every control character made visible and harmless.

    With ``multiline`` a newline stays a newline (message bodies); otherwise it
    becomes a visible ␊ as well (names, and every line of the plain mode).
    """
    result = text.translate(_MULTILINE if multiline else _ONE_LINE)
    if limit is not None and len(result) > limit:
        result = result[: limit - 1] + "…"
    return result


def name(nick: str) -> str:
    """A person's name on one line, its invisible characters made visible."""
    result = nick.translate(_NAME)
    # A name the room tells apart carries its seat, or while knocking its key mark.
    limit = NICK_CHARS + max(len(" (seat 12)"), len(" (key ") + MARK_SIZE + len(")"))
    if len(result) > limit:
        result = result[: limit - 1] + "…"
    return result or "(no name)"
