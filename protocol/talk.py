"""Talking in a room: sender chains, their distribution, group messages and acks.

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
"""

from __future__ import annotations

from collections import deque
from typing import Final

from nacl.signing import SigningKey

from protocol import wire
from protocol.bodies import Ack, BodyError, Content, Member, decode_content, encode_content
from protocol.chains import ChainRefused, ReceivingChain, SendingChain
from protocol.crypto import (
    KEY_SIZE,
    CryptoFailure,
    ExchangeKey,
    PairKeys,
    pad,
    random_bytes,
    seal,
    sign,
    unpad,
    unseal,
    verify,
)
from protocol.events import Event, Gap, Tampering
from protocol.frames import (
    GroupFrame,
    KeysFrame,
    group_header,
    keys_aad,
    keys_body,
    keys_header,
)
from protocol.invite import Invite
from protocol.room_state import RoomState
from protocol.roster import Roster

ROTATE_EVERY_MS: Final = 10 * 60 * 1000
MAX_PENDING: Final = 1024


def pair_context(room: bytes, epoch: int) -> bytes:
    return room + epoch.to_bytes(4, "big")


class Talk:
    """State and checks for group messages; ``Membership`` builds on it."""

    def __init__(
        self, invite: Invite, nick: str, identity: SigningKey, exchange: ExchangeKey, grace_ms: int
    ) -> None:
        self.invite_info = invite
        self.room = bytes.fromhex(invite.room_id)
        self.join_key = invite.join_key
        self.nick = nick
        self.identity = identity
        self.exchange = exchange
        self.grace_ms = grace_ms
        self.events: list[Event] = []
        self.outbox: list[bytes] = []
        self.present: set[int] = set()
        self.my_peer: int | None = None
        self.roster: Roster | None = None
        self.my_slot: int | None = None
        self.now_ms = 0
        self.verified: set[bytes] = set()
        self.state = RoomState()
        self.sending: SendingChain | None = None
        self.sending_since_ms = 0
        # Chains of the current epoch by seat, ours included (for acks).
        self.chains: dict[int, ReceivingChain] = {}
        # Chains of the epoch before, kept only until their sender's new keys
        # arrive, so a message sent just before a Commit is not lost.
        self.previous: dict[int, tuple[ReceivingChain, bytes]] = {}
        self.pending: deque[tuple[bytes, Content]] = deque()
        self.told: set[str] = set()
        self.heard_since_ack = False
        self._pairs: dict[bytes, PairKeys] = {}

    # --- hooks for Membership ---------------------------------------------------------

    def on_content(self, seq: int, ts: int, member: Member, content: Content, mine: bool) -> None:
        raise NotImplementedError

    # --- sending ----------------------------------------------------------------------

    def publish(self, d: bytes) -> None:
        self.outbox.append(wire.encode_pub(d))

    def start_chain(self) -> None:
        """Draw a new chain (new epoch or rotation) and hand it to every other seat."""
        assert self.roster is not None and self.my_slot is not None
        epoch = self.roster.epoch
        same_epoch = self.sending is not None and self.sending.epoch == epoch
        gen = self.sending.gen + 1 if same_epoch and self.sending is not None else 0
        chain_key = random_bytes(KEY_SIZE)
        self.sending = SendingChain(epoch, gen, chain_key)
        self.sending_since_ms = self.now_ms
        header = keys_header(self.room, epoch, self.my_slot, gen)
        context = pair_context(self.room, epoch)
        entries = {}
        for member in self.roster.members:
            if member.slot == self.my_slot:
                continue
            pair = self.pair(member.exchange)
            if pair is None:
                continue
            entries[member.slot] = seal(
                pair.sending(context), chain_key, keys_aad(header, member.slot)
            )
        if entries:
            signed = header + keys_body(entries)
            self.publish(signed + sign(self.identity, signed))

    def send_group(self, content: Content) -> None:
        assert self.sending is not None and self.my_slot is not None
        if self.sending.worn or (
            self.sending.index and self.now_ms - self.sending_since_ms >= ROTATE_EVERY_MS
        ):
            self.start_chain()
        index, message_key = self.sending.next_key()
        header = group_header(self.room, self.sending.epoch, self.my_slot, self.sending.gen, index)
        signed = header + seal(message_key, pad(encode_content(content)), header)
        d = signed + sign(self.identity, signed)
        if len(self.pending) >= MAX_PENDING:
            self.pending.popleft()
        self.pending.append((d, content))
        self.publish(d)

    def send_ack(self) -> None:
        """Tell the room what we heard, if anyone said anything since our last ack.

        Acks themselves do not count, or a quiet room would ack forever.
        """
        if self.roster is None or self.sending is None or not self.heard_since_ack:
            return
        heard = tuple(h for c in self.chains.values() if (h := c.heard()) is not None)
        if heard:
            self.heard_since_ack = False
            self.send_group(Ack(self.roster.epoch, self.roster.roster_hash, heard))

    def pair(self, exchange: bytes) -> PairKeys | None:
        pair = self._pairs.get(exchange)
        if pair is None:
            try:
                pair = self._pairs[exchange] = self.exchange.pair(exchange)
            except CryptoFailure:
                return None
        return pair

    # --- epochs -----------------------------------------------------------------------

    def turn_epoch(self, old: Roster | None, new: Roster) -> None:
        """Keep the chains of members who stay until their new keys arrive; drop the rest."""
        self.previous = {}
        if old is not None:
            for slot, chain in self.chains.items():
                member = old.seat(slot)
                if member is None or slot == self.my_slot:
                    continue
                stays = new.seat(slot)
                if stays is not None and stays.identity == member.identity:
                    self.previous[slot] = (chain, member.identity)
        self.chains = {}
        self.told = set()
        live = {m.exchange for m in new.members}
        self._pairs = {k: v for k, v in self._pairs.items() if k in live}

    # --- receiving --------------------------------------------------------------------

    def on_keys(self, frame: KeysFrame) -> None:
        roster = self.roster
        if roster is None or self.my_slot is None or frame.slot == self.my_slot:
            return
        member = roster.seat(frame.slot)
        # Keys for the epoch before arrive when their sender sealed them before
        # seeing the newest Commit; messages under them may still be on the way.
        late = frame.epoch + 1 == roster.epoch
        if member is None or (frame.epoch != roster.epoch and not late):
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
        header = frame.signed[: len(keys_header(self.room, 0, 0, 0))]
        try:
            key = pair.receiving(pair_context(self.room, frame.epoch))
            chain_key = unseal(key, entry, keys_aad(header, self.my_slot))
        except CryptoFailure:
            return
        if len(chain_key) != KEY_SIZE:
            return
        chain = ReceivingChain(frame.epoch, frame.slot, frame.gen, chain_key)
        if late:
            self.previous[frame.slot] = (chain, member.identity)
        else:
            self.chains[frame.slot] = chain
            self.previous.pop(frame.slot, None)

    def on_group(self, seq: int, ts: int, sender: int, d: bytes, frame: GroupFrame) -> None:
        roster = self.roster
        if roster is None:
            return
        if sender == self.my_peer and frame.slot == self.my_slot:
            self._on_own(seq, ts, d, frame)
            return
        found = self._chain_for(frame)
        if found is None:
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
        self.on_content(seq, ts, member, content, False)

    def _chain_for(self, frame: GroupFrame) -> tuple[ReceivingChain, bytes] | None:
        assert self.roster is not None
        chain = self.chains.get(frame.slot)
        if chain is not None and chain.epoch == frame.epoch and chain.gen == frame.gen:
            member = self.roster.seat(frame.slot)
            return (chain, member.identity) if member is not None else None
        kept = self.previous.get(frame.slot)
        if kept is not None and kept[0].epoch == frame.epoch and kept[0].gen == frame.gen:
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
                record = self.chains[self.my_slot] = ReceivingChain(
                    frame.epoch, frame.slot, frame.gen, b""
                )
            if frame.index >= record.next_index:
                record.advance(frame.index, b"", d)
        if position:
            self.tamper(f"The relay did not return {position} of your messages to you.")
        self.heard_since_ack |= not isinstance(content, Ack)
        self.on_content(seq, ts, me, content, True)

    def on_ack(self, member: Member, ack: Ack) -> None:
        """Compare what ``member`` received with what we received."""
        roster = self.roster
        if roster is None or ack.epoch != roster.epoch:
            return
        if ack.roster_hash != roster.roster_hash:
            self.tamper(
                f"{member.nick} sees a different roster than you. Read the room code aloud."
            )
            return
        for heard in ack.heard:
            chain = self.chains.get(heard.slot)
            sender = roster.seat(heard.slot)
            name = sender.nick if sender else f"seat {heard.slot}"
            if chain is None or heard.gen > chain.gen:
                withheld = True
            elif heard.gen < chain.gen or chain.gapped:
                continue
            else:
                withheld = heard.index >= chain.next_index
            if withheld:
                self.tamper(
                    f"{member.nick} received messages from {name} that never reached you. "
                    "The relay may be holding them back."
                )
                continue
            ours = chain.running_at(heard.index) if chain else None
            if ours is not None and ours != heard.running:
                self.tamper(
                    f"You and {member.nick} received different messages from {name}. "
                    "The relay may be showing members different things."
                )

    def tamper(self, sentence: str) -> None:
        if sentence not in self.told:
            self.told.add(sentence)
            self.events.append(Tampering(sentence))
