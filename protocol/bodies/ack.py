"""Acks: what one member holds, for the others to compare with what they hold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Final

from protocol.bodies.codec import array, exactly, key, uint
from protocol.frames import CHECK_SIZE
from protocol.limits import SEATS

RUNNING_SIZE: Final = 16


@dataclass(frozen=True, slots=True)
class Heard:
    """One chain as an ack's sender saw it: last index, running hash, the key's check."""

    slot: int
    gen: int
    index: int
    running: bytes
    check: bytes


@dataclass(frozen=True, slots=True)
class Ack:
    """What the sender holds: its Commit, its room-state log, and every chain it heard.

    The Commit hash, not only the roster, so that two Commits for one epoch (a
    split room) show; the room-state log (events applied since that Commit, and
    their running hash) so that a relay cannot feed members different states.
    """

    KIND: ClassVar[str] = "ack"
    epoch: int
    commit_hash: bytes
    state_count: int
    state_hash: bytes
    heard: tuple[Heard, ...]

    def encode(self) -> list[Any]:
        rows = [[h.slot, h.gen, h.index, h.running, h.check] for h in self.heard]
        return [self.epoch, self.commit_hash, self.state_count, self.state_hash, rows]

    @staticmethod
    def decode(args: list[Any]) -> Ack:
        epoch, commit_hash, state_count, state_hash, rows = args
        heard = []
        for row in array(rows, SEATS * 2):
            slot, gen, index, running, check = exactly(row, 5)
            heard.append(
                Heard(
                    uint(slot, SEATS),
                    uint(gen),
                    uint(index),
                    key(running, RUNNING_SIZE),
                    key(check, CHECK_SIZE),
                )
            )
        return Ack(
            uint(epoch),
            key(commit_hash),
            uint(state_count),
            key(state_hash, RUNNING_SIZE),
            tuple(heard),
        )
