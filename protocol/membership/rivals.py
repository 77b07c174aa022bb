"""Two rooms at the door, and the members' word on which one they are in.

Whoever holds the invite and a key that once ran the room (the invite's own key
after a handover, or a successor an old Commit named) can prove a lobby for a
copy of the room (``membership.door``), and, with enough connections to use up
the sequencer's lobby ration, greet a newcomer first. Two things answer it:

- members report every lobby not signed by their sequencer, whatever epoch it
  claims, and answer it with a signed ``Vouch`` for the Commit they are at,
  at most once per ``VOUCH_EVERY_MS`` (``Vouching``); their sequencer greets
  again at once, ration or not;
- a newcomer keeps the room it believes and up to ``RIVALS_KEPT`` others it
  was shown (``Rivals``), counts each vouch for the room whose roster holds its
  signer and whose Commit it names, and is told who vouches for which room.

Nothing moves the newcomer's anchor (``membership.door``): a copy can list
anyone's public key, and only counting could choose between two rooms each
vouched for by keys it lists, which a copy with made-up members would win.
What the newcomer gets is each room's vouchers by name, the people whose word
the person can weigh, and the room code to read aloud once in.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Final

from protocol.events import TwoRooms
from protocol.membership.roster import Roster

VOUCH_EVERY_MS: Final = 2_000
RIVALS_KEPT: Final = 4
WORDS_KEPT: Final = 64  # vouches kept by signer, for rooms not shown yet


# --- a member's side ----------------------------------------------------------------


@dataclass(slots=True)
class Vouching:
    """When a member answers lures with its vouch, and its sequencer greets again."""

    lured: bool = False  # a lure seen since our last vouch
    sent_ms: int | None = None

    def lure(self) -> None:
        self.lured = True

    def due(self, now: int) -> bool:
        return self.lured and (self.sent_ms is None or now >= self.sent_ms + VOUCH_EVERY_MS)

    def deadline(self) -> int | None:
        if not self.lured:
            return None
        return 0 if self.sent_ms is None else self.sent_ms + VOUCH_EVERY_MS

    def sent(self, now: int) -> None:
        self.lured, self.sent_ms = False, now


# --- a newcomer's side --------------------------------------------------------------


@dataclass(slots=True)
class Rivals:
    others: list[Roster] = field(default_factory=list)  # rooms other lobbies proved, first first
    words: dict[bytes, bytes] = field(default_factory=dict)  # signer -> Commit hash vouched
    told: TwoRooms | None = None

    def shown(self, room: Roster) -> None:
        """A second room that proves itself; a full list lets go its least vouched room."""
        if any(o.commit_hash == room.commit_hash for o in self.others):
            return
        if len(self.others) >= RIVALS_KEPT:
            weakest = min(self.others, key=lambda o: len(self._vouchers(o, ())))
            self.others.remove(weakest)
        self.others.append(room)

    def vouched(self, signer: bytes, commit: bytes) -> None:
        self.words.pop(signer, None)
        self.words[signer] = commit  # the latest word counts
        while len(self.words) > WORDS_KEPT:
            del self.words[next(iter(self.words))]

    def weigh(self, believed: Roster, followed: Collection[bytes]) -> TwoRooms:
        """Who vouches for the room we believe, and for the most vouched other room."""
        mine = self._vouchers(believed, followed)
        other = max(self.others, key=lambda o: len(self._vouchers(o, ())))
        theirs = self._vouchers(other, ())
        return TwoRooms(_host(believed), mine, _host(other), theirs)

    def tell(self, standing: TwoRooms) -> bool:
        """Whether this is news to the person."""
        if standing == self.told:
            return False
        self.told = standing
        return True

    def _vouchers(self, roster: Roster, followed: Collection[bytes]) -> tuple[str, ...]:
        """The nicknames of those on ``roster`` whose latest vouch names its Commit."""
        hashes = {roster.commit_hash, *followed}
        return tuple(m.nick for m in roster.members if self.words.get(m.identity) in hashes)


def _host(roster: Roster) -> str:
    sequencer = roster.sequencer  # a proven lobby's room always has one
    return sequencer.nick if sequencer is not None else ""
