"""A floor act, sealed under the sender's chain like a message (``room.floor``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from protocol.bodies.codec import BodyError, uint
from protocol.room.floor import MAX_TIMER_S, Act, FloorAct, HandKind

_ACTS = {a.value: a for a in Act}
_KINDS = {k.value for k in HandKind}


@dataclass(frozen=True, slots=True)
class FloorBody:
    KIND: ClassVar[str] = "floor"
    act: FloorAct

    def encode(self) -> list[Any]:
        arg = self.act.arg
        return [str(self.act.act), arg.value if isinstance(arg, HandKind) else arg]

    @staticmethod
    def decode(args: list[Any]) -> FloorBody:
        name, arg = args
        act = _ACTS.get(name) if type(name) is str else None
        if act is None:
            raise BodyError("unknown floor act")
        match act:
            case Act.HAND:
                if type(arg) is not str or arg not in _KINDS:
                    raise BodyError("a hand is a hand, a reply or a point of process")
                return FloorBody(FloorAct(act, HandKind(arg)))
            case Act.TIMER:
                return FloorBody(FloorAct(act, uint(arg, MAX_TIMER_S + 1)))
            case Act.PROGRESSIVE:
                if type(arg) is not bool:
                    raise BodyError("progressive order is on or off")
                return FloorBody(FloorAct(act, arg))
        if arg != "" or type(arg) is not str:
            raise BodyError("this floor act takes nothing")
        return FloorBody(FloorAct(act))
