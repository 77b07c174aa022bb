"""The door: the lobby a newcomer believes, the knocks members see, who may come back.

The sequencer greets new connections with a lobby, sealed under the join key
and signed. A newcomer believes the first lobby that proves itself from the
invite's host key (``prove_lobby``), and only that one:

- the lobby's **lineage** is the room's handovers, two Commit frames each: the
  Commit that named a successor, signed by the sequencer of the day, and the
  Commit with which that successor removed it (``roster.check_next`` holds
  between them). The first is signed by the invite's key;
- the lobby carries the sequencer's **current Commit**, signed by the key the
  lineage ends at, and the lobby itself is signed by that key;
- from that Commit on, the newcomer follows every Commit by the same rules as
  the members (``membership.chain``), its own admission included. So the
  Commit that lets it in extends the room it was shown, from the sequencer of
  that room.

A later lobby never moves that anchor. If one that also proves itself names a
room we did not follow, someone is leading newcomers into a copy of the room,
and the person is told. Members check lobbies too (``who_greeted``): only the
sequencer greets.

A knock is shown to every member (``Door``); one member's consent admits it.
A knock vouched for by an old identity key of a member whose connection
dropped is that member coming back, and comes in without asking again, once
per old key.

Any member may say "not now" to a knock: a ``SetAside`` frame, sealed under the
join key and signed, naming the knock by its identity key. Every member shows
the knock as set aside, by whom, once per member; the knocker is told that
someone asked it to wait (``membership.entry``). It is no refusal: the knock
stays, and anyone, the member who set it aside included, may still admit it.
A "not now" whose signer is not on the roster, or that names no knock shown
here, is dropped.

A knock that needs a member's consent expires, unanswered, at the relay's
``ts`` of the knock plus the wait the knock itself names (``KnockBody.wait``),
so every member and the knocker let it go at the same moment of the relay's
clock. A knock that comes back vouched for waits for no one and never expires.
A knock a member let go, for any reason (its connection left, it ran out, its
keys were seated), is not shown again by that member, however it is said and
from whichever connection: a member keeps the identity keys of the last
``LET_GO_KEPT`` knocks it let go (``Door.let_go``). Otherwise anyone present
could say a knocker's own signed knock again once its connection is gone, and
the knock would wait anew, to be admitted at the connection that said it.

The relay brings a knock to the connections present when it goes out, so a
member seated later never saw it. The knocker says its knock again whenever a
Commit it follows seats someone (``membership.entry``): the same keys and body,
signed by the knocker as before, naming the Commit it follows now in
``answers`` and carrying ``since`` (the relay's ``ts`` of its first knock),
``told`` (the "not now" frames it was told, as their signers sent them, from
those on the roster it follows now) and ``peer`` (its own connection number,
from the relay's welcome). So:

- a repeat is shown only from the connection it names: said from any other,
  by a member, a stranger or the relay changing the sender, it is dropped,
  and once the knocker's connection is gone nobody can say it for them;
- a member who holds the knock already drops the repeat unread: a second
  saying is no second knock, and its wait does not start again;
- a member who sees it for the first time shows it, waiting until ``since``
  plus the knock's wait, or the repeat's own ``ts`` plus the wait if that is
  earlier: never longer than everyone else, whatever the knocker claims. A
  repeat that arrives when that moment has passed is dropped;
- each "not now" it carries counts as if seen when said, under the usual rule
  (signed by someone on the roster, naming this knock and no other); the
  knocker can leave one out, but cannot make one up;
- ``answers`` names a Commit the newcomer holds, so neither the first knock
  nor a repeat meant for an earlier newcomer can be replayed to a later one;
  a knock already answered or withdrawn is dropped by the rules above
  (its keys are seated, or its connection is gone).

The first knock cannot name its connection: clients that know only its keys
refuse a body with one more. The relay chooses the sender of every frame, so
it can always show a first knock as coming from another connection; members
who saw the knock and let it go refuse it, whoever says it.

Clients that know only the first knock's keys drop the repeat as a body they
cannot read: they hold the first, or, seated late, miss it as before.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import Enum, auto
from typing import Final

from protocol.bodies import BodyError
from protocol.bodies.commit import Member, Ticket
from protocol.bodies.door import KnockBody, Lobby, SetAside
from protocol.crypto import verify
from protocol.frames import FrameError, Kind, RoomFrame, parse
from protocol.keys.pairs import Pairs
from protocol.membership.evidence import return_statement, tickets_hash
from protocol.membership.roomwide import open_commit, open_roomwide
from protocol.membership.roster import CommitRefused, Roster, check_next

FORMER_KEPT: Final = 64  # identities that were on the roster, refused if they knock again
# Knocks let go (withdrawn, expired, seated), refused if they are said again. A
# knock is an identity key the member held as a knock, so each one pushed out
# costs someone a connection and a knock every member shows.
LET_GO_KEPT: Final = 256


def vouch_statement(room: bytes, knock: KnockBody) -> bytes:
    """What a returning member's old identity signs: these new keys, and my name, are mine."""
    return return_statement(room, knock.identity, knock.exchange, knock.nick)


# --- the lobby --------------------------------------------------------------------


def prove_lobby(lobby: Lobby, host_key: bytes, room: bytes, join_key: bytes) -> Roster | None:
    """The room the lobby shows, proven from the invite's key; None if anything breaks."""
    key = host_key
    floor = 0
    links = lobby.lineage
    if len(links) % 2:
        return None
    for at in range(0, len(links), 2):
        named = open_commit(links[at], key, room, join_key)
        if named is None or named.epoch < floor or named.sequencer is None:
            return None
        successor = named.successor
        if named.sequencer.identity != key or successor is None:
            return None
        took = open_commit(links[at + 1], successor.identity, room, join_key)
        if took is None or took.sequencer is None:
            return None
        try:
            # Signed by the successor, this holds only if it removes the sequencer.
            check_next(named, took.commit, successor, room, None)
        except CommitRefused:
            return None
        if took.sequencer.identity != successor.identity:
            return None
        key, floor = successor.identity, took.epoch
    current = open_commit(lobby.commit, key, room, join_key)
    if current is None or current.epoch < floor or current.sequencer is None:
        return None
    if tickets_hash(lobby.tickets) != current.commit.tickets:
        return None  # the room's return tickets, as its Commit names them
    if current.sequencer.identity != key:
        return None
    return current


class Greeter(Enum):
    """Who signed a lobby that a member saw."""

    SEQUENCER = auto()  # as it should be
    SEQUENCER_AHEAD = auto()  # our sequencer, from a later epoch: the room went on without us
    MEMBER = auto()  # someone on the roster who does not sequence: a lure
    FORMER = auto()  # someone who was on the roster and left it: a lure
    FIRST_KEY = auto()  # the invite's key, after it handed over: a lure
    STRANGER = auto()  # some other key that proves a lobby from the invite's: a lure


def who_greeted(
    frame: RoomFrame, lobby: Lobby, roster: Roster, host_key: bytes, former: Mapping[bytes, str]
) -> tuple[Greeter, str]:
    """As a member: who signed this lobby (and their nickname, when we know them).

    Only the sequencer greets, so a lobby signed by anyone else is a lure,
    whatever epoch it claims: a sequencer stops sequencing only by being
    removed, and one that handed over does not greet again. (A lobby that does
    not prove itself from the invite's key misleads no newcomer; it is dropped.)
    """
    sequencer = roster.sequencer
    if sequencer is not None and verify(sequencer.identity, frame.signed, frame.sig):
        if lobby.epoch > roster.epoch:
            return Greeter.SEQUENCER_AHEAD, sequencer.nick
        return Greeter.SEQUENCER, sequencer.nick
    for member in roster.members:
        if verify(member.identity, frame.signed, frame.sig):
            return Greeter.MEMBER, member.nick
    if verify(host_key, frame.signed, frame.sig):
        return Greeter.FIRST_KEY, ""
    for identity, nick in former.items():
        if verify(identity, frame.signed, frame.sig):
            return Greeter.FORMER, nick
    return Greeter.STRANGER, ""


# --- knocks -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KnockSeen:
    """Someone asks to come in, and waits for a member's consent."""

    peer: int
    nick: str


@dataclass(frozen=True, slots=True)
class ComingBack:
    """A member back on a new connection, vouched for by their old identity key."""

    peer: int
    knock: KnockBody

    @property
    def ticket(self) -> bytes:
        """The old key and its vouch: what lets them in without anyone's consent."""
        return self.knock.was + self.knock.vouch

    @property
    def new_connection(self) -> bytes:
        """The new keys and the old key's vouch: what lets their old seat go at once."""
        return self.knock.identity + self.knock.exchange + self.knock.vouch


@dataclass(frozen=True, slots=True)
class SetAsideSeen:
    """A member said "not now" to a knock that still stands."""

    peer: int
    nick: str  # the knocker's
    by: Member


@dataclass(slots=True)
class Door:
    knocks: dict[int, KnockBody] = field(default_factory=dict)  # by connection number
    # Knocks members said "not now" to, and the identity keys of those who did.
    set_aside: dict[int, set[bytes]] = field(default_factory=dict)
    # When each knock that waits for consent expires, by the relay's clock (ms).
    expires: dict[int, int] = field(default_factory=dict)
    returns: dict[int, bytes] = field(default_factory=dict)  # knocks whose vouch held: the old key
    # Identities that were on the roster and left it: a session's key enters once.
    former: dict[bytes, str] = field(default_factory=dict)  # and their nicknames
    let_go: list[bytes] = field(default_factory=list)  # identity keys of knocks that went

    def see(
        self,
        peer: int,
        knock: KnockBody,
        roster: Roster,
        present: set[int],
        room: bytes,
        pairs: Pairs,
        recent: Collection[bytes],
        tickets: tuple[Ticket, ...],
        *,
        ts: int = 0,
    ) -> KnockSeen | ComingBack | None:
        """A knock whose signature held: shown, or a member coming back, or dropped.

        ``recent`` are the hashes of the room's latest Commits: a knock answers a
        lobby that showed one of them, or it is a replay from long ago. ``ts`` is
        the relay's time of the knock, from which it waits; a knock said again
        waits from its first saying, if that was earlier.
        """
        if knock.agreed != roster.commit.agreed or peer not in present:
            return None  # they saw other agreements, or they are gone already
        if knock.since is not None and knock.peer != peer:
            return None  # said again from a connection not the knocker's
        if knock.answers not in recent or knock.identity in self.former:
            return None  # a knock replayed after it was answered: a ghost
        if knock.identity in self.let_go:
            return None  # withdrawn, ran out or seated: it does not come back
        since = ts if knock.since is None else min(ts, knock.since)
        if since + knock.wait * 1000 <= ts:
            return None  # it ran out of waiting for everyone else already
        if not self._fresh(knock, roster):
            return None  # a replayed knock, or keys already in the room: no Commit could hold them
        if not pairs.usable(knock.exchange):
            return None  # an exchange key no channel can be built on
        back = self._returning(knock, roster, room, tickets)
        self.knocks[peer] = knock
        if back is None:
            self.expires[peer] = since + knock.wait * 1000
            return KnockSeen(peer, knock.nick)
        self.returns[peer] = back
        return ComingBack(peer, knock)

    def _fresh(self, knock: KnockBody, roster: Roster) -> bool:
        """No key of this knock is on the roster or in another knock.

        Anyone holding the invite reads the roster's public keys; a knock that
        reused one would make a Commit every member refuses. (A connection
        already seated is caught when the sequencer checks its own Commit.)
        """
        for m in roster.members:
            if knock.identity == m.identity or knock.exchange == m.exchange:
                return False
        for k in self.knocks.values():
            if knock.identity == k.identity or knock.exchange == k.exchange:
                return False
        return knock.identity != knock.was

    def _returning(
        self, knock: KnockBody, roster: Roster, room: bytes, tickets: tuple[Ticket, ...]
    ) -> bytes | None:
        """The old identity of the member this knock proves to be, or None.

        A member counts while seated, or after their seat was let go because the
        connection dropped (the room's return tickets, ``membership.evidence``);
        not after they left on purpose. An old key brings back one person, under
        the same name, once: it is a return ticket, not a key to the door. The
        ticket goes with the Commit that lets its holder back in, and a second
        knock on it meanwhile is a stranger's.
        """
        if not knock.was or knock.was in self.returns.values():
            return None  # the ticket is being used right now
        seated = roster.by_identity(knock.was)
        ticket = next((t for t in tickets if t.identity == knock.was), None)
        nick = seated.nick if seated else ticket.nick if ticket else None
        if nick is None or nick != knock.nick:
            return None
        # Only a vouch that holds counts: anyone can name an old key, and a claim
        # that does not check out must not stand in the way of the real return.
        if not verify(knock.was, vouch_statement(room, knock), knock.vouch):
            return None
        return knock.was

    def withdraw(self, peer: int) -> KnockBody | None:
        """The knocker's connection went, or the knock ran out: it goes, for good."""
        self.set_aside.pop(peer, None)
        self.expires.pop(peer, None)
        self.returns.pop(peer, None)
        knock = self.knocks.pop(peer, None)
        if knock is not None:
            self._let_go(knock.identity)
        return knock

    def _let_go(self, identity: bytes) -> None:
        self.let_go.append(identity)
        del self.let_go[:-LET_GO_KEPT]

    def set_aside_by(self, frame: RoomFrame, body: SetAside, roster: Roster) -> SetAsideSeen | None:
        """A member's "not now" to a knock shown here, once per member; None if dropped.

        Only someone on the roster says it, signing with the key the body names,
        and only for a knock still standing (a knock is named by its identity
        key, new with every knock). A member's second "not now" to one knock,
        or the relay's replay of the first, adds nothing.
        """
        member = roster.by_identity(body.identity)
        peer = next((p for p, k in self.knocks.items() if k.identity == body.knock), None)
        if member is None or peer is None or peer in self.returns:
            return None
        if not verify(member.identity, frame.signed, frame.sig):
            return None
        by = self.set_aside.setdefault(peer, set())
        if member.identity in by:
            return None
        by.add(member.identity)
        return SetAsideSeen(peer, self.knocks[peer].nick, member)

    def told_before(self, peer: int, roster: Roster, room: bytes, join_key: bytes) -> None:
        """A knock said again: the "not now"s it carries count as if seen when said.

        Each is the frame its signer sent, checked as one that came now: sealed
        under the join key, signed by someone on the roster, naming this knock.
        The person is not told of them one by one: the knock shows as set aside.
        """
        knock = self.knocks.get(peer)
        if knock is None:
            return
        for d in knock.told:
            try:
                frame = parse(d, room)
            except FrameError:
                continue
            if not isinstance(frame, RoomFrame) or frame.kind is not Kind.SET_ASIDE:
                continue
            body = open_roomwide(frame, join_key)
            try:
                asked = SetAside.decode(body) if body is not None else None
            except BodyError:
                continue
            if asked is not None and asked.knock == knock.identity:
                self.set_aside_by(frame, asked, roster)

    def asked_by(self, peer: int, identity: bytes) -> bool:
        """Whether the member with ``identity`` said "not now" to this knock already."""
        return identity in self.set_aside.get(peer, ())

    def expired_by(self, peer: int, relay_ms: int) -> bool:
        """Whether this knock had run out of waiting at ``relay_ms`` of the relay's clock."""
        at = self.expires.get(peer)
        return at is not None and at <= relay_ms

    def expire(self, relay_ms: int) -> list[tuple[int, KnockBody]]:
        """The knocks nobody answered by ``relay_ms`` of the relay's clock: they go."""
        due = [peer for peer in self.knocks if self.expired_by(peer, relay_ms)]
        gone = [(peer, self.knocks[peer]) for peer in due]
        for peer in due:
            self.withdraw(peer)
        return gone

    def deadline(self) -> int | None:
        """When the next knock expires, by the relay's clock."""
        return min(self.expires.values(), default=None)

    def seat_gone(self, identity: bytes, nick: str) -> None:
        self.former[identity] = nick
        while len(self.former) > FORMER_KEPT:
            del self.former[next(iter(self.former))]

    def keep(self, on_roster: set[bytes]) -> None:
        """After a Commit: knocks from people now seated go, and so do used tickets."""
        for knock in self.knocks.values():
            if knock.identity in on_roster:
                self._let_go(knock.identity)
        self.knocks = {p: k for p, k in self.knocks.items() if k.identity not in on_roster}
        self.set_aside = {p: by for p, by in self.set_aside.items() if p in self.knocks}
        self.expires = {p: at for p, at in self.expires.items() if p in self.knocks}
        self.returns = {p: was for p, was in self.returns.items() if p in self.knocks}
