"""Names people choose: ones that look blank are refused, ones that look alike are told apart.

A nickname is whatever its owner typed, and so is a look-alike of someone
else's: "ana" with an invisible combining grapheme joiner, a Cyrillic "а", or
a Hangul filler that shows as nothing at all. Porch refuses a name that looks
blank, and when two names in a room look alike, each is shown with its seat
so that nobody is mistaken for somebody else.

Two names look alike when their skeletons are equal: every character
replaced by one representative of the characters it can be taken for (the
Unicode confusables of UTS #39, from the ``confusable_homoglyphs`` library,
with upper and lower case counted as the same), after invisible characters
are dropped. Confusables of several characters ("rn" for "m") are not caught.

``IGNORABLE`` is Unicode's Default_Ignorable_Code_Point property
(DerivedCoreProperties.txt): characters a font draws as nothing.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from importlib.resources import files
from typing import Final

IGNORABLE: Final = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


def ignorable(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in IGNORABLE)


def visible(name: str) -> str:
    """``name`` as it is drawn: compatibility forms folded, invisible characters gone."""
    return "".join(c for c in unicodedata.normalize("NFKC", name) if not ignorable(c))


def looks_blank(name: str) -> bool:
    """Whether ``name`` would be drawn as nothing but space."""
    return not any(not unicodedata.category(c).startswith("Z") for c in visible(name).strip())


def alike(one: str, other: str) -> bool:
    """Whether two names could be taken for each other on a screen."""
    return skeleton(one) == skeleton(other)


def skeleton(name: str) -> str:
    return "".join(_representative(c) for c in visible(name))


@cache
def _representative(char: str) -> str:
    parent = _look_alikes()
    rep = parent.get(char, char)
    return "".join(parent.get(c, c) for c in rep.casefold())


@cache
def _look_alikes() -> dict[str, str]:
    """Each character that looks like another, mapped to the smallest of its kind."""
    parent: dict[str, str] = {}

    def find(c: str) -> str:
        while parent.get(c, c) != c:
            c = parent[c]
        return c

    def join(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    # The library's data file, read directly: its modules reach for urllib (to
    # download newer data), which would load sockets into the sans-I/O core.
    data = files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    for char, homoglyphs in json.loads(data).items():
        if len(char) != 1:
            continue
        for homoglyph in homoglyphs:
            if len(homoglyph["c"]) == 1:
                join(char, homoglyph["c"])
        for c in (char, *(h["c"] for h in homoglyphs)):
            folded = c.casefold()
            if len(c) == 1 and len(folded) == 1:
                join(c, folded)
    return {c: find(c) for c in parent}
