"""Hearing a room: others' keys and group messages, checked in a fixed order; acks compared.

The order of checks on every group frame is fixed, and nothing changes until
all of them pass:

1. the frame parses, for this room (``frames.parse``);
2. a chain is held for exactly its epoch, seat and generation;
3. the seat's identity key signed it (before any decryption);
4. its index is above the last one taken and not too far ahead;
5. the message key opens it, with the header as associated data;
6. the body is well formed.

Only then does the chain move on, its running hash absorb the frame, and the
content reach the room. Our own frames come back from the relay like everyone
else's; we take them from a list of what we sent, so our view of the order is
the room's.

Epochs are where a hostile relay has room to play, so their edges are watched:

- a frame signed by a member we know, for an epoch after ours, means a Commit
  was withheld from us; we say so and send nothing more in this epoch, whose
  chains a removed member may still hold;
- a member's chain of the epoch before is taken only until its sender's new
  keys arrive, and never more than ``PREVIOUS_WINDOW_MS`` after the Commit; a
  member still speaking in it after that is named, and not shown;
- every keys frame says how many messages the chain it replaces carried, so
  messages dropped just before a new chain or epoch show as a gap;
- the relay's ``seq`` must rise by exactly one per frame; we keep our own count
  and say when it does not, so one wild number cannot freeze the room state.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from protocol.acks import discrepancies
from protocol.bodies import Ack, BodyError, Content, Member, decode_content
from protocol.chains import ChainRefused, ReceivingChain, key_check
from protocol.crypto import KEY_SIZE, CryptoFailure, unpad, unseal, verify
from protocol.events import Gap
from protocol.frames import GroupFrame, KeysFrame, keys_aad
from protocol.speaking import HELD_BACK, ROTATE_EVERY_MS, Speaking, pair_context

__all__ = ["HELD_BACK", "PREVIOUS_WINDOW_MS", "ROTATE_EVERY_MS", "Talk", "pair_context"]

# How long after a Commit a staying member's old chain is still taken: long
# enough for frames already on their way, short enough that a member kept in
# the old epoch by a withheld Commit is not read for long by whoever left.
PREVIOUS_WINDOW_MS: Final = 5_000


class Talk(Speaking):
    """Receiving group messages and keys, in the fixed order of checks above."""

    def on_keys(self, frame: KeysFrame) -> None:
        roster = self.roster
        if roster is None or self.my_slot is None or frame.slot == self.my_slot:
            return
        if (member := roster.seat(frame.slot)) is None:
            return
        # Keys for the epoch before arrive when their sender sealed them before
        # seeing the newest Commit; messages under them may still be on the way.
        late = frame.epoch + 1 == roster.epoch and not self._window_over()
        if frame.epoch != roster.epoch and not late:
            self._unheld(member, frame.epoch, frame.signed, frame.sig)
            return
        if late and frame.slot in self.chains:
            return  # the sender has moved on to this epoch already
        if not verify(member.identity, frame.signed, frame.sig):
            return
        held = self.previous[frame.slot][0] if late and frame.slot in self.previous else None
        if not late:
            held = self.chains.get(frame.slot)
        if held is not None and held.epoch == frame.epoch and frame.gen <= held.gen:
            return  # a replayed distribution would rewind the chain
        entry = frame.sealed.get(self.my_slot)
        pair = self.pair(member.exchange)
        if entry is None or pair is None:
            return
        try:
            key = pair.receiving(pair_context(self.room, frame.epoch))
            chain_key = unseal(key, entry, keys_aad(frame.header, self.my_slot))
        except CryptoFailure:
            return
        if len(chain_key) != KEY_SIZE:
            return
        if key_check(chain_key) != frame.check:
            self.tamper(
                f"{member.nick}'s client sealed you a key other than the one it announced to "
                "the room: it may be showing members different messages."
            )
            return
        self._count_ended(member, frame.ended)
        chain = ReceivingChain(frame.epoch, frame.slot, frame.gen, chain_key, frame.check)
        if late:
            self.previous[frame.slot] = (chain, member.identity)
        else:
            self.chains[frame.slot] = chain
            self.previous.pop(frame.slot, None)

    def _count_ended(self, member: Member, ended: tuple[int, int, int]) -> None:
        """Show as a gap what the sender sealed under its last chain and we never got."""
        epoch, gen, count = ended
        kept = self.previous.get(member.slot)
        for chain in (self.chains.get(member.slot), kept[0] if kept else None):
            if chain is None or chain.epoch != epoch or chain.gen > gen:
                continue
            # A whole generation we never got the keys for counts in full.
            missing = count - chain.next_index if chain.gen == gen else count
            if missing > 0:
                self.events.append(Gap(member.slot, member.nick, missing))
            return

    def _unheld(self, member: Member, epoch: int, signed: bytes, sig: bytes) -> None:
        """A member's frame for an epoch we hold no chain of: evidence, if they signed it."""
        assert self.roster is not None
        ahead = epoch > self.roster.epoch
        if not ahead and not (epoch < self.roster.epoch and self._window_over()):
            return
        if not verify(member.identity, signed, sig):
            return
        if ahead and self._takeover_refused(member):
            self.tamper(
                f"{member.nick} is already in a later state of this room than you: a "
                f"membership change was withheld from you, or {member.nick} took over the "
                "room without you and it has split. Read the room code aloud."
            )
        elif ahead:
            self.behind = True
            self.tamper(
                f"A membership change was withheld from you: {member.nick} is already in a "
                "later state of this room. Nothing you say is sent until you reconnect, because "
                "someone who left could still read it."
            )
        else:
            self.tamper(
                f"{member.nick} is still speaking in this room as it was before the last "
                "membership change, so someone who left could read it. The relay may be "
                f"withholding that change from {member.nick}; those messages are not shown."
            )

    def _takeover_refused(self, member: Member) -> bool:
        """Whether ``member`` is ahead by a takeover we refused, not by a Commit we missed.

        Only the sequencer and, by taking over, the successor make epochs. A
        successor ahead of us while the sequencer is still here took over without
        us (we refuse that); nobody who left holds a chain of ours, so we go on.
        """
        assert self.roster is not None
        sequencer = self.roster.sequencer
        return (
            member.slot == self.roster.commit.successor
            and sequencer is not None
            and sequencer.peer in self.present
        )

    def _window_over(self) -> bool:
        if self.turned_ms is None:
            self.turned_ms = self.now_ms or None
            return False
        return self.now_ms - self.turned_ms >= PREVIOUS_WINDOW_MS

    def on_group(self, seq: int, ts: int, sender: int, d: bytes, frame: GroupFrame) -> None:
        roster = self.roster
        if roster is None:
            return
        if sender == self.my_peer and frame.slot == self.my_slot:
            self._on_own(seq, ts, d, frame)
            return
        found = self._chain_for(frame)
        if found is None:
            someone = roster.seat(frame.slot)
            if someone is not None:
                self._unheld(someone, frame.epoch, frame.signed, frame.sig)
            return
        chain, identity = found
        if not verify(identity, frame.signed, frame.sig):
            return
        try:
            message_key, next_key = chain.key_for(frame.index)
            content = decode_content(unpad(unseal(message_key, frame.sealed, frame.header)))
        except (ChainRefused, CryptoFailure, BodyError):
            return
        member = roster.seat(frame.slot)
        if member is None:
            return
        skipped = chain.advance(frame.index, next_key, d)
        if skipped:
            self.events.append(Gap(frame.slot, member.nick, skipped))
        self.heard_since_ack |= not isinstance(content, Ack)
        self._deliver(seq, ts, member, content, False, frame.epoch != roster.epoch)

    def _deliver(
        self, seq: int, ts: int, member: Member, content: Content, mine: bool, late: bool
    ) -> None:
        """Hand ``content`` on; sealed in the epoch before, it stays out of the state's log.

        A newcomer cannot open what was sealed before it came in, so the log that
        acks compare holds only what everyone in this epoch could apply.
        """
        before = self.state
        self.on_content(seq, ts, member, content, mine)
        if late and self.state is not before:
            self.state = replace(self.state, log_count=before.log_count, log=before.log)

    def _chain_for(self, frame: GroupFrame) -> tuple[ReceivingChain, bytes] | None:
        assert self.roster is not None
        chain = self.chains.get(frame.slot)
        if chain is not None and chain.epoch == frame.epoch and chain.gen == frame.gen:
            member = self.roster.seat(frame.slot)
            return (chain, member.identity) if member is not None else None
        kept = self.previous.get(frame.slot)
        if kept is None or self._window_over():
            return None
        if kept[0].epoch == frame.epoch and kept[0].gen == frame.gen:
            return kept
        return None

    def _on_own(self, seq: int, ts: int, d: bytes, frame: GroupFrame) -> None:
        sent = [frame_bytes for frame_bytes, _ in self.pending]
        if d not in sent:
            return  # not something we sent, or already seen: a replay
        position = sent.index(d)
        content = self.pending[position][1]
        for _ in range(position + 1):
            self.pending.popleft()
        assert self.roster is not None and self.my_slot is not None
        me = self.roster.seat(self.my_slot)
        if me is None:
            return
        record = self.chains.get(self.my_slot)
        if frame.epoch == self.roster.epoch:
            if record is None or record.gen != frame.gen:
                check = self._own_checks.get((frame.epoch, frame.gen), b"")
                record = self.chains[self.my_slot] = ReceivingChain(
                    frame.epoch, frame.slot, frame.gen, b"", check
                )
            if frame.index >= record.next_index:
                record.advance(frame.index, b"", d)
        if position:
            self.tamper(f"The relay did not return {position} of your messages to you.")
        self.heard_since_ack |= not isinstance(content, Ack)
        self._deliver(seq, ts, me, content, True, frame.epoch != self.roster.epoch)

    def on_ack(self, member: Member, ack: Ack) -> None:
        """Compare what ``member`` received with what we received (see ``protocol.acks``)."""
        roster = self.roster
        if roster is None:
            return

        def name_of(slot: int) -> str:
            seated = roster.seat(slot)
            return seated.nick if seated else f"seat {slot}"

        found = discrepancies(
            ack, member.nick, roster.epoch, self.commits, self.state, self.chains, name_of
        )
        for sentence in found:
            self.tamper(sentence)
