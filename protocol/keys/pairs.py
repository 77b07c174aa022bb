"""Pairwise keys: our exchange key for this epoch, and the crypto_kx keys built on it.

Chain keys travel to each member sealed under a key only the two of us hold,
one direction to send with and another to receive with (``crypto.PairKeys``),
derived per epoch with ``pair_context``. Building a pair costs a scalar
multiplication, so pairs are kept while their member is on the roster.

The exchange key turns with the epoch, so that a key taken from memory opens
nothing sealed before the last epoch change:

- every keys frame we send announces, signed, the key we will use next
  (``upcoming``), drawn once and announced until a Commit lists it (a
  sequencer lists its own once the room has seen the announcement: ``heard``);
- the sequencer lists each member's announced key in the next Commit, and
  every member checks that a changed key is the one its owner announced
  (``membership.roster.check_next``);
- the Commit that lists our new key turns us to it (``turn``); the key before
  is kept only while keys sealed in the epoch before may still arrive
  (``receiver.PREVIOUS_WINDOW_MS``), then forgotten (``forget_previous``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from protocol.crypto import CryptoFailure, ExchangeKey, PairKeys


def pair_context(room: bytes, epoch: int) -> bytes:
    return room + epoch.to_bytes(4, "big")


@dataclass(slots=True)
class Pairs:
    exchange: ExchangeKey
    built: dict[bytes, PairKeys] = field(default_factory=dict)
    next: ExchangeKey | None = None  # announced, not yet on a Commit
    heard: bool = False  # our announcement of ``next`` came back from the relay
    # The key of the epoch before and its pairs, while late keys may still come.
    previous: ExchangeKey | None = None
    built_before: dict[bytes, PairKeys] = field(default_factory=dict)

    @property
    def public(self) -> bytes:
        return self.exchange.public

    def upcoming(self) -> bytes:
        """The key we announce for the next epoch: the same one until a Commit lists it."""
        if self.next is None:
            self.next = ExchangeKey()
        return self.next.public

    def turn(self, listed: bytes) -> None:
        """A Commit was applied that lists ``listed`` as our key: use it from now on."""
        if self.next is not None and listed == self.next.public:
            self.previous, self.built_before = self.exchange, self.built
            self.exchange, self.built, self.next, self.heard = self.next, {}, None, False
        else:
            self.forget_previous()  # unchanged: the epoch before used the key we hold

    def announced(self, key: bytes) -> None:
        """Our keys frame naming ``key`` came back: the room saw it before anything we send."""
        if self.next is not None and key == self.next.public:
            self.heard = True

    def forget_previous(self) -> None:
        self.previous, self.built_before = None, {}

    def with_member(self, exchange: bytes, *, before: bool = False) -> PairKeys | None:
        """The pair with the member whose exchange key is ``exchange``; None if unusable.

        ``before``: for keys sealed in the epoch before, on the key we held then.
        """
        mine, built = self.exchange, self.built
        if before and self.previous is not None:
            mine, built = self.previous, self.built_before
        pair = built.get(exchange)
        if pair is None:
            try:
                pair = built[exchange] = mine.pair(exchange)
            except CryptoFailure:
                return None
        return pair

    def usable(self, exchange: bytes) -> bool:
        """Whether a channel can be built on ``exchange``; a knock is no member: nothing is kept."""
        try:
            self.exchange.pair(exchange)
        except CryptoFailure:
            return False
        return True

    def keep_only(self, members: set[bytes]) -> None:
        self.built = {k: v for k, v in self.built.items() if k in members}
