"""Harm and repair: an "ouch" opens a short repair round, the same on every screen.

    row       who may                     what it does
    Ouched    anyone, 3 an hour, when no  holds the floor and opens the round: the
              round is open               person who flagged speaks first, then the
                                          person it concerns (the author of the
                                          message it points at), then anyone
    Stepped   done / pass: whoever's      ends their turn in the round
              turn it is
              continue / more / stepout:  each affected person (who flagged, whom
              an affected person          it concerns) says how they are; once all
                                          of them chose continue or step out, the
                                          round closes and the floor goes on

A turn in the round ends with its done or pass, or after ``TURN_S``; the
round ends by itself ``ROUND_S`` after it opened, or ``MORE_S`` after a
*more* (each affected person may ask once), and never later than
``LONGEST_S`` after it opened. It never removes anyone: stepping out is the person's own
choice (their client leaves gently, with a return ticket). Nothing of the
round is kept once it closes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

TURN_S: Final = 2 * 60
ROUND_S: Final = 6 * 60
MORE_S: Final = 3 * 60
MORES: Final = 1  # each affected person may ask for more time once a round
LONGEST_S: Final = ROUND_S + MORE_S  # a round never holds the floor longer
OUCHES_PER_HOUR: Final = 3
HOUR_MS: Final = 60 * 60_000


class Step(StrEnum):
    DONE = "done"  # the flagger, or the person it concerns, has spoken
    PASS = "pass"  # ... or passes
    CONTINUE = "continue"  # an affected person is ready to go on
    MORE = "more"  # ... needs more time
    STEP_OUT = "stepout"  # ... leaves gently, with a return ticket


FINAL: Final = frozenset((Step.CONTINUE, Step.STEP_OUT))


class Turn(StrEnum):
    FLAGGER = "flagger"
    CONCERNED = "concerned"
    OPEN = "open"


@dataclass(frozen=True, slots=True)
class Ouched:
    text: str
    about: int | None  # the relay's number of the message it points at


@dataclass(frozen=True, slots=True)
class Stepped:
    step: Step


RepairRow = Ouched | Stepped


@dataclass(frozen=True, slots=True)
class Round:
    flagger: int
    concerned: int | None
    text: str
    opened_ts: int
    flagger_done_ts: int | None = None
    concerned_done_ts: int | None = None
    choices: tuple[tuple[int, Step], ...] = ()  # the latest choice of each affected person
    more_ts: int | None = None
    mores: tuple[int, ...] = ()  # who asked for more time
    closed_ts: int | None = None  # everyone affected chose to go on, or step out

    @property
    def affected(self) -> tuple[int, ...]:
        return (self.flagger,) if self.concerned is None else (self.flagger, self.concerned)

    def choice_of(self, slot: int) -> Step | None:
        return next((c for s, c in self.choices if s == slot), None)

    def _flagger_end(self) -> int:
        end = self.opened_ts + TURN_S * 1000
        return end if self.flagger_done_ts is None else min(end, self.flagger_done_ts)

    def _concerned_end(self) -> int:
        start = self._flagger_end()
        if self.concerned is None:
            return start
        end = start + TURN_S * 1000
        return end if self.concerned_done_ts is None else min(end, self.concerned_done_ts)

    def turn_ends(self) -> tuple[int, int]:
        """When the turns of who flagged and whom it concerns end, as things stand."""
        return self._flagger_end(), self._concerned_end()

    def end(self) -> int:
        if self.closed_ts is not None:
            return self.closed_ts
        end = self.opened_ts + ROUND_S * 1000
        if self.more_ts is not None:
            end = max(end, self.more_ts + MORE_S * 1000)
        return min(end, self.opened_ts + LONGEST_S * 1000)

    def is_open(self, ts: int) -> bool:
        return ts < self.end()

    def turn(self, ts: int) -> Turn:
        if ts < self._flagger_end():
            return Turn.FLAGGER
        if ts < self._concerned_end():
            return Turn.CONCERNED
        return Turn.OPEN

    def speaker(self, ts: int) -> int | None:
        """Whose turn it is in the round (None: anyone's)."""
        match self.turn(ts):
            case Turn.FLAGGER:
                return self.flagger
            case Turn.CONCERNED:
                return self.concerned
        return None


@dataclass(frozen=True, slots=True)
class Repair:
    round: Round | None = None
    ouches: tuple[tuple[int, int], ...] = ()  # (seat, ts) of ouches lately

    def open_at(self, ts: int) -> Round | None:
        r = self.round
        return r if r is not None and r.is_open(ts) else None


# --- what a person sees --------------------------------------------------------------


class Why(StrEnum):
    ALREADY = "a round is open"
    TOO_MANY = "too many ouches"
    NO_ROUND = "no round is open"
    NOT_YOUR_TURN = "not their turn"
    NOT_AFFECTED = "not affected"
    NOT_SEATED = "not seated"
    NO_MORE = "more time was asked already"


@dataclass(frozen=True, slots=True)
class Opened:
    flagger: int
    concerned: int | None
    text: str


@dataclass(frozen=True, slots=True)
class TurnEnded:
    slot: int
    passed: bool


@dataclass(frozen=True, slots=True)
class Chose:
    slot: int
    step: Step


@dataclass(frozen=True, slots=True)
class Closed:
    stepped_out: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RepairRefused:
    slot: int
    why: Why


RepairChange = Opened | TurnEnded | Chose | Closed | RepairRefused


# --- the reducer ---------------------------------------------------------------------


def settle(repair: Repair, ts: int) -> Repair:
    """A round past its end is over: nothing of it is kept."""
    if repair.round is not None and not repair.round.is_open(ts):
        return replace(repair, round=None)
    return repair


def refusal(repair: Repair, slot: int, ts: int) -> Why | None:
    """Why an ouch from ``slot`` would be refused now, or None."""
    if repair.open_at(ts) is not None:
        return Why.ALREADY
    recent = [at for who, at in repair.ouches if who == slot and ts - at < HOUR_MS]
    if len(recent) >= OUCHES_PER_HOUR:
        return Why.TOO_MANY
    return None


def step(
    repair: Repair,
    row: RepairRow,
    slot: int,
    ts: int,
    seats: tuple[int, ...],
    author_of: dict[int, int],
) -> tuple[Repair, tuple[RepairChange, ...]]:
    """The repair after ``slot``'s ``row`` at relay ``ts``; ``author_of``: the seat that
    sent each recent message, by its relay number. Total: never raises."""
    repair = settle(repair, ts)
    if slot not in seats:
        return repair, (RepairRefused(slot, Why.NOT_SEATED),)
    match row:
        case Ouched(text, about):
            why = refusal(repair, slot, ts)
            if why is not None:
                return repair, (RepairRefused(slot, why),)
            concerned = author_of.get(about) if about is not None else None
            if concerned == slot or concerned not in seats:
                concerned = None
            ouches = tuple((w, at) for w, at in repair.ouches if ts - at < HOUR_MS)
            opened = Round(slot, concerned, text, ts)
            return Repair(opened, (*ouches, (slot, ts))), (Opened(slot, concerned, text),)
        case Stepped(step_):
            r = repair.open_at(ts)
            if r is None:
                return repair, (RepairRefused(slot, Why.NO_ROUND),)
            if step_ in (Step.DONE, Step.PASS):
                turn = r.turn(ts)
                if r.speaker(ts) != slot or turn is Turn.OPEN:
                    return repair, (RepairRefused(slot, Why.NOT_YOUR_TURN),)
                if turn is Turn.FLAGGER:
                    r = replace(r, flagger_done_ts=ts)
                else:
                    r = replace(r, concerned_done_ts=ts)
                return replace(repair, round=r), (TurnEnded(slot, step_ is Step.PASS),)
            if slot not in r.affected:
                return repair, (RepairRefused(slot, Why.NOT_AFFECTED),)
            if step_ is Step.MORE and r.mores.count(slot) >= MORES:
                return repair, (RepairRefused(slot, Why.NO_MORE),)
            choices = (*((s, c) for s, c in r.choices if s != slot), (slot, step_))
            r = replace(r, choices=choices)
            if step_ is Step.MORE:
                r = replace(r, more_ts=ts, mores=(*r.mores, slot))
            changes: list[RepairChange] = [Chose(slot, step_)]
            here = [s for s in r.affected if s in seats]
            if all(r.choice_of(s) in FINAL for s in here):
                out = tuple(s for s in here if r.choice_of(s) is Step.STEP_OUT)
                changes.append(Closed(out))
                return replace(repair, round=None), tuple(changes)
            return replace(repair, round=r), tuple(changes)
    return repair, ()


def seated(repair: Repair, seats: tuple[int, ...]) -> Repair:
    """A Commit: someone affected who left (stepped out, say) no longer holds the round
    open; their choice stands as made. Ouches of seats gone are forgotten."""
    ouches = tuple((w, at) for w, at in repair.ouches if w in seats)
    r = repair.round
    if r is None:
        return replace(repair, ouches=ouches)
    here = [s for s in r.affected if s in seats]
    if not here or all(r.choice_of(s) in FINAL for s in here):
        return Repair(None, ouches)
    return Repair(r, ouches)
