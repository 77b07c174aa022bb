"""Opening a room again after the relay lost it, without ever splitting it in two.

A relay keeps nothing: when it restarts, every connection drops and the room
is gone from it, while every member still holds the room's Commit chain in
memory. Only the member who was sequencing may open the room again, and it
does so by extending that chain: the next epoch after its last Commit (or
after its own Commit still in flight, so it never signs two Commits for one
epoch), signed by the key the lineage ends at, with itself alone on the roster
under a new exchange key and connection. A newcomer checks that Commit exactly
as any lobby's: from the invite's host key through the lineage. Everyone else
comes back as a returning member, vouched for by their old identity key, and
is let in without asking anyone again, as after any dropped connection.

When to reopen. The sequencer cannot tell a restarted relay from its own
connection dropping, so it comes back as a returning member first, and opens
the room again only when no one can still be holding it:

- at once, if it is back within the grace period and the relay shows that no
  one there holds the room: none of the other members' connections is in the
  welcome (the relay never reuses a connection number in a room's life, so a
  member still holding the room would be there under the number the roster
  names), or the relay stamps our arrival with a ``seq`` no higher than the
  last one we saw (a room's ``seq`` only grows while the relay holds it). A
  successor takes over only a grace period after the relay showed it our drop,
  so back within that time we find no other chain grown beside ours;
- otherwise only after ``REOPEN_AFTER_MS`` with no lobby that proves itself.
  A room still held greets the returning sequencer once its successor has taken
  over, after the grace period; the wait is longer than that. (A restarted relay
  hands out small numbers again, so it may show a number the roster names.)
- if it comes back after the grace period, a successor may have taken over
  before the relay lost the room, and will open its own room again at once:
  then it waits twice as long, so that the successor's lobby reaches it first
  and it comes back into that room as a member. Unless the successor says
  otherwise: a member back on the relay and waiting for a lobby vouches,
  under its old key, for the Commit it last held. A vouch from the successor
  our last Commit names, for that Commit, shows that it never took the room
  over (only it could have), so the wait is the same as for a sequencer back
  in time. Without this, a relay down for longer than the grace period left
  everyone connected and waiting on each other for half a minute.

The decision is taken on a clock tick, never on arrival, and a reopened room
greets every connection as it arrives: whoever opens the room first greets
anyone else who might have, and they come back into it instead.

Opening again admits no one: the roster holds the sequencer alone, and anyone
else comes in by the usual rules. A relay that lies about who is connected
can get a room opened twice, like a relay that tells each half of a room that
the other half left; members see it (different room codes, a greeting they did
not expect) and it adds no one. See docs/security.md, "The relay restarts".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from nacl.signing import SigningKey

from protocol.bodies.codec import NO_SLOT
from protocol.bodies.commit import Change, ChangeKind, CommitBody, Member, Ticket
from protocol.crypto import random_bytes
from protocol.membership.evidence import MAX_TICKETS, tickets_hash
from protocol.membership.roster import Roster

# Longer than the grace period (10 s) after which a successor takes over and
# greets a returning sequencer, with time for that Commit to go round.
REOPEN_AFTER_MS: Final = 15_000
# How long a returning member waits for a lobby before being told why nothing happens.
WAITING_NOTICE_MS: Final = 5_000


@dataclass(frozen=True, slots=True)
class Reopening:
    """What a sequencer carries across a dropped connection, to open the room again."""

    identity: SigningKey  # the key the lineage ends at: it signs the reopened room
    room: Roster  # the room as we last sequenced it
    lineage: tuple[bytes, ...]
    agreements: str
    # Who may come back into the reopened room (identity, nickname): everyone on
    # its roster, and those whose seat went when their connection dropped.
    returning: tuple[Ticket, ...]
    last_seq: int  # the relay's last number for the room before the drop
    dropped_at: int  # our clock when the connection dropped
    # (successor identity, Commit hash): a vouch that matches one shows that the
    # successor our last Commit names still holds it, so it never took over.
    unsucceeded: frozenset[tuple[bytes, bytes]] = frozenset()

    def held_elsewhere(self, present: set[int], me: int) -> bool:
        """Whether a connection the roster names, other than ours, is on the relay."""
        mine = bytes(self.identity.verify_key)
        named = {m.peer for m in self.room.members if m.identity != mine}
        return bool(named & (present - {me}))

    def back_late(self, now: int, grace_ms: int) -> bool:
        """Whether we are back after the grace period, when a successor may have taken over."""
        return now - self.dropped_at >= grace_ms

    def successor_stays(self, identity: bytes, commit: bytes) -> bool:
        """Whether a vouch by ``identity`` for ``commit`` is our successor's word that it
        holds our Commit still, so it never took the room over."""
        return (identity, commit) in self.unsucceeded

    def wait(self, *, late: bool, room_gone: bool, successor_stayed: bool) -> int:
        """How long to wait for a lobby, from when we began to, before opening the room again."""
        if late and not successor_stayed and self.unsucceeded:
            return 2 * REOPEN_AFTER_MS  # a successor may have taken over: let it go first
        return 0 if room_gone else REOPEN_AFTER_MS

    def numbered_again(self, seq: int) -> bool:
        """Whether the relay stamped our arrival no higher than what we saw before."""
        return seq <= self.last_seq

    def commit(self, exchange: bytes, peer: int) -> CommitBody:
        """The Commit that opens the room again: the next epoch, with us alone on it."""
        old = self.room.by_identity(bytes(self.identity.verify_key))
        assert old is not None  # a sequencer is on its own roster
        me = Member(old.slot, old.nick, old.identity, exchange, peer)
        return CommitBody(
            epoch=self.room.epoch + 1,
            prev=self.room.commit_hash,
            roster=(me,),
            agreed=self.room.commit.agreed,
            sequencer=me.slot,
            successor=NO_SLOT,
            changes=(Change(ChangeKind.OPEN, me.slot, me.slot),),
            nonce=random_bytes(16),
            tickets=tickets_hash(self.returning),
        )


def unsucceeded(room: Roster, held: Roster) -> frozenset[tuple[bytes, bytes]]:
    """The vouches that show no one took ``room`` over: its successor's, for ``room`` or
    for ``held`` (``room`` may be our Commit in flight, which may not have reached it)."""
    successor = room.successor
    if successor is None:
        return frozenset()  # nobody can take it over
    return frozenset((successor.identity, r.commit_hash) for r in (room, held))


def who_may_return(
    me: bytes, room: Roster, tickets: tuple[Ticket, ...], left: set[bytes]
) -> tuple[Ticket, ...]:
    """Members of ``room`` and those whose seat went when their connection dropped.

    Not ``me``, and not anyone who said goodbye (``left``): they knock like strangers.
    """
    back = {**{t.identity: t.nick for t in tickets}, **{m.identity: m.nick for m in room.members}}
    tickets = tuple(Ticket(i, n) for i, n in back.items() if i != me and i not in left)
    return tickets[-MAX_TICKETS:]
