"""How a message is laid out in the talk, so that no part of it reads as another line.

A peer chooses every character of a message, so the layout, not the text, says
where a message begins:

1. Runs of spaces become one space, and runs of blank lines one blank line: a
   message cannot pad itself out to the terminal's edge, or scroll the talk away
   with empty lines.
2. Every row after a message's first, whether the sender broke the line or the
   terminal did, starts with a gutter mark, never at the column where a time and a
   name begin.
3. At most ``SHOWN_LINES`` lines of one message are shown; a last row says how
   many more there were. Porch itself sends a longer text as an offer, so only a
   modified client sends one this long.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from tui.peer_text import shown

SHOWN_LINES: Final = 40  # of one message
PLAIN_GUTTER: Final = "  ┃ "  # plain mode, in a terminal: where a message's further rows hang
_SPACES: Final = re.compile(r" {2,}")


@dataclass(frozen=True, slots=True)
class MessageLines:
    lines: tuple[str, ...]  # peer text, made harmless, to be shown literally
    hidden: int = 0  # lines past SHOWN_LINES

    @property
    def more(self) -> str:
        if not self.hidden:
            return ""
        lines = "line" if self.hidden == 1 else "lines"
        return (
            f"… and {self.hidden:,} more {lines}, not shown: a message this long comes "
            "from a modified client (Porch sends long texts as offers)."
        )


def message_lines(text: str) -> MessageLines:
    """A message's lines as the talk shows them (rules 1 and 3)."""
    kept: list[str] = []
    blank = False
    for line in shown(text, multiline=True).split("\n"):
        line = _SPACES.sub(" ", line).strip(" ")
        if not line:
            if not blank and kept:
                kept.append("")
            blank = True
            continue
        blank = False
        kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return MessageLines(tuple(kept[:SHOWN_LINES]), max(0, len(kept) - SHOWN_LINES))


def cells(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide East Asian characters take two,
    combining marks none). Plain mode loads no Rich, so this is its own."""
    if text.isascii():
        return len(text)  # what _cell says of every ASCII character, without asking it
    return sum(_cell(ch) for ch in text)


def _cell(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _cut(word: str, width: int) -> str:
    """The longest start of ``word`` that fits ``width`` columns (one character at least)."""
    used = 0
    for index, ch in enumerate(word):
        used += _cell(ch)
        if used > width:
            return word[: max(1, index)]
    return word


def wrapped(line: str, first: int, rest: int) -> Iterator[str]:
    """``line`` in rows of at most ``first`` cells, then ``rest`` cells, broken at
    spaces where it can be, within a word where it must."""
    width = max(1, first)
    row, used = "", 0  # used: the row's cells, counted word by word (a row is laid out once)
    for word in line.split(" "):
        size = cells(word)
        if (used + 1 + size if row else size) <= width:
            row, used = (f"{row} {word}", used + 1 + size) if row else (word, size)
            continue
        if row:
            yield row
            width = max(1, rest)
        while size > width:  # a word wider than the row: cut, row by row
            piece = _cut(word, width)
            yield piece
            word, width = word[len(piece) :], max(1, rest)
            size = cells(word)
        row, used = word, size
    yield row


def hanging(lines: tuple[str, ...], first: int, rest: int) -> list[str]:
    """Every row of the message's lines: the first after ``first`` cells of room,
    the others after ``rest`` (rule 2: the caller puts the gutter before those)."""
    rows: list[str] = []
    for line in lines:
        rows.extend(wrapped(line, first if not rows else rest, rest))
    return rows or [""]


def plain_rows(head: str, text: str, columns: int) -> list[str]:
    """A message in plain mode, in a terminal ``columns`` wide: ``head`` ("bo: ")
    and the text on one line as the plain mode shows it, wrapped before the
    terminal would wrap it, every further row under ``PLAIN_GUTTER``."""
    body = _SPACES.sub(" ", shown(text)).strip(" ")
    rest = max(1, columns - cells(PLAIN_GUTTER) - 1)  # the last column: no early wrap
    first = columns - cells(head) - 1
    if first < 1:
        rows = list(wrapped(body, rest, rest))
        return [head.rstrip(), *(PLAIN_GUTTER + row for row in rows)]
    rows = list(wrapped(body, first, rest))
    return [head + rows[0], *(PLAIN_GUTTER + row for row in rows[1:])]
