"""The Commit's body: one epoch's whole roster, and why the epoch began."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from protocol.bodies.codec import BodyError, array, exactly, fields, key, nick, pack, uint, unpack
from protocol.limits import SEATS


class ChangeKind(StrEnum):
    """Why an epoch began."""

    OPEN = "open"  # the room opened (or opened again after the relay lost it)
    ADMIT = "admit"
    LEFT = "left"  # said goodbye
    DISCONNECTED = "disconnected"  # the connection dropped and the grace period ran out
    REMOVED = "removed"  # by the room's vote: the evidence is the signed motion and votes
    AMENDED = "amended"  # the agreements changed: the evidence is everyone's consent


_CHANGE_KINDS = frozenset(kind.value for kind in ChangeKind)
MAX_EVIDENCE = 128  # the longest: a returner's new keys and the vouch of its old key
MAX_REMOVAL = 4096  # a removal's motion, second and votes (``bodies.vote``)


@dataclass(frozen=True, slots=True)
class Member:
    slot: int
    nick: str
    identity: bytes
    exchange: bytes
    peer: int  # the relay's connection number, so a relay leave maps to a seat


@dataclass(frozen=True, slots=True)
class Change:
    """One change of the roster, with the evidence that allows it (``membership.evidence``)."""

    what: ChangeKind
    slot: int
    by: int
    evidence: bytes = b""


@dataclass(frozen=True, slots=True)
class Ticket:
    """A return ticket: someone whose seat went when their connection dropped may come
    back under the same name, vouched for by this identity key, once."""

    identity: bytes
    nick: str


@dataclass(frozen=True, slots=True)
class CommitBody:
    epoch: int
    prev: bytes
    roster: tuple[Member, ...]
    agreed: bytes
    sequencer: int
    successor: int
    changes: tuple[Change, ...]
    nonce: bytes
    # The hash of the room's return tickets after this Commit (``membership.evidence``):
    # the tickets themselves travel in lobbies, and every member keeps them.
    tickets: bytes = bytes(32)

    def encode(self) -> bytes:
        return pack(
            {
                "epoch": self.epoch,
                "prev": self.prev,
                "roster": [[m.slot, m.nick, m.identity, m.exchange, m.peer] for m in self.roster],
                "agreed": self.agreed,
                "sequencer": self.sequencer,
                "successor": self.successor,
                "changes": [[str(c.what), c.slot, c.by, c.evidence] for c in self.changes],
                "nonce": self.nonce,
                "tickets": self.tickets,
            }
        )

    @staticmethod
    def claimed_epoch(data: bytes) -> int | None:
        """The epoch a Commit body says it makes, read without the rest of its rules: a
        Commit that breaks them may come from a client of another version."""
        try:
            obj = unpack(data)
        except BodyError:
            return None
        epoch = obj.get("epoch") if type(obj) is dict else None
        return epoch if type(epoch) is int else None

    @staticmethod
    def decode(data: bytes) -> CommitBody:
        obj = fields(
            unpack(data),
            "epoch", "prev", "roster", "agreed", "sequencer", "successor", "changes", "nonce",
            "tickets",
        )  # fmt: skip
        roster = []
        # The cap is checked by the roster's own rules; here only the shape is bounded.
        for entry in array(obj["roster"], SEATS * 2):
            slot, name, identity, exchange, peer = exactly(entry, 5)
            roster.append(
                Member(uint(slot, 256), nick(name), key(identity), key(exchange), uint(peer, 2**63))
            )
        changes = []
        for entry in array(obj["changes"], SEATS * 2):
            what, slot, by, evidence = exactly(entry, 4)
            if type(what) is not str or what not in _CHANGE_KINDS:
                raise BodyError("bad change")
            longest = MAX_REMOVAL if what in ("removed", "amended") else MAX_EVIDENCE
            if type(evidence) is not bytes or len(evidence) > longest:
                raise BodyError("bad evidence")
            changes.append(Change(ChangeKind(what), uint(slot, 256), uint(by, 256), evidence))
        return CommitBody(
            uint(obj["epoch"]),
            key(obj["prev"]),
            tuple(roster),
            key(obj["agreed"]),
            uint(obj["sequencer"], 256),
            uint(obj["successor"], 256),
            tuple(changes),
            key(obj["nonce"], 16),
            key(obj["tickets"]),
        )
