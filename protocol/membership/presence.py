"""Who is here: what the relay shows of the room's connections, and who is leaving.

``Presence`` holds the relay's word: our connection number, the connections
it says are in the room, and its numbering of room events. The relay holds at
most twelve connections per room, so past ``MAX_PRESENT`` it is lying and is
not believed; its ``seq`` must rise by exactly one per event, and where it
does not we say so and count for ourselves, so one wild number cannot freeze
the room state.

``Departures`` holds who is on their way out, by identity: someone who said
goodbye (committed at once), or whose connection the relay said dropped
(committed after the grace period). A relay ``leave`` is only a claim: a
member who speaks afterwards was not gone, and the claim is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from protocol.bodies.commit import ChangeKind, Member
from protocol.limits import SEATS
from protocol.membership.roster import Roster
from protocol.membership.sequencer import Due

# The relay holds at most 12 connections per room; only a lying relay goes past this.
MAX_PRESENT: Final = 2 * SEATS


@dataclass(slots=True)
class Presence:
    mine: int | None = None  # our connection number
    present: set[int] = field(default_factory=set)
    last_seq: int | None = None

    def welcome(self, you: int, peers: tuple[int, ...]) -> None:
        self.mine = you
        self.present = {*peers, you}

    def join(self, peer: int) -> bool:
        """Count a connection the relay announced; False when it claims more than it can hold."""
        self.present.add(peer)
        if len(self.present) > MAX_PRESENT:
            self.present.discard(peer)
            return False
        return True

    def leave(self, peer: int) -> None:
        self.present.discard(peer)

    def here(self, peer: int) -> bool:
        return peer in self.present

    def place(self, seq: int) -> tuple[int, bool]:
        """(our place in the room's order, whether the relay's ``seq`` rose by exactly one).

        An honest relay numbers every room event and sends each connection all
        of them, so anything but the next number is the relay contradicting its
        own order. We go on counting ourselves.
        """
        expected = seq if self.last_seq is None else self.last_seq + 1
        self.last_seq = expected
        return expected, seq == expected


@dataclass(frozen=True, slots=True)
class Leaving:
    since_ms: int
    reason: ChangeKind  # LEFT or DISCONNECTED
    evidence: bytes = b""  # the goodbye, or the vouch of a member back on a new connection


@dataclass(slots=True)
class Departures:
    leaving: dict[bytes, Leaving] = field(default_factory=dict)

    def dropped(self, identity: bytes, now: int) -> None:
        """The relay said this member's connection went; a goodbye already heard stands."""
        self.leaving.setdefault(identity, Leaving(now, ChangeKind.DISCONNECTED))

    def said_bye(self, identity: bytes, goodbye: bytes, now: int) -> None:
        self.leaving[identity] = Leaving(now, ChangeKind.LEFT, goodbye)

    def back_on_new_connection(
        self, identity: bytes, vouch: bytes, now: int, grace_ms: int
    ) -> None:
        """The member knocked again from a new connection, vouched for by the old key:
        their old seat can go at once."""
        self.leaving[identity] = Leaving(now - grace_ms, ChangeKind.DISCONNECTED, vouch)

    def still_here(self, member: Member, present: set[int]) -> bool:
        """A member the relay said dropped speaks, and is connected by no one's word but
        that claim: the claim goes. True if there was one to drop."""
        entry = self.leaving.get(member.identity)
        if entry is None or entry.reason is not ChangeKind.DISCONNECTED or member.peer in present:
            return False
        del self.leaving[member.identity]
        return True

    def said_goodbye(self, identity: bytes) -> bool:
        entry = self.leaving.get(identity)
        return entry is not None and entry.reason is ChangeKind.LEFT

    def left_on_purpose(self) -> set[bytes]:
        return {i for i, entry in self.leaving.items() if entry.reason is ChangeKind.LEFT}

    def due(self, roster: Roster, now: int, grace_ms: int) -> list[Due]:
        """Members whose departure can be committed now, in roster order."""
        return [
            Due(m, entry.reason, entry.evidence)
            for m in roster.members
            if (entry := self.leaving.get(m.identity)) is not None
            and (entry.reason is ChangeKind.LEFT or now - entry.since_ms >= grace_ms)
        ]

    def deadline(self, grace_ms: int, of: set[bytes]) -> int | None:
        """When the first departure among the identities ``of`` becomes due."""
        waits = [
            e.since_ms + (0 if e.reason is ChangeKind.LEFT else grace_ms)
            for i, e in self.leaving.items()
            if i in of
        ]
        return min(waits) if waits else None

    def keep(self, on_roster: set[bytes]) -> None:
        self.leaving = {i: e for i, e in self.leaving.items() if i in on_roster}
