"""Names people choose: ones that look blank are refused, ones that look alike are told apart.

A nickname is whatever its owner typed, and so is a look-alike of someone
else's: "ana" with an invisible combining grapheme joiner, a Cyrillic "а", or
a Hangul filler that shows as nothing at all. Porch refuses a name that looks
blank, and when two names in a room look alike, each is shown with its seat
("ana (seat 2)"), or, while they knock and have no seat yet, with a short mark
of their key ("ana (key kxqd)"), so that nobody is mistaken for somebody else.
A person names one of them back as ``ana#2`` or ``ana#kxqd``. So a name may not
end the way those marks do (``refusal``): "ana (seat 1)" as a name would pass
for the first ana. Nor may it end the way a status Porch shows beside a name
does: " ✓" (verified) or a parenthetical such as "(host)", "(verified)" or
"(asked to wait)" (``carries_status``), or a look-alike of either; "bo ✓" as a
name would pass for a bo that someone verified.

A name has no space at either end and no run of spaces (``tidy``): "ana " is
drawn as "ana", so it would pass for her without a seat mark.

A key mark is four letters from a hash of the knock's identity key: the same on
every screen, new with every knock. It tells honest look-alikes apart; someone
determined can make a key whose mark matches another's, so the room code read
aloud stays what verifies a person.

Two names look alike when their skeletons are equal: every character
replaced by one representative of the characters it can be taken for (the
Unicode confusables of UTS #39, from the ``confusable_homoglyphs`` library,
with upper and lower case counted as the same), after invisible characters
are dropped and runs of blank characters read as one space. Confusables of
several characters ("rn" for "m") are not caught.

``IGNORABLE`` is Unicode's Default_Ignorable_Code_Point property
(DerivedCoreProperties.txt): characters a font draws as nothing.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from importlib.resources import files
from typing import Final

from protocol.crypto import digest
from protocol.limits import NICK_CHARS

# Letters only, and none that passes for a digit or another letter (i, l, o): a mark
# is read aloud and typed back, and after "#" digits mean a seat.
MARK_LETTERS: Final = "abcdefghjkmnpqrstuvwxyz"
MARK_SIZE: Final = 4

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


# Drawn as nothing although Unicode counts it as a symbol, not as a space.
BLANK_SYMBOLS: Final = "\u2800"  # BRAILLE PATTERN BLANK

# What Porch itself shows after a name: a check mark for someone verified, and
# notes in parentheses. Unicode's confusables do not join these, so the look-alikes
# are listed (each is then also matched through its skeleton).
CHECK_MARKS: Final = "✓✔☑√∛∜✅⍻🗸🗹🮱\U00010102"
OPENING: Final = "(❨❪⟮⸨⦅｟﴾⁽₍﹙︵⎛⎝⏜"
CLOSING: Final = ")❩❫⟯⸩⦆｠﴿⁾₎﹚︶⎞⎠⏝"


def tidy(name: str) -> str:
    """``name`` without spaces at its ends and with every run of spaces made one."""
    return " ".join(name.split())


def visible(name: str) -> str:
    """``name`` as it is drawn: compatibility forms folded, invisible characters gone."""
    return "".join(c for c in unicodedata.normalize("NFKC", name) if not ignorable(c))


def drawn(name: str) -> str:
    """``visible(name)`` with its blank characters read as spaces, runs of them as one."""
    return tidy("".join(" " if c in BLANK_SYMBOLS else c for c in visible(name)))


def looks_blank(name: str) -> bool:
    """Whether ``name`` would be drawn as nothing but space."""
    return not any(not unicodedata.category(c).startswith("Z") for c in drawn(name))


def alike(one: str, other: str) -> bool:
    """Whether two names could be taken for each other on a screen."""
    return skeleton(one) == skeleton(other)


def skeleton(name: str) -> str:
    return "".join(_representative(c) for c in drawn(name))


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


def key_mark(identity: bytes) -> str:
    """Four letters from ``identity``: how a knock is told apart from a look-alike one."""
    number = int.from_bytes(digest(identity, b"porch-key-mark", 8), "big")
    letters = []
    for _ in range(MARK_SIZE):
        number, at = divmod(number, len(MARK_LETTERS))
        letters.append(MARK_LETTERS[at])
    return "".join(letters)


def carries_mark(name: str) -> bool:
    """Whether ``name`` ends the way Porch marks a name it tells apart: "#2", "#kxqd",
    "(seat 2)", "(key kxqd)", or a look-alike of one of these."""
    return bool(_marks().search(skeleton(name)))


@cache
def _marks() -> re.Pattern[str]:
    def sk(text: str) -> str:
        return re.escape(skeleton(text))

    return re.compile(
        rf"{sk('#')}\s*\w+$|{sk('(')}\s*({sk('seat')}|{sk('key')})\s*\w+\s*{sk(')')}$"
    )


def carries_status(name: str) -> bool:
    """Whether ``name`` ends the way Porch shows a status beside a name: a check mark,
    or anything in parentheses ("(host)", "(verified)"), or a look-alike of these."""
    # A combining mark drawn on the last character leaves it reading as what it is.
    end = skeleton(name)
    while end and unicodedata.category(end[-1]) in ("Mn", "Me"):
        end = end[:-1]
    return bool(_statuses().search(end))


@cache
def _statuses() -> re.Pattern[str]:
    def kinds(chars: str) -> str:
        return re.escape("".join(sorted({c for char in chars for c in (char, skeleton(char))})))

    return re.compile(rf"[{kinds(CHECK_MARKS)}]$|[{kinds(OPENING)}].*[{kinds(CLOSING)}]$")


def refusal(nick: str) -> str | None:
    """The sentence saying why ``nick`` cannot be a name in a room, or None if it can.

    Spaces at its ends and runs of spaces are no reason: the name is sent ``tidy``."""
    nick = nick.strip()
    if not nick or looks_blank(nick):
        return (
            "A name cannot be empty or show as nothing on a screen. Choose a name people can read."
        )
    if len(nick) > NICK_CHARS:
        return (
            f"That name is {len(nick)} characters long; a name is at most {NICK_CHARS}. "
            "Choose a shorter one."
        )
    if not nick.isprintable():
        return (
            "That name holds a character that does not print (a tab, a line break or a "
            "control character). Choose another one."
        )
    if carries_mark(nick):
        return (
            "A name cannot end like #2, #kxqd or (seat 2): Porch adds those itself to tell "
            "people with the same name apart. Choose another one."
        )
    if carries_status(nick):
        return (
            'A name cannot end in a check mark or in parentheses, like "bo ✓" or "cy (host)": '
            'Porch shows those beside names itself. Leave them out, or write "jo, she/her" '
            'rather than "jo (she/her)".'
        )
    return None
