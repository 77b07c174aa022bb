"""Contact details only by mutual consent: sealed cards, committed first, opened together.

    /reveal bo CARD   our card for bo is kept, and only its commitment (a hash of
                      a fresh nonce and the card) goes to bo, sealed for bo alone
    bo does the same  each side, holding its own card and the other's commitment,
                      opens its card to the other; each checks the opening
                      against the commitment it holds, so neither can change
                      their card after seeing the other's

Nobody else learns that two people exchanged anything beyond a few private
frames. An ask nobody answers expires quietly after ``EXPIRES_MS``: the asker
is told nothing, so there is no pressure to answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from protocol.crypto import digest, random_bytes

EXPIRES_MS: Final = 10 * 60_000
CARD_CHARS: Final = 200


def commitment(nonce: bytes, card: str) -> bytes:
    return digest(nonce + card.encode(), b"porch-card")


@dataclass(slots=True)
class Exchange:
    """One pair's exchange, from our side."""

    since_ms: int
    card: str = ""  # ours, once we chose to share it
    nonce: bytes = b""
    theirs: bytes = b""  # their commitment
    opened: bool = False  # we sent our opening

    def ours(self) -> bytes:
        return commitment(self.nonce, self.card)

    def ready(self) -> bool:
        """We chose, and they committed: our card may go to them now."""
        return bool(self.card) and bool(self.theirs) and not self.opened


@dataclass(slots=True)
class Reveals:
    pairs: dict[bytes, Exchange] = field(default_factory=dict)  # by their identity key

    def choose(self, identity: bytes, card: str, now: int) -> Exchange:
        ex = self.pairs.get(identity) or Exchange(now)
        ex.card, ex.nonce, ex.since_ms = card, random_bytes(16), now
        ex.opened = False
        self.pairs[identity] = ex
        return ex

    def committed(self, identity: bytes, theirs: bytes, now: int) -> tuple[Exchange, bool]:
        """Their commitment; True if it is a new ask. One commitment per exchange: a
        second one (to change a card, after seeing ours) is ignored."""
        ex = self.pairs.get(identity)
        if ex is not None and ex.theirs:
            return ex, False
        new = ex is None or not ex.card
        if ex is None:
            ex = self.pairs[identity] = Exchange(now)
        ex.theirs = theirs
        return ex, new

    def opening(self, identity: bytes, nonce: bytes, card: str) -> str | None:
        """Their card, if it opens the commitment they made and we chose too; the
        exchange is over either way."""
        ex = self.pairs.get(identity)
        if ex is None or not ex.card or not ex.theirs:
            return None
        if commitment(nonce, card) != ex.theirs:
            return None
        del self.pairs[identity]
        return card

    def expire(self, now: int) -> None:
        self.pairs = {k: v for k, v in self.pairs.items() if now - v.since_ms < EXPIRES_MS}

    def deadline(self) -> int | None:
        return min((v.since_ms + EXPIRES_MS for v in self.pairs.values()), default=None)
