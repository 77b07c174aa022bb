"""Hearing a room: others' keys and group messages, checked in a fixed order.

The order of checks on every group frame is fixed, and nothing changes until
all of them pass:

1. the frame parses, for this room (``frames.parse``, before we are called);
2. a chain is held for exactly its epoch, seat and generation;
3. the seat's identity key signed it (before any decryption);
4. its index is above the last one taken and not too far ahead;
5. the message key opens it, with the header as associated data;
6. the body is well formed.

Only then does the chain move on and its running hash absorb the frame; the
result says what was heard (``Delivered``, with any gap before it) or what
the frame is evidence of. The receiver decides nothing about the room: the
endpoint turns results into events, alarms and what the sender may do.

Epochs are where a hostile relay has room to play, so their edges are watched:

- a frame signed by a member we know, for an epoch after ours, means a Commit
  was withheld from us (``Ahead``);
- a member's chain of the epoch before is taken only until its sender's new
  keys arrive, and never more than ``PREVIOUS_WINDOW_MS`` after the Commit; a
  member still speaking in it after that is ``Behind``, and not shown;
- every keys frame says how many messages the chain it replaces carried, so
  messages dropped just before a new chain or epoch show as a gap
  (``Rekeyed.missing``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Final

from protocol.bodies import BodyError, Content, Heard, Lacking, decode_content
from protocol.bodies.commit import Member
from protocol.crypto import KEY_SIZE, CryptoFailure, unpad, unseal, verify
from protocol.frames import NO_EXCHANGE, GroupFrame, KeysFrame, keys_aad
from protocol.keys.chains import ChainRefused, ReceivingChain, key_check
from protocol.keys.pairs import Pairs, pair_context
from protocol.limits import SEATS
from protocol.membership.roster import Roster

# How long after a Commit a staying member's old chain is still taken: long
# enough for frames already on their way, short enough that a member kept in
# the old epoch by a withheld Commit is not read for long by whoever left.
PREVIOUS_WINDOW_MS: Final = 5_000
ENDED_KEPT: Final = SEATS  # ended chains kept for acks to compare, the latest first


@dataclass(frozen=True, slots=True)
class Delivered:
    """A group frame that passed every check; ``skipped`` messages before it never came."""

    member: Member
    content: Content
    late: bool  # sealed in the epoch before ours: it crossed a Commit
    skipped: int


@dataclass(frozen=True, slots=True)
class Rekeyed:
    """A member's new chain; ``missing`` messages of the chain it replaced never came."""

    member: Member
    missing: int


@dataclass(frozen=True, slots=True)
class Ahead:
    """A frame signed by ``member`` for ``epoch``, after ours: a Commit was withheld from us."""

    member: Member
    epoch: int


@dataclass(frozen=True, slots=True)
class Behind:
    """``member`` still speaks in the epoch before, after the window closed."""

    member: Member


@dataclass(frozen=True, slots=True)
class Unannounced:
    """``member`` sealed us a chain key other than the one its frame announced to all."""

    member: Member


@dataclass(frozen=True, slots=True)
class Unkeyed:
    """``member`` speaks in this epoch under a chain whose keys never reached us."""

    member: Member
    gen: int


@dataclass(frozen=True, slots=True)
class TwoKeys:
    """``member`` announced two different keys for one chain: it can show members
    different messages under one seat, epoch, generation and index."""

    member: Member


Received = Delivered | Rekeyed | Ahead | Behind | Unannounced | Unkeyed | TwoKeys


@dataclass(slots=True)
class Receiver:
    # Chains of the current epoch by seat, ours included (for acks).
    chains: dict[int, ReceivingChain] = field(default_factory=dict)
    # Chains of the epoch before, kept only until their sender's new keys
    # arrive, so a message sent just before a Commit is not lost.
    previous: dict[int, tuple[ReceivingChain, bytes]] = field(default_factory=dict)
    turned_ms: int = 0  # when we applied the current epoch's Commit
    # Chains that ended lately (a new generation or epoch replaced them), without
    # their keys: acks still compare what came under them.
    ended: deque[ReceivingChain] = field(default_factory=lambda: deque(maxlen=ENDED_KEPT))
    # Chains of this epoch we saw signed frames of but hold no keys for: slot -> gen.
    missing: dict[int, int] = field(default_factory=dict)
    # The key check each keys frame announced, by (epoch, seat, generation).
    announced: dict[tuple[int, int, int], bytes] = field(default_factory=dict)
    # The exchange key each member announced, signed, for the next epoch, by seat;
    # and each seat's exchange key in the epoch before, for keys sealed then.
    next_exchange: dict[int, bytes] = field(default_factory=dict)
    exchange_before: dict[int, bytes] = field(default_factory=dict)

    def turn_epoch(self, old: Roster | None, new: Roster, my_slot: int, now: int) -> None:
        """Keep the chains of members who stay until their new keys arrive; drop the rest."""
        for kept, _ in self.previous.values():
            self._end(kept)
        self.previous = {}
        if my_slot in self.chains:
            self._end(self.chains[my_slot])
        if old is not None:
            for slot, chain in self.chains.items():
                member = old.seat(slot)
                if member is None or slot == my_slot:
                    continue
                stays = new.seat(slot)
                if stays is not None and stays.identity == member.identity:
                    self.previous[slot] = (chain, member.identity)
        self.chains = {}
        self.turned_ms = now
        self.missing = {}
        self.next_exchange = {}
        self.exchange_before = {m.slot: m.exchange for m in old.members} if old else {}
        self.announced = {k: v for k, v in self.announced.items() if k[0] + 1 >= new.epoch}

    def _end(self, chain: ReceivingChain) -> None:
        self.ended.append(chain.without_key())

    def window_over(self, now: int) -> bool:
        return now - self.turned_ms >= PREVIOUS_WINDOW_MS

    # --- keys ---------------------------------------------------------------------

    def take_keys(
        self,
        frame: KeysFrame,
        roster: Roster,
        my_slot: int,
        room: bytes,
        pairs: Pairs,
        now: int,
        announced: bytes = NO_EXCHANGE,
    ) -> Received | None:
        """A keys frame; ``announced``: the exchange key it names for the next epoch."""
        if frame.slot == my_slot or (member := roster.seat(frame.slot)) is None:
            return None
        # Keys for the epoch before arrive when their sender sealed them before
        # seeing the newest Commit; messages under them may still be on the way.
        late = frame.epoch + 1 == roster.epoch and not self.window_over(now)
        if frame.epoch != roster.epoch and not late:
            return self._unheld(member, frame.epoch, roster, frame.signed, frame.sig, now)
        if late and frame.slot in self.chains:
            return None  # the sender has moved on to this epoch already
        if not verify(member.identity, frame.signed, frame.sig):
            return None
        # Every recipient sees every keys frame: two for one chain is evidence,
        # even when neither holds an entry for us.
        chain_id = (frame.epoch, frame.slot, frame.gen)
        if self.announced.get(chain_id, frame.check) != frame.check:
            return TwoKeys(member)
        kept = self.previous.get(frame.slot)
        held = (kept[0] if kept else None) if late else self.chains.get(frame.slot)
        if held is not None and held.epoch == frame.epoch and frame.gen <= held.gen:
            return None  # a replayed distribution would rewind the chain
        if not late and announced != NO_EXCHANGE:
            self.next_exchange[frame.slot] = announced
        entry = frame.sealed.get(my_slot)
        if late:
            before = self.exchange_before.get(frame.slot, member.exchange)
            pair = pairs.with_member(before, before=True)
        else:
            pair = pairs.with_member(member.exchange)
        if entry is None:
            self.announced[chain_id] = frame.check  # for the others: remembered, not taken
            return None
        if pair is None:
            return None
        try:
            key = pair.receiving(pair_context(room, frame.epoch))
            chain_key = unseal(key, entry, keys_aad(frame.header, my_slot))
        except CryptoFailure:
            return None
        if len(chain_key) != KEY_SIZE:
            return None
        if key_check(chain_key) != frame.check:
            return Unannounced(member)
        self.announced[chain_id] = frame.check
        missing = self._missing(member, frame.ended)
        chain = ReceivingChain(frame.epoch, frame.slot, frame.gen, chain_key, frame.check)
        if late:
            if kept is not None:
                self._end(kept[0])
            self.previous[frame.slot] = (chain, member.identity)
        else:
            for replaced in (self.chains.get(frame.slot), kept[0] if kept else None):
                if replaced is not None:
                    self._end(replaced)
            self.chains[frame.slot] = chain
            self.previous.pop(frame.slot, None)
            if self.missing.get(frame.slot, -1) <= frame.gen:
                self.missing.pop(frame.slot, None)
        return Rekeyed(member, missing)

    def _missing(self, member: Member, ended: tuple[int, int, int]) -> int:
        """How many of what the sender sealed under its last chain we never got."""
        epoch, gen, count = ended
        kept = self.previous.get(member.slot)
        for chain in (self.chains.get(member.slot), kept[0] if kept else None):
            if chain is None or chain.epoch != epoch or chain.gen > gen:
                continue
            # A whole generation we never got the keys for counts in full.
            return max(0, count - chain.next_index if chain.gen == gen else count)
        return 0

    def _unheld(
        self, member: Member, epoch: int, roster: Roster, signed: bytes, sig: bytes, now: int
    ) -> Received | None:
        """A member's frame for an epoch we hold no chain of: evidence, if they signed it."""
        ahead = epoch > roster.epoch
        if not ahead and not (epoch < roster.epoch and self.window_over(now)):
            return None
        if not verify(member.identity, signed, sig):
            return None
        return Ahead(member, epoch) if ahead else Behind(member)

    # --- messages -----------------------------------------------------------------

    def open(self, frame: GroupFrame, d: bytes, roster: Roster, now: int) -> Received | None:
        """Another member's group frame, through the fixed order of checks."""
        found = self._chain_for(frame, roster, now)
        if found is None:
            someone = roster.seat(frame.slot)
            if someone is None:
                return None
            if frame.epoch == roster.epoch:
                return self._unkeyed(someone, frame)
            return self._unheld(someone, frame.epoch, roster, frame.signed, frame.sig, now)
        chain, identity = found
        if not verify(identity, frame.signed, frame.sig):
            return None
        try:
            message_key, next_key = chain.key_for(frame.index)
            content = decode_content(unpad(unseal(message_key, frame.sealed, frame.header)))
        except (ChainRefused, CryptoFailure, BodyError):
            return None
        member = roster.seat(frame.slot)
        if member is None:
            return None
        skipped = chain.advance(frame.index, next_key, d)
        return Delivered(member, content, frame.epoch != roster.epoch, skipped)

    def _unkeyed(self, member: Member, frame: GroupFrame) -> Received | None:
        """A signed frame of this epoch from a newer chain than any we hold: its keys
        (sent before it, in the relay's one order) never reached us."""
        held = self.chains.get(frame.slot)
        if held is not None and held.gen >= frame.gen:
            return None  # an older generation's frame: a replay, or long late
        if not verify(member.identity, frame.signed, frame.sig):
            return None
        self.missing[frame.slot] = max(frame.gen, self.missing.get(frame.slot, 0))
        return Unkeyed(member, frame.gen)

    def _chain_for(
        self, frame: GroupFrame, roster: Roster, now: int
    ) -> tuple[ReceivingChain, bytes] | None:
        chain = self.chains.get(frame.slot)
        if chain is not None and chain.epoch == frame.epoch and chain.gen == frame.gen:
            member = roster.seat(frame.slot)
            return (chain, member.identity) if member is not None else None
        kept = self.previous.get(frame.slot)
        if kept is None or self.window_over(now):
            return None
        if kept[0].epoch == frame.epoch and kept[0].gen == frame.gen:
            return kept
        return None

    def record_own(self, frame: GroupFrame, d: bytes, epoch: int, check: bytes) -> None:
        """Our own frame, back in the room's order: kept like others' for acks to compare."""
        if frame.epoch != epoch:
            return
        record = self.chains.get(frame.slot)
        if record is None or record.gen != frame.gen:
            if record is not None:
                self._end(record)
            record = self.chains[frame.slot] = ReceivingChain(
                frame.epoch, frame.slot, frame.gen, b"", check
            )
        if frame.index >= record.next_index:
            record.advance(frame.index, b"", d)

    def heard(self) -> tuple[Heard, ...]:
        """Every chain we hold, keep from the epoch before, or held until lately."""
        held = [*self.chains.values(), *(c for c, _ in self.previous.values()), *self.ended]
        return tuple(c.heard() for c in held)

    def lacking(self) -> tuple[Lacking, ...]:
        return tuple(Lacking(slot, gen) for slot, gen in sorted(self.missing.items()))

    def find(self, epoch: int, slot: int, gen: int) -> ReceivingChain | None:
        """The chain we hold, or held lately, for exactly this epoch, seat and generation."""
        kept = self.previous.get(slot)
        for chain in (self.chains.get(slot), kept[0] if kept else None, *self.ended):
            if chain is not None and (chain.epoch, chain.slot, chain.gen) == (epoch, slot, gen):
                return chain
        return None
