"""The floor: who speaks now and who comes next, the same on every screen, with no host.

Floor acts travel sealed like messages and every member applies them, in the
relay's order and with the relay's ``ts``, to ``step`` below, so all hold the
same floor without the relay knowing it; the room log (``room.state``) takes
each act in, so acks catch a relay that feeds members different orders.

    act          who may                 what it does
    round        anyone                  a go-round: the talking piece passes seat
                                         by seat in join order, from whoever started it
    stack        anyone                  hands, taken in the order they were raised
    open         anyone                  anyone speaks (the default)
    hand         anyone in a stack       raise a hand; one each
    hand reply   anyone in a stack       right after the speaker, once per speaker
    hand process anyone, any mode        a point of process: to the front, not a turn
    lower        anyone                  your own hands go
    done         the speaker             the floor moves on
    pass         the speaker in a round  the piece moves on, no turn counted
    later        anyone in the round     to the end of this round
    timer S      anyone                  the speaking time (0: none); never a cut-off
    progressive  anyone                  next hand by (talk time, turns, raise order)
    pause        anyone, 3 an hour       freezes the floor and its timer
    resume       the caller, or a majority of those present (or by itself, later)

The room holds the floor, too, while it votes on a motion or repairs harm
(``room.votes``, ``room.repair``): ``hold`` pauses it for everyone, by
nobody (``HOLD``); only ``release`` ends that, when the vote or the round is
over, and no one's resume does.

A setting (round, stack, open, timer, progressive) made while someone holds
the floor waits for their *done*: no one is cut off by a setting. Someone
away (their connection dropped) is skipped but keeps their place. An act the
rules refuse changes nothing and is named (``Refused``): an honest client
never sends one, so it is a modified client's, or the relay's doing.

The floor never asks the clock: a pause that ran out ends at the first act
stamped after its end, the same for everyone. Talk time is kept only for the
balance, in memory, and cleared when the round or the mode ends.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

PAUSES_PER_HOUR: Final = 3
PAUSE_MAX_MS: Final = 5 * 60_000
HOUR_MS: Final = 60 * 60_000
MAX_TIMER_S: Final = 60 * 60
MAX_PENDING: Final = 8
HOLD: Final = -2  # a pause's caller when the room holds the floor (a vote, a repair round)


class Mode(StrEnum):
    OPEN = "open"
    ROUND = "round"
    STACK = "stack"


class HandKind(StrEnum):
    HAND = "hand"
    REPLY = "reply"
    PROCESS = "process"


class Act(StrEnum):
    ROUND = "round"
    STACK = "stack"
    OPEN = "open"
    HAND = "hand"
    LOWER = "lower"
    DONE = "done"
    PASS = "pass"
    LATER = "later"
    TIMER = "timer"
    PROGRESSIVE = "progressive"
    PAUSE = "pause"
    RESUME = "resume"


SETTINGS: Final = frozenset((Act.ROUND, Act.STACK, Act.OPEN, Act.TIMER, Act.PROGRESSIVE))
# What a pause stops; a hold (a vote, a repair round) stops pausing and resuming too.
FROZEN: Final = frozenset(
    (Act.DONE, Act.PASS, Act.LATER, Act.ROUND, Act.STACK, Act.OPEN, Act.PAUSE, Act.RESUME)
)


@dataclass(frozen=True, slots=True)
class FloorAct:
    """One act: ``arg`` is the hand's kind, the timer's seconds, or progressive on/off."""

    act: Act
    arg: str | int | bool = ""


@dataclass(frozen=True, slots=True)
class Hand:
    slot: int
    kind: HandKind
    seq: int  # the relay's number of the raise: the order, the same everywhere
    to: int | None = None  # a reply: the speaker it answers


@dataclass(frozen=True, slots=True)
class Talk:
    slot: int
    ms: int = 0
    turns: int = 0


@dataclass(frozen=True, slots=True)
class Pause:
    by: int
    ts: int
    resumers: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Waiting:
    """A setting made while someone held the floor: it applies at their done."""

    slot: int
    act: FloorAct


@dataclass(frozen=True, slots=True)
class Parked:
    """The place of someone whose connection dropped, kept for their return ticket:
    their hands (with the numbers they were raised at), their place in the round
    (-1: none) and their talk time."""

    identity: bytes
    hands: tuple[Hand, ...] = ()
    queue_at: int = -1
    talk: Talk | None = None


PARKED_KEPT: Final = 24  # as many as the room's return tickets


@dataclass(frozen=True, slots=True)
class Floor:
    mode: Mode = Mode.OPEN
    speaker: int | None = None
    speaker_process: bool = False  # they hold the floor for a point of process: no turn
    since: int = 0  # the relay ts the floor was given at, moved on by pauses
    queue: tuple[int, ...] = ()  # a round: who comes next, in order
    hands: tuple[Hand, ...] = ()
    timer_s: int = 0
    progressive: bool = False
    paused: Pause | None = None
    waiting: tuple[Waiting, ...] = ()
    talk: tuple[Talk, ...] = ()
    pauses: tuple[tuple[int, int], ...] = ()  # (seat, ts) of pauses called lately
    seats: tuple[int, ...] = ()  # the roster, in the order its members joined
    away: frozenset[int] = frozenset()
    parked: tuple[Parked, ...] = ()

    def next_hands(self) -> tuple[Hand, ...]:
        """The hands in the order they will get the floor."""
        process = [h for h in self.hands if h.kind is HandKind.PROCESS]
        replies = [h for h in self.hands if h.kind is HandKind.REPLY]
        plain = [h for h in self.hands if h.kind is HandKind.HAND]
        if self.progressive:
            plain.sort(key=lambda h: (*self._spent(h.slot), h.seq))
        return (*process, *replies, *plain)

    def talk_of(self, slot: int) -> Talk:
        return next((t for t in self.talk if t.slot == slot), Talk(slot))

    def _spent(self, slot: int) -> tuple[int, int]:
        talk = self.talk_of(slot)
        return talk.ms, talk.turns


# --- what a person sees because of an act --------------------------------------------


class Why(StrEnum):
    """Why an act was refused: each names whoever sent it."""

    NOT_THE_SPEAKER = "not the speaker"
    NOT_IN_THIS_MODE = "not in this mode"
    ALREADY = "already"
    PAUSED = "paused"
    TOO_MANY_PAUSES = "too many pauses"
    NOT_PAUSED = "not paused"
    BAD_ARGUMENT = "bad argument"
    NOT_SEATED = "not seated"
    HELD = "held"  # the room holds the floor: a vote, or a repair round


@dataclass(frozen=True, slots=True)
class Turn:
    """The floor moved: ``speaker`` holds it now (None: nobody does)."""

    speaker: int | None
    by: int


@dataclass(frozen=True, slots=True)
class Set:
    """A setting took effect (``waited``: it had waited for a done)."""

    by: int
    act: FloorAct
    waited: bool = False


@dataclass(frozen=True, slots=True)
class Held:
    """A setting waits for the speaker's done."""

    by: int
    act: FloorAct


@dataclass(frozen=True, slots=True)
class Raised:
    slot: int
    kind: HandKind
    place: int  # 1 for next in line


@dataclass(frozen=True, slots=True)
class Lowered:
    slot: int


@dataclass(frozen=True, slots=True)
class Later:
    slot: int


@dataclass(frozen=True, slots=True)
class Paused:
    by: int


@dataclass(frozen=True, slots=True)
class Resumed:
    by: int | None  # None: the pause ran out
    votes: int = 0  # a majority's resume: how many asked


@dataclass(frozen=True, slots=True)
class ResumeAsked:
    by: int
    votes: int
    needed: int


@dataclass(frozen=True, slots=True)
class Ended:
    """A round, or a mode, ended: how the time was shared, then cleared."""

    mode: Mode
    balance: tuple[Talk, ...]


@dataclass(frozen=True, slots=True)
class Refused:
    slot: int
    act: FloorAct
    why: Why


FloorChange = (
    Turn | Set | Held | Raised | Lowered | Later | Paused | Resumed | ResumeAsked | Ended | Refused
)


# --- the reducer ---------------------------------------------------------------------


def step(
    floor: Floor, act: FloorAct, slot: int, seq: int, ts: int
) -> tuple[Floor, tuple[FloorChange, ...]]:
    """The floor after ``slot``'s ``act`` at relay ``seq`` and ``ts``; total: never raises."""
    changes: list[FloorChange] = []
    floor = _run_out(floor, ts, changes)
    if slot not in floor.seats:
        return floor, (*changes, Refused(slot, act, Why.NOT_SEATED))
    refused = refusal(floor, act, slot, ts)
    if refused is not None:
        return floor, (*changes, Refused(slot, act, refused))
    if act.act in SETTINGS and floor.speaker is not None and floor.mode is not Mode.OPEN:
        if len(floor.waiting) >= MAX_PENDING:
            return floor, (*changes, Refused(slot, act, Why.ALREADY))
        floor = replace(floor, waiting=(*floor.waiting, Waiting(slot, act)))
        return floor, (*changes, Held(slot, act))
    floor = _do(floor, act, slot, seq, ts, changes)
    return floor, tuple(changes)


def refusal(floor: Floor, act: FloorAct, slot: int, ts: int) -> Why | None:
    """Why the rules refuse ``act`` from ``slot`` now, or None."""
    paused = floor.paused
    if held(floor) and act.act in FROZEN:
        return Why.HELD
    match act.act:
        case Act.DONE | Act.PASS:
            if paused is not None:
                return Why.PAUSED
            if floor.mode is Mode.OPEN:
                return Why.NOT_IN_THIS_MODE
            if act.act is Act.PASS and floor.mode is not Mode.ROUND:
                return Why.NOT_IN_THIS_MODE
            if floor.speaker != slot:
                return Why.NOT_THE_SPEAKER
        case Act.LATER:
            if paused is not None:
                return Why.PAUSED
            if floor.mode is not Mode.ROUND:
                return Why.NOT_IN_THIS_MODE
            if floor.speaker != slot and slot not in floor.queue:
                return Why.NOT_IN_THIS_MODE
            if not floor.queue:
                return Why.ALREADY  # nobody after them: they are last already
        case Act.HAND:
            kind = act.arg
            if kind not in {k.value for k in HandKind}:
                return Why.BAD_ARGUMENT
            kind = HandKind(str(kind))
            if floor.mode is Mode.OPEN:
                return Why.NOT_IN_THIS_MODE  # anyone speaks: there is no line to stand in
            if kind is not HandKind.PROCESS and floor.mode is not Mode.STACK:
                return Why.NOT_IN_THIS_MODE
            if kind is HandKind.REPLY and (floor.speaker is None or floor.speaker == slot):
                return Why.NOT_IN_THIS_MODE
            if any(h.slot == slot and h.kind is kind for h in floor.hands):
                return Why.ALREADY
            if kind is HandKind.HAND and floor.speaker == slot:
                return Why.ALREADY
        case Act.LOWER:
            if not any(h.slot == slot for h in floor.hands):
                return Why.ALREADY
        case Act.TIMER:
            seconds = act.arg
            if type(seconds) is not int or not 0 <= seconds <= MAX_TIMER_S:
                return Why.BAD_ARGUMENT
        case Act.PROGRESSIVE:
            if type(act.arg) is not bool:
                return Why.BAD_ARGUMENT
        case Act.PAUSE:
            if paused is not None:
                return Why.ALREADY
            recent = [at for who, at in floor.pauses if who == slot and ts - at < HOUR_MS]
            if len(recent) >= PAUSES_PER_HOUR:
                return Why.TOO_MANY_PAUSES
        case Act.RESUME:
            if paused is None:
                return Why.NOT_PAUSED
            if slot in paused.resumers:
                return Why.ALREADY
        case Act.ROUND | Act.STACK | Act.OPEN:
            if paused is not None:
                return Why.PAUSED
    return None


def _do(
    floor: Floor, act: FloorAct, slot: int, seq: int, ts: int, changes: list[FloorChange]
) -> Floor:
    match act.act:
        case Act.ROUND | Act.STACK | Act.OPEN | Act.TIMER | Act.PROGRESSIVE:
            return _setting(floor, act, slot, ts, changes, waited=False)
        case Act.HAND:
            kind = HandKind(str(act.arg))
            to = floor.speaker if kind is HandKind.REPLY else None
            floor = replace(floor, hands=(*floor.hands, Hand(slot, kind, seq, to)))
            place = next(i for i, h in enumerate(floor.next_hands(), 1) if h.seq == seq)
            changes.append(Raised(slot, kind, place))
            return _give_next(floor, slot, ts, changes) if floor.speaker is None else floor
        case Act.LOWER:
            changes.append(Lowered(slot))
            return replace(floor, hands=tuple(h for h in floor.hands if h.slot != slot))
        case Act.DONE | Act.PASS:
            turn = act.act is Act.DONE and not floor.speaker_process
            floor = _account(floor, ts, turn=turn)
            return _after_speaker(floor, slot, ts, changes)
        case Act.LATER:
            changes.append(Later(slot))
            if floor.speaker == slot:
                floor = _account(floor, ts, turn=False)
                floor = replace(floor, queue=(*floor.queue, slot))
                return _after_speaker(floor, slot, ts, changes, settle=False)
            queue = tuple(s for s in floor.queue if s != slot)
            return replace(floor, queue=(*queue, slot))
        case Act.PAUSE:
            pauses = tuple((w, at) for w, at in floor.pauses if ts - at < HOUR_MS)
            changes.append(Paused(slot))
            return replace(floor, paused=Pause(slot, ts), pauses=(*pauses, (slot, ts)))
        case Act.RESUME:
            paused = floor.paused
            assert paused is not None
            if slot == paused.by:
                changes.append(Resumed(slot))
                return _unpause(floor, ts)
            resumers = paused.resumers | {slot}
            present = [s for s in floor.seats if s not in floor.away]
            needed = len(present) // 2 + 1
            if len(resumers) >= needed:
                changes.append(Resumed(slot, len(resumers)))
                return _unpause(floor, ts)
            changes.append(ResumeAsked(slot, len(resumers), needed))
            return replace(floor, paused=replace(paused, resumers=resumers))
    return floor


def _setting(
    floor: Floor, act: FloorAct, slot: int, ts: int, changes: list[FloorChange], *, waited: bool
) -> Floor:
    changes.append(Set(slot, act, waited))
    match act.act:
        case Act.TIMER:
            return replace(floor, timer_s=int(act.arg))
        case Act.PROGRESSIVE:
            return replace(floor, progressive=bool(act.arg))
        case Act.OPEN:
            floor = _end_mode(floor, changes)
            return replace(floor, mode=Mode.OPEN, speaker=None, queue=(), hands=())
        case Act.STACK:
            floor = _end_mode(floor, changes)
            floor = replace(floor, mode=Mode.STACK, speaker=None, queue=())
            kept = tuple(h for h in floor.hands if h.kind is not HandKind.REPLY)
            floor = replace(floor, hands=kept)
            return _give_next(floor, slot, ts, changes) if kept else floor
        case Act.ROUND:
            floor = _end_mode(floor, changes)
            at = floor.seats.index(slot)
            order = (*floor.seats[at:], *floor.seats[:at])
            hands = tuple(h for h in floor.hands if h.kind is HandKind.PROCESS)
            floor = replace(floor, mode=Mode.ROUND, speaker=None, queue=order, hands=hands)
            return _give_next(floor, slot, ts, changes)
    return floor


def _end_mode(floor: Floor, changes: list[FloorChange]) -> Floor:
    """Leaving a round or a stack: the balance is shown, then forgotten."""
    if floor.mode is not Mode.OPEN and floor.talk:
        changes.append(Ended(floor.mode, floor.talk))
    return replace(floor, talk=())


def _account(floor: Floor, ts: int, *, turn: bool) -> Floor:
    """The speaker's time (and turn) added to the balance."""
    speaker = floor.speaker
    if speaker is None:
        return floor
    spent = max(0, ts - floor.since)
    talk = floor.talk_of(speaker)
    talk = replace(talk, ms=talk.ms + spent, turns=talk.turns + (1 if turn else 0))
    rest = tuple(t for t in floor.talk if t.slot != speaker)
    return replace(floor, talk=(*rest, talk))


def _after_speaker(
    floor: Floor, slot: int, ts: int, changes: list[FloorChange], *, settle: bool = True
) -> Floor:
    """The speaker is done: settings that waited apply, then the floor moves on."""
    floor = replace(floor, speaker=None, speaker_process=False)
    waiting = floor.waiting if settle else ()
    if settle:
        floor = replace(floor, waiting=())
    for at, wait in enumerate(waiting):
        floor = _setting(floor, wait.act, wait.slot, ts, changes, waited=True)
        if floor.speaker is not None:  # a new round or stack gave the floor: the rest wait on
            return replace(floor, waiting=waiting[at + 1 :])
    return _give_next(floor, slot, ts, changes)


def _give_next(floor: Floor, by: int, ts: int, changes: list[FloorChange]) -> Floor:
    """The floor to the next hand (stack, or a point of process), or seat (round)."""
    hands = floor.next_hands()
    here = [h for h in hands if h.slot not in floor.away]
    first = here[0] if here else None
    if first is not None and (floor.mode is Mode.STACK or first.kind is HandKind.PROCESS):
        rest = tuple(h for h in floor.hands if h is not first)
        floor = replace(floor, hands=rest, speaker=first.slot, since=ts)
        changes.append(Turn(first.slot, by))
        return replace(floor, speaker_process=first.kind is HandKind.PROCESS)
    if floor.mode is Mode.ROUND:
        # Someone away is skipped but keeps their place: back (on their return
        # ticket) while the round lasts, they speak next.
        waiting = [s for s in floor.queue if s not in floor.away]
        if waiting:
            nxt = waiting[0]
            queue = tuple(s for s in floor.queue if s != nxt)
            floor = replace(floor, queue=queue, speaker=nxt, since=ts)
            changes.append(Turn(nxt, by))
            return replace(floor, speaker_process=False)
        # The round is over: everyone sees how the time was shared, and the floor opens.
        changes.append(Ended(Mode.ROUND, floor.talk))
        return replace(floor, mode=Mode.OPEN, speaker=None, queue=(), hands=(), talk=())
    if floor.mode is Mode.STACK:
        changes.append(Turn(None, by))
    return replace(floor, speaker=None, speaker_process=False)


def _run_out(floor: Floor, ts: int, changes: list[FloorChange]) -> Floor:
    """A pause past its end is over, for everyone at the same act."""
    paused = floor.paused
    if paused is not None and paused.by != HOLD and ts >= paused.ts + PAUSE_MAX_MS:
        changes.append(Resumed(None))
        return _unpause(floor, paused.ts + PAUSE_MAX_MS)
    return floor


def hold(floor: Floor, ts: int) -> Floor:
    """The room holds the floor (a vote, a repair round): frozen like a pause. A pause
    someone called is taken over by the hold (its caller cannot end it alone now),
    and the floor's time stays where that pause froze it."""
    paused = floor.paused
    if paused is not None:
        return floor if paused.by == HOLD else replace(floor, paused=Pause(HOLD, paused.ts))
    return replace(floor, paused=Pause(HOLD, ts))


def held(floor: Floor) -> bool:
    return floor.paused is not None and floor.paused.by == HOLD


def release(floor: Floor, ts: int) -> Floor:
    """The vote or the round is over at ``ts``: the floor goes on where it was."""
    return _unpause(floor, ts) if held(floor) else floor


def _unpause(floor: Floor, ts: int) -> Floor:
    paused = floor.paused
    assert paused is not None
    since = floor.since + max(0, ts - paused.ts) if floor.speaker is not None else floor.since
    return replace(floor, paused=None, since=since)


def out_of_turn(floor: Floor, slot: int) -> bool:
    """Whether a message from ``slot`` now would be out of turn: in a go-round or a
    stack, the floor is someone else's (or, in a stack, nobody's yet)."""
    return floor.mode is not Mode.OPEN and floor.speaker != slot


# --- the soft timer -------------------------------------------------------------------

CUES: Final = (80, 100)


def cue_at(floor: Floor, given: int) -> tuple[int, int] | None:
    """(relay time, percent) of the next cue after ``given`` percent of this turn, if any.

    Every client computes it from the relay ``ts`` that gave the floor (moved on
    by pauses), so everyone's cue comes at the same moment; a paused floor cues
    nothing.
    """
    if floor.speaker is None or not floor.timer_s or floor.paused is not None:
        return None
    for percent in CUES:
        if percent > given:
            return floor.since + floor.timer_s * 10 * percent, percent
    return None


# --- the roster, as it changes --------------------------------------------------------


def seated(
    floor: Floor,
    seats: tuple[int, ...],
    ts: int,
    dropped: tuple[tuple[int, bytes], ...] = (),
    back: tuple[tuple[int, bytes], ...] = (),
) -> tuple[Floor, tuple[FloorChange, ...]]:
    """A Commit: the roster in join order; whoever left the roster leaves the floor.

    ``dropped`` (seat, identity): seats let go because their connection dropped;
    their place is parked for their return ticket. ``back`` (new seat, old
    identity): someone back on a new connection takes their parked place again,
    hands at the numbers they were raised at, the same everywhere.
    """
    floor = _park(floor, dropped)
    gone = set(floor.seats) - set(seats)
    if not gone:
        floor = replace(floor, seats=seats, away=floor.away & set(seats))
        return _unpark(floor, back), ()
    hands = tuple(h for h in floor.hands if h.slot not in gone)
    queue = tuple(s for s in floor.queue if s not in gone)
    waiting = tuple(w for w in floor.waiting if w.slot not in gone)
    talk = tuple(t for t in floor.talk if t.slot not in gone)
    paused = floor.paused
    if paused is not None:
        paused = replace(paused, resumers=paused.resumers - gone)
    floor = replace(
        floor,
        seats=seats,
        hands=hands,
        queue=queue,
        waiting=waiting,
        talk=talk,
        paused=paused,
        away=floor.away & set(seats),
    )
    floor = _unpark(floor, back)
    if floor.speaker not in gone:
        return floor, ()
    changes: list[FloorChange] = []
    by = floor.speaker
    assert by is not None
    floor = replace(floor, speaker=None, speaker_process=False)
    return _give_next(floor, by, ts, changes), tuple(changes)


def _park(floor: Floor, dropped: tuple[tuple[int, bytes], ...]) -> Floor:
    parked = list(floor.parked)
    for slot, identity in dropped:
        if slot not in floor.seats:
            continue
        hands = tuple(h for h in floor.hands if h.slot == slot)
        queue_at = floor.queue.index(slot) if slot in floor.queue else -1
        talk = next((t for t in floor.talk if t.slot == slot), None)
        parked = [p for p in parked if p.identity != identity]
        parked.append(Parked(identity, hands, queue_at, talk))
    return replace(floor, parked=tuple(parked[-PARKED_KEPT:]))


def _unpark(floor: Floor, back: tuple[tuple[int, bytes], ...]) -> Floor:
    for slot, identity in back:
        kept = next((p for p in floor.parked if p.identity == identity), None)
        if kept is None or slot not in floor.seats:
            continue
        hands = (*floor.hands, *(replace(h, slot=slot) for h in kept.hands))
        queue = list(floor.queue)
        if kept.queue_at >= 0 and floor.mode is Mode.ROUND and slot not in queue:
            queue.insert(min(kept.queue_at, len(queue)), slot)
        talk = floor.talk
        if kept.talk is not None:
            talk = (*talk, replace(kept.talk, slot=slot))
        parked = tuple(p for p in floor.parked if p is not kept)
        floor = replace(floor, hands=hands, queue=tuple(queue), talk=talk, parked=parked)
    return floor


def away(floor: Floor, slot: int) -> Floor:
    """The relay says this seat's connection dropped: skipped, its place kept."""
    if slot not in floor.seats:
        return floor
    return replace(floor, away=floor.away | {slot})
