"""Coming in: a newcomer's side of the door, until a Commit names it.

A newcomer connects, waits for the lobby that proves itself (see
``membership.door``), reads the agreements, and knocks when the person agrees.
Someone coming back after a dropped connection carries a return ticket (their
old identity key and the agreements they accepted) and knocks by themselves
as soon as the same agreements are shown, vouched for by the old key.

While no lobby comes, ``Entry`` keeps time: after ``WAITING_NOTICE_MS`` the
person is told whom they are waiting for, once; and a sequencer whose
connection dropped carries a ``Reopening`` and opens the room again when the
rules of ``membership.reopen`` say nobody else can still be holding it.

Once it knocked, the newcomer waits as long as its knock says
(``KnockBody.wait``), from the relay's ``ts`` of the knock as the relay
brought it back: the members let the knock go at that same moment of the
relay's clock. Meanwhile a member may say "not now" (``membership.door``); the
newcomer checks that the signer is on the roster it follows and that the
frame names its own knock, and is told once per member, without their name.
A knock with a return ticket waits for nobody's consent and never expires.

The relay brings a knock to those connected when it goes out; someone seated
later never saw it. So whenever a Commit the newcomer follows seats someone,
it says its knock again, once its first knock is back from the relay: the same
body and keys, now naming the Commit it follows (``answers``), the relay's
``ts`` of the first knock (``since``), the "not now" frames it was told, as
the members who said them signed them (``told``: only those whose signer is on
the roster it follows now, so at most ``MAX_TOLD``), and its own connection
number (``peer``), which members require the repeat to come from. The members who hold the
knock already drop the repeat; the newcomer sees it, waiting only as long as
everyone else (``membership.door``). A knock with a return ticket is not said
again: nobody's consent is asked for it.

While it waits for a lobby, someone coming back vouches under its old key for
the Commit it last held, to every connection that arrives (at most once per
``WAITING_VOUCH_EVERY_MS``): a sequencer waiting to open the room again learns
from its successor's word that nobody took the room over (``membership.reopen``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum, auto
from typing import Final

from nacl.signing import SigningKey

from protocol.bodies.commit import ChangeKind, CommitBody
from protocol.bodies.door import MAX_TOLD, KnockBody, Lobby, SetAside
from protocol.crypto import verify
from protocol.events import Note
from protocol.frames import RoomFrame
from protocol.membership.reopen import WAITING_NOTICE_MS, Reopening
from protocol.membership.roster import Roster

OWN_JOIN_WAIT_MS: Final = 1_000
WAITING_VOUCH_EVERY_MS: Final = 250


@dataclass(frozen=True, slots=True)
class ReturnTicket:
    """What a member carries across a dropped connection to come back without asking."""

    identity: SigningKey  # the old identity key: it vouches for the new keys, once
    agreed: bytes  # the hash of the agreements accepted
    held: bytes = b""  # the hash of the last Commit we held, to vouch for while we wait


class Due(Enum):
    """What the clock says a newcomer should do now."""

    REOPEN = auto()
    TELL_WAITING = auto()


@dataclass(slots=True)
class Entry:
    ticket: ReturnTicket | None = None
    lobby: Lobby | None = None  # the lobby we believe
    knock: KnockBody | None = None  # the knock we sent
    awaited: str | None = None  # the nickname of whoever can let us back in
    waiting_since: int | None = None  # connected, with no lobby yet, since
    told_waiting: bool = False
    reopening: Reopening | None = None
    room_gone: bool = False  # the relay shows that nobody here holds the room
    late: bool = False  # back after the grace period: a successor may have taken over
    successor_stayed: bool = False  # our successor vouched for our Commit: it did not
    # Our vouch while we wait for a lobby: wanted (someone arrived), and when it last went.
    vouch_wanted: bool = False
    vouched_ms: int | None = None
    # The relay's welcome, then our own join: only with both has the relay said
    # all it will about whether it still holds the room.
    arrived_ms: int | None = None
    seen_own_join: bool = False
    evicted: bool = False  # our seat went while we were connected: the knock says so
    # When our knock stops waiting, by the relay's clock; and whether it did.
    knock_expires: int | None = None
    unanswered: bool = False
    # Members who said "not now", and the frames they said it with.
    asked_to_wait: dict[bytes, bytes] = field(default_factory=dict)
    # Someone was seated since our knock went out: it is to be said again.
    say_again: bool = False

    def arrived(self, now: int) -> None:
        self.arrived_ms = now

    def joined(self) -> None:
        self.seen_own_join = True

    def shown(self, lobby: Lobby, agreed: bytes) -> bool:
        """The lobby we believe; True if our ticket lets us knock without asking again."""
        self.lobby = lobby
        self.reopening = None  # someone holds the room: it is not ours to open again
        return self.ticket is not None and self.ticket.agreed == agreed

    def hold(self, ticket: ReturnTicket) -> None:
        """Our seat went while we were here: this ticket brings us back."""
        self.ticket = ticket

    def knocked(self, knock: KnockBody) -> None:
        self.knock = knock

    def knock_stamped(self, ts: int) -> bool:
        """The relay brought our knock back at ``ts``: it waits from then. True the first time."""
        if self.knock is None or self.knock.was or self.knock_expires is not None:
            return False
        self.knock_expires = ts + self.knock.wait * 1000
        return True

    def told_to_wait(self, frame: RoomFrame, body: SetAside, room: Roster | None) -> bool:
        """Whether a "not now" to our knock holds and is news: its signer is a member of the
        room we follow, it names our knock, and that member has not said so before."""
        knock = self.knock
        if knock is None or room is None or body.knock != knock.identity:
            return False
        member = room.by_identity(body.identity)
        if member is None or member.identity in self.asked_to_wait:
            return False
        if not verify(member.identity, frame.signed, frame.sig):
            return False
        self.asked_to_wait[member.identity] = frame.signed + frame.sig
        return True

    def followed(self, commit: CommitBody) -> None:
        """A Commit we follow, not ours: whoever it seats never saw our knock."""
        knock = self.knock
        if knock is None or knock.was or self.unanswered:
            return
        if any(c.what is ChangeKind.ADMIT for c in commit.changes):
            self.say_again = True

    def knock_again(self, room: Roster, peer: int) -> KnockBody | None:
        """Our knock to say again now from our connection ``peer``, for those seated since,
        naming the Commit of ``room``, the roster we follow; None if nobody new came, or if
        our first knock is not back from the relay yet."""
        knock, stamped = self.knock, self.knock_expires
        if not self.say_again or knock is None or stamped is None or self.unanswered:
            return None
        self.say_again = False
        since = stamped - knock.wait * 1000
        # A "not now" from someone who left counts for nobody: carrying it would
        # only crowd out those that do.
        told = [d for who, d in self.asked_to_wait.items() if room.by_identity(who) is not None]
        answers, told_now = room.commit_hash, tuple(told[:MAX_TOLD])
        return replace(knock, answers=answers, since=since, told=told_now, peer=peer)

    def expire(self, relay_ms: int) -> bool:
        """Whether our knock ran out of waiting at ``relay_ms`` of the relay's clock (once)."""
        if self.unanswered or self.knock_expires is None or relay_ms < self.knock_expires:
            return False
        self.unanswered = True
        return True

    def reopened(self) -> None:
        self.reopening = self.ticket = None

    def mark_room_gone(self) -> None:
        self.room_gone = True

    def mark_successor_stayed(self) -> None:
        self.successor_stayed = True

    @property
    def reopen_after_ms(self) -> int:
        """How long after we began to wait for a lobby we open the room again ourselves."""
        if self.reopening is None:
            return 0
        return self.reopening.wait(
            late=self.late, room_gone=self.room_gone, successor_stayed=self.successor_stayed
        )

    # --- our vouch while we wait ---------------------------------------------------

    def want_vouch(self) -> None:
        """Someone arrived while we wait to come back: our word on the Commit we held."""
        if self.ticket is not None and self.ticket.held and self.reopening is None:
            self.vouch_wanted = True

    def vouch_due(self, now: int) -> bool:
        if not self.vouch_wanted or self.lobby is not None:
            return False
        return self.vouched_ms is None or now >= self.vouched_ms + WAITING_VOUCH_EVERY_MS

    def vouched(self, now: int) -> None:
        self.vouch_wanted, self.vouched_ms = False, now

    def vouch_deadline(self) -> int | None:
        if not self.vouch_wanted or self.lobby is not None:
            return None
        return 0 if self.vouched_ms is None else self.vouched_ms + WAITING_VOUCH_EVERY_MS

    def due(self, now: int, grace_ms: int) -> Due | None:
        """Whether to open the room again, or to say whom we wait for, at ``now``."""
        reopening = self.reopening
        if self.waiting_since is None:
            if not self.seen_own_join and now < (self.arrived_ms or now) + OWN_JOIN_WAIT_MS:
                return None  # the relay has not said all it will yet
            self.waiting_since = now
            if reopening is not None:
                self.late = reopening.back_late(now, grace_ms)
        waited = now - self.waiting_since
        if reopening is not None and waited >= self.reopen_after_ms:
            return Due.REOPEN
        if waited >= WAITING_NOTICE_MS and not self.told_waiting:
            self.told_waiting = True
            return Due.TELL_WAITING
        return None

    def deadline(self, now: int) -> int | None:
        vouch = self.vouch_deadline()
        if self.waiting_since is None:
            # The wait starts at the first tick once our own join is in (the relay
            # sends it right after the welcome; a second is plenty).
            if self.seen_own_join or self.arrived_ms is None:
                return now
            due = self.arrived_ms + OWN_JOIN_WAIT_MS
            return due if vouch is None else min(due, vouch)
        times = [] if vouch is None else [vouch]
        if self.reopening is not None:
            times.append(self.waiting_since + self.reopen_after_ms)
        if not self.told_waiting:
            times.append(self.waiting_since + WAITING_NOTICE_MS)
        return min(times) if times else None

    def waiting_note(self) -> tuple[Note, str]:
        """What a person still waiting for a lobby is told, once."""
        if self.reopening is not None:
            return Note.WAITING_FOR_HOLDERS, ""
        if self.awaited is not None:
            return Note.WAITING_FOR, self.awaited
        return Note.WAITING_FOR_HOST, ""
