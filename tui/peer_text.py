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
it is, become U+FFFD, and so do the characters a font draws as nothing (zero
width spaces, tag characters, variation selectors beyond the emoji ones), which
could hide words in a message or make two look the same. Line and paragraph
separators become ␤ and ¶: a line of text breaks only at a newline, on every
screen and in the plain mode alike.
"""

from __future__ import annotations

import re

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
_ONE_LINE.update({0x2028: "\u2424", 0x2029: "\u00b6"})
# What draws as nothing shows as something, so that no word hides in a message
# and "ana" with an invisible joiner does not look like "ana". The joiners and
# the emoji and text presentation selectors stay in a message: emoji sequences
# are built from them, and some scripts are written with the non-joiner.
_SHAPING = (0x200C, 0x200D, 0xFE0E, 0xFE0F)
_ONE_LINE.update(
    {
        code: _REPLACEMENT
        for low, high in IGNORABLE
        for code in range(low, high + 1)
        if code not in _SHAPING
    }
)
_MULTILINE = {**_ONE_LINE, 0x0A: "\n", 0x09: "    "}
# A name is held to less: only what builds an emoji (the zero-width joiner and the
# emoji variation selector) stays.
_NAME = {**_ONE_LINE, 0x200C: _REPLACEMENT, 0xFE0E: _REPLACEMENT}
# A subdivision flag (England, Scotland, Wales) is a black flag spelt on with tag
# characters: such a sequence is drawn as one flag and stays. Anywhere else a tag
# character shows as U+FFFD.
_FLAG_BASE = "\U0001f3f4"
_FLAG = re.compile("(\U0001f3f4[\U000e0030-\U000e0039\U000e0061-\U000e007a]{1,6}\U000e007f)")


def shown(text: str, *, multiline: bool = False, limit: int | None = None) -> str:
    """Return ``text`` with every control character made visible and harmless.

    With ``multiline`` a newline stays a newline (message bodies); otherwise it
    becomes a visible ␊ as well (names, and every line of the plain mode).
    """
    table = _MULTILINE if multiline else _ONE_LINE
    if _FLAG_BASE in text:
        # re.split puts each flag it keeps at an odd place: flags pass untranslated.
        parts = _FLAG.split(text)
        result = "".join(part if at % 2 else part.translate(table) for at, part in enumerate(parts))
    else:
        result = text.translate(table)
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
