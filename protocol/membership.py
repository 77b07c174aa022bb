"""Entering, admitting and leaving: the lobby, knocks, Commits and their sequencing.

The flow, as every member's endpoint sees it in relay order:

    newcomer connects        relay `join`      sequencer answers with a Lobby
    newcomer agrees          Knock             every member sees Knocked
    any member admits        Admit (sealed)    the sequencer commits it
    Commit e+1               under k_join      all apply it; new chains for all
    a member says bye        Bye (sealed)      the sequencer commits the departure
    a connection drops       relay `leave`     after the grace period, likewise

The sequencer is the host, then its named successor. It is a clerk, not a
ruler: it commits what members asked for and what the relay showed, and a
Commit it signs is checked by everyone against ``roster.check_next``.
"""

from __future__ import annotations

from typing import Final

from nacl.signing import SigningKey

from protocol.bodies import (
    Ack,
    Admit,
    BodyError,
    Bye,
    CommitBody,
    Content,
    Member,
    React,
    Say,
)
from protocol.crypto import ExchangeKey, verify
from protocol.door import MAX_PRESENT, RETURNING, Door
from protocol.events import (
    Admitted,
    Closed,
    Departed,
    Entered,
    KnockWithdrawn,
    Notice,
    Reacted,
    RosterChanged,
    Said,
    Seat,
    SeatsChanged,
)
from protocol.frames import (
    MAX_SLOTS,
    FrameError,
    GroupFrame,
    KeysFrame,
    Kind,
    RoomFrame,
    parse,
)
from protocol.invite import Invite
from protocol.room_state import AgreementsSet, Reaction, apply
from protocol.roster import (
    CommitRefused,
    Roster,
    admitting,
    check_next,
    commit_hash,
    genesis,
    removing,
)

RESEND_AFTER_MS: Final = 5_000
MAX_DROPPED: Final = 24


class Membership(Door):
    def __init__(
        self, invite: Invite, nick: str, identity: SigningKey, exchange: ExchangeKey, grace_ms: int
    ) -> None:
        super().__init__(invite, nick, identity, exchange, grace_ms)
        # Our signed Commit not yet back from the relay: (epoch, sent at, frame).
        self.in_flight: tuple[int, int, bytes] | None = None
        self.removed = False

    # --- who we are -------------------------------------------------------------------

    @property
    def epoch(self) -> int:
        return self.roster.epoch if self.roster else 0

    @property
    def room_code(self) -> str:
        return self.roster.room_code(self.room) if self.roster else ""

    def me(self) -> Member:
        assert self.my_peer is not None
        return Member(
            0, self.nick, bytes(self.identity.verify_key), self.exchange.public, self.my_peer
        )

    # --- room-wide frames -------------------------------------------------------------

    def open_room(self, agreed: bytes) -> None:
        body = genesis(self.me(), agreed)
        body_bytes = body.encode()
        # Signed though never sent: lobbies carry it until the next Commit.
        self.last_commit_frame = self.roomwide_frame(Kind.COMMIT, body_bytes)
        self.apply_commit(0, body, commit_hash(body_bytes))

    # --- relay events -----------------------------------------------------------------

    def on_join(self, seq: int, peer: int) -> None:
        if len(self.present) > MAX_PRESENT:
            self.present.discard(peer)  # more connections than a relay holds: invented
            return
        if self.roster is None or peer == self.my_peer:
            return
        if self.roster.by_peer(peer) is not None:
            self.announce_seats()
        else:
            self.greet_newcomers()

    def on_leave(self, seq: int, peer: int) -> None:
        self.greeted.discard(peer)
        knock = self.knocks.pop(peer, None)
        self.admits.pop(peer, None)
        if knock is not None:
            self.events.append(KnockWithdrawn(peer, knock.nick))
        member = self.roster.by_peer(peer) if self.roster else None
        if member is not None and member.slot != self.my_slot:
            self.leaving.setdefault(member.identity, (self.now_ms, "disconnected"))
            self.announce_seats()

    def on_message(self, seq: int, ts: int, sender: int, d: bytes) -> None:
        try:
            frame = parse(d, self.room)
        except FrameError:
            return
        match frame:
            case GroupFrame():
                self.on_group(seq, ts, sender, d, frame)
            case KeysFrame():
                self.on_keys(frame)
            case RoomFrame(kind=Kind.COMMIT):
                self.on_commit_frame(seq, frame)
            case RoomFrame(kind=Kind.KNOCK):
                self.on_knock_frame(sender, frame)
            case RoomFrame(kind=Kind.LOBBY):
                self.on_lobby_frame(frame)

    def on_commit_frame(self, seq: int, frame: RoomFrame) -> None:
        """Members and newcomers alike take a Commit only if it extends the room they hold.

        A newcomer holds the room its lobby showed (``watching``) and follows it
        Commit by Commit until one names it; before any lobby there is nothing
        to extend, so a few Commits wait for it.
        """
        base = self.roster or self.watching
        if base is None:
            if self.roster is None and not self.removed:
                self.early.append((seq, frame))
            return
        candidates = [m for m in (base.sequencer, base.successor) if m is not None]
        # The signature is checked before the seal is opened.
        signer = next((m for m in candidates if verify(m.identity, frame.signed, frame.sig)), None)
        body_bytes = self.open_roomwide(frame) if signer is not None else None
        if signer is None or body_bytes is None:
            return
        try:
            body = CommitBody.decode(body_bytes)
            check_next(base, body, signer)
            if self.roster is None:
                self.check_welcome(body)
            self._check_takeover(base, signer)
        except (BodyError, CommitRefused):
            return
        chash = commit_hash(body_bytes)
        named = self.last_commit_frame
        if base.sequencer is not None and signer.identity != base.sequencer.identity and named:
            # A handover: the Commit that named the successor, and the one with
            # which it took over, join the lineage newcomers follow.
            self.lineage = (*self.lineage, named, frame.signed + frame.sig)
        self.last_commit_frame = frame.signed + frame.sig
        if self.roster is None and not self.names_me(body):
            self.watching = Roster(body, chash)  # someone else came or went; follow on
            self.followed.append(chash)
            sequencer = self.watching.sequencer
            assert sequencer is not None
            self.trusted_sequencer = sequencer.identity
            return
        self.apply_commit(seq, body, chash)

    def _check_takeover(self, base: Roster, signer: Member) -> None:
        """A successor takes over only from a sequencer we saw go: a Bye, or a leave.

        The relay announces a leave to everyone in one order, so a member who
        still sees the sequencer connected, with no goodbye from it, knows the
        relay told the successor alone: it refuses rather than let a lie remove
        someone still here. So does the sequencer itself.
        """
        sequencer = base.sequencer
        if sequencer is None or signer.identity == sequencer.identity:
            return
        said_bye = self.leaving.get(sequencer.identity, (0, ""))[1] == "left"
        if said_bye or sequencer.peer not in self.present:
            return
        who = "you are" if sequencer.slot == self.my_slot else f"{sequencer.nick} is"
        self.tamper(
            f"{signer.nick} tried to take over the room while {who} still connected. "
            f"The relay may have told {signer.nick} otherwise."
        )
        raise CommitRefused("the sequencer is still connected")

    def _still_here(self, member: Member) -> None:
        """A member whose leave the relay announced, yet who speaks, did not leave."""
        entry = self.leaving.get(member.identity)
        if entry is None or entry[1] != "disconnected" or member.peer in self.present:
            return
        del self.leaving[member.identity]
        self.tamper(
            f"The relay said {member.nick}'s connection dropped, but {member.nick} is still "
            "speaking. The relay may be trying to get them removed."
        )

    # --- applying a Commit ------------------------------------------------------------

    def apply_commit(self, seq: int, body: CommitBody, chash: bytes) -> None:
        old = self.roster
        new = Roster(body, chash)
        me = new.by_identity(bytes(self.identity.verify_key))
        self.roster = new
        self.in_flight = None
        if me is None:
            self.removed = True
            self.my_slot = None
            self.sending = None
            self.events.append(
                Closed(
                    "You are no longer on this room's roster. "
                    "Use the invite again if you want to come back."
                )
            )
            return
        self.my_slot = me.slot
        self.turn_epoch(old, new)
        self.state = apply(self.state, seq, AgreementsSet(body.agreed))
        for change in body.changes:
            before = old.seat(change.slot) if old else None
            if change.what == "admit":
                newcomer = new.seat(change.slot)
                by = new.seat(change.by)
                if newcomer is not None:
                    self._used_ticket(newcomer)
                # The newcomer sees it too: everyone, them included, knows who let them in.
                if newcomer is not None:
                    back = change.by == change.slot
                    name = by.nick if by else "someone"
                    self.events.append(Admitted(newcomer.nick, name, returning=back))
            elif change.what in ("left", "disconnected") and before is not None:
                self.events.append(Departed(before.nick, change.what))
                if change.what == "disconnected":
                    self.dropped[before.identity] = before.nick
                    while len(self.dropped) > MAX_DROPPED:
                        del self.dropped[next(iter(self.dropped))]
        code = new.room_code(self.room)
        self.events.append(RosterChanged(new.epoch, self.seats, code))
        if old is None:
            self.events.append(Entered(me.slot, new.epoch, code))
        on_roster = {m.identity for m in new.members}
        self.knocks = {p: k for p, k in self.knocks.items() if k.identity not in on_roster}
        self.admits = {p: by for p, by in self.admits.items() if p in self.knocks}
        self.leaving = {i: v for i, v in self.leaving.items() if i in on_roster}
        self.returned &= on_roster
        self.start_chain()
        self.greet_newcomers()  # after a handover, those waiting in the lobby need us

    # --- sequencing -------------------------------------------------------------------

    def want_admit(self, peer: int, by: int | None) -> None:
        if by is not None and peer in self.knocks:
            self.admits.setdefault(peer, by)

    def sequence(self) -> None:
        """If we sequence the room and something waits to be committed, commit it.

        We sign one Commit per epoch, ever. One that has not come back is sent
        again byte for byte, never rebuilt: a relay that withheld it from us
        could otherwise get two different Commits for one epoch out of us and
        split the room in two, each half on its own chain.
        """
        roster = self.roster
        if roster is None or self.my_slot is None or self.removed:
            return
        self.greet_newcomers()  # a lobby held back by the ration goes out when due
        waiting = self.in_flight
        if waiting is not None and waiting[0] == roster.epoch + 1:
            epoch, sent_at, frame = waiting
            if self.now_ms - sent_at >= RESEND_AFTER_MS:
                self.in_flight = (epoch, self.now_ms, frame)
                self.publish(frame)
            return
        body = self._next_commit(roster)
        if body is not None:
            frame = self.roomwide_frame(Kind.COMMIT, body.encode())
            self.in_flight = (body.epoch, self.now_ms, frame)
            self.publish(frame)

    def _next_commit(self, roster: Roster) -> CommitBody | None:
        assert self.my_slot is not None
        due = [
            (m, reason)
            for m in roster.members
            if (entry := self.leaving.get(m.identity)) is not None
            and (reason := entry[1]) is not None
            and (reason == "left" or self.now_ms - entry[0] >= self.grace_ms)
        ]
        if self.is_sequencer:
            for member, reason in due:
                return removing(roster, member.slot, reason, self.my_slot)
            for peer, by in list(self.admits.items()):
                knock = self.knocks[peer]
                who = None if by == RETURNING else by
                try:
                    body = admitting(roster, knock.nick, knock.identity, knock.exchange, peer, who)
                    # Our own Commit passes the rules everyone will hold it to, or
                    # we would sign, again and again, what every member refuses.
                    self._check_own(roster, body)
                    return body
                except CommitRefused:
                    del self.admits[peer]
                    full = len(roster.members) >= MAX_SLOTS
                    why = (
                        "the room already has 12 people"
                        if full
                        else "their knock names keys or a connection already in the room"
                    )
                    self.events.append(Notice(f"{knock.nick} cannot come in: {why}."))
            return None
        sequencer = roster.sequencer
        if roster.commit.successor == self.my_slot and sequencer is not None:
            for member, reason in due:
                if member.slot == sequencer.slot:
                    return removing(roster, member.slot, reason, self.my_slot)
        return None

    def _used_ticket(self, newcomer: Member) -> None:
        """An old key that brought someone back has done its work: it vouches no more."""
        knock = next((k for k in self.knocks.values() if k.identity == newcomer.identity), None)
        if knock is not None and knock.was:
            self.dropped.pop(knock.was, None)
            self.returned.add(knock.was)  # in case its old seat is not gone yet

    def _check_own(self, roster: Roster, body: CommitBody) -> None:
        me = roster.seat(self.my_slot) if self.my_slot is not None else None
        if me is None:
            raise CommitRefused("we are not on the roster")
        check_next(roster, body, me)

    # --- content ----------------------------------------------------------------------

    def on_content(self, seq: int, ts: int, member: Member, content: Content, mine: bool) -> None:
        self._still_here(member)
        match content:
            case Say(said):
                self.events.append(Said(seq, ts, member.slot, member.nick, said, mine))
            case React(emoji):
                self.state = apply(self.state, seq, Reaction(member.slot, emoji))
                self.events.append(Reacted(member.slot, member.nick, emoji))
            case Admit(peer, identity):
                knock = self.knocks.get(peer)
                if self.is_sequencer and knock is not None and knock.identity == identity:
                    self.want_admit(peer, member.slot)
            case Bye():
                self.leaving[member.identity] = (self.now_ms, "left")
            case Ack():
                if not mine:
                    self.on_ack(member, content)

    def announce_seats(self) -> None:
        self.events.append(SeatsChanged(self.seats))

    @property
    def seats(self) -> tuple[Seat, ...]:
        roster = self.roster
        if roster is None:
            return ()
        return tuple(
            Seat(
                slot=m.slot,
                nick=m.nick,
                connected=m.peer in self.present,
                verified=m.identity in self.verified,
                is_host=m.slot == roster.commit.sequencer,
                is_me=m.slot == self.my_slot,
            )
            for m in sorted(roster.members, key=lambda m: m.slot)  # the roster is in join order
        )
