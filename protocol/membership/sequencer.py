"""The sequencer: a clerk, not a ruler. It commits what the room's rules allow.

The host sequences the room, then its named successor. Its client turns what
members asked for and what the relay showed into the next Commit
(``next_commit``, a pure function of the roster, the consents, the knocks and
the departures that are due), signs it, and sends it; every member checks it
against ``roster.check_next`` before applying it.

What the sequencer keeps (``Sequencer``):

- ``consents``: knocks a member admitted, waiting to be committed;
- ``in_flight``: the one Commit it signed for the next epoch. It signs one
  Commit per epoch, ever. One that has not come back is sent again byte for
  byte after ``RESEND_AFTER_MS``, never rebuilt: a relay that withheld it
  could otherwise get two different Commits for one epoch out of it and
  split the room in two, each half on its own chain;
- the lobby ration: anyone who knows the room id can open and close
  connections, and a lobby per connection would get the sequencer cut off by
  the relay. Lobbies come in a burst, then one per ``LOBBY_EVERY_MS``, and
  those still waiting when a lobby is due share it.

The successor commits one thing only: the sequencer's departure, which makes
it the sequencer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from protocol.bodies.commit import ChangeKind, CommitBody, Member, Ticket
from protocol.bodies.door import KnockBody
from protocol.limits import SEATS
from protocol.membership.roster import (
    CommitRefused,
    Roster,
    admitting,
    check_next,
    rekeyed,
    removing,
)

RESEND_AFTER_MS: Final = 5_000
RETURNING: Final = -1  # a consent no one gave: a member back after a drop
# A burst for a room filling up, then a steady trickle, far below the relay's
# own limit of 50 frames a second, so churn cannot get us cut off.
LOBBY_BURST: Final = 16
LOBBY_EVERY_MS: Final = 500


@dataclass(frozen=True, slots=True)
class Declined:
    """A consent no Commit can carry: the room is full, or the knock's keys are taken."""

    peer: int
    nick: str
    room_full: bool


@dataclass(frozen=True, slots=True)
class Consent:
    """A member's seat and signed consent to a knock, or RETURNING and the ticket's vouch."""

    by: int
    evidence: bytes


@dataclass(frozen=True, slots=True)
class Due:
    """A departure the sequencer may commit now, with its evidence."""

    member: Member
    reason: ChangeKind
    evidence: bytes


@dataclass(frozen=True, slots=True)
class Next:
    body: CommitBody | None
    declined: tuple[Declined, ...] = ()


def next_commit(
    roster: Roster,
    me: Member,
    *,
    due: Sequence[Due],
    consents: Mapping[int, Consent],
    knocks: Mapping[int, KnockBody],
    room: bytes,
    tickets: tuple[Ticket, ...],
    exchanges: Mapping[bytes, bytes],
) -> Next:
    """The next Commit ``me`` should sign, if any: departures first, then admissions.

    Every Commit turns the exchange keys of those who stay to the ones they
    announced (``exchanges``, by identity: ``keys.pairs``). Each admission is
    held to ``check_next`` before it is signed, so the sequencer never signs,
    again and again, what every member would refuse.
    """

    def removing_now(gone: Due) -> Next:
        slot, why, evidence = gone.member.slot, gone.reason, gone.evidence
        body = removing(roster, slot, why, me.slot, evidence, tickets)
        return Next(rekeyed(roster, body, exchanges))

    sequencer = roster.sequencer
    if roster.commit.sequencer == me.slot:
        for gone in due:
            return removing_now(gone)
        declined: list[Declined] = []
        for peer, consent in consents.items():
            knock = knocks.get(peer)
            if knock is None:
                continue
            who = None if consent.by == RETURNING else consent.by
            try:
                body = admitting(
                    roster,
                    knock.nick,
                    knock.identity,
                    knock.exchange,
                    peer,
                    who,
                    consent.evidence,
                    tickets,
                )
                body = rekeyed(roster, body, exchanges)
                check_next(roster, body, me, room, tickets, exchanges)
                return Next(body, tuple(declined))
            except CommitRefused:
                declined.append(Declined(peer, knock.nick, len(roster.members) >= SEATS))
        return Next(None, tuple(declined))
    if roster.commit.successor == me.slot and sequencer is not None:
        for gone in due:
            if gone.member.slot == sequencer.slot:
                return removing_now(gone)
    return Next(None)


def newcomers(
    present: set[int], mine: int | None, roster: Roster, knocks: Mapping[int, KnockBody]
) -> set[int]:
    """Connections nobody on the roster holds, that have not knocked: whom a lobby answers."""
    return {p for p in present if p != mine and roster.by_peer(p) is None and p not in knocks}


def departure_duty(roster: Roster, my_slot: int | None) -> set[bytes]:
    """Whose departures ``my_slot`` commits: everyone's as sequencer, the sequencer's
    as its successor, nobody's otherwise."""
    sequencer = roster.sequencer
    if my_slot is not None and roster.commit.sequencer == my_slot:
        return {m.identity for m in roster.members}
    if my_slot is not None and roster.commit.successor == my_slot and sequencer is not None:
        return {sequencer.identity}
    return set()


@dataclass(frozen=True, slots=True)
class InFlight:
    epoch: int
    sent_ms: int
    frame: bytes


@dataclass(slots=True)
class Sequencer:
    consents: dict[int, Consent] = field(default_factory=dict)  # by knock
    in_flight: InFlight | None = None
    greeted: set[int] = field(default_factory=set)  # connections a lobby answered
    lobby_tokens: int = LOBBY_BURST
    refilled_ms: int | None = None

    def consent(self, peer: int, by: int, evidence: bytes) -> None:
        self.consents.setdefault(peer, Consent(by, evidence))

    def drop_consent(self, peer: int) -> None:
        self.consents.pop(peer, None)

    def gone(self, peer: int) -> None:
        """A connection left: nothing it asked for or was greeted with stands."""
        self.greeted.discard(peer)
        self.consents.pop(peer, None)

    def keep(self, knocks: Mapping[int, KnockBody]) -> None:
        self.consents = {p: c for p, c in self.consents.items() if p in knocks}

    # --- one Commit per epoch -------------------------------------------------------

    def awaits(self, epoch: int) -> bool:
        """Whether our Commit for ``epoch`` is on its way and must be waited for."""
        return self.in_flight is not None and self.in_flight.epoch == epoch

    def signed(self, epoch: int, frame: bytes, now: int) -> None:
        self.in_flight = InFlight(epoch, now, frame)

    def resend(self, now: int) -> bytes | None:
        """The same frame again, once ``RESEND_AFTER_MS`` passed without it coming back."""
        flight = self.in_flight
        if flight is None or now - flight.sent_ms < RESEND_AFTER_MS:
            return None
        self.in_flight = InFlight(flight.epoch, now, flight.frame)
        return flight.frame

    def resend_ms(self) -> int | None:
        """When the Commit in flight is due to go out again, if one is."""
        return self.in_flight.sent_ms + RESEND_AFTER_MS if self.in_flight else None

    def committed(self) -> None:
        self.in_flight = None

    # --- lobbies ----------------------------------------------------------------------

    def greet(self, waiting: set[int], present: set[int], now: int, *, can: bool) -> bool:
        """Whether to send one lobby now, for every connection in ``waiting``."""
        self.greeted &= present
        if not waiting - self.greeted:
            return False
        if self.refilled_ms is None:
            self.refilled_ms = now
        refill = (now - self.refilled_ms) // LOBBY_EVERY_MS
        if refill > 0:
            self.lobby_tokens = min(LOBBY_BURST, self.lobby_tokens + refill)
            self.refilled_ms = now
        if not can or self.lobby_tokens <= 0:
            return False
        self.lobby_tokens -= 1
        self.greeted |= waiting
        return True

    def greet_again(self) -> None:
        """A lure went out: everyone waiting gets our lobby now, ration or not (the
        caller does this at most once per ``rivals.VOUCH_EVERY_MS``)."""
        self.greeted.clear()
        self.lobby_tokens = max(self.lobby_tokens, 1)

    def next_lobby_ms(self, waiting: set[int]) -> int | None:
        """When the ration allows the lobby that ``waiting`` connections still need."""
        if not waiting - self.greeted or self.lobby_tokens > 0 or self.refilled_ms is None:
            return None
        return self.refilled_ms + LOBBY_EVERY_MS
