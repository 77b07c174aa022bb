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


_CHANGE_KINDS = frozenset(kind.value for kind in ChangeKind)


@dataclass(frozen=True, slots=True)
class Member:
    slot: int
    nick: str
    identity: bytes
    exchange: bytes
    peer: int  # the relay's connection number, so a relay leave maps to a seat


@dataclass(frozen=True, slots=True)
class Change:
    what: ChangeKind
    slot: int
    by: int


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

    def encode(self) -> bytes:
        return pack(
            {
                "epoch": self.epoch,
                "prev": self.prev,
                "roster": [[m.slot, m.nick, m.identity, m.exchange, m.peer] for m in self.roster],
                "agreed": self.agreed,
                "sequencer": self.sequencer,
                "successor": self.successor,
                "changes": [[str(c.what), c.slot, c.by] for c in self.changes],
                "nonce": self.nonce,
            }
        )

    @staticmethod
    def decode(data: bytes) -> CommitBody:
        obj = fields(
            unpack(data),
            "epoch", "prev", "roster", "agreed", "sequencer", "successor", "changes", "nonce",
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
            what, slot, by = exactly(entry, 3)
            if type(what) is not str or what not in _CHANGE_KINDS:
                raise BodyError("bad change")
            changes.append(Change(ChangeKind(what), uint(slot, 256), uint(by, 256)))
        return CommitBody(
            uint(obj["epoch"]),
            key(obj["prev"]),
            tuple(roster),
            key(obj["agreed"]),
            uint(obj["sequencer"], 256),
            uint(obj["successor"], 256),
            tuple(changes),
            key(obj["nonce"], 16),
        )
