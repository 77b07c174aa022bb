"""Motions on the roster: signatures checked, keys turned into seats, votes into evidence.

``room.votes`` counts seats; this part stands between it and the frames. A
motion, a second or a ballot is applied only if its author's identity key
signed it (``bodies.vote``), and the motion names seated members only; a
removal the vote passed becomes a departure the sequencer commits
(``removals_due``), carrying the motion, the second and every yes.
"""

from __future__ import annotations

from protocol.bodies import BodyError
from protocol.bodies.commit import ChangeKind, Member
from protocol.bodies.vote import (
    BallotBody,
    Motion,
    MotionBody,
    Removal,
    SecondBody,
    ballot_statement,
    motion_id,
    motion_statement,
    second_statement,
)
from protocol.crypto import verify
from protocol.membership.roster import Roster
from protocol.membership.sequencer import Due
from protocol.room.votes import Balloted, MotionState, Moved, Phase, Seconded, Votes

# The sequencer commits a removal a little after the vote closed by its own
# reading of the relay's clock, so the Commit is stamped after the close.
CLOSE_MARGIN_MS = 1_000


def motion_row(body: MotionBody, mover: Member, roster: Roster, room: bytes) -> Moved | None:
    """The row for a motion its mover signed, naming seated members of this epoch."""
    if not verify(mover.identity, motion_statement(room, body.motion), body.sig):
        return None
    try:
        motion = Motion.decode(body.motion)
    except BodyError:
        return None
    named = roster.by_identity(motion.named)
    voters = [roster.by_identity(v) for v in motion.eligible]
    if motion.epoch != roster.epoch or named is None or None in voters:
        return None
    seats = tuple(v.slot for v in voters if v is not None)
    return Moved(
        motion_id(room, body.motion),
        named.slot,
        body.reason,
        seats,
        motion.eligible,
        motion.second_s,
        motion.respond_s,
        motion.vote_s,
        mover.identity,
        motion.named,
        body.motion,
        body.sig,
    )


def second_row(body: SecondBody, member: Member, room: bytes) -> Seconded | None:
    if not verify(member.identity, second_statement(room, body.motion), body.sig):
        return None
    return Seconded(body.motion, body.sig, member.identity)


def ballot_row(body: BallotBody, member: Member, room: bytes) -> Balloted | None:
    if not verify(member.identity, ballot_statement(room, body.motion, body.yes), body.sig):
        return None
    return Balloted(body.motion, body.yes, body.sig, member.identity)


def removal_evidence(motion: MotionState) -> bytes:
    """The motion, its second and every yes, each signer by their place among the voters."""
    place = {identity: at for at, identity in enumerate(motion.voter_ids)}
    yes = tuple((place[b.identity], b.sig) for b in motion.ballots if b.yes)
    mover, seconder = place[motion.mover_id], place[motion.seconder_id]
    return Removal(motion.raw, mover, motion.sig, seconder, motion.second_sig, yes).encode()


def removals_due(votes: Votes, roster: Roster, my_slot: int | None, relay_now: int) -> list[Due]:
    """The removals ``my_slot`` commits now: the sequencer's, or, when the vote named the
    sequencer, its successor's."""
    due = []
    for m in votes.motions:
        gone = roster.seat(m.named)
        if gone is None or gone.identity != m.named_id:
            continue
        if m.phase(relay_now - CLOSE_MARGIN_MS) is not Phase.PASSED:
            continue
        by = roster.commit.successor if m.named == roster.commit.sequencer else None
        if my_slot != (by if by is not None else roster.commit.sequencer):
            continue
        due.append(Due(gone, ChangeKind.REMOVED, removal_evidence(m)))
    return due


def verdicts(votes: Votes, ts: int) -> dict[bytes, bool]:
    """For each motion we saw: whether it passed by ``ts``."""
    return {m.key: m.phase(ts) is Phase.PASSED for m in votes.motions}
