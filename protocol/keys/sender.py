"""Speaking: our sender chain, its distribution, and the frames we seal.

At every epoch (and every few hundred messages, or ten minutes) we draw a new
chain and hand it to every other seat in one keys frame, sealed per recipient
under the pairwise key, with a public check of the key and the length of the
chain it replaces (see ``protocol.frames``). Messages and acks go out sealed
under the chain's message keys and signed by our identity.

Our own frames come back from the relay like everyone else's; the sender
keeps what it sent until then (``pending``), so the endpoint can take each one
at its place in the room's order.

While a later epoch is known to exist that we have not reached
(``held_back``), nothing but a goodbye may be sealed: our chain of this epoch
may be held by someone who has left. The endpoint checks that before sealing.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Final

from nacl.signing import SigningKey

from protocol.bodies import Content, encode_content
from protocol.crypto import KEY_SIZE, pad, random_bytes, seal, sign
from protocol.frames import (
    NO_CHAIN,
    announcement_aad,
    group_header,
    keys_aad,
    keys_body,
    keys_header,
)
from protocol.keys.chains import SendingChain
from protocol.keys.pairs import Pairs, pair_context
from protocol.membership.roster import Roster

ROTATE_EVERY_MS: Final = 10 * 60 * 1000
RETRY_EVERY_MS: Final = 30_000
MAX_PENDING: Final = 1024
KEPT_CHECKS: Final = 4


@dataclass(frozen=True, slots=True)
class Voice:
    """Who speaks, for sealing: the room, our seat, our identity key and the join key."""

    room: bytes
    slot: int
    identity: SigningKey
    join_key: bytes


@dataclass(slots=True)
class Sender:
    chain: SendingChain | None = None
    since_ms: int = 0  # when the current chain was drawn
    # The public check of each chain we drew lately, by (epoch, generation).
    checks: dict[tuple[int, int], bytes] = field(default_factory=dict)
    pending: deque[tuple[bytes, Content]] = field(default_factory=deque)
    held_back: bool = False
    # Seats that told us (in an ack) they saw our frames and lack our keys, and when
    # we last drew a new chain because of it.
    unreached: set[int] = field(default_factory=set)
    retried_ms: int | None = None

    def start_chain(self, voice: Voice, roster: Roster, pairs: Pairs, now: int) -> bytes | None:
        """Draw a new chain (new epoch or rotation); the keys frame for every other seat."""
        epoch = roster.epoch
        old = self.chain
        gen = old.gen + 1 if old is not None and old.epoch == epoch else 0
        ended = (old.epoch, old.gen, old.index) if old is not None else NO_CHAIN
        chain_key = random_bytes(KEY_SIZE)
        if old is not None and old.epoch != epoch:
            self.unreached = set()
        self.chain = SendingChain(epoch, gen, chain_key)
        self.checks[epoch, gen] = self.chain.check
        while len(self.checks) > KEPT_CHECKS:
            del self.checks[next(iter(self.checks))]
        self.since_ms = now
        blank = keys_header(voice.room, epoch, voice.slot, gen, self.chain.check, ended)
        bound = announcement_aad(blank)
        header = bound + seal(voice.join_key, pairs.upcoming(), bound)  # our next exchange key
        context = pair_context(voice.room, epoch)
        entries = {}
        for member in roster.members:
            if member.slot == voice.slot:
                continue
            pair = pairs.with_member(member.exchange)
            if pair is None:
                continue
            entries[member.slot] = seal(
                pair.sending(context), chain_key, keys_aad(header, member.slot)
            )
        if not entries:
            return None
        signed = header + keys_body(entries)
        return signed + sign(voice.identity, signed)

    def seal(
        self, content: Content, voice: Voice, roster: Roster, pairs: Pairs, now: int
    ) -> list[bytes]:
        """The frames that carry ``content``: new keys first when the chain is due to rotate."""
        assert self.chain is not None
        frames = []
        if self.chain.worn or (self.chain.index and now - self.since_ms >= ROTATE_EVERY_MS):
            keys = self.start_chain(voice, roster, pairs, now)
            if keys is not None:
                frames.append(keys)
        chain = self.chain
        index, message_key = chain.next_key()
        header = group_header(voice.room, chain.epoch, voice.slot, chain.gen, index)
        signed = header + seal(message_key, pad(encode_content(content)), header)
        d = signed + sign(voice.identity, signed)
        if len(self.pending) >= MAX_PENDING:
            self.pending.popleft()
        self.pending.append((d, content))
        frames.append(d)
        return frames

    def returned(self, d: bytes) -> tuple[int, Content] | None:
        """Our frame ``d`` back from the relay: (how many sent before it never came back, it).

        None if we never sent it, or it came back already (a replay).
        """
        sent = [frame for frame, _ in self.pending]
        if d not in sent:
            return None
        position = sent.index(d)
        content = self.pending[position][1]
        for _ in range(position + 1):
            self.pending.popleft()
        return position, content

    def check_of(self, epoch: int, gen: int) -> bytes:
        return self.checks.get((epoch, gen), b"")

    def not_reaching(self, slot: int, gen: int, now: int) -> bool:
        """``slot`` lacks the keys of our generation ``gen`` (this epoch): True if a new
        chain should go out for it now. Only for the chain in use, and once in
        ``RETRY_EVERY_MS``: a relay that keeps dropping keys gains nothing."""
        self.unreached.add(slot)
        current = self.chain is not None and self.chain.gen == gen
        if not current or (self.retried_ms is not None and now - self.retried_ms < RETRY_EVERY_MS):
            return False
        self.retried_ms = now
        return True

    def hold_back(self) -> None:
        self.held_back = True

    def turn_epoch(self) -> None:
        self.held_back = False

    def stop(self) -> None:
        """We are off the roster: nothing more is sealed."""
        self.chain = None
