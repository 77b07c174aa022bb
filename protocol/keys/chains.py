"""Sender-key chains: one per member, epoch and generation, ratcheted per message.

    mk_i | ck_{i+1} = kdf(ck_i, "porch-ratchet", 64 bytes)
    mk_i is the key for message i, used once; the chain moves on; ck_i is dropped.
    (One 64-byte derivation instead of two 32-byte ones: half the calls, and the
    two halves are as independent as two outputs with different labels.)

A member draws a fresh random chain at every epoch change and every
``ROTATE_AFTER`` messages (a new generation), and sends it to each roster
member over the pairwise channel. Because message keys are derived forward
and dropped, a key taken from a member's memory later cannot read earlier
messages; because chains are redrawn per epoch, a removed member's chains
open nothing after the Commit that removed them.

The relay orders everything, so a receiver takes indices strictly upward: a
lower index is a replay (or a reorder the relay made), a higher one is a gap
that is shown, never hidden. Keys for skipped indices are not kept. ``Heard``
keeps a running hash of every frame received, for acks to compare, and the
chain key's ``check``, so that acks show when a sender handed members
different keys.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Final

from protocol.bodies.ack import RUNNING_SIZE, Heard
from protocol.crypto import KEY_SIZE, SIG_SIZE, digest, kdf
from protocol.frames import CHECK_SIZE

ROTATE_AFTER: Final = 300
MAX_SKIP: Final = 1000
HISTORY: Final = 256


class ChainRefused(ValueError):
    """An index that the chain will not open: a replay or a jump too far ahead."""


def key_check(chain_key: bytes) -> bytes:
    """A public commitment to a chain key: the same key gives the same check for all."""
    return kdf(chain_key, b"porch-key-check", size=CHECK_SIZE)


def ratchet(chain_key: bytes) -> tuple[bytes, bytes]:
    """(message key, next chain key) for the message at ``chain_key``."""
    out = kdf(chain_key, b"porch-ratchet", size=2 * KEY_SIZE)
    return out[:KEY_SIZE], out[KEY_SIZE:]


class SendingChain:
    __slots__ = ("_chain_key", "check", "epoch", "gen", "index")

    def __init__(self, epoch: int, gen: int, chain_key: bytes) -> None:
        self.epoch = epoch
        self.gen = gen
        self.index = 0
        self.check = key_check(chain_key)
        self._chain_key = chain_key

    def next_key(self) -> tuple[int, bytes]:
        index = self.index
        message_key, self._chain_key = ratchet(self._chain_key)
        self.index += 1
        return index, message_key

    @property
    def worn(self) -> bool:
        return self.index >= ROTATE_AFTER

    def snapshot(self) -> tuple[object, ...]:
        return ("SendingChain", self.epoch, self.gen, self.index, self.check, self._chain_key)


class ReceivingChain:
    """A peer's chain as we hold it; ``key_for`` never changes state, ``advance`` does."""

    __slots__ = (
        "_chain_key",
        "_history",
        "check",
        "epoch",
        "gapped",
        "gen",
        "next_index",
        "running",
        "slot",
    )

    def __init__(self, epoch: int, slot: int, gen: int, chain_key: bytes, check: bytes) -> None:
        self.epoch = epoch
        self.slot = slot
        self.gen = gen
        self.check = check
        self.next_index = 0
        self.gapped = False
        self.running = bytes(RUNNING_SIZE)
        self._chain_key = chain_key
        self._history: OrderedDict[int, bytes] = OrderedDict()

    def key_for(self, index: int) -> tuple[bytes, bytes]:
        """(message key, chain key after it) for ``index``, or ChainRefused."""
        if index < self.next_index:
            raise ChainRefused("a replayed or reordered message")
        if index - self.next_index > MAX_SKIP:
            raise ChainRefused("a message too far ahead")
        chain_key = self._chain_key
        for _ in range(index - self.next_index):
            chain_key = ratchet(chain_key)[1]
        return ratchet(chain_key)

    def advance(self, index: int, chain_key: bytes, frame: bytes) -> int:
        """Accept message ``index``; returns how many were skipped before it.

        The running hash absorbs the frame's signature: Ed25519 signatures are
        deterministic and bind the whole frame, so they stand in for it.
        """
        skipped = index - self.next_index
        if skipped:
            self.gapped = True
        self.next_index = index + 1
        self._chain_key = chain_key
        self.running = digest(self.running + frame[-SIG_SIZE:], b"porch-running", RUNNING_SIZE)
        self._history[index] = self.running
        while len(self._history) > HISTORY:
            self._history.popitem(last=False)
        return skipped

    def heard(self) -> Heard:
        return Heard(self.epoch, self.slot, self.gen, self.next_index, self.running, self.check)

    def without_key(self) -> ReceivingChain:
        """The record of what came under this chain, for comparing, with no key to open more."""
        record = ReceivingChain(self.epoch, self.slot, self.gen, b"", self.check)
        record.next_index, record.gapped = self.next_index, self.gapped
        record.running = self.running
        record._history = OrderedDict(self._history)
        return record

    def running_at(self, index: int) -> bytes | None:
        return self._history.get(index)

    def snapshot(self) -> tuple[object, ...]:
        return (
            "ReceivingChain",
            self.epoch,
            self.slot,
            self.gen,
            self.check,
            self.next_index,
            self.gapped,
            self.running,
            self._chain_key,
            tuple(self._history.items()),
        )
