"""The Commit chain as one member holds it: the roster of each epoch, and how it got here.

Members and newcomers alike take a Commit only if it extends the room they
hold (``roster.check_next``): a member the roster it applied last, a newcomer
the room its lobby showed (``watching``), followed Commit by Commit until one
names it. Before any lobby there is nothing to extend, so a few Commits wait
(``early``) and are followed once the lobby anchors the newcomer.

Two more checks guard a Commit before it is applied:

- the Commit that names a newcomer must name it exactly as it knocked: its
  keys, nickname and connection, and the agreements it accepted;
- a successor takes over only from a sequencer we saw go, by a goodbye or a
  relay ``leave``. The relay announces a leave to everyone in one order, so a
  member who still sees the sequencer connected, with no goodbye from it,
  knows the relay told the successor alone: it refuses rather than let a lie
  remove someone still here (``TakeoverRefused``). So does the sequencer.

A handover (a Commit signed by the successor) adds the Commit that named it
and the Commit with which it took over to the ``lineage``, which lobbies carry
so that newcomers can follow the room from the invite's key.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from protocol.bodies import BodyError
from protocol.bodies.commit import ChangeKind, CommitBody, Member, Ticket
from protocol.bodies.door import KnockBody, Lobby
from protocol.bodies.vote import motion_id
from protocol.crypto import verify
from protocol.frames import RoomFrame
from protocol.membership.evidence import (
    EvidenceRefused,
    amended_key,
    removal_motion,
    tickets_after,
)
from protocol.membership.roomwide import open_roomwide
from protocol.membership.roster import CommitRefused, Roster, check_next, commit_hash

EARLY_COMMITS: Final = 8  # Commits seen before the lobby, kept to follow once it anchors us
FOLLOWED: Final = 64
KEPT_COMMITS: Final = 16  # Commit hashes of recent epochs: for acks, and what knocks answer


@dataclass(frozen=True, slots=True)
class CommitContext:
    """What a Commit is checked against, from the endpoint's other parts."""

    room: bytes
    join_key: bytes
    me: bytes  # our identity key
    peer: int | None  # our connection
    knock: KnockBody | None  # the knock we sent, before we are in
    present: frozenset[int]  # connections the relay shows
    # The exchange key each member announced for the next epoch, by identity
    # (``keys.pairs``); a member checks a Commit's new keys against them.
    exchanges: Mapping[bytes, bytes] = field(default_factory=dict)
    # The motions to remove someone that we saw, by id: whether our own count
    # says each passed by the time of the Commit at hand (``room.votes``).
    verdicts: Mapping[bytes, bool] = field(default_factory=dict)
    former: frozenset[bytes] = frozenset()  # identities that left the roster lately
    # Our own amendment everyone consented to, unobjected: its id and the agreements
    # hash it leads to, as we compute it from the text we hold (``room.amend``).
    amendment: tuple[bytes, bytes] | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    """A Commit applied: the roster before and after, and our seat on it (None: removed)."""

    seq: int  # the relay's place and time of the Commit (0 for one we open ourselves)
    ts: int
    old: Roster | None
    new: Roster
    me: Member | None


@dataclass(frozen=True, slots=True)
class TakeoverRefused:
    """``successor`` signed the sequencer's removal while we still see it connected."""

    successor: str
    sequencer: str
    sequencer_is_me: bool


@dataclass(frozen=True, slots=True)
class DropRefused:
    """``signer`` committed ``gone``'s dropped connection while we still see it connected."""

    signer: str
    gone: str


@dataclass(frozen=True, slots=True)
class RemovalRefused:
    """``signer`` removed ``gone`` without the votes that allow it: ``why``."""

    signer: str
    gone: str
    why: str


@dataclass(frozen=True, slots=True)
class AmendmentRefused:
    """``signer`` changed the agreements without the amendment we saw everyone consent to."""

    signer: str


@dataclass(frozen=True, slots=True)
class Unreadable:
    """The sequencer signed the Commit for ``epoch``, the next, in a form this version
    cannot read: most likely a Porch older or newer than ours. We hold back at once (it
    may remove someone) and say why once another member is seen speaking in that epoch
    (``Ahead``); until then it may be a lone one, and we only wait."""

    signer: str
    epoch: int
    identity: bytes  # the signer's: its own frames in that epoch show nobody followed it


@dataclass(slots=True)
class Chain:
    host_key: bytes  # the invite's key: the first sequencer
    roster: Roster | None = None
    my_slot: int | None = None
    # Handover Commit pairs since the invite's host, for newcomers.
    lineage: tuple[bytes, ...] = ()
    last_frame: bytes | None = None  # the current Commit's frame, signed
    tickets: tuple[Ticket, ...] = ()  # the room's return tickets (``membership.evidence``)
    commits: dict[int, bytes] = field(default_factory=dict)  # recent Commit hashes by epoch
    removed: bool = False
    evicted: bool = False  # removed as disconnected while connected: we come back
    # Our sequencer greeted from a later epoch than ours: the room went on
    # without us (it was opened again after the relay lost it), so we come back.
    left_behind: bool = False
    # The next epoch's Commit, signed in a form we cannot read, until one we read moves us
    # on; and whether another member was seen in its epoch, so the room followed it.
    unreadable: Unreadable | None = None
    unreadable_followed: bool = False
    # Before we are in: the room as followed from the lobby we believed.
    watching: Roster | None = None
    early: deque[tuple[int, int, RoomFrame]] = field(
        default_factory=lambda: deque(maxlen=EARLY_COMMITS)
    )
    followed: deque[bytes] = field(default_factory=lambda: deque(maxlen=FOLLOWED))

    @property
    def trusted_sequencer(self) -> bytes:
        """The key we take as the room's sequencer: from the roster, the lobby, or the invite."""
        base = self.roster or self.watching
        sequencer = base.sequencer if base is not None else None
        return sequencer.identity if sequencer is not None else self.host_key

    @property
    def is_sequencer(self) -> bool:
        return self.roster is not None and self.my_slot == self.roster.commit.sequencer

    # --- the start of a chain ---------------------------------------------------------

    def begin(
        self,
        body: CommitBody,
        body_bytes: bytes,
        frame: bytes,
        me: bytes,
        lineage: tuple[bytes, ...] = (),
        tickets: tuple[Ticket, ...] = (),
    ) -> Transition:
        """A room we open (or open again, at the end of ``lineage``, with the ``tickets``
        of those who may come back): its first Commit, signed though never sent.
        Lobbies carry it until the next Commit.
        """
        self.lineage = lineage
        self.tickets = tickets
        self.last_frame = frame
        return self.apply(0, 0, body, commit_hash(body_bytes), me)

    def anchor(
        self,
        shown: Roster,
        lineage: tuple[bytes, ...],
        commit_frame: bytes,
        tickets: tuple[Ticket, ...],
    ) -> None:
        """A newcomer believes the room a proven lobby showed, and follows it."""
        self.watching = shown
        self.tickets = tickets
        self.followed.clear()
        self.followed.append(shown.commit_hash)
        self.lineage = lineage
        self.last_frame = commit_frame

    def lobby(self, agreements: str | None, my_nick: str) -> Lobby | None:
        """What the sequencer greets newcomers with: the room from its current Commit."""
        roster, frame = self.roster, self.last_frame
        if agreements is None or roster is None or frame is None:
            return None
        host = roster.sequencer
        nick = host.nick if host else my_nick
        return Lobby(agreements, nick, roster.epoch, self.lineage, frame, self.tickets)

    def take_early(self) -> list[tuple[int, int, RoomFrame]]:
        early, self.early = list(self.early), deque(maxlen=EARLY_COMMITS)
        return early

    def fell_behind(self) -> bool:
        """Mark that the room went on without us; False if we knew already."""
        if self.left_behind:
            return False
        self.left_behind = True
        return True

    # --- a Commit frame ---------------------------------------------------------------

    def take(
        self, seq: int, ts: int, frame: RoomFrame, ctx: CommitContext
    ) -> (
        Transition
        | TakeoverRefused
        | DropRefused
        | RemovalRefused
        | AmendmentRefused
        | Unreadable
        | None
    ):
        """A Commit frame at ``seq``: applied, refused with evidence, unreadable, or dropped
        (None)."""
        base = self.roster or self.watching
        if base is None:
            if self.roster is None and not self.removed:
                self.early.append((seq, ts, frame))
            return None
        candidates = [m for m in (base.sequencer, base.successor) if m is not None]
        # The signature is checked before the seal is opened.
        signer = next((m for m in candidates if verify(m.identity, frame.signed, frame.sig)), None)
        body_bytes = open_roomwide(frame, ctx.join_key) if signer is not None else None
        if signer is None or body_bytes is None:
            return None
        try:
            body = CommitBody.decode(body_bytes)
        except BodyError:
            # Only the sequencer makes a Commit while it is here; what the successor signs
            # counts only as a takeover, judged by rules that need the body. And one such
            # Commit per epoch is enough: a replay is dropped.
            epoch = CommitBody.claimed_epoch(body_bytes)
            if signer is not base.sequencer or signer.identity == ctx.me:
                return None  # and our own would be a Commit we never signed
            if epoch != base.epoch + 1 or self.unreadable:
                return None
            self.unreadable = Unreadable(signer.nick, epoch, signer.identity)
            return self.unreadable
        try:
            exchanges = ctx.exchanges if self.roster is not None else None
            former = ctx.former if self.roster is not None else None
            check_next(base, body, signer, ctx.room, self.tickets, exchanges, former)
            if self.roster is None:
                self._check_welcome(body, ctx)
        except CommitRefused as exc:
            if not isinstance(exc.__cause__, EvidenceRefused):
                return None  # a replay, a fork: nothing anyone signed for this epoch
            return _removal_refused(base, body, signer, str(exc))
        refused: TakeoverRefused | DropRefused | RemovalRefused | AmendmentRefused | None
        refused = self._unseen_drop(base, body, signer, ctx)
        if refused is None and self.roster is not None:  # a member: it saw the vote
            refused = self._uncounted(base, body, signer, ctx)
        if refused is None and self.roster is not None:
            refused = _unconsented(body, signer, ctx)
        if refused is not None:
            return refused
        chash = commit_hash(body_bytes)
        named = self.last_frame
        if base.sequencer is not None and signer.identity != base.sequencer.identity and named:
            # A handover: the Commit that named the successor, and the one with
            # which it took over, join the lineage newcomers follow.
            self.lineage = (*self.lineage, named, frame.signed + frame.sig)
        self.last_frame = frame.signed + frame.sig
        self.tickets = tickets_after(self.tickets, base.members, body)
        if self.roster is None and not _names(body, ctx.me):
            self.watching = Roster(body, chash)  # someone else came or went; follow on
            self.followed.append(chash)
            return None
        return self.apply(seq, ts, body, chash, ctx.me)

    def _unseen_drop(
        self, base: Roster, body: CommitBody, signer: Member, ctx: CommitContext
    ) -> TakeoverRefused | DropRefused | None:
        """A drop nobody vouched for must be one we saw: a connection we still see is
        not gone, and the relay told the signer alone otherwise.

        The one exception is our own seat: a member removed while connected comes
        back with its return ticket (the room is told what the relay claimed). The
        sequencer does not; it refuses its removal, as everyone who sees it does.
        """
        sequencer = base.sequencer
        for change in body.changes:
            gone = base.seat(change.slot)
            if change.what is not ChangeKind.DISCONNECTED or change.evidence or gone is None:
                continue
            if gone.peer not in ctx.present:
                continue
            if sequencer is not None and gone.slot == sequencer.slot:
                return TakeoverRefused(signer.nick, gone.nick, gone.identity == ctx.me)
            if gone.identity != ctx.me:
                return DropRefused(signer.nick, gone.nick)
        return None

    @staticmethod
    def _uncounted(
        base: Roster, body: CommitBody, signer: Member, ctx: CommitContext
    ) -> RemovalRefused | None:
        """A removal must be by a motion we saw pass, by our own count, at the Commit's
        place in the relay's order: a vote still open, failed, or never shown to us
        removes no one, however many signed votes the Commit carries."""
        for change in body.changes:
            gone = base.seat(change.slot)
            if change.what is not ChangeKind.REMOVED or gone is None:
                continue
            raw = removal_motion(change.evidence)
            key = motion_id(ctx.room, raw) if raw is not None else None
            # Everyone seated saw the motion (the door waits while one is open), so a
            # removal by a vote we did not see pass removes no one.
            if key is None or ctx.verdicts.get(key) is not True:
                return RemovalRefused(signer.nick, gone.nick, "the vote had not passed")
        return None

    @staticmethod
    def _check_welcome(body: CommitBody, ctx: CommitContext) -> None:
        """A Commit that names a newcomer must name it with the keys it knocked with."""
        if not _names(body, ctx.me):
            return
        knock = ctx.knock
        mine = next((m for m in body.roster if m.identity == ctx.me), None)
        if knock is None or mine is None:
            raise CommitRefused("it names us before we knocked")
        if mine.exchange != knock.exchange or mine.nick != knock.nick or mine.peer != ctx.peer:
            raise CommitRefused("it does not name us as we knocked")
        if body.agreed != knock.agreed:
            raise CommitRefused("other agreements than the ones we accepted")

    def apply(self, seq: int, ts: int, body: CommitBody, chash: bytes, me: bytes) -> Transition:
        self.unreadable, self.unreadable_followed = None, False  # a Commit we read moves us on
        old = self.roster
        new = Roster(body, chash)
        mine = new.by_identity(me)
        self.roster = new
        if mine is None:
            self.removed = True
            self.evicted = any(
                c.what is ChangeKind.DISCONNECTED and c.slot == self.my_slot for c in body.changes
            )
            self.my_slot = None
            return Transition(seq, ts, old, new, None)
        self.my_slot = mine.slot
        self.commits[new.epoch] = chash
        while len(self.commits) > KEPT_COMMITS:
            del self.commits[min(self.commits)]
        return Transition(seq, ts, old, new, mine)


def _unconsented(body: CommitBody, signer: Member, ctx: CommitContext) -> AmendmentRefused | None:
    """An amendment must be the one we saw everyone consent to, leading to the very text
    we would hold: signatures alone do not do (they may be from a blocked amendment)."""
    for change in body.changes:
        if change.what is not ChangeKind.AMENDED:
            continue
        ours = ctx.amendment
        if ours is None or amended_key(change.evidence) != ours[0] or body.agreed != ours[1]:
            return AmendmentRefused(signer.nick)
    return None


def _removal_refused(
    base: Roster, body: CommitBody, signer: Member, why: str
) -> RemovalRefused | None:
    """A removal Commit the rules refuse is named (a sequencer cannot remove anyone
    alone); any other refused Commit is dropped as before."""
    for change in body.changes:
        gone = base.seat(change.slot)
        if change.what is ChangeKind.REMOVED and gone is not None:
            return RemovalRefused(signer.nick, gone.nick, why)
    return None


def _names(body: CommitBody, me: bytes) -> bool:
    return any(m.identity == me for m in body.roster)
