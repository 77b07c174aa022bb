"""A harm flag ("ouch") and the steps of the repair round it opens (``room.repair``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Final

from protocol.bodies.codec import BodyError, text, uint
from protocol.room.repair import Step

OUCH_CHARS: Final = 200
NO_MESSAGE: Final = -1


_STEPS = {s.value: s for s in Step}


@dataclass(frozen=True, slots=True)
class OuchBody:
    """``about``: the relay's number of the message it points at, or NO_MESSAGE."""

    KIND: ClassVar[str] = "ouch"
    text: str
    about: int = NO_MESSAGE

    def encode(self) -> list[Any]:
        return [self.text, self.about]

    @staticmethod
    def decode(args: list[Any]) -> OuchBody:
        said, about = args
        words = text(said, OUCH_CHARS)
        if words and not words.isprintable():
            raise BodyError("an ouch is printable")
        if about == NO_MESSAGE and type(about) is int:
            return OuchBody(words)
        return OuchBody(words, uint(about, 2**63))


@dataclass(frozen=True, slots=True)
class RepairBody:
    KIND: ClassVar[str] = "repair"
    step: Step

    def encode(self) -> list[Any]:
        return [str(self.step)]

    @staticmethod
    def decode(args: list[Any]) -> RepairBody:
        (name,) = args
        step = _STEPS.get(name) if type(name) is str else None
        if step is None:
            raise BodyError("unknown repair step")
        return RepairBody(step)
