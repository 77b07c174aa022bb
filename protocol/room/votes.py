"""Removal by vote: a motion raised, seconded, answered and voted on, the same everywhere.

Motions travel sealed like messages and every member applies them, in the
relay's order and with the relay's ``ts``, to ``step`` below (signatures are
checked before, by the endpoint, which also maps keys to seats):

    row        who may                      what it does
    Moved      any member, about another    a motion with a reason; the voters are
               present, with at least       the others present then (the person
               three others present         named excluded), fixed from here on
    Seconded   a voter other than the       the floor is held; the person named has
               mover, within its window     a turn to answer
    Answered   the person named             they are done: the vote opens now
    Balloted   a voter, once, while the     yes or no; the first ballot counts
               vote is open

A motion's times come from the relay's ``ts`` and the windows the motion
states (``bodies.vote``), so everyone sees the same phases at the same
moments (``MotionState.phase``): unseconded in time, it lapses; the answer
ends with the named person's *answered*, or when its window runs out; the
vote closes when its window runs out, or early, once every voter voted. It
passes with a strict majority of the voters (not voting counts as no). One
open motion per person named; a mover whose motion about someone failed
cannot raise it again about them. Motions about different people stand on
their own.

Only totals are shown; but every client sees every sealed ballot, so a
ballot is attributable to its voter by anyone who reads the frames.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

MIN_VOTERS: Final = 3  # at least three others present
CLOSED_KEPT: Final = 8  # closed motions kept, for the Commit that follows a pass


class Phase(StrEnum):
    SECONDING = "seconding"
    ANSWERING = "answering"
    VOTING = "voting"
    PASSED = "passed"
    FAILED = "failed"
    LAPSED = "lapsed"  # nobody seconded it in time


OPEN_PHASES: Final = frozenset((Phase.SECONDING, Phase.ANSWERING, Phase.VOTING))


# --- rows ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Moved:
    key: bytes  # the motion's id
    named: int
    reason: str
    voters: tuple[int, ...]
    voter_ids: tuple[bytes, ...]  # the voters' identity keys, seat by seat
    second_s: int
    respond_s: int
    vote_s: int
    mover_id: bytes
    named_id: bytes
    raw: bytes  # the motion as signed, and the signature: the Commit carries them
    sig: bytes


@dataclass(frozen=True, slots=True)
class Seconded:
    key: bytes
    sig: bytes
    by_id: bytes


@dataclass(frozen=True, slots=True)
class Answered:
    key: bytes


@dataclass(frozen=True, slots=True)
class Balloted:
    key: bytes
    yes: bool
    sig: bytes
    by_id: bytes


VoteRow = Moved | Seconded | Answered | Balloted


# --- the state -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ballot:
    slot: int
    yes: bool
    ts: int
    identity: bytes
    sig: bytes


@dataclass(frozen=True, slots=True)
class MotionState:
    key: bytes
    mover: int
    named: int
    reason: str
    voters: tuple[int, ...]
    voter_ids: tuple[bytes, ...]
    moved_ts: int
    second_s: int
    respond_s: int
    vote_s: int
    mover_id: bytes
    named_id: bytes
    raw: bytes
    sig: bytes
    seconder: int | None = None
    seconder_id: bytes = b""
    second_sig: bytes = b""
    seconded_ts: int | None = None
    answered_ts: int | None = None
    ballots: tuple[Ballot, ...] = ()

    def votes_as(self, slot: int, identity: bytes) -> bool:
        """Whether ``slot``, with this identity key, is one of the voters (a seat given
        to someone new since the motion is not)."""
        return slot in self.voters and self.voter_ids[self.voters.index(slot)] == identity

    @property
    def yes(self) -> int:
        return sum(1 for b in self.ballots if b.yes)

    @property
    def no(self) -> int:
        return len(self.ballots) - self.yes

    @property
    def passes(self) -> bool:
        """A strict majority of the voters said yes."""
        return 2 * self.yes > len(self.voters)

    def answer_end(self) -> int | None:
        if self.seconded_ts is None:
            return None
        end = self.seconded_ts + self.respond_s * 1000
        return end if self.answered_ts is None else min(end, self.answered_ts)

    def vote_end(self) -> int | None:
        start = self.answer_end()
        if start is None:
            return None
        end = start + self.vote_s * 1000
        if len(self.ballots) == len(self.voters):  # everyone voted: it closes early
            end = min(end, self.ballots[-1].ts)
        return end

    def end(self) -> int:
        """When the motion is (or will be, as things stand) closed."""
        vote_end = self.vote_end()
        return self.moved_ts + self.second_s * 1000 if vote_end is None else vote_end

    def phase(self, ts: int) -> Phase:
        answer_end, vote_end = self.answer_end(), self.vote_end()
        if answer_end is None or vote_end is None:
            return Phase.SECONDING if ts < self.moved_ts + self.second_s * 1000 else Phase.LAPSED
        if ts < answer_end:
            return Phase.ANSWERING
        if ts < vote_end:
            return Phase.VOTING
        return Phase.PASSED if self.passes else Phase.FAILED

    def holds(self, ts: int) -> bool:
        """Whether this motion holds the floor at ``ts``: seconded and not closed."""
        return self.phase(ts) in (Phase.ANSWERING, Phase.VOTING)


@dataclass(frozen=True, slots=True)
class Votes:
    motions: tuple[MotionState, ...] = ()  # open, and the latest closed
    failed: frozenset[tuple[bytes, bytes]] = frozenset()  # (mover, named) identities
    # Whom a vote removed, by identity key: a return ticket does not bring them back.
    removed: frozenset[bytes] = frozenset()

    def get(self, key: bytes) -> MotionState | None:
        return next((m for m in self.motions if m.key == key), None)

    def open_about(self, named: int, ts: int) -> MotionState | None:
        return next(
            (m for m in self.motions if m.named == named and m.phase(ts) in OPEN_PHASES), None
        )

    def removed_by(self, ts: int) -> frozenset[bytes]:
        """Whom a vote removed by ``ts`` (settled or not yet), by identity key."""
        passed = {m.named_id for m in self.motions if m.phase(ts) is Phase.PASSED}
        return self.removed | passed

    def holding(self, ts: int) -> bool:
        return any(m.holds(ts) for m in self.motions)

    def hold_ended(self, ts: int) -> int | None:
        """When the latest hold that ended by ``ts`` ended, if any did."""
        ends = [m.end() for m in self.motions if m.seconded_ts is not None and m.end() <= ts]
        return max(ends, default=None)


# --- what a person sees --------------------------------------------------------------


class Why(StrEnum):
    UNKNOWN = "unknown motion"
    NOT_A_VOTER = "not a voter"
    ALREADY = "already"
    NOT_NOW = "not in this phase"
    TOO_FEW = "too few others present"
    WRONG_VOTERS = "the voters are not the others present"
    AGAIN = "raised again by the same mover"
    NOT_SEATED = "not seated"


@dataclass(frozen=True, slots=True)
class Raised:
    key: bytes
    mover: int
    named: int
    reason: str
    voters: int


@dataclass(frozen=True, slots=True)
class SecondGiven:
    key: bytes
    by: int
    named: int


@dataclass(frozen=True, slots=True)
class AnswerGiven:
    key: bytes
    named: int


@dataclass(frozen=True, slots=True)
class BallotIn:
    """A ballot counted: how many voted so far, of how many (never who, nor how)."""

    key: bytes
    cast: int
    of: int
    mine: bool = False


@dataclass(frozen=True, slots=True)
class VoteRefused:
    slot: int
    key: bytes
    why: Why


VoteChange = Raised | SecondGiven | AnswerGiven | BallotIn | VoteRefused


# --- the reducer ---------------------------------------------------------------------


def settle(votes: Votes, ts: int) -> Votes:
    """Motions closed by ``ts``: a failed one is remembered for its mover; a lapsed or
    failed one is kept a little (for the screens), a passed one until its Commit."""
    phases = [m.phase(ts) for m in votes.motions]
    closed_now = [m for m, p in zip(votes.motions, phases, strict=True) if p not in OPEN_PHASES]
    if len(closed_now) <= CLOSED_KEPT and all(
        (p is not Phase.FAILED or (m.mover_id, m.named_id) in votes.failed)
        and (p is not Phase.PASSED or m.named_id in votes.removed)
        for m, p in zip(votes.motions, phases, strict=True)
    ):
        return votes  # nothing closed since: the common case
    failed, removed = set(votes.failed), set(votes.removed)
    open_, passed, closed = [], [], []
    for m in votes.motions:
        phase = m.phase(ts)
        if phase in OPEN_PHASES:
            open_.append(m)
            continue
        if phase is Phase.FAILED:
            failed.add((m.mover_id, m.named_id))
        if phase is Phase.PASSED:
            removed.add(m.named_id)
            passed.append(m)  # kept until the Commit that removes them
        else:
            closed.append(m)
    kept = (*open_, *passed, *closed[-CLOSED_KEPT:])
    order = {m.key: i for i, m in enumerate(votes.motions)}
    motions = tuple(sorted(kept, key=lambda m: order[m.key]))
    return Votes(motions, frozenset(failed), frozenset(removed))


def step(
    votes: Votes,
    row: VoteRow,
    slot: int,
    ts: int,
    seats: tuple[int, ...],
    away: frozenset[int],
) -> tuple[Votes, tuple[VoteChange, ...]]:
    """The motions after ``slot``'s ``row`` at relay ``ts``; total: never raises."""
    votes = settle(votes, ts)
    if slot not in seats:
        return votes, (VoteRefused(slot, row.key, Why.NOT_SEATED),)
    match row:
        case Moved():
            return _moved(votes, row, slot, ts, seats, away)
        case Seconded(key, sig, by_id):
            m = votes.get(key)
            if m is None:
                return votes, (VoteRefused(slot, key, Why.UNKNOWN),)
            if slot == m.mover or not m.votes_as(slot, by_id):
                return votes, (VoteRefused(slot, key, Why.NOT_A_VOTER),)
            if m.phase(ts) is not Phase.SECONDING:
                return votes, (VoteRefused(slot, key, Why.NOT_NOW),)
            m = replace(m, seconder=slot, seconder_id=by_id, second_sig=sig, seconded_ts=ts)
            return _put(votes, m), (SecondGiven(key, slot, m.named),)
        case Answered(key):
            m = votes.get(key)
            if m is None:
                return votes, (VoteRefused(slot, key, Why.UNKNOWN),)
            if slot != m.named:
                return votes, (VoteRefused(slot, key, Why.NOT_A_VOTER),)
            if m.phase(ts) is not Phase.ANSWERING:
                return votes, (VoteRefused(slot, key, Why.NOT_NOW),)
            return _put(votes, replace(m, answered_ts=ts)), (AnswerGiven(key, m.named),)
        case Balloted(key, yes, sig, by_id):
            m = votes.get(key)
            if m is None:
                return votes, (VoteRefused(slot, key, Why.UNKNOWN),)
            if not m.votes_as(slot, by_id):
                return votes, (VoteRefused(slot, key, Why.NOT_A_VOTER),)
            if any(b.slot == slot for b in m.ballots):
                return votes, (VoteRefused(slot, key, Why.ALREADY),)  # counted once
            if m.phase(ts) is not Phase.VOTING:
                return votes, (VoteRefused(slot, key, Why.NOT_NOW),)
            m = replace(m, ballots=(*m.ballots, Ballot(slot, yes, ts, by_id, sig)))
            return _put(votes, m), (BallotIn(key, len(m.ballots), len(m.voters)),)
    return votes, ()


def refusal(
    votes: Votes,
    named: int,
    mover: int,
    mover_id: bytes,
    named_id: bytes,
    voters: tuple[int, ...],
    ts: int,
    seats: tuple[int, ...],
    away: frozenset[int],
) -> Why | None:
    """Why a motion by ``mover`` about ``named`` would be refused now, or None."""
    if named not in seats or named == mover:
        return Why.NOT_SEATED
    present = tuple(s for s in seats if s not in away and s != named)
    if sorted(voters) != sorted(present) or mover not in voters:
        return Why.WRONG_VOTERS
    if len(voters) < MIN_VOTERS:
        return Why.TOO_FEW
    if votes.open_about(named, ts) is not None:
        return Why.ALREADY
    if (mover_id, named_id) in votes.failed:
        return Why.AGAIN
    return None


def _moved(
    votes: Votes,
    row: Moved,
    slot: int,
    ts: int,
    seats: tuple[int, ...],
    away: frozenset[int],
) -> tuple[Votes, tuple[VoteChange, ...]]:
    why = refusal(votes, row.named, slot, row.mover_id, row.named_id, row.voters, ts, seats, away)
    if why is None and votes.get(row.key) is not None:
        why = Why.ALREADY
    if why is not None:
        return votes, (VoteRefused(slot, row.key, why),)
    m = MotionState(
        row.key,
        slot,
        row.named,
        row.reason,
        row.voters,
        row.voter_ids,
        ts,
        row.second_s,
        row.respond_s,
        row.vote_s,
        row.mover_id,
        row.named_id,
        row.raw,
        row.sig,
    )
    votes = replace(votes, motions=(*votes.motions, m))
    return votes, (Raised(row.key, slot, row.named, row.reason, len(row.voters)),)


def _put(votes: Votes, motion: MotionState) -> Votes:
    return replace(
        votes, motions=tuple(motion if m.key == motion.key else m for m in votes.motions)
    )


def seated(votes: Votes, seats: tuple[int, ...], dropped: frozenset[bytes] = frozenset()) -> Votes:
    """A Commit: motions about someone who is gone are over (removed, or left), except
    about someone whose connection dropped (``dropped``: identity keys): that vote
    goes on, so dropping and coming back is no way out of it."""
    kept = tuple(m for m in votes.motions if m.named in seats or m.named_id in dropped)
    return replace(votes, motions=kept)
