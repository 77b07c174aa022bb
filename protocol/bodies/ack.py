"""Acks: what one member holds, for the others to compare with what they hold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Final

from protocol.bodies.codec import array, exactly, key, uint
from protocol.frames import CHECK_SIZE
from protocol.limits import SEATS

RUNNING_SIZE: Final = 16
MAX_ROWS: Final = 4 * SEATS  # chains held now, kept from the epoch before, and ended


@dataclass(frozen=True, slots=True)
class Heard:
    """One chain as an ack's sender holds it: how many messages it took, their
    running hash, and the key's check. Ended chains are listed too."""

    epoch: int
    slot: int
    gen: int
    count: int  # messages taken from the chain, 0 if only its keys came
    running: bytes
    check: bytes


@dataclass(frozen=True, slots=True)
class Lacking:
    """A chain of this epoch whose frames the ack's sender saw, but whose keys never came."""

    slot: int
    gen: int


@dataclass(frozen=True, slots=True)
class Ack:
    """What the sender holds: its Commit, its room-state log, every chain it holds or
    held lately, and the chains it lacks.

    The Commit hash, not only the roster, so that two Commits for one epoch (a
    split room) show; the room-state log (events applied since that Commit, and
    their running hash) so that a relay cannot feed members different states;
    chains of ended generations and of the epoch before, so that keys handed out
    differently cannot hide behind a rotation or a Commit; and what it lacks, so
    that a sender learns its messages are not reaching someone.
    """

    KIND: ClassVar[str] = "ack"
    epoch: int
    commit_hash: bytes
    state_count: int
    state_hash: bytes
    heard: tuple[Heard, ...]
    lacking: tuple[Lacking, ...] = ()

    def encode(self) -> list[Any]:
        rows = [[h.epoch, h.slot, h.gen, h.count, h.running, h.check] for h in self.heard]
        lacking = [[x.slot, x.gen] for x in self.lacking]
        return [self.epoch, self.commit_hash, self.state_count, self.state_hash, rows, lacking]

    @staticmethod
    def decode(args: list[Any]) -> Ack:
        epoch, commit_hash, state_count, state_hash, rows, lacking_rows = args
        heard = []
        for row in array(rows, MAX_ROWS):
            row_epoch, slot, gen, count, running, check = exactly(row, 6)
            heard.append(
                Heard(
                    uint(row_epoch),
                    uint(slot, SEATS),
                    uint(gen),
                    uint(count),
                    key(running, RUNNING_SIZE),
                    key(check, CHECK_SIZE),
                )
            )
        lacking = []
        for row in array(lacking_rows, SEATS):
            slot, gen = exactly(row, 2)
            lacking.append(Lacking(uint(slot, SEATS), uint(gen)))
        return Ack(
            uint(epoch),
            key(commit_hash),
            uint(state_count),
            key(state_hash, RUNNING_SIZE),
            tuple(heard),
            tuple(lacking),
        )
