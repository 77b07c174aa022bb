"""The door's bodies: the lobby a newcomer is greeted with, its knock, a member's
consent to a knock, and a goodbye.

Lobbies and knocks travel room-wide under the join key; ``Admit`` and ``Bye``
are group content, sealed under the sender's chain like a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from protocol.bodies.codec import (
    MAX_BODY,
    BodyError,
    array,
    fields,
    key,
    nick,
    pack,
    text,
    uint,
    unpack,
)
from protocol.limits import AGREEMENTS_CHARS

MAX_LINEAGE = 8  # Commit frames in a lobby's lineage: four handovers


@dataclass(frozen=True, slots=True)
class Lobby:
    """The sequencer's answer to a newcomer: the agreements, before any knock."""

    agreements: str
    host_nick: str
    epoch: int
    # Handovers, oldest first, two Commit frames each: the one that named the
    # successor, signed by the sequencer of the day, and the one with which the
    # successor removed that sequencer. The first is signed by the invite's key.
    lineage: tuple[bytes, ...] = ()
    # The sequencer's current Commit frame: the newcomer follows the room from it.
    commit: bytes = b""

    def encode(self) -> bytes:
        return pack(
            {
                "agreements": self.agreements,
                "host": self.host_nick,
                "epoch": self.epoch,
                "lineage": list(self.lineage),
                "commit": self.commit,
            }
        )

    @staticmethod
    def decode(data: bytes) -> Lobby:
        obj = fields(unpack(data), "agreements", "host", "epoch", "lineage", "commit")
        lineage = array(obj["lineage"], MAX_LINEAGE)
        frames = [*lineage, obj["commit"]]
        if any(type(d) is not bytes or len(d) > MAX_BODY // (MAX_LINEAGE + 1) for d in frames):
            raise BodyError("a lineage holds Commit frames")
        return Lobby(
            text(obj["agreements"], AGREEMENTS_CHARS),
            nick(obj["host"]),
            uint(obj["epoch"]),
            tuple(lineage),
            obj["commit"],
        )


@dataclass(frozen=True, slots=True)
class KnockBody:
    nick: str
    identity: bytes
    exchange: bytes
    agreed: bytes  # hash of the agreements the joiner accepted
    # A member whose connection dropped knocks again with new keys; ``was`` is
    # their previous identity and ``vouch`` its signature over the new keys.
    was: bytes = b""
    vouch: bytes = b""
    # The hash of the Commit the lobby showed: the knock answers that lobby, so
    # a knock replayed long after cannot knock again.
    answers: bytes = b""

    def encode(self) -> bytes:
        return pack(
            {
                "nick": self.nick,
                "id": self.identity,
                "kx": self.exchange,
                "agreed": self.agreed,
                "was": self.was,
                "vouch": self.vouch,
                "answers": self.answers,
            }
        )

    @staticmethod
    def decode(data: bytes) -> KnockBody:
        obj = fields(unpack(data), "nick", "id", "kx", "agreed", "was", "vouch", "answers")
        was, vouch = obj["was"], obj["vouch"]
        if (was, vouch) != (b"", b""):
            was, vouch = key(was), key(vouch, 64)
        return KnockBody(
            nick(obj["nick"]),
            key(obj["id"]),
            key(obj["kx"]),
            key(obj["agreed"]),
            was,
            vouch,
            key(obj["answers"]),
        )


@dataclass(frozen=True, slots=True)
class Admit:
    """A member's consent to a knock, for the sequencer to commit."""

    KIND: ClassVar[str] = "admit"
    peer: int
    identity: bytes

    def encode(self) -> list[Any]:
        return [self.peer, self.identity]

    @staticmethod
    def decode(args: list[Any]) -> Admit:
        peer, identity = args
        return Admit(uint(peer, 2**63), key(identity))


@dataclass(frozen=True, slots=True)
class Bye:
    """The sender is leaving on purpose: commit it now, no grace period."""

    KIND: ClassVar[str] = "bye"

    def encode(self) -> list[Any]:
        return []

    @staticmethod
    def decode(args: list[Any]) -> Bye:
        if args:
            raise BodyError("a goodbye carries nothing")
        return Bye()
