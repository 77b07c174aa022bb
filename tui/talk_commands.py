"""Talk's typed words, shared by the plain mode and the terminal app's composer.

These are a contract (scripts type them):

- a line that does not start with ``/`` is a message; a line that starts with
  ``//`` is a message that starts with ``/`` (the first ``/`` goes): ``//shrug``
  says "/shrug";
- ``/react R`` sends a reaction: one of ``REACTIONS``, by its symbol or its word
  (``/react 👍``, ``/react thanks``), or another single symbol (``/react +``).
  Words are not a reaction: they are refused with the list, and ``/aside TEXT``
  is how to say something without taking the floor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from protocol import commands as cmd
from protocol.bodies.talk import is_reaction

WORDS: Final = frozenset({"react"})


@dataclass(frozen=True, slots=True)
class Reaction:
    symbol: str
    word: str  # for keyboards and screen readers without an easy way to an emoji


REACTIONS: Final = (
    Reaction("👍", "+1"),
    Reaction("❤️", "heart"),
    Reaction("👏", "clap"),
    Reaction("🙏", "thanks"),
    Reaction("😂", "laugh"),
    Reaction("😮", "wow"),
)
_BY_WORD: Final = {
    **{r.word: r.symbol for r in REACTIONS},
    # The same symbols without their emoji presentation selector, as some keyboards type them.
    **{r.symbol.replace("\ufe0f", ""): r.symbol for r in REACTIONS},
}

NOT_A_REACTION: Final = (
    "A reaction is one symbol, not words: "
    + ", ".join(f"{r.symbol} ({r.word})" for r in REACTIONS[:-1])
    + f" or {REACTIONS[-1].symbol} ({REACTIONS[-1].word}); for example /react 👍 or "
    "/react thanks. To say something without taking the floor, use /aside TEXT."
)


def message_in(line: str) -> str | None:
    """The message a typed line says, or None when the line is a command."""
    if line.startswith("//"):
        return line[1:]
    return None if line.startswith("/") else line


def react_command(rest: str) -> cmd.React | str:
    """The reaction ``/react rest`` sends, or the sentence saying what a reaction is."""
    said = rest.strip()
    symbol = _BY_WORD.get(said.casefold(), said)
    return cmd.React(symbol) if is_reaction(symbol) else NOT_A_REACTION
