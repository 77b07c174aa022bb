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
    Moved, Seconded,       a motion to remove someone and its steps
      Answered, Balloted   (``room.votes``); a second holds the floor until
                           the vote closes
    Ouched, Stepped        a harm flag and the repair round it opens
                           (``room.repair``); it holds the floor until it closes

Before each event, whatever closed by its ``ts`` is settled first (a vote
whose window ran out, a round past its end), so every member sees a motion
close, and the floor go on, at the same event. Offers plug in as a further
row, with its own module in this package.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Final

from protocol.bodies.codec import pack
from protocol.bodies.floor import floor_fields
from protocol.crypto import digest
from protocol.room import amend as am
from protocol.room import floor as fl
from protocol.room import repair as rp
from protocol.room import votes as vt
from protocol.room.amend import AmendChange, Amendment, AmendRefused, Consented, Objected, Proposed
from protocol.room.floor import Floor, FloorAct, FloorChange
from protocol.room.repair import Ouched, Repair, RepairChange, Stepped
from protocol.room.votes import Answered, Balloted, Moved, Seconded, VoteChange, Votes

RECENT_REACTIONS: Final = 32
BACKLOG_KEPT: Final = 64  # floor acts a newcomer keeps until it is shown the floor
LOG_KEPT: Final = 64  # running hashes kept: an ack names a count a few events back
LOG_SIZE: Final = 16
AUTHORS_KEPT: Final = 64  # who sent the latest messages: an ouch points at one


@dataclass(frozen=True, slots=True)
class AgreementsSet:
    agreed: bytes
    seats: tuple[int, ...] = ()  # the roster, in the order its members joined
    # Seats let go as their connection dropped, and seats of people back on a
    # return ticket, with the (old) identity key: the floor keeps their place.
    dropped: tuple[tuple[int, bytes], ...] = ()
    back: tuple[tuple[int, bytes], ...] = ()
    ids: tuple[bytes, ...] = ()  # the identity keys of ``seats``, in the same order


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


StateEvent = (
    AgreementsSet
    | Spoken
    | Reaction
    | Floored
    | FloorShown
    | Away
    | Moved
    | Seconded
    | Answered
    | Balloted
    | Ouched
    | Stepped
    | Proposed
    | Consented
    | Objected
)


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


@dataclass(frozen=True, slots=True)
class VoteMoved:
    change: VoteChange


@dataclass(frozen=True, slots=True)
class RepairMoved:
    change: RepairChange


@dataclass(frozen=True, slots=True)
class AmendMoved:
    change: AmendChange | AmendRefused


RoomChange = Message | Reacted | FloorMoved | VoteMoved | RepairMoved | AmendMoved


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
    votes: Votes = field(default_factory=Votes)
    repair: Repair = field(default_factory=Repair)
    authors: tuple[tuple[int, int], ...] = ()  # (seq, seat) of the latest messages
    amendment: Amendment | None = None
    ids: tuple[bytes, ...] = ()  # the identity key of each seat, in join order

    def turn_holder(self, ts: int) -> int | None:
        """Whose turn a repair round or a motion's answer gives at ``ts``, if anyone's."""
        round_ = self.repair.open_at(ts)
        if round_ is not None:
            return round_.speaker(ts)
        for m in self.votes.motions:
            if m.phase(ts) is vt.Phase.ANSWERING:
                return m.named
        return None

    def open_to_all(self, ts: int) -> bool:
        """Whether a repair round lets anyone speak at ``ts``, whatever the floor says."""
        round_ = self.repair.open_at(ts)
        return round_ is not None and round_.speaker(ts) is None

    def out_of_turn(self, slot: int, ts: int) -> bool:
        """Whether a message from ``slot`` at ``ts`` is out of turn: a repair round's turn
        or a motion's answer is someone else's, or else the floor is."""
        holder = self.turn_holder(ts)
        if holder is not None:
            return slot != holder
        return not self.open_to_all(ts) and fl.out_of_turn(self.floor, slot)

    def holds_floor(self, ts: int) -> bool:
        return self.votes.holding(ts) or self.repair.open_at(ts) is not None

    def holds_door(self, ts: int) -> bool:
        """While a motion is open (from the moment it is raised: its voters are fixed)
        or a repair round runs, nobody comes in."""
        return self.repair.open_at(ts) is not None or any(
            m.phase(ts) in vt.OPEN_PHASES for m in self.votes.motions
        )

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
    seq, slot, event, ts = applied.seq, applied.slot, applied.event, applied.ts
    if seq <= state.seq:
        return state, ()
    state = _settle(state, ts)
    if slot in state.floor.away and not isinstance(event, AgreementsSet | Away | FloorShown):
        # The relay said this seat dropped, yet it speaks: it is here (the endpoint names
        # the relay's claim), for the floor and for who votes.
        state = replace(state, floor=replace(state.floor, away=state.floor.away - {slot}))
    match event:
        case AgreementsSet(agreed, seats, dropped, back, ids):
            # A Commit starts the log again: a newcomer's log starts here too.
            same = agreed == state.agreed and ids == state.ids
            floor, moved = fl.seated(state.floor, seats, applied.ts, dropped, back)
            row: list[object] = ["agreed", agreed, list(seats)]
            state = _logged(state, applied, row, agreed=agreed, log_count=0, log=(), floor=floor)
            away = frozenset(identity for _slot, identity in dropped)
            votes, repair = vt.seated(state.votes, seats, away), rp.seated(state.repair, seats)
            # An open amendment asked everyone seated: it stands only while they are
            # the same people and the agreements are the ones it amends.
            amendment = state.amendment if same else None
            state = replace(
                state, floor_at_commit=floor, votes=votes, repair=repair, ids=ids,
                amendment=amendment,
            )  # fmt: skip
            state = _settle(state, ts)
            return state, tuple(FloorMoved(c) for c in moved)
        case Spoken(text, aside):
            out_of_turn = not aside and state.out_of_turn(slot, ts)
            change = Message(seq, applied.ts, slot, text, aside or out_of_turn, out_of_turn)
            authors = (*state.authors, (seq, slot))[-AUTHORS_KEPT:]
            row = ["say", slot, text, aside]
            return _logged(state, applied, row, authors=authors), (change,)
        case Moved() | Seconded() | Answered() | Balloted():
            # The relay's time decides a vote's windows, so it is in the log: a relay
            # stamping one ballot differently for some members shows in the acks.
            row = [*_vote_row(event, slot), ts]
            floor = state.floor
            votes, vote_changes = vt.step(state.votes, event, slot, ts, floor.seats, floor.away)
            if any(isinstance(c, vt.SecondGiven) for c in vote_changes):
                floor = fl.hold(floor, ts)
            state = _logged(state, applied, row, votes=votes, floor=floor)
            return _settle(state, ts), tuple(VoteMoved(c) for c in vote_changes)
        case Proposed() | Consented() | Objected():
            row = ["amend", slot, type(event).__name__, event.key, ts]
            seats = state.floor.seats
            amendment, amend_changes = am.step(state.amendment, event, slot, ts, seats, state.ids)
            state = _logged(state, applied, row, amendment=amendment)
            return state, tuple(AmendMoved(c) for c in amend_changes)
        case Ouched() | Stepped():
            row = [*_repair_row(event, slot), ts]
            floor = state.floor
            author_of = dict(state.authors)
            repair, repair_changes = rp.step(state.repair, event, slot, ts, floor.seats, author_of)
            if any(isinstance(c, rp.Opened) for c in repair_changes):
                floor = fl.hold(floor, ts)
            state = _logged(state, applied, row, repair=repair, floor=floor)
            return _settle(state, ts), tuple(RepairMoved(c) for c in repair_changes)
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


def _settle(state: RoomState, ts: int) -> RoomState:
    """Whatever closed by ``ts``, closed: a vote whose window ran out, a repair round
    past its end; and once nothing holds the floor, it goes on from when the last
    hold ended, the same for everyone whenever the next event comes."""
    votes, repair, floor = vt.settle(state.votes, ts), rp.settle(state.repair, ts), state.floor
    if fl.held(floor) and not votes.holding(ts) and repair.open_at(ts) is None:
        ends = []
        round_ = state.repair.round
        if round_ is not None and not round_.is_open(ts):
            ends.append(round_.end())
        ended = state.votes.hold_ended(ts)
        if ended is not None:
            ends.append(ended)
        floor = fl.release(floor, max(ends, default=ts))
    if votes is state.votes and repair is state.repair and floor is state.floor:
        return state
    return replace(state, votes=votes, repair=repair, floor=floor)


def _vote_row(event: Moved | Seconded | Answered | Balloted, slot: int) -> list[object]:
    match event:
        case Moved(key=key):
            return ["motion", slot, key]
        case Seconded(key=key):
            return ["second", slot, key]
        case Answered(key=key):
            return ["answered", slot, key]
        case Balloted(key=key, yes=yes):
            return ["ballot", slot, key, yes]


def _repair_row(event: Ouched | Stepped, slot: int) -> list[object]:
    match event:
        case Ouched(text=text, about=about):
            return ["ouch", slot, text, -1 if about is None else about]
        case Stepped(step=step):
            return ["repair", slot, str(step)]


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
