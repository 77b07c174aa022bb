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
    KnockBody,
    Lobby,
    Member,
    React,
    Say,
)
from protocol.crypto import CryptoFailure, ExchangeKey, seal, sign, unseal, verify
from protocol.events import (
    Admitted,
    Closed,
    Departed,
    Entered,
    Knocked,
    KnockWithdrawn,
    Notice,
    Reacted,
    RosterChanged,
    Said,
    Seat,
    SeatsChanged,
)
from protocol.frames import (
    FrameError,
    GroupFrame,
    KeysFrame,
    Kind,
    RoomFrame,
    parse,
    roomwide_header,
)
from protocol.invite import Invite
from protocol.room_state import AgreementsSet, Reaction, apply
from protocol.roster import (
    CommitRefused,
    Roster,
    admitting,
    check_first,
    check_next,
    commit_hash,
    genesis,
    removing,
)
from protocol.talk import Talk

RESEND_AFTER_MS: Final = 5_000
RETURNING: Final = -1  # in ``admits``: a member back after a drop, admitted by the sequencer


def return_statement(room: bytes, knock: KnockBody) -> bytes:
    """What a returning member's old identity signs: these new keys are mine."""
    return b"porch-return" + room + knock.identity + knock.exchange


class Membership(Talk):
    def __init__(
        self, invite: Invite, nick: str, identity: SigningKey, exchange: ExchangeKey, grace_ms: int
    ) -> None:
        super().__init__(invite, nick, identity, exchange, grace_ms)
        self.knocks: dict[int, KnockBody] = {}
        self.set_aside: set[int] = set()  # knocks this person said "not now" to
        self.greeted: set[int] = set()  # connections we sent a lobby to, as sequencer
        self.admits: dict[int, int] = {}  # knock peer -> slot of the member who admitted
        self.leaving: dict[bytes, tuple[int, str]] = {}  # identity -> (since ms, reason)
        self.in_flight: tuple[int, int] | None = None  # (epoch, sent at) of our unapplied Commit
        self.removed = False
        self.knock_sent: KnockBody | None = None
        self.trusted_sequencer = invite.host_key
        # Handover Commits since the invite's host, for newcomers (see ``follow_lineage``).
        self.lineage: tuple[bytes, ...] = ()
        self.last_commit_frame: bytes | None = None

    # --- hooks the Endpoint fills in --------------------------------------------------

    def lobby_body(self) -> Lobby | None:
        raise NotImplementedError

    def on_lobby(self, lobby: Lobby) -> None:
        raise NotImplementedError

    # --- who we are -------------------------------------------------------------------

    @property
    def is_sequencer(self) -> bool:
        return self.roster is not None and self.my_slot == self.roster.commit.sequencer

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

    def send_roomwide(self, kind: Kind, body: bytes) -> None:
        header = roomwide_header(kind, self.room)
        signed = header + seal(self.join_key, body, header)
        self.publish(signed + sign(self.identity, signed))

    def open_room(self, agreed: bytes) -> None:
        body = genesis(self.me(), agreed)
        self.apply_commit(0, body, commit_hash(body.encode()))

    def send_knock(self, knock: KnockBody) -> None:
        self.knock_sent = knock
        self.send_roomwide(Kind.KNOCK, knock.encode())

    # --- relay events -----------------------------------------------------------------

    def on_join(self, seq: int, peer: int) -> None:
        if self.roster is None or peer == self.my_peer:
            return
        if self.roster.by_peer(peer) is not None:
            self.announce_seats()
        else:
            self.greet_newcomers()

    def greet_newcomers(self) -> None:
        """As sequencer, answer connections not yet greeted with one lobby for all of them."""
        roster = self.roster
        if roster is None or not self.is_sequencer:
            return
        waiting = {
            p
            for p in self.present
            if p != self.my_peer and roster.by_peer(p) is None and p not in self.knocks
        }
        if not waiting - self.greeted:
            return
        lobby = self.lobby_body()
        if lobby is not None:
            self.greeted |= waiting
            self.send_roomwide(Kind.LOBBY, lobby.encode())

    def on_leave(self, seq: int, peer: int) -> None:
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
                self._on_commit(seq, frame)
            case RoomFrame(kind=Kind.KNOCK):
                self._on_knock(sender, frame)
            case RoomFrame(kind=Kind.LOBBY):
                self._on_lobby(frame)

    def _open(self, frame: RoomFrame) -> bytes | None:
        try:
            return unseal(self.join_key, frame.sealed, frame.header)
        except CryptoFailure:
            return None

    def _on_lobby(self, frame: RoomFrame) -> None:
        if self.roster is not None or self.knock_sent is not None:
            return
        # The lobby's signer is known only once its lineage is read, so here the
        # join key's seal is checked first, then the lineage, then the signature.
        body = self._open(frame)
        try:
            lobby = Lobby.decode(body) if body is not None else None
        except BodyError:
            return
        if lobby is None:
            return
        sequencer = self.follow_lineage(lobby.lineage)
        if sequencer is None or not verify(sequencer, frame.signed, frame.sig):
            return
        self.trusted_sequencer = sequencer
        self.lineage = lobby.lineage
        self.on_lobby(lobby)

    def follow_lineage(self, lineage: tuple[bytes, ...]) -> bytes | None:
        """The sequencer key today, following handovers from the invite's key; None if broken."""
        key = self.invite_info.host_key
        for d in lineage:
            try:
                frame = parse(d, self.room)
            except FrameError:
                return None
            if not isinstance(frame, RoomFrame) or frame.kind is not Kind.COMMIT:
                return None
            if not verify(key, frame.signed, frame.sig):
                return None
            body_bytes = self._open(frame)
            try:
                body = CommitBody.decode(body_bytes) if body_bytes is not None else None
            except BodyError:
                return None
            successor = (
                next((m for m in body.roster if m.slot == body.successor), None) if body else None
            )
            if successor is None:
                return None
            key = successor.identity
        return key

    def _on_knock(self, sender: int, frame: RoomFrame) -> None:
        if self.roster is None or sender in self.knocks:
            return
        body = self._open(frame)
        try:
            knock = KnockBody.decode(body) if body is not None else None
        except BodyError:
            return
        if knock is None or not verify(knock.identity, frame.signed, frame.sig):
            return
        if knock.agreed != self.roster.commit.agreed or self.roster.by_identity(knock.identity):
            return  # they saw other agreements, or the relay replays an old knock
        if sender not in self.present or self.pair(knock.exchange) is None:
            return  # gone already, or an exchange key no channel can be built on
        self.knocks[sender] = knock
        old = self._returning(knock)
        if old is None:
            self.events.append(Knocked(sender, knock.nick))
            return
        # The same person, back on a new connection: their old seat goes now and
        # the new one comes in without asking anyone again.
        self.events.append(Notice(f"{old.nick} lost the connection and is coming back."))
        self.leaving[old.identity] = (self.now_ms - self.grace_ms, "disconnected")
        self.admits.setdefault(sender, RETURNING)

    def _returning(self, knock: KnockBody) -> Member | None:
        """The roster member this knock proves to be, or None for a stranger."""
        if not knock.was or self.roster is None:
            return None
        old = self.roster.by_identity(knock.was)
        vouched = verify(knock.was, return_statement(self.room, knock), knock.vouch)
        return old if vouched else None

    def _on_commit(self, seq: int, frame: RoomFrame) -> None:
        roster = self.roster
        if roster is not None:
            candidates = [m for m in (roster.sequencer, roster.successor) if m is not None]
            keys = [m.identity for m in candidates]
        elif self.knock_sent is not None:
            keys = [self.trusted_sequencer]
        else:
            return
        # The signature is checked before the seal is opened.
        signer = next((k for k in keys if verify(k, frame.signed, frame.sig)), None)
        body_bytes = self._open(frame) if signer is not None else None
        if signer is None or body_bytes is None:
            return
        try:
            body = CommitBody.decode(body_bytes)
            if roster is not None:
                signer_member = roster.by_identity(signer)
                assert signer_member is not None
                check_next(roster, body, signer_member)
            else:
                self._check_welcome(body, signer)
        except (BodyError, CommitRefused):
            return
        handover = roster is not None and roster.sequencer and signer != roster.sequencer.identity
        if handover and self.last_commit_frame is not None:
            # The Commit that named the new sequencer joins the lineage newcomers follow.
            self.lineage = (*self.lineage, self.last_commit_frame)
        self.apply_commit(seq, body, commit_hash(body_bytes))
        self.last_commit_frame = frame.signed + frame.sig

    def _check_welcome(self, body: CommitBody, signer: bytes) -> None:
        """A newcomer's first Commit: it must name us with the keys we knocked with."""
        check_first(body)
        sequencer = next((m for m in body.roster if m.slot == body.sequencer), None)
        if sequencer is None or sequencer.identity != signer:
            raise CommitRefused("not signed by its own sequencer")
        knock = self.knock_sent
        assert knock is not None
        mine = next((m for m in body.roster if m.identity == knock.identity), None)
        if mine is None or mine.exchange != knock.exchange or mine.nick != knock.nick:
            raise CommitRefused("it does not name us")
        if body.agreed != knock.agreed:
            raise CommitRefused("other agreements than the ones we accepted")

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
                if newcomer is not None and old is not None:
                    self.events.append(Admitted(newcomer.nick, by.nick if by else "someone"))
            elif change.what in ("left", "disconnected") and before is not None:
                self.events.append(Departed(before.nick, change.what))
        code = new.room_code(self.room)
        self.events.append(RosterChanged(new.epoch, self.seats, code))
        if old is None:
            self.events.append(Entered(me.slot, new.epoch, code))
        on_roster = {m.identity for m in new.members}
        self.knocks = {p: k for p, k in self.knocks.items() if k.identity not in on_roster}
        self.admits = {p: by for p, by in self.admits.items() if p in self.knocks}
        self.leaving = {i: v for i, v in self.leaving.items() if i in on_roster}
        self.start_chain()
        self.greet_newcomers()  # after a handover, those waiting in the lobby need us

    # --- sequencing -------------------------------------------------------------------

    def want_admit(self, peer: int, by: int | None) -> None:
        if by is not None and peer in self.knocks:
            self.admits.setdefault(peer, by)

    def sequence(self) -> None:
        """If we sequence the room and something waits to be committed, commit it."""
        roster = self.roster
        if roster is None or self.my_slot is None or self.removed:
            return
        waiting = self.in_flight
        if (
            waiting
            and waiting[0] == roster.epoch + 1
            and self.now_ms - waiting[1] < RESEND_AFTER_MS
        ):
            return
        body = self._next_commit(roster)
        if body is not None:
            self.in_flight = (body.epoch, self.now_ms)
            self.send_roomwide(Kind.COMMIT, body.encode())

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
                by = self.my_slot if by == RETURNING else by
                try:
                    return admitting(roster, knock.nick, knock.identity, knock.exchange, peer, by)
                except CommitRefused:
                    del self.admits[peer]
                    self.events.append(
                        Notice(f"{knock.nick} cannot come in: the room already has 12 people.")
                    )
            return None
        sequencer = roster.sequencer
        if roster.commit.successor == self.my_slot and sequencer is not None:
            for member, reason in due:
                if member.slot == sequencer.slot:
                    return removing(roster, member.slot, reason, self.my_slot)
        return None

    # --- content ----------------------------------------------------------------------

    def on_content(self, seq: int, ts: int, member: Member, content: Content, mine: bool) -> None:
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
            for m in roster.members
        )
