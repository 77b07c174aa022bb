"""A floor act, and the floor shown to a newcomer: sealed like messages (``room.floor``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Final

from protocol.bodies.codec import BodyError, array, exactly, key, uint
from protocol.limits import SEATS
from protocol.room.floor import (
    HOLD,
    MAX_PENDING,
    MAX_TIMER_S,
    PARKED_KEPT,
    Act,
    Floor,
    FloorAct,
    Hand,
    HandKind,
    Mode,
    Parked,
    Pause,
    Talk,
    Waiting,
)

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


@dataclass(frozen=True, slots=True)
class FloorState:
    """The sequencer's floor as it stood at the Commit numbered ``at``, for a newcomer.

    A newcomer cannot know the floor from before it came in; the sequencer sends
    it once it has applied the Commit, and the newcomer takes it with every act
    numbered after ``at``. Everyone logs its hash beside their own (``room.state``),
    so a sequencer that showed a newcomer another floor shows in the acks.
    """

    KIND: ClassVar[str] = "floorstate"
    at: int
    floor: Floor

    def encode(self) -> list[Any]:
        return [self.at, floor_fields(self.floor)]

    @staticmethod
    def decode(args: list[Any]) -> FloorState:
        at, fields_ = args
        return FloorState(uint(at, 2**63), floor_from(fields_))


NONE: Final = -1


def floor_fields(floor: Floor) -> list[Any]:
    """The floor as plain msgpack values, in one fixed order."""
    paused = floor.paused
    return [
        str(floor.mode),
        NONE if floor.speaker is None else floor.speaker,
        floor.speaker_process,
        floor.since,
        list(floor.queue),
        [[h.slot, str(h.kind), h.seq, NONE if h.to is None else h.to] for h in floor.hands],
        floor.timer_s,
        floor.progressive,
        [] if paused is None else [paused.by, paused.ts, sorted(paused.resumers)],
        [[w.slot, *FloorBody(w.act).encode()] for w in floor.waiting],
        [[t.slot, t.ms, t.turns] for t in floor.talk],
        [[slot, ts] for slot, ts in floor.pauses],
        list(floor.seats),
        sorted(floor.away),
        [
            [
                p.identity,
                [[str(h.kind), h.seq, NONE if h.to is None else h.to] for h in p.hands],
                p.queue_at,
                [] if p.talk is None else [p.talk.ms, p.talk.turns],
            ]
            for p in floor.parked
        ],
    ]


def _seat(value: Any) -> int:
    return uint(value, SEATS)


def _maybe_seat(value: Any) -> int | None:
    return None if value == NONE and type(value) is int else _seat(value)


def _flag(value: Any) -> bool:
    if type(value) is not bool:
        raise BodyError("expected true or false")
    return value


def floor_from(value: Any) -> Floor:
    """A floor from ``floor_fields``; BodyError for anything else."""
    if type(value) is not list or len(value) != 15:
        raise BodyError("a floor is fifteen fields")
    mode, speaker, process, since, queue, hands, timer, progressive = value[:8]
    paused, waiting, talk, pauses, seats, away, parked = value[8:]
    if mode not in {m.value for m in Mode}:
        raise BodyError("no such floor mode")
    parsed_hands = []
    for row in array(hands, 3 * SEATS):
        slot, kind, seq, to = exactly(row, 4)
        if kind not in _KINDS:
            raise BodyError("no such hand")
        parsed_hands.append(Hand(_seat(slot), HandKind(kind), uint(seq, 2**63), _maybe_seat(to)))
    pause = None
    if paused != []:
        by, ts, resumers = exactly(paused, 3)
        holder = HOLD if by == HOLD and type(by) is int else _seat(by)
        pause = Pause(holder, uint(ts, 2**63), frozenset(_seat(s) for s in array(resumers, SEATS)))
    parsed_waiting = []
    for row in array(waiting, MAX_PENDING):
        slot, *act = exactly(row, 3)
        parsed_waiting.append(Waiting(_seat(slot), FloorBody.decode(act).act))
    return Floor(
        mode=Mode(mode),
        speaker=_maybe_seat(speaker),
        speaker_process=_flag(process),
        since=uint(since, 2**63),
        queue=tuple(_seat(s) for s in array(queue, SEATS)),
        hands=tuple(parsed_hands),
        timer_s=uint(timer, MAX_TIMER_S + 1),
        progressive=_flag(progressive),
        paused=pause,
        waiting=tuple(parsed_waiting),
        talk=tuple(
            Talk(_seat(s), uint(ms, 2**63), uint(n))
            for s, ms, n in (exactly(r, 3) for r in array(talk, SEATS))
        ),
        pauses=tuple(
            (_seat(s), uint(ts, 2**63)) for s, ts in (exactly(r, 2) for r in array(pauses, 64))
        ),
        seats=tuple(_seat(s) for s in array(seats, SEATS)),
        away=frozenset(_seat(s) for s in array(away, SEATS)),
        parked=tuple(_parked(row) for row in array(parked, PARKED_KEPT)),
    )


def _parked(row: Any) -> Parked:
    identity, hands, queue_at, talk = exactly(row, 4)
    kept = []
    for hand in array(hands, 3):
        kind, seq, to = exactly(hand, 3)
        if kind not in _KINDS:
            raise BodyError("no such hand")
        kept.append(Hand(0, HandKind(kind), uint(seq, 2**63), _maybe_seat(to)))
    at = -1 if queue_at == NONE and type(queue_at) is int else uint(queue_at, SEATS)
    spent = None
    if talk != []:
        ms, turns = exactly(talk, 2)
        spent = Talk(0, uint(ms, 2**63), uint(turns))
    return Parked(key(identity), tuple(kept), at, spent)
