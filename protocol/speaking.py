"""Speaking in a room: our sender chains, their distribution, and what we send.

At every epoch (and every few hundred messages, or ten minutes) we draw a new
chain and hand it to every other seat in one keys frame, sealed per recipient
under the pairwise key, with a public check of the key and the length of the
chain it replaces (see ``protocol.frames``). Messages and acks go out sealed
under the chain's message keys and signed by our identity.

This class also holds the state that ``Talk`` (receiving) reads: the chains we
hold per seat, the epoch's Commit hashes, our place in the relay's order.
While a later epoch is known to exist that we have not reached (``behind``),
nothing but a goodbye is sent: our chain of this epoch may be held by someone
who has left.
"""

from __future__ import annotations

from collections import deque
from typing import Final

from nacl.signing import SigningKey

from protocol import wire
from protocol.bodies import Ack, Bye, Content, Member, encode_content
from protocol.chains import ReceivingChain, SendingChain
from protocol.crypto import (
    KEY_SIZE,
    CryptoFailure,
    ExchangeKey,
    PairKeys,
    pad,
    random_bytes,
    seal,
    sign,
)
from protocol.events import Event, Notice, Tampering
from protocol.frames import (
    NO_CHAIN,
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
KEPT_COMMITS: Final = 4
HELD_BACK: Final = (
    "Your message was not sent: a membership change has not reached you, and "
    "someone who left could still read what you send. Reconnect to catch up."
)


def pair_context(room: bytes, epoch: int) -> bytes:
    return room + epoch.to_bytes(4, "big")


class Speaking:
    """What a member sends, and the state both directions share; ``Talk`` receives."""

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
        self.commits: dict[int, bytes] = {}  # Commit hash by epoch, the latest few
        # When we applied the current epoch's Commit; None when the clock had not
        # started yet (no tick), and then the first look at the clock starts it.
        self.turned_ms: int | None = None
        self.behind = False  # a member we know already speaks in a later epoch
        self.last_seq: int | None = None
        self._own_checks: dict[tuple[int, int], bytes] = {}

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
        old = self.sending
        ended = (old.epoch, old.gen, old.index) if old is not None else NO_CHAIN
        chain_key = random_bytes(KEY_SIZE)
        self.sending = SendingChain(epoch, gen, chain_key)
        self._own_checks[epoch, gen] = self.sending.check
        while len(self._own_checks) > KEPT_COMMITS:
            del self._own_checks[next(iter(self._own_checks))]
        self.sending_since_ms = self.now_ms
        header = keys_header(self.room, epoch, self.my_slot, gen, self.sending.check, ended)
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
        if self.behind and not isinstance(content, Bye):
            self.events.append(Notice(HELD_BACK))
            return
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
        if self.behind:
            return
        heard = tuple(h for c in self.chains.values() if (h := c.heard()) is not None)
        if heard:
            self.heard_since_ack = False
            state = self.state
            roster = self.roster
            ack = Ack(roster.epoch, roster.commit_hash, state.log_count, state.log_hash, heard)
            self.send_group(ack)

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
        self.behind = False
        self.turned_ms = self.now_ms or None
        self.commits[new.epoch] = new.commit_hash
        while len(self.commits) > KEPT_COMMITS:
            del self.commits[min(self.commits)]
        live = {m.exchange for m in new.members}
        self._pairs = {k: v for k, v in self._pairs.items() if k in live}

    # --- the relay's order ------------------------------------------------------------

    def place(self, seq: int) -> int:
        """Our place in the room's order: the relay's ``seq``, checked to rise by one.

        An honest relay numbers every room event and sends each connection all
        of them, so anything but the next number is the relay contradicting its
        own order. We say so and go on counting ourselves.
        """
        expected = seq if self.last_seq is None else self.last_seq + 1
        if seq != expected:
            self.tamper(
                "The relay numbered the room's events out of order: it skipped, repeated or "
                "went back. It may be withholding or replaying what members send."
            )
        self.last_seq = expected
        return expected

    def tamper(self, sentence: str) -> None:
        if sentence not in self.told:
            self.told.add(sentence)
            self.events.append(Tampering(sentence))
