"""What people say in a room: messages, asides and reactions, sealed under the sender's chain.

A reaction is a symbol, not words: a short printable string with no letter, digit
or space in it ("+", "👍", "🌿"). Words would be a message that never takes the
floor; an aside is that, and says so.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, ClassVar

from protocol.bodies.codec import BodyError, text
from protocol.limits import REACTION_CHARS, TEXT_CHARS


@dataclass(frozen=True, slots=True)
class Say:
    KIND: ClassVar[str] = "say"
    text: str

    def encode(self) -> list[Any]:
        return [self.text]

    @staticmethod
    def decode(args: list[Any]) -> Say:
        (said,) = args
        return Say(text(said, TEXT_CHARS))


@dataclass(frozen=True, slots=True)
class Aside:
    """A message set apart: it never takes the floor, whoever holds it."""

    KIND: ClassVar[str] = "aside"
    text: str

    def encode(self) -> list[Any]:
        return [self.text]

    @staticmethod
    def decode(args: list[Any]) -> Aside:
        (said,) = args
        return Aside(text(said, TEXT_CHARS))


@dataclass(frozen=True, slots=True)
class React:
    """A reaction never takes the floor."""

    KIND: ClassVar[str] = "react"
    emoji: str

    def encode(self) -> list[Any]:
        return [self.emoji]

    @staticmethod
    def decode(args: list[Any]) -> React:
        (emoji,) = args
        value = text(emoji, REACTION_CHARS)
        if not is_reaction(value):
            raise BodyError("a reaction is a short printable symbol")
        return React(value)


def is_reaction(value: str) -> bool:
    """Whether ``value`` is a reaction: a symbol or an emoji, not words."""
    return (
        0 < len(value) <= REACTION_CHARS
        and value.isprintable()
        and not any(unicodedata.category(c)[0] in "LNZ" for c in value)
    )
