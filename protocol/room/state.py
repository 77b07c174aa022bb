"""The room's shared state: a pure function of verified events in relay order.

Every member applies the same events, each stamped with the relay's ``seq``
and ``ts`` and the seat that sent it, to the same ``apply``, and so holds the
same state without the relay knowing any of it::

    state, changes = apply(state, Applied(seq, ts, slot, event))

An event at or below the last ``seq`` applied is ignored: the order is the
relay's, and it only moves forward. (The endpoint also refuses a ``seq`` that
does not rise by exactly one, so one huge number cannot freeze the state.)
``changes`` are what a person should see because of the event; the endpoint
turns them into events for the screen and edits nothing afterwards.

The relay's order is taken on trust, so the state keeps a **log** of every
event applied since the last Commit, messages included: a count and a
running hash over the events in the order applied, with the recent values
kept. Members exchange them in acks; equal counts with different hashes mean
the relay fed members different events, or the same in another order (two
senders' messages interleaved one way for one member and another way for
another, which no single sender's chain would show). The relay's numbers
themselves stay out of the hash: one skipped number would otherwise set a
member apart for good, and the endpoint reports skipped numbers already.
An event sealed in the epoch before (it crossed a Commit) is applied but not
logged (``logged=False``): a newcomer cannot open it, and the log holds only
what everyone in the epoch could apply.

The rows, top to bottom:

    AgreementsSet(hash,    from a Commit: the agreements everyone accepted, and
      seats)               the roster in join order; the log starts again
                           here, a newcomer's too
    Spoken(text, aside)    a message: logged, kept nowhere, shown once; out of
                           turn (the floor is someone else's) it shows as an
                           aside, and is named
    Reaction(emoji)        a reaction; it never takes the floor
    Floored(act)           an act on the floor (``room.floor``); a newcomer,
                           who does not know the floor yet, logs it and keeps
                           it for after the next row
    FloorShown(at, floor)  the sequencer's floor as of the Commit at ``at``:
                           a newcomer takes it (then the acts it kept); every
                           member logs the hash of what it holds for that
                           Commit, so a false floor shown to a newcomer shows
    Away(slot)             the relay says a seat's connection dropped

Offers and votes plug in as further rows, each with its own module in this
package.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Final

from protocol.bodies.codec import pack
from protocol.bodies.floor import floor_fields
from protocol.crypto import digest
from protocol.room import floor as fl
from protocol.room.floor import Floor, FloorAct, FloorChange

RECENT_REACTIONS: Final = 32
BACKLOG_KEPT: Final = 64  # floor acts a newcomer keeps until it is shown the floor
LOG_KEPT: Final = 64  # running hashes kept: an ack names a count a few events back
LOG_SIZE: Final = 16


@dataclass(frozen=True, slots=True)
class AgreementsSet:
    agreed: bytes
    seats: tuple[int, ...] = ()  # the roster, in the order its members joined
    # Seats let go as their connection dropped, and seats of people back on a
    # return ticket, with the (old) identity key: the floor keeps their place.
    dropped: tuple[tuple[int, bytes], ...] = ()
    back: tuple[tuple[int, bytes], ...] = ()


@dataclass(frozen=True, slots=True)
class Spoken:
    text: str
    aside: bool = False


@dataclass(frozen=True, slots=True)
class Floored:
    act: FloorAct


@dataclass(frozen=True, slots=True)
class FloorShown:
    at: int  # the relay's number of the Commit the floor stood at
    floor: Floor
    from_sequencer: bool


@dataclass(frozen=True, slots=True)
class Away:
    slot: int


@dataclass(frozen=True, slots=True)
class Reaction:
    emoji: str


StateEvent = AgreementsSet | Spoken | Reaction | Floored | FloorShown | Away


@dataclass(frozen=True, slots=True)
class Applied:
    """One verified event at its place in the relay's order, from one seat."""

    seq: int
    ts: int
    slot: int
    event: StateEvent
    logged: bool = True


# --- what a person sees because of an event ----------------------------------------


@dataclass(frozen=True, slots=True)
class Message:
    seq: int
    ts: int
    slot: int
    text: str
    aside: bool = False
    out_of_turn: bool = False  # sent as a message while someone else held the floor


@dataclass(frozen=True, slots=True)
class Reacted:
    slot: int
    emoji: str


@dataclass(frozen=True, slots=True)
class FloorMoved:
    """The floor changed: what, and who did it (``room.floor``)."""

    change: FloorChange


RoomChange = Message | Reacted | FloorMoved


@dataclass(frozen=True, slots=True)
class RecentReaction:
    slot: int
    emoji: str


@dataclass(frozen=True, slots=True)
class RoomState:
    seq: int = -1  # nothing applied yet: a room we open starts at the relay's 0
    agreed: bytes = b""
    # The latest reactions, oldest first; kept short because nothing is kept.
    reactions: tuple[RecentReaction, ...] = ()
    # Events applied since the last Commit, and the running hash after each of
    # the latest ones (oldest first): (count, hash).
    log_count: int = 0
    log: tuple[tuple[int, bytes], ...] = ()
    floor: Floor = field(default_factory=Floor)
    # A newcomer does not know the floor until the sequencer shows it; until then
    # the acts it sees wait here. And the floor as every Commit left it.
    floor_known: bool = True
    backlog: tuple[Applied, ...] = ()
    floor_at_commit: Floor = field(default_factory=Floor)

    @property
    def log_hash(self) -> bytes:
        return self.log[-1][1] if self.log else bytes(LOG_SIZE)

    def logged(self, count: int) -> bytes | None:
        """The running hash after ``count`` events, if still kept."""
        for at, running in self.log:
            if at == count:
                return running
        return None


def apply(state: RoomState, applied: Applied) -> tuple[RoomState, tuple[RoomChange, ...]]:
    """The state after ``applied``, and what a person should see because of it."""
    seq, slot, event = applied.seq, applied.slot, applied.event
    if seq <= state.seq:
        return state, ()
    match event:
        case AgreementsSet(agreed, seats, dropped, back):
            # A Commit starts the log again: a newcomer's log starts here too.
            floor, moved = fl.seated(state.floor, seats, applied.ts, dropped, back)
            row: list[object] = ["agreed", agreed, list(seats)]
            state = _logged(state, applied, row, agreed=agreed, log_count=0, log=(), floor=floor)
            state = replace(state, floor_at_commit=floor)
            return state, tuple(FloorMoved(c) for c in moved)
        case Spoken(text, aside):
            out_of_turn = not aside and fl.out_of_turn(state.floor, slot)
            change = Message(seq, applied.ts, slot, text, aside or out_of_turn, out_of_turn)
            return _logged(state, applied, ["say", slot, text, aside]), (change,)
        case Floored(act):
            row = ["floor", slot, str(act.act), act.arg]  # (a bool and an int differ in msgpack)
            if not state.floor_known:
                backlog = (*state.backlog, applied)[-BACKLOG_KEPT:]
                return _logged(state, applied, row, backlog=backlog), ()
            floor, moved = fl.step(state.floor, act, slot, seq, applied.ts)
            state = _logged(state, applied, row, floor=floor)
            return state, tuple(FloorMoved(c) for c in moved)
        case FloorShown(at, shown, from_sequencer):
            taking = not state.floor_known and from_sequencer
            standing = shown if taking else state.floor_at_commit
            row = ["floorstate", at, digest(pack(floor_fields(standing)), b"porch-floor")]
            if not taking:
                return _logged(state, applied, row), ()
            floor, _ = fl.seated(shown, state.floor.seats, applied.ts)
            changes: list[RoomChange] = []
            for kept in state.backlog:
                if kept.seq > at and isinstance(kept.event, Floored):
                    floor, moved = fl.step(floor, kept.event.act, kept.slot, kept.seq, kept.ts)
                    changes.extend(FloorMoved(c) for c in moved)
            if floor.speaker is not None:
                changes.append(FloorMoved(fl.Turn(floor.speaker, floor.speaker)))
            state = _logged(state, applied, row, floor=floor, floor_known=True, backlog=())
            return state, tuple(changes)
        case Away(gone):
            state = _logged(state, applied, ["away", gone], floor=fl.away(state.floor, gone))
            return state, ()
        case Reaction(emoji):
            recent = (*state.reactions, RecentReaction(slot, emoji))[-RECENT_REACTIONS:]
            return _logged(state, applied, ["react", slot, emoji], reactions=recent), (
                Reacted(slot, emoji),
            )
    return state, ()


def _logged(state: RoomState, applied: Applied, row: list[object], **changed: Any) -> RoomState:
    """``state`` moved to ``applied.seq`` with ``changed``, and ``row`` in its log if logged."""
    log_count = changed.get("log_count", state.log_count)
    log = changed.get("log", state.log)
    if applied.logged:
        last = log[-1][1] if log else bytes(LOG_SIZE)
        log_count += 1
        running = digest(last + pack(row), b"porch-state-log", LOG_SIZE)
        log = (*log[1 - LOG_KEPT :], (log_count, running)) if log else ((log_count, running),)
    changed.update(seq=applied.seq, log_count=log_count, log=log)
    return replace(state, **changed)
