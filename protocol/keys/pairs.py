"""Pairwise keys: our exchange key, and the crypto_kx keys built on it per member.

Chain keys travel to each member sealed under a key only the two of us hold,
one direction to send with and another to receive with (``crypto.PairKeys``),
derived per epoch with ``pair_context``. Building a pair costs a scalar
multiplication, so pairs are kept while their member is on the roster.
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

    @property
    def public(self) -> bytes:
        return self.exchange.public

    def with_member(self, exchange: bytes) -> PairKeys | None:
        """The pair with the member whose exchange key is ``exchange``; None if unusable."""
        pair = self.built.get(exchange)
        if pair is None:
            try:
                pair = self.built[exchange] = self.exchange.pair(exchange)
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
