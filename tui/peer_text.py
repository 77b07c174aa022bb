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

_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_REPLACEMENT = "\ufffd"


def _picture(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    if 0x80 <= code < 0xA0:
        return _REPLACEMENT
    if ch in _BIDI_CONTROLS:
        return _REPLACEMENT
    return ch


def shown(text: str, *, multiline: bool = False, limit: int | None = None) -> str:
    """Return ``text`` with every control character made visible and harmless.

    With ``multiline`` a newline stays a newline (message bodies); otherwise it
    becomes a visible ␤ as well (names, and every line of the plain mode).
    """
    out: list[str] = []
    for ch in text:
        if multiline and ch == "\n":
            out.append(ch)
        elif ch == "\t":
            out.append("    " if multiline else " ")
        else:
            out.append(_picture(ch))
    result = "".join(out)
    if limit is not None and len(result) > limit:
        result = result[: limit - 1] + "…"
    return result


def name(nick: str) -> str:
    """A person's name on one line, short enough for the roster."""
    return shown(nick, limit=32) or "(no name)"
