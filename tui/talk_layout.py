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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from rich.cells import cell_len, chop_cells

from tui.peer_text import shown

SHOWN_LINES: Final = 40
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


def wrapped(line: str, first: int, rest: int) -> Iterator[str]:
    """``line`` in rows of at most ``first`` cells, then ``rest`` cells, broken at
    spaces where it can be, within a word where it must."""
    width = max(1, first)
    row = ""
    for word in line.split(" "):
        candidate = f"{row} {word}" if row else word
        if cell_len(candidate) <= width:
            row = candidate
            continue
        if row:
            yield row
            width = max(1, rest)
        while cell_len(word) > width:  # a word wider than the row: cut, row by row
            piece = chop_cells(word, width)[0]
            yield piece
            word, width = word[len(piece) :], max(1, rest)
        row = word
    yield row


def hanging(lines: tuple[str, ...], first: int, rest: int) -> list[str]:
    """Every row of the message's lines: the first after ``first`` cells of room,
    the others after ``rest`` (rule 2: the caller puts the gutter before those)."""
    rows: list[str] = []
    for line in lines:
        rows.extend(wrapped(line, first if not rows else rest, rest))
    return rows or [""]
