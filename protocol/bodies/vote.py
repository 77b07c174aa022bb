"""A motion to remove someone, its second, the named person's answer and the ballots.

Each travels sealed like a message (``room.votes`` applies them in relay
order), and the motion, the second and every *yes* are also signed on their
own by their author's identity key: the Commit that removes someone carries
them (``Removal``), so every member can count the votes themselves and no
sequencer removes anyone alone (``membership.evidence``).

    Motion      what the mover signs: whom, why, who may vote, and the windows
    MotionBody  the motion and the mover's signature, for the room
    SecondBody  another member's signed second
    AnswerBody  the named person is done answering: the vote opens
    BallotBody  a signed yes or no
    Removal     the evidence a removal Commit carries
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Final

from protocol.bodies.codec import BodyError, array, exactly, key, pack, text, uint, unpack
from protocol.crypto import SIG_SIZE, digest
from protocol.limits import SEATS

REASON_CHARS: Final = 200
# The windows a motion states, in seconds, and the bounds every member holds
# them to: the named person always has time to answer.
SECOND_S: Final = 60
RESPOND_S: Final = 120
VOTE_S: Final = 60
# Bounded so that a motion holds the floor and the door for seven minutes at most.
SECOND_BOUNDS: Final = (5, 120)
RESPOND_BOUNDS: Final = (30, 180)
VOTE_BOUNDS: Final = (5, 120)
MOTION_ID_SIZE: Final = 16


def reason_digest(reason: str) -> bytes:
    return digest(reason.encode(), b"porch-reason")


@dataclass(frozen=True, slots=True)
class Motion:
    """What a mover signs: remove ``named`` for the reason whose digest this is;
    ``eligible`` vote. (The reason's words travel beside it, in ``MotionBody``, so
    the removal Commit that carries the motion stays small.)"""

    epoch: int
    named: bytes  # the identity key of the person named
    reason: bytes  # the digest of the reason given (``reason_digest``)
    eligible: tuple[bytes, ...]  # the identity keys of the others present
    second_s: int = SECOND_S
    respond_s: int = RESPOND_S
    vote_s: int = VOTE_S
    nonce: bytes = bytes(16)

    def encode(self) -> bytes:
        return pack(
            [
                self.epoch,
                self.named,
                self.reason,
                list(self.eligible),
                self.second_s,
                self.respond_s,
                self.vote_s,
                self.nonce,
            ]
        )

    @staticmethod
    def decode(data: bytes) -> Motion:
        epoch, named, reason, eligible, second_s, respond_s, vote_s, nonce = exactly(
            unpack(data), 8
        )
        voters = tuple(key(v) for v in array(eligible, SEATS))
        if len(set(voters)) != len(voters) or key(named) in voters:
            raise BodyError("the voters are others, each once")
        return Motion(
            uint(epoch),
            key(named),
            key(reason),
            voters,
            _within(second_s, SECOND_BOUNDS),
            _within(respond_s, RESPOND_BOUNDS),
            _within(vote_s, VOTE_BOUNDS),
            key(nonce, 16),
        )


def _within(value: Any, bounds: tuple[int, int]) -> int:
    low, high = bounds
    seconds = uint(value, high + 1)
    if seconds < low:
        raise BodyError("a window too short for people to answer")
    return seconds


def motion_id(room: bytes, motion: bytes) -> bytes:
    return digest(room + motion, b"porch-motion", MOTION_ID_SIZE)


def motion_statement(room: bytes, motion: bytes) -> bytes:
    return b"porch-motion" + room + motion


def second_statement(room: bytes, motion_key: bytes) -> bytes:
    return b"porch-second" + room + motion_key


def ballot_statement(room: bytes, motion_key: bytes, yes: bool) -> bytes:
    return b"porch-ballot" + room + motion_key + (b"yes" if yes else b"no")


def _sig(value: Any) -> bytes:
    return key(value, SIG_SIZE)


def _motion_key(value: Any) -> bytes:
    return key(value, MOTION_ID_SIZE)


@dataclass(frozen=True, slots=True)
class MotionBody:
    KIND: ClassVar[str] = "motion"
    motion: bytes  # Motion.encode(), as signed
    sig: bytes
    reason: str  # the words whose digest the motion carries

    def encode(self) -> list[Any]:
        return [self.motion, self.sig, self.reason]

    @staticmethod
    def decode(args: list[Any]) -> MotionBody:
        motion, sig, reason = args
        if type(motion) is not bytes:
            raise BodyError("a motion is bytes")
        said = text(reason, REASON_CHARS)
        if not said.strip() or not said.isprintable():
            raise BodyError("a motion gives a reason")
        if Motion.decode(motion).reason != reason_digest(said):
            raise BodyError("the reason is not the one the motion was signed with")
        return MotionBody(motion, _sig(sig), said)


@dataclass(frozen=True, slots=True)
class SecondBody:
    KIND: ClassVar[str] = "second"
    motion: bytes  # the motion's id
    sig: bytes

    def encode(self) -> list[Any]:
        return [self.motion, self.sig]

    @staticmethod
    def decode(args: list[Any]) -> SecondBody:
        motion, sig = args
        return SecondBody(_motion_key(motion), _sig(sig))


@dataclass(frozen=True, slots=True)
class AnswerBody:
    """The person named is done answering."""

    KIND: ClassVar[str] = "answered"
    motion: bytes

    def encode(self) -> list[Any]:
        return [self.motion]

    @staticmethod
    def decode(args: list[Any]) -> AnswerBody:
        (motion,) = args
        return AnswerBody(_motion_key(motion))


@dataclass(frozen=True, slots=True)
class BallotBody:
    KIND: ClassVar[str] = "ballot"
    motion: bytes
    yes: bool
    sig: bytes

    def encode(self) -> list[Any]:
        return [self.motion, self.yes, self.sig]

    @staticmethod
    def decode(args: list[Any]) -> BallotBody:
        motion, yes, sig = args
        if type(yes) is not bool:
            raise BodyError("a ballot is yes or no")
        return BallotBody(_motion_key(motion), yes, _sig(sig))


@dataclass(frozen=True, slots=True)
class Removal:
    """What a removal Commit carries: the motion, its second and every yes, signed.
    Each signer is named by their place in the motion's list of voters."""

    motion: bytes
    mover: int
    mover_sig: bytes
    seconder: int
    second_sig: bytes
    yes: tuple[tuple[int, bytes], ...]  # (voter, signature)

    def encode(self) -> bytes:
        return pack(
            [
                self.motion,
                self.mover,
                self.mover_sig,
                self.seconder,
                self.second_sig,
                [[who, sig] for who, sig in self.yes],
            ]
        )

    @staticmethod
    def decode(data: bytes) -> Removal:
        motion, mover, mover_sig, seconder, second_sig, yes = exactly(unpack(data), 6)
        if type(motion) is not bytes:
            raise BodyError("a motion is bytes")
        ballots = []
        for entry in array(yes, SEATS):
            who, sig = exactly(entry, 2)
            ballots.append((uint(who, SEATS), _sig(sig)))
        return Removal(
            motion, uint(mover, SEATS), _sig(mover_sig), uint(seconder, SEATS), _sig(second_sig),
            tuple(ballots),
        )  # fmt: skip


# --- amending the agreements (``room.amend``) ------------------------------------------

AMEND_LINE_CHARS: Final = 300


def amend_statement(room: bytes, key: bytes, old_agreed: bytes, new_agreed: bytes) -> bytes:
    """What each member signs to consent to an amendment: from these agreements to those."""
    return b"porch-amend" + room + key + old_agreed + new_agreed


@dataclass(frozen=True, slots=True)
class AmendBody:
    """A proposed agreement, and the proposer's consent to the agreements with it."""

    KIND: ClassVar[str] = "amend"
    key: bytes
    line: str
    sig: bytes

    def encode(self) -> list[Any]:
        return [self.key, self.line, self.sig]

    @staticmethod
    def decode(args: list[Any]) -> AmendBody:
        key_, line, sig = args
        said = text(line, AMEND_LINE_CHARS)
        if not said.strip() or not said.isprintable():
            raise BodyError("an agreement is one printable line")
        return AmendBody(_motion_key(key_), said, _sig(sig))


@dataclass(frozen=True, slots=True)
class ConsentBody:
    """Consent to the open amendment, signed; or, with a reason, an objection."""

    KIND: ClassVar[str] = "consent"
    key: bytes
    sig: bytes  # empty for an objection
    reason: str = ""

    def encode(self) -> list[Any]:
        return [self.key, self.sig, self.reason]

    @staticmethod
    def decode(args: list[Any]) -> ConsentBody:
        key_, sig, reason = args
        said = text(reason, REASON_CHARS)
        if sig == b"":
            if not said.strip() or not said.isprintable():
                raise BodyError("an objection says why")
            return ConsentBody(_motion_key(key_), b"", said)
        if said:
            raise BodyError("a consent or an objection, not both")
        return ConsentBody(_motion_key(key_), _sig(sig))


@dataclass(frozen=True, slots=True)
class Amended:
    """What an amending Commit carries: the amendment's id, and each member's consent
    by their place on the roster."""

    key: bytes
    consents: tuple[tuple[int, bytes], ...]

    def encode(self) -> bytes:
        return pack([self.key, [[at, sig] for at, sig in self.consents]])

    @staticmethod
    def decode(data: bytes) -> Amended:
        key_, consents = exactly(unpack(data), 2)
        rows = []
        for entry in array(consents, SEATS):
            at, sig = exactly(entry, 2)
            rows.append((uint(at, SEATS), _sig(sig)))
        return Amended(_motion_key(key_), tuple(rows))
