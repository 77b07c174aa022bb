"""One person's end of a room, sans-I/O: relay frames in, events out; commands in, frames out.

    ep = Endpoint.host("ws://127.0.0.1:8765", "ana", "We listen. We keep it here.")
    ep.invite                          # the string to share
    ep.receive_frame(data, now_ms)     # one relay frame (wire v1)
    ep.send(Say("hello"), now_ms)      # a person's command (``protocol.commands``)
    ep.tick(now_ms)                    # timers: departures, acks, resends, reopening
    ep.next_deadline()                 # when the next tick is due, if any
    ep.events_received()               # -> list[Event] for the person
    ep.data_to_send()                  # -> list[bytes], wire v1 pub frames

A joiner: ``Endpoint.joining(invite, "bo")``; it shows ``AgreementsOffered``
when the room's sequencer answers its arrival, knocks on ``Agree()``, and
enters when a Commit names it. Every check that fails drops the frame and
changes nothing; only what passed every check becomes an event, in the
relay's order.

The endpoint owns a few parts and only orchestrates them. Each part is the
only writer of its own fields, takes what it needs from the others as
arguments, and returns what happened:

    me          who we are here: the invite, our nickname, our identity key
    presence    what the relay shows: our connection, who is connected, its numbering
    entry       coming in: the lobby we believe, our knock, a return ticket, reopening
    door        the knocks members see, "not now", when they expire, who may come back
    chain       the Commit chain we hold: roster, our seat, lineage, recent hashes
    departures  who is on their way out, and since when
    sequencer   as sequencer: consents to commit, our Commit in flight, lobbies
    pairs       our exchange key and the pairwise keys built on it
    sender      our chain, its rotation, what we sent that has not come back
    receiver    the others' chains and the fixed order of checks
    acks        when an ack is due, and whether anything was heard since
    state       the room state, a pure reducer over verified events in relay order

What is left to the endpoint itself: the time of the last input, the events
and frames not yet taken, the alarms already raised this epoch, the seats
this person marked verified, and whether it hosts the room and has closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Final

from nacl.signing import SigningKey

from protocol import commands as cmd
from protocol import events as ev
from protocol import names, wire
from protocol.bodies import (
    Ack,
    Admit,
    Aside,
    BodyError,
    Bye,
    Content,
    FloorBody,
    FloorState,
    React,
    Say,
)
from protocol.bodies.commit import ChangeKind, CommitBody, Member
from protocol.bodies.door import Closing, KnockBody, Lobby, SetAside, Vouch
from protocol.bodies.offer import (
    CARD_CHARS,
    CHUNK,
    CardNote,
    ChunkBody,
    OfferBody,
    OfferKind,
    OfferNote,
    PrivateBody,
    chunk_aad,
    private_aad,
    resume_proof,
)
from protocol.bodies.offer import (
    Say as OfferSay,
)
from protocol.bodies.repair import NO_MESSAGE, OUCH_CHARS, OuchBody, RepairBody
from protocol.bodies.talk import is_reaction
from protocol.bodies.vote import (
    REASON_CHARS,
    RESPOND_S,
    SECOND_S,
    VOTE_S,
    AmendBody,
    Amended,
    AnswerBody,
    BallotBody,
    ConsentBody,
    Motion,
    MotionBody,
    SecondBody,
    amend_statement,
    ballot_statement,
    motion_id,
    motion_statement,
    reason_digest,
    second_statement,
)
from protocol.crypto import (
    KEY_SIZE,
    CryptoFailure,
    ExchangeKey,
    digest,
    random_bytes,
    seal,
    sign,
    unseal,
    verify,
)
from protocol.frames import (
    NO_EXCHANGE,
    FrameError,
    GroupFrame,
    KeysFrame,
    Kind,
    RoomFrame,
    announcement_aad,
    parse,
)
from protocol.invite import Invite, InviteError, new_invite, parse_invite
from protocol.keys.acks import Acks, discrepancies, lacked
from protocol.keys.pairs import Pairs, pair_context
from protocol.keys.receiver import (
    PREVIOUS_WINDOW_MS,
    Ahead,
    Behind,
    Delivered,
    Received,
    Receiver,
    Rekeyed,
    TwoKeys,
    Unannounced,
    Unkeyed,
)
from protocol.keys.sender import Sender, Voice
from protocol.limits import (
    AGREEMENTS_CHARS,
    KNOCK_WAIT_MAX_S,
    KNOCK_WAIT_MIN_S,
    KNOCK_WAIT_S,
    TEXT_CHARS,
)
from protocol.membership.chain import (
    AmendmentRefused,
    Chain,
    CommitContext,
    DropRefused,
    RemovalRefused,
    TakeoverRefused,
    Transition,
    Unreadable,
)
from protocol.membership.door import (
    ComingBack,
    Door,
    Greeter,
    KnockSeen,
    prove_lobby,
    vouch_statement,
    who_greeted,
)
from protocol.membership.entry import Due, Entry, ReturnTicket
from protocol.membership.evidence import (
    DEPARTURES,
    amended_key,
    consent_statement,
    goodbye_statement,
    removal_motion,
)
from protocol.membership.motions import (
    CLOSE_MARGIN_MS,
    ballot_row,
    motion_row,
    removals_due,
    second_row,
    verdicts,
)
from protocol.membership.presence import Departures, Presence
from protocol.membership.reopen import Reopening, unsucceeded, who_may_return
from protocol.membership.rivals import Rivals, Vouching
from protocol.membership.roomwide import open_commit, open_roomwide, roomwide_frame
from protocol.membership.roster import Roster, amending, genesis, rekeyed
from protocol.membership.sequencer import (
    RETURNING,
    Sequencer,
    departure_duty,
    newcomers,
    next_commit,
)
from protocol.pace import Pace
from protocol.room import amend as am
from protocol.room import floor as fl
from protocol.room import offers as of
from protocol.room import repair as rp
from protocol.room import votes as vt
from protocol.room.reveal import Reveals
from protocol.room.state import (
    AgreementsSet,
    AmendMoved,
    Applied,
    Away,
    Floored,
    FloorMoved,
    FloorShown,
    Message,
    Reaction,
    RepairMoved,
    RoomChange,
    RoomState,
    Spoken,
    StateEvent,
    VoteMoved,
)
from protocol.room.state import Reacted as RoomReacted
from protocol.room.state import apply as apply_state
from protocol.snapshot import snapshot

__all__ = ["Endpoint", "Invite", "InviteError", "ReturnTicket", "agreements_hash", "parse_invite"]

GRACE_MS: Final = 10_000
FLOOR_ROUND_TRIP_MS: Final = 5_000  # a floor act not back by then is taken as lost
REMOVAL_OVERDUE_MS: Final = 15_000  # a passed vote's Commit not here by then is withheld
# A member's word that its relay closes with it ends the room only if our own
# connection then closes within this long: a word alone, from a member whose relay
# goes on, ends nothing.
CLOSING_HOLDS_MS: Final = 10_000


def check_nick(nick: str) -> str:
    problem = names.refusal(nick)
    if problem is not None:
        raise ValueError(problem)
    return names.tidy(nick)


def check_knock_wait(seconds: int) -> int:
    if not KNOCK_WAIT_MIN_S <= seconds <= KNOCK_WAIT_MAX_S:
        raise ValueError(
            f"A knock waits between {KNOCK_WAIT_MIN_S} and {KNOCK_WAIT_MAX_S} seconds "
            f"for an answer, not {seconds}. Choose a wait in that range."
        )
    return seconds


def agreements_hash(agreements: str) -> bytes:
    return digest(agreements.encode(), b"porch-agreements")


@dataclass(frozen=True, slots=True)
class Me:
    invite: Invite
    nick: str
    identity: SigningKey
    # Derived once: every frame names the room, and every signature check uses our key.
    room: bytes = field(init=False)
    join_key: bytes = field(init=False)
    key: bytes = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "room", bytes.fromhex(self.invite.room_id))
        object.__setattr__(self, "join_key", self.invite.join_key)
        object.__setattr__(self, "key", bytes(self.identity.verify_key))


@dataclass(slots=True, eq=False)
class Endpoint:
    """A room endpoint; see the module docstring for the contract."""

    me: Me
    pairs: Pairs
    grace_ms: int = GRACE_MS
    hosting: bool = False
    agreements: str | None = None
    knock_wait_s: int = KNOCK_WAIT_S  # how long our knock waits for an answer
    presence: Presence = field(default_factory=Presence)
    entry: Entry = field(default_factory=Entry)
    door: Door = field(default_factory=Door)
    chain: Chain = field(init=False)
    departures: Departures = field(default_factory=Departures)
    sequencer: Sequencer = field(default_factory=Sequencer)
    sender: Sender = field(default_factory=Sender)
    receiver: Receiver = field(default_factory=Receiver)
    acks: Acks = field(default_factory=Acks)
    vouching: Vouching = field(default_factory=Vouching)
    rivals: Rivals = field(default_factory=Rivals)
    state: RoomState = field(default_factory=RoomState)
    verified: set[bytes] = field(default_factory=set)
    # Who last sat in a seat now empty: what was theirs (talk time, an offer) keeps
    # their name after they go, not "seat 3".
    left_seats: dict[int, str] = field(default_factory=dict)
    closed_by_us: bool = False
    now: int = 0  # the time of the latest input
    # The floor, on our side: when our last floor act went out (until it comes
    # back, another would be judged on a floor that has not moved yet); how far
    # our clock is from the relay's (for the soft timer); the last timer cue.
    floor_sent_ms: int | None = None
    relay_offset: int | None = None
    cued: tuple[int, int] = (-1, 0)
    # Motions and the repair round as last shown (their phases move with the
    # relay's clock), the windows our own motions state, and whether we stepped out.
    motions_shown: dict[bytes, vt.Phase] = field(default_factory=dict)
    round_shown: tuple[int, rp.Turn] | None = None
    motion_windows: tuple[int, int, int] = (SECOND_S, RESPOND_S, VOTE_S)
    stepped_out: bool = False
    amend_shown: bytes | None = None  # the amendment we last showed open
    # Members back on a return ticket: their new identity key, and the old one(s).
    came_back_as: dict[bytes, tuple[bytes, ...]] = field(default_factory=dict)
    offers: of.Offers = field(default_factory=of.Offers)
    reveals: Reveals = field(default_factory=Reveals)
    told: set[tuple[ev.Alarm, tuple[str, ...], int]] = field(default_factory=set)
    # The budget every frame we send is paced by (``protocol.pace``), when a writer
    # paces them: file chunks share it. Without one, chunks keep a pace of their own.
    pace: Pace | None = None
    # A member who said its relay closes with it, and when: (their name, our clock).
    closing: tuple[str, int] | None = None
    events: list[ev.Event] = field(default_factory=list)
    outbox: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.chain = Chain(self.me.invite.host_key)
        if not self.hosting:
            self.state = RoomState(floor_known=False)  # the sequencer shows us the floor

    # --- making one -------------------------------------------------------------------

    @classmethod
    def host(
        cls, relay_url: str, nick: str, agreements: str, *, grace_ms: int = GRACE_MS
    ) -> Endpoint:
        """Open a new room; the invite names this endpoint's key as the first sequencer."""
        identity = SigningKey.generate()
        invite = new_invite(relay_url, bytes(identity.verify_key))
        return cls.opening(invite, nick, identity, agreements, grace_ms)

    @classmethod
    def opening(
        cls, invite: Invite, nick: str, identity: SigningKey, agreements: str, grace_ms: int
    ) -> Endpoint:
        me = Me(invite, check_nick(nick), identity)
        return cls(me, Pairs(ExchangeKey()), grace_ms, hosting=True, agreements=agreements)

    @classmethod
    def joining(
        cls,
        invite: Invite | str,
        nick: str,
        *,
        grace_ms: int = GRACE_MS,
        returning: ReturnTicket | None = None,
        knock_wait_s: int = KNOCK_WAIT_S,
    ) -> Endpoint:
        """A newcomer; ``returning`` is the ticket back in after a dropped connection;
        ``knock_wait_s`` how long its knock waits for an answer."""
        parsed = invite if isinstance(invite, Invite) else parse_invite(invite)
        me = Me(parsed, check_nick(nick), SigningKey.generate())
        wait = check_knock_wait(knock_wait_s)
        entry = Entry(ticket=returning)
        return cls(me, Pairs(ExchangeKey()), grace_ms, knock_wait_s=wait, entry=entry)

    def fresh(self, now_ms: int) -> Endpoint:
        """A new endpoint for the same room after a reconnect: a new member with new keys.

        A host alone in its room opens it again with the same key, so the invite
        still works. Anyone else knocks again, vouched for by their old identity
        key, so the room lets them back in without asking and drops the old seat.
        The sequencer knocks too, and opens the room again if the relay lost it
        (``membership.reopen`` says when).
        """
        roster, slot, agreements = self.chain.roster, self.chain.my_slot, self.agreements
        alone = roster is not None and len(roster.members) == 1
        if self.hosting and self.chain.is_sequencer and alone and agreements is not None:
            again = Endpoint.opening(
                self.me.invite, self.me.nick, self.me.identity, agreements, self.grace_ms
            )
            again.pace = self.pace
            return again
        ticket = self.entry.ticket  # dropped again before getting back in
        entry = Entry(ticket=ticket, reopening=self.entry.reopening, awaited=self.entry.awaited)
        sequencer = roster.sequencer if roster is not None else None
        if self.chain.evicted and sequencer is not None:
            entry = Entry(ticket=ticket, awaited=sequencer.nick, evicted=True)
        if roster is not None and sequencer is not None and slot is not None:
            if agreements is not None:
                agreed = agreements_hash(agreements)
                ticket = ReturnTicket(self.me.identity, agreed, roster.commit_hash)
            if self.chain.is_sequencer and agreements is not None:
                entry = Entry(ticket=ticket, reopening=self._reopening(roster, agreements, now_ms))
            else:
                entry = Entry(ticket=ticket, awaited=sequencer.nick)
        me = Me(self.me.invite, self.me.nick, SigningKey.generate())
        wait = self.knock_wait_s
        offers = self.offers  # transfers resume from what is held (``room.offers``)
        offers.came_back()
        back = Endpoint(
            me, Pairs(ExchangeKey()), self.grace_ms, knock_wait_s=wait, entry=entry, offers=offers
        )
        back.pace = self.pace
        return back

    def _reopening(self, roster: Roster, agreements: str, now: int) -> Reopening:
        """What this sequencer, whose connection dropped, needs to open the room again."""
        room = roster
        flight = self.sequencer.in_flight
        if flight is not None:
            # Our next Commit may have reached some: build on it, so that we never
            # sign two Commits for one epoch.
            ahead = open_commit(flight.frame, self.me.key, self.me.room, self.me.join_key)
            if ahead is not None and ahead.commit.prev == roster.commit_hash:
                room = ahead
        left = self.departures.left_on_purpose()
        # Those who come back after us are recognised too, not shown as strangers.
        may_return = who_may_return(self.me.key, room, self.chain.tickets, left)
        return Reopening(
            self.me.identity,
            room,
            self.chain.lineage,
            agreements,
            may_return,
            self.presence.last_seq or 0,
            now,
            unsucceeded(room, roster),
        )

    # --- what the UI reads --------------------------------------------------------------

    @property
    def invite(self) -> str:
        return self.me.invite.text

    @property
    def invite_info(self) -> Invite:
        return self.me.invite

    @property
    def relay_url(self) -> str:
        return self.me.invite.relay_url

    @property
    def room_id(self) -> str:
        return self.me.invite.room_id

    @property
    def room_url(self) -> str:
        return self.me.invite.room_url

    @property
    def room(self) -> bytes:
        return self.me.room

    @property
    def join_key(self) -> bytes:
        return self.me.join_key

    @property
    def nick(self) -> str:
        return self.me.nick

    @property
    def identity(self) -> SigningKey:
        return self.me.identity

    @property
    def is_host(self) -> bool:
        return self.hosting

    @property
    def roster(self) -> Roster | None:
        return self.chain.roster

    @property
    def my_slot(self) -> int | None:
        return self.chain.my_slot

    @property
    def epoch(self) -> int:
        return self.chain.roster.epoch if self.chain.roster else 0

    @property
    def room_code(self) -> str:
        return self.chain.roster.room_code(self.me.room) if self.chain.roster else ""

    @property
    def is_sequencer(self) -> bool:
        return self.chain.is_sequencer

    @property
    def removed(self) -> bool:
        return self.chain.removed

    @property
    def left_behind(self) -> bool:
        return self.chain.left_behind

    @property
    def floor(self) -> fl.Floor:
        return self.state.floor

    def floor_elapsed_ms(self, now_ms: int) -> int | None:
        """How long the speaker has held the floor at ``now_ms``, by the relay's clock."""
        floor = self.state.floor
        if floor.speaker is None:
            return None
        relay_now = now_ms - (self.relay_offset or 0)
        end = floor.paused.ts if floor.paused is not None else relay_now
        return max(0, end - floor.since)

    def seat_label(self, slot: int) -> str:
        """A seat's name as every screen shows it."""
        return self._seat_label(slot)

    @property
    def evicted(self) -> bool:
        return self.chain.evicted

    @property
    def must_rejoin(self) -> bool:
        """Whether this connection is done with, but the room is not: come back on a new one."""
        return self.chain.left_behind or self.chain.evicted

    def room_ended_by(self, now_ms: int) -> str | None:
        """Who ended the room, if a member said its relay closes with it and our
        connection closed soon after (``CLOSING_HOLDS_MS``): their name, else None."""
        if self.closing is None:
            return None
        who, at = self.closing
        return who if now_ms - at <= CLOSING_HOLDS_MS else None

    @property
    def unanswered(self) -> bool:
        """Whether nobody answered our knock in the time it waited: this endpoint is done."""
        return self.entry.unanswered

    @property
    def closed(self) -> bool:
        return self.closed_by_us or (self.chain.removed and not self.chain.evicted)

    @property
    def knocks(self) -> dict[int, KnockBody]:
        return self.door.knocks

    @property
    def seats(self) -> tuple[ev.Seat, ...]:
        roster = self.chain.roster
        if roster is None:
            return ()
        present = self.presence.present
        return tuple(
            ev.Seat(
                slot=m.slot,
                nick=self._label(m, roster),
                connected=m.peer in present,
                verified=m.identity in self.verified,
                is_host=m.slot == roster.commit.sequencer,
                is_me=m.slot == self.chain.my_slot,
                name=m.nick,
            )
            for m in sorted(roster.members, key=lambda m: m.slot)  # the roster is in join order
        )

    def events_received(self) -> list[ev.Event]:
        events, self.events = self.events, []
        return events

    def data_to_send(self) -> list[bytes]:
        frames, self.outbox = self.outbox, []
        return frames

    def snapshot(self) -> dict[str, Any]:
        """Every part's whole state, for tests that check a frame changed nothing."""
        return {name: snapshot(getattr(self, name)) for name in self.__dataclass_fields__}

    # --- inputs -----------------------------------------------------------------------

    def receive_frame(self, data: bytes, now_ms: int) -> None:
        """One relay frame (wire v1) at ``now_ms``; anything that breaks the contract is dropped."""
        self.now = now_ms
        if self.closed or self.chain.removed:
            return  # (evicted, we come back on a new connection: this one is done)
        try:
            frame = wire.decode_server(data)
        except wire.WireError:
            return  # a relay that breaks the wire contract gets no reaction
        match frame:
            case wire.Welcome(you, peers):
                self._welcomed(you, peers)
            case wire.Join(seq, _ts, peer):
                self._joined(seq, peer)
            case wire.Leave(seq, ts, peer):
                self.presence.leave(peer)
                self._left(self._place(seq), ts, peer)
            case wire.Msg(seq, ts, sender, d):
                self._message(self._place(seq), ts, sender, d)
            case wire.Err(code, _msg):
                self.closed_by_us = True
                self.events.append(ev.Refused(code))
        if not self.closed:
            self._sequence()

    def send(self, command: cmd.Command, now_ms: int) -> None:
        """What the person asked for, at ``now_ms``."""
        self.now = now_ms
        match command:
            case cmd.Agree():
                self._agree()
            case cmd.Say(text) if text.strip():
                holder = self._holder_if_not_me()
                if len(text) > TEXT_CHARS:
                    self._note(ev.Note.TOO_LONG)
                elif holder is not None:
                    self._note(ev.Note.NOT_YOUR_TURN, holder)
                else:
                    self._speak(Say(text))
            case cmd.Aside(text) if text.strip():
                if len(text) > TEXT_CHARS:
                    self._note(ev.Note.TOO_LONG)
                else:
                    self._speak(Aside(text))
            case cmd.Floor(act) if act.act in (fl.Act.DONE, fl.Act.PASS) and self._my_turn_held():
                self._held_turn_done(act.act is fl.Act.PASS)
            case cmd.Floor(act):
                self._floor(act)
            case cmd.Motion(slot, reason):
                self._move(slot, reason)
            case cmd.Second(about):
                self._second(about)
            case cmd.Vote(yes, about):
                self._vote(yes, about)
            case cmd.Ouch(text, about):
                self._ouch(text, about)
            case cmd.Repair(step):
                self._repair(step)
            case cmd.Offer(kind, note, content, mime):
                self._offer(kind, note, content, mime)
            case cmd.Accept(number):
                self._accept(number)
            case cmd.Decline(number):
                self._decline(number)
            case cmd.CancelOffer(number):
                self._cancel_offer(number)
            case cmd.Reveal(slot, card):
                self._reveal(slot, card)
            case cmd.Amend(text):
                self._amend(text)
            case cmd.Consent():
                self._consent(None)
            case cmd.Object(reason):
                self._consent(reason)
            case cmd.React(emoji):
                if not is_reaction(emoji):
                    self._note(ev.Note.NOT_A_REACTION)
                else:
                    self._speak(React(emoji))
            case cmd.Admit(knock):
                self._admit(knock)
            case cmd.NotNow(knock):
                self._not_now(knock)
            case cmd.Verify(slot):
                self._verify(slot)
            case cmd.Leave(ends_room=ends_room):
                self._leave(ends_room=ends_room)
        if not self.closed:
            self._sequence()

    def tick(self, now_ms: int) -> None:
        """Timers: a lobby that never came, acks due, Commits to make or to send again."""
        self.now = now_ms
        if self.closed:
            return
        if self.chain.roster is None:
            if self.entry.expire(self._relay_now()):
                self._unanswered()
            else:
                self._wait_for_lobby()
            return
        self._expire_knocks()
        if self.acks.take_due(now_ms):
            self._ack()
        self._cue()
        self._watch()
        self._share()
        if self.pairs.previous is not None and self.receiver.window_over(now_ms):
            self.pairs.forget_previous()  # no key sealed before the Commit can come now
        self._vouch()
        self._sequence()

    def next_deadline(self) -> int | None:
        """When ``tick`` next has something to do, if no other input comes first."""
        roster = self.chain.roster
        if self.closed:
            return None
        if roster is None:
            if self.entry.lobby is not None:
                return self._from_relay_clock(self.entry.knock_expires)
            if self.presence.mine is None:
                return None
            return self.entry.deadline(self.now)
        times = [
            self._from_relay_clock(self.door.deadline()),
            self.acks.deadline(),
            self.sequencer.next_lobby_ms(self._ungreeted()),
            self.vouching.deadline(),
        ]
        if self.pairs.previous is not None:
            times.append(self.receiver.turned_ms + PREVIOUS_WINDOW_MS)
        cue = fl.cue_at(self.state.floor, self._given_cue())
        if cue is not None and self.relay_offset is not None:
            times.append(cue[0] + self.relay_offset)
        share = self._share_deadline()
        if share is not None:
            times.append(share)
        if self.relay_offset is not None:
            turns = [t for t in self._room_turns() if t > self._relay_now()]
            if turns:
                times.append(min(turns) + self.relay_offset)
        if self.sequencer.awaits(roster.epoch + 1):
            times.append(self.sequencer.resend_ms())
        else:
            duty = departure_duty(roster, self.chain.my_slot)
            times.append(self.departures.deadline(self.grace_ms, duty))
        return min((t for t in times if t is not None), default=None)

    # --- the relay's events -----------------------------------------------------------

    def _place(self, seq: int) -> int:
        position, in_order = self.presence.place(seq)
        if not in_order:
            self._alarm(ev.Alarm.OUT_OF_ORDER)
        return position

    def _welcomed(self, you: int, peers: tuple[int, ...]) -> None:
        if self.presence.mine is not None:
            return  # the relay welcomes a connection once; a second welcome is a lie
        self.presence.welcome(you, peers)
        self.entry.arrived(self.now)
        self.events.append(ev.Connected(you, len(self.presence.present)))
        if self.hosting and self.chain.roster is None and self.agreements is not None:
            self._open_room()
        reopening = self.entry.reopening
        if reopening is not None and not reopening.held_elsewhere(self.presence.present, you):
            self.entry.mark_room_gone()
        if self.chain.roster is None and len(self.presence.present) > 1:
            self.entry.want_vouch()
            self._vouch_waiting()

    def _joined(self, seq: int, peer: int) -> None:
        believed = self.presence.join(peer)
        reopening = self.entry.reopening
        if peer == self.presence.mine:
            self.entry.joined()
            if reopening is not None and reopening.numbered_again(seq):
                self.entry.mark_room_gone()
        self._place(seq)
        roster = self.chain.roster
        if believed and roster is None and peer != self.presence.mine:
            self.entry.want_vouch()
            self._vouch_waiting()
        if not believed or roster is None or peer == self.presence.mine:
            return
        if roster.by_peer(peer) is not None:
            self.events.append(ev.SeatsChanged(self.seats))
        else:
            self._greet()

    def _left(self, seq: int, ts: int, peer: int) -> None:
        self.sequencer.gone(peer)
        expired = self.door.expired_by(peer, ts)  # by the relay's clock, it was gone already
        knock = self.door.withdraw(peer)
        if knock is not None and expired:
            self.events.append(ev.KnockExpired(peer, self._knock_label(knock)))
        elif knock is not None:
            self.events.append(ev.KnockWithdrawn(peer, self._knock_label(knock)))
        roster = self.chain.roster
        member = roster.by_peer(peer) if roster else None
        if member is not None and member.slot != self.chain.my_slot:
            self.departures.dropped(member.identity, self.now)
            self.events.append(ev.SeatsChanged(self.seats))
            self._apply(seq, ts, member, Away(member.slot), late=False, mine=False)

    def _message(self, seq: int, ts: int, sender: int, d: bytes) -> None:
        try:
            frame = parse(d, self.me.room)
        except FrameError:
            return
        match frame:
            case GroupFrame():
                self._group(seq, ts, sender, d, frame)
            case KeysFrame():
                self._keys(frame)
            case RoomFrame(kind=Kind.COMMIT):
                self._commit_frame(seq, ts, frame)
            case RoomFrame(kind=Kind.KNOCK):
                self._knock_frame(sender, ts, frame)
            case RoomFrame(kind=Kind.SET_ASIDE):
                self._set_aside_frame(frame)
            case RoomFrame(kind=Kind.LOBBY):
                self._lobby_frame(frame)
            case RoomFrame(kind=Kind.VOUCH):
                self._vouch_frame(frame)
            case RoomFrame(kind=Kind.CLOSING):
                self._closing_frame(frame)

    # --- entering: lobbies and knocks -----------------------------------------------

    def _lobby_frame(self, frame: RoomFrame) -> None:
        # The lobby's signer is known only once its lineage is read, so here the
        # join key's seal is checked first, then the lineage, then the signature.
        body = open_roomwide(frame, self.me.join_key)
        try:
            lobby = Lobby.decode(body) if body is not None else None
        except BodyError:
            return
        if lobby is None:
            return
        roster = self.chain.roster
        if roster is not None:
            self._greeted_by(frame, lobby, roster)
            return
        invite = self.me.invite
        shown = prove_lobby(lobby, invite.host_key, self.me.room, self.me.join_key)
        if shown is None or shown.sequencer is None:
            return
        if not verify(shown.sequencer.identity, frame.signed, frame.sig):
            return
        if self.chain.watching is not None:
            if shown.commit_hash not in self.chain.followed:
                self._alarm(ev.Alarm.LOBBY_OF_ANOTHER_ROOM)
                self.rivals.shown(shown)
                self._weigh_rooms()
            return
        self.chain.anchor(shown, lobby.lineage, lobby.commit, lobby.tickets)
        self.agreements = lobby.agreements
        if self.entry.shown(lobby, agreements_hash(lobby.agreements)):
            self._agree()  # agreed already, before the connection dropped
        else:
            self.events.append(ev.AgreementsOffered(lobby.agreements, lobby.host_nick))
        for seq, ts, commit in self.chain.take_early():
            self._commit_frame(seq, ts, commit)

    def _vouch_frame(self, frame: RoomFrame) -> None:
        """As a newcomer: a member's word on which room it is in. As a sequencer waiting
        to open the room again: perhaps our successor's word that it never took over."""
        if self.chain.roster is not None:
            return  # members have their own sequencer's word
        body = open_roomwide(frame, self.me.join_key)
        try:
            vouch = Vouch.decode(body) if body is not None else None
        except BodyError:
            return
        if vouch is None or not verify(vouch.identity, frame.signed, frame.sig):
            return
        reopening = self.entry.reopening
        if reopening is not None and reopening.successor_stays(vouch.identity, vouch.commit):
            self.entry.mark_successor_stayed()  # the next tick opens the room again
            return
        self.rivals.vouched(vouch.identity, vouch.commit)
        self._weigh_rooms()

    def _vouch_waiting(self) -> None:
        """Back after a drop and waiting for a lobby: our old key's word on the Commit we
        held, for a sequencer waiting to open the room again (``membership.reopen``)."""
        ticket = self.entry.ticket
        if ticket is None or self.presence.mine is None or not self.entry.vouch_due(self.now):
            return
        self.entry.vouched(self.now)
        old = bytes(ticket.identity.verify_key)
        body = Vouch(old, ticket.held).encode()
        self.publish(
            roomwide_frame(Kind.VOUCH, body, self.me.room, self.me.join_key, ticket.identity)
        )

    def _closing_frame(self, frame: RoomFrame) -> None:
        """A member's word that it leaves and its relay closes with it: kept, to end the
        room when our connection closes (``room_ended_by``), rather than reconnect."""
        body = open_roomwide(frame, self.me.join_key)
        try:
            closing = Closing.decode(body) if body is not None else None
        except BodyError:
            return
        room = self.chain.roster or self.chain.watching
        if closing is None or room is None or closing.identity == self.me.key:
            return
        member = room.by_identity(closing.identity)
        if member is None:
            return  # only someone in the room can be running its relay
        if closing.commit not in self._recent_commits(room):
            return  # a word from another point of the room: replayed
        if not verify(closing.identity, frame.signed, frame.sig):
            return
        self.closing = (self._label(member, room), self.now)

    def _recent_commits(self, room: Roster) -> set[bytes]:
        """The Commit ``room`` is at, and the one before it (a Commit may still have been on
        its way to the member who named it); a newcomer, the Commits it followed."""
        if self.chain.roster is None:
            return {room.commit_hash, *self.chain.followed}
        before = self.chain.commits.get(room.epoch - 1)
        return {room.commit_hash} if before is None else {room.commit_hash, before}

    def _weigh_rooms(self) -> None:
        """Shown two rooms: tell the person who vouches for which."""
        watching = self.chain.watching
        if watching is None or not self.rivals.others:
            return
        told = self.rivals.weigh(watching, self.chain.followed)
        if self.rivals.tell(told):
            self.events.append(told)

    def _greeted_by(self, frame: RoomFrame, lobby: Lobby, roster: Roster) -> None:
        """As a member: only the sequencer greets; a lobby from anyone else is a lure."""
        host_key = self.me.invite.host_key
        greeter, nick = who_greeted(frame, lobby, roster, host_key, self.door.former)
        match greeter:
            case Greeter.SEQUENCER:
                return
            case Greeter.SEQUENCER_AHEAD:
                if self.chain.fell_behind():
                    self._note(ev.Note.LEFT_BEHIND, nick)
                return
            case Greeter.MEMBER:
                self._alarm(ev.Alarm.LURE_BY_MEMBER, (nick,))
            case Greeter.FORMER:
                self._alarm(ev.Alarm.LURE_BY_FORMER, (nick,))
            case Greeter.FIRST_KEY:
                self._alarm(ev.Alarm.LURE_BY_FIRST_KEY)
            case Greeter.STRANGER:
                shown = prove_lobby(lobby, host_key, self.me.room, self.me.join_key)
                signer = shown.sequencer if shown is not None else None
                if signer is None or not verify(signer.identity, frame.signed, frame.sig):
                    return  # it can lead no newcomer anywhere
                self._alarm(ev.Alarm.LURE_BY_STRANGER)
        self.vouching.lure()
        self._vouch()

    def _vouch(self) -> None:
        """After a lure: our word for the room we are in; as sequencer, our lobby again."""
        roster = self.chain.roster
        if roster is None or not self.vouching.due(self.now):
            return
        self.vouching.sent(self.now)
        self.publish(self._roomwide(Kind.VOUCH, Vouch(self.me.key, roster.commit_hash).encode()))
        if self.chain.is_sequencer:
            self.sequencer.greet_again()
            self._greet()

    def _knock_frame(self, sender: int, ts: int, frame: RoomFrame) -> None:
        roster = self.chain.roster
        if roster is None:
            self._own_knock(sender, ts, frame)
            return
        if sender in self.door.knocks:
            return
        body = open_roomwide(frame, self.me.join_key)
        try:
            knock = KnockBody.decode(body) if body is not None else None
        except BodyError:
            return
        if knock is None or not verify(knock.identity, frame.signed, frame.sig):
            return
        recent = self.chain.commits.values()
        present = self.presence.present
        room, tickets = self.me.room, self.chain.tickets
        seen = self.door.see(
            sender, knock, roster, present, room, self.pairs, recent, tickets, ts=ts
        )
        match seen:
            case KnockSeen(peer):
                if self.relay_offset is None:
                    self.relay_offset = self.now - ts  # for its expiry: the relay's clock
                self.door.told_before(peer, roster, room, self.me.join_key)
                self._knocked(peer, knock)
            case ComingBack(peer, knock) if knock.was in self.state.votes.removed_by(
                self._relay_now()
            ):
                # The room voted them out while their connection was down: their
                # ticket brings no one back. They knock like anyone, for consent.
                self.door.returns.pop(peer, None)
                self._knocked(peer, knock)
            case ComingBack(peer, knock):
                # The same person, back on a new connection: their old seat goes now
                # and the new one comes in without asking anyone again.
                seated = roster.by_identity(knock.was)
                back = self._label(seated) if seated is not None else knock.nick
                self._note(ev.Note.COMING_BACK, back)
                if knock.evicted:
                    self._alarm(ev.Alarm.EVICTED_WHILE_HERE, (back,))
                if roster.by_identity(knock.was) is not None:
                    vouch, now = seen.new_connection, self.now
                    self.departures.back_on_new_connection(knock.was, vouch, now, self.grace_ms)
                self.sequencer.consent(peer, RETURNING, seen.ticket)

    def _own_knock(self, sender: int, ts: int, frame: RoomFrame) -> None:
        """Our knock, back from the relay: it waits from the relay's ``ts`` of it."""
        if sender != self.presence.mine or not verify(self.me.key, frame.signed, frame.sig):
            return
        if self.entry.knock_stamped(ts):
            self.relay_offset = self.now - ts
            self._knock_again()  # someone may have been seated while it was on its way

    def _knock_again(self) -> None:
        """Our knock, said again for whoever was seated since it went out."""
        watching, mine = self.chain.watching, self.presence.mine
        if watching is None or mine is None:
            return
        again = self.entry.knock_again(watching, mine)
        if again is not None and self.chain.roster is None:
            self.publish(self._roomwide(Kind.KNOCK, again.encode()))

    def _set_aside_frame(self, frame: RoomFrame) -> None:
        """A member's "not now": shown to members as such; to the knocker, without a name."""
        body = open_roomwide(frame, self.me.join_key)
        try:
            asked = SetAside.decode(body) if body is not None else None
        except BodyError:
            return
        if asked is None:
            return
        roster = self.chain.roster
        if roster is None:
            if self.entry.told_to_wait(frame, asked, self.chain.watching):
                self.events.append(ev.AskedToWait())
            return
        seen = self.door.set_aside_by(frame, asked, roster)
        if seen is not None:
            mine = seen.by.identity == self.me.key
            by = self._label(seen.by)
            knock = self.door.knocks[seen.peer]
            self.events.append(ev.KnockSetAside(seen.peer, self._knock_label(knock), by, mine))

    def _not_now(self, knock: int) -> None:
        """Ask a knocker to wait: the room and the knocker hear it when the relay brings it."""
        body = self.door.knocks.get(knock)
        if self.chain.my_slot is None or self.chain.roster is None:
            self._note(ev.Note.NOT_IN_ROOM)
        elif body is None or knock in self.door.returns:
            self._note(ev.Note.KNOCK_GONE)
        elif self.door.asked_by(knock, self.me.key):
            self._note(ev.Note.ASKED_TO_WAIT_ALREADY, self._knock_label(body))
        else:
            asked = SetAside(self.me.key, body.identity)
            self.publish(self._roomwide(Kind.SET_ASIDE, asked.encode()))

    def _expire_knocks(self) -> None:
        """Knocks nobody answered in the time they waited go, on every screen alike."""
        expired = self.door.expire(self._relay_now())
        together = tuple(knock for _, knock in expired)  # still told apart from each other
        for peer, knock in expired:
            self.events.append(ev.KnockExpired(peer, self._knock_label(knock, together)))
        if expired:
            self.sequencer.keep(self.door.knocks)

    def _unanswered(self) -> None:
        """Nobody answered our knock: this endpoint is done, and says so."""
        assert self.entry.knock is not None
        self.closed_by_us = True
        self.events.append(ev.Closed(ev.Ending.UNANSWERED, waited_s=self.entry.knock.wait))

    def _from_relay_clock(self, relay_ms: int | None) -> int | None:
        """A moment of the relay's clock, on ours (None: not known yet)."""
        if relay_ms is None or self.relay_offset is None:
            return None
        return relay_ms + self.relay_offset

    # --- membership: Commits ----------------------------------------------------------

    def _commit_frame(self, seq: int, ts: int, frame: RoomFrame) -> None:
        context = CommitContext(
            room=self.me.room,
            join_key=self.me.join_key,
            me=self.me.key,
            peer=self.presence.mine,
            knock=self.entry.knock,
            present=frozenset(self.presence.present),
            exchanges=self._exchanges(),
            verdicts=verdicts(self.state.votes, ts),
            former=frozenset(self.door.former),
            amendment=self._amendment_agreed(),
        )
        watching = self.chain.watching
        match self.chain.take(seq, ts, frame, context):
            case None if (followed := self.chain.watching) and followed is not watching:
                self.entry.followed(followed.commit)  # a Commit that names someone else
                self._knock_again()
            case Transition() as transition:
                self._transition(transition)
            case RemovalRefused(signer, gone, _why):
                self._alarm(ev.Alarm.REMOVAL_WITHOUT_VOTES, (signer, gone))
            case AmendmentRefused(signer):
                self._alarm(ev.Alarm.AMENDMENT_WITHOUT_CONSENT, (signer,))
            case Unreadable():
                # As when a Commit is withheld: someone it removed may still read our chain.
                # Why is said once another member speaks in its epoch (``_evidence``).
                self.sender.hold_back()
            case DropRefused(signer, gone):
                self._alarm(ev.Alarm.DROP_WHILE_HERE, (signer, gone))
            case TakeoverRefused(successor, sequencer, sequencer_is_me):
                if sequencer_is_me:
                    self._alarm(ev.Alarm.TAKEOVER_WHILE_YOU_ARE_HERE, (successor,))
                else:
                    self._alarm(ev.Alarm.TAKEOVER_WHILE_HERE, (successor, sequencer))

    def _open_room(self) -> None:
        assert self.agreements is not None and self.presence.mine is not None
        me = Member(0, self.me.nick, self.me.key, self.pairs.public, self.presence.mine)
        body = genesis(me, agreements_hash(self.agreements))
        body_bytes = body.encode()
        frame = self._roomwide(Kind.COMMIT, body_bytes)
        self._transition(self.chain.begin(body, body_bytes, frame, self.me.key))

    def _transition(self, change: Transition) -> None:
        """Everything a new epoch changes, part by part."""
        old, new, mine = change.old, change.new, change.me
        self.sequencer.committed()
        if mine is None:
            self.sender.stop()
            voted_out = self._voted_out_because(change)
            if self.chain.evicted and self.agreements is not None:
                self.entry.hold(ReturnTicket(self.me.identity, agreements_hash(self.agreements)))
                self._note(ev.Note.EVICTED)
            elif voted_out is not None:
                self.events.append(ev.Closed(ev.Ending.VOTED_OUT, voted_out))
            else:
                self.events.append(ev.Closed(ev.Ending.REMOVED))
            return
        self.receiver.turn_epoch(old, new, mine.slot, self.now)
        self.sender.turn_epoch()
        self.pairs.turn(mine.exchange)
        self.pairs.keep_only({m.exchange for m in new.members})
        self.told = set()
        seats = tuple(m.slot for m in new.members)  # in the order they joined
        dropped, back = [], []
        for c in new.commit.changes:
            gone = old.seat(c.slot) if old is not None else None
            if c.what is ChangeKind.DISCONNECTED and gone is not None:
                dropped.append((c.slot, gone.identity))
            elif c.what is ChangeKind.ADMIT and c.by == c.slot and len(c.evidence) >= KEY_SIZE:
                back.append((c.slot, c.evidence[:KEY_SIZE]))  # the old key, on its ticket
                returner = new.seat(c.slot)
                if returner is not None:
                    self.came_back_as[returner.identity] = (c.evidence[:KEY_SIZE],)
        ids = tuple(m.identity for m in new.members)
        self._take_amendment(new)
        agreed = AgreementsSet(new.commit.agreed, seats, tuple(dropped), tuple(back), ids)
        self.state, changes = apply_state(
            self.state, Applied(change.seq, change.ts, new.commit.sequencer, agreed)
        )
        self._show(changes, None, mine=False)
        for what in new.commit.changes:
            self._change(what.what, what.slot, what.by, old, new)
        code = new.room_code(self.me.room)
        self.events.append(ev.RosterChanged(new.epoch, self.seats, code, entering=old is None))
        if old is None:
            self.events.append(ev.Entered(mine.slot, new.epoch, code))
            self.acks.entered(self.now)
            for inc in self.offers.theirs.values():
                inc.last_chunk_ms = self.now - of.STALL_MS  # resume at the next tick
        on_roster = {m.identity for m in new.members}
        self.verified &= on_roster  # a mark belongs to a seat's key, and goes with it
        self.door.keep(on_roster)
        self.sequencer.keep(self.door.knocks)
        self.departures.keep(on_roster)
        voice = Voice(self.me.room, mine.slot, self.me.identity, self.me.join_key)
        keys = self.sender.start_chain(voice, new, self.pairs, self.now)
        if keys is not None:
            self.publish(keys)
        admitted = any(c.what is ChangeKind.ADMIT for c in new.commit.changes)
        if admitted and self.chain.is_sequencer and self.state.floor_known:
            self._speak(FloorState(change.seq, self.state.floor))  # for whoever just came in
        self._greet()  # after a handover, those waiting in the lobby need us

    def _change(
        self, what: ChangeKind, slot: int, by: int, old: Roster | None, new: Roster
    ) -> None:
        before = old.seat(slot) if old else None
        if what is ChangeKind.ADMIT:
            newcomer, admitter = new.seat(slot), new.seat(by)
            if newcomer is not None:
                # The newcomer sees it too: everyone, them included, knows who let them in.
                name = self._label(admitter, new) if admitter else "someone"
                label = self._label(newcomer, new)
                knocks = self.door.knocks.values()
                if label == newcomer.nick and any(  # which of two knocks that looked alike
                    k.identity != newcomer.identity and names.alike(k.nick, newcomer.nick)
                    for k in knocks
                ):
                    label = f"{newcomer.nick} (seat {newcomer.slot + 1})"
                self.events.append(ev.Admitted(label, name, returning=by == slot))
        elif what in DEPARTURES and before is not None:
            self.door.seat_gone(before.identity, before.nick)
            self.left_seats[slot] = self._label(before, old)
            may_return = what is ChangeKind.DISCONNECTED
            for ended in self.offers.seat_gone(slot, may_return=may_return):
                self._offer_event(ev.OfferStage.CANCELLED, ended, by=self._label(before, old))
            self.events.append(ev.Departed(self._label(before, old), what))

    # --- talk: keys, group frames, content, acks ------------------------------------

    def _keys(self, frame: KeysFrame) -> None:
        roster, slot = self.chain.roster, self.chain.my_slot
        if roster is None or slot is None:
            return
        try:
            bound = announcement_aad(frame.header)
            announced = unseal(self.me.join_key, frame.next_sealed, bound)
        except CryptoFailure:
            announced = NO_EXCHANGE
        if len(announced) != KEY_SIZE:
            announced = NO_EXCHANGE
        if frame.slot == slot and frame.epoch == roster.epoch:
            if verify(self.me.key, frame.signed, frame.sig):
                self.pairs.announced(announced)
            return
        received = self.receiver.take_keys(
            frame, roster, slot, self.me.room, self.pairs, self.now, announced
        )
        self._evidence(received)

    def _group(self, seq: int, ts: int, sender: int, d: bytes, frame: GroupFrame) -> None:
        roster = self.chain.roster
        if roster is None:
            return
        if sender == self.presence.mine and frame.slot == self.chain.my_slot:
            self._own(seq, ts, d, frame, roster)
            return
        heard = self.receiver.open(frame, d, roster, self.now)
        if isinstance(heard, Delivered):
            member = heard.member
            if heard.skipped:
                self.events.append(ev.Gap(member.slot, self._label(member), heard.skipped))
            self._content(seq, ts, member, heard.content, mine=False, late=heard.late)
        else:
            self._evidence(heard)

    def _evidence(self, heard: Received | None) -> None:
        """A keys or group frame that was not delivered: a new chain (with any gap at the
        end of the old one), or evidence of what the relay or a member did."""
        match heard:
            case Rekeyed(member, missing) if missing > 0:
                self.events.append(ev.Gap(member.slot, self._label(member), missing))
            case Unannounced(member):
                self._alarm(ev.Alarm.KEY_NOT_ANNOUNCED, (self._label(member),))
            case TwoKeys(member):
                self._alarm(ev.Alarm.TWO_KEYS, (self._label(member),))
            case Unkeyed(member):
                self._alarm(ev.Alarm.KEYS_NEVER_CAME, (self._label(member),))
                self.acks.heard()  # tell the room, and the sender, in the next ack
            case Behind(member):
                self._alarm(ev.Alarm.SPEAKS_IN_OLD_EPOCH, (self._label(member),))
            case Ahead(member, epoch) if self._unreadable_at(member, epoch):
                self.sender.hold_back()  # since the Commit came; the note says why
            case Ahead(member) if self._took_over_without_us(member):
                self._alarm(ev.Alarm.AHEAD_BY_TAKEOVER, (self._label(member),))
            case Ahead(member):
                self.sender.hold_back()
                self._alarm(ev.Alarm.COMMIT_WITHHELD, (self._label(member),))

    def _unreadable_at(self, member: Member, epoch: int) -> bool:
        """Whether ``member`` in ``epoch`` is explained by the sequencer's Commit we could not
        read: its signer in its epoch (nobody else seen there yet: we wait, held back);
        another member there (the room followed it: said once); or, once followed, anyone
        beyond it, where without it we cannot follow anyway."""
        chain = self.chain
        unreadable = chain.unreadable
        if unreadable is None or epoch < unreadable.epoch:
            return False
        if epoch == unreadable.epoch and not chain.unreadable_followed:
            if member.identity == unreadable.identity:
                return True
            chain.unreadable_followed = True
            self._note(ev.Note.CHANGE_UNREADABLE, unreadable.signer)
            return True
        return chain.unreadable_followed

    def _took_over_without_us(self, member: Member) -> bool:
        """Whether ``member`` is ahead by a takeover we refused, not by a Commit we missed.

        Only the sequencer and, by taking over, the successor make epochs. A
        successor ahead of us while the sequencer is still here took over without
        us (we refuse that); nobody who left holds a chain of ours, so we go on.
        """
        roster = self.chain.roster
        assert roster is not None
        sequencer = roster.sequencer
        return (
            member.slot == roster.commit.successor
            and sequencer is not None
            and self.presence.here(sequencer.peer)
            # After its goodbye we would have taken that takeover: one was withheld.
            and not self.departures.said_goodbye(sequencer.identity)
        )

    def _own(self, seq: int, ts: int, d: bytes, frame: GroupFrame, roster: Roster) -> None:
        returned = self.sender.returned(d)
        me = roster.seat(frame.slot)
        if returned is None or me is None:
            return  # not something we sent, or already seen: a replay
        missing, content = returned
        check = self.sender.check_of(frame.epoch, frame.gen)
        self.receiver.record_own(frame, d, roster.epoch, check)
        if missing:
            self._alarm(ev.Alarm.OWN_NOT_RETURNED, count=missing)
        self._content(seq, ts, me, content, mine=True, late=frame.epoch != roster.epoch)

    def _content(
        self, seq: int, ts: int, member: Member, content: Content, *, mine: bool, late: bool
    ) -> None:
        """Verified content at its place in the room's order."""
        if not isinstance(content, Ack | FloorState):
            self.acks.heard()  # (the floor shown to a newcomer alone asks for no ack)
        if self.departures.still_here(member, self.presence.present):
            self._alarm(ev.Alarm.SPEAKS_AFTER_LEAVE, (self._label(member),))
        match content:
            case Say(text):
                self._apply(seq, ts, member, Spoken(text), late=late, mine=mine)
            case Aside(text):
                self._apply(seq, ts, member, Spoken(text, aside=True), late=late, mine=mine)
            case FloorBody(act):
                if mine:
                    self.floor_sent_ms = None
                if late:
                    # Sealed in the epoch before, it reached a room a newcomer may be in
                    # already, who cannot open it: nobody applies it, and we send it again.
                    if mine:
                        self._floor(act)
                    return
                self._apply(seq, ts, member, Floored(act), late=False, mine=mine)
            case FloorState(at, shown) if not late:
                roster = self.chain.roster
                by_sequencer = roster is not None and member.slot == roster.commit.sequencer
                self._apply(
                    seq, ts, member, FloorShown(at, shown, by_sequencer), late=False, mine=mine
                )
            case React(emoji):
                self._apply(seq, ts, member, Reaction(emoji), late=late, mine=mine)
            case Admit(peer, identity, consent):
                knock = self.door.knocks.get(peer)
                if self.chain.is_sequencer and knock is not None and knock.identity == identity:
                    statement = consent_statement(
                        self.me.room, knock.identity, knock.exchange, knock.nick
                    )
                    if verify(member.identity, statement, consent):  # the Commit will carry it
                        self.sequencer.consent(peer, member.slot, consent)
            case MotionBody() | SecondBody() | AnswerBody() | BallotBody() if not late:
                row = self._vote_row(content, member)
                if row is not None:
                    self._apply(seq, ts, member, row, late=False, mine=mine)
            case OuchBody(text, about) if not late:
                pointed = None if about == NO_MESSAGE else about
                self._apply(seq, ts, member, rp.Ouched(text, pointed), late=False, mine=mine)
            case AmendBody() | ConsentBody() if not late:
                amend_row = self._amend_row(content, member)
                if amend_row is not None:
                    self._apply(seq, ts, member, amend_row, late=False, mine=mine)
            case OfferBody() if not mine and not late:
                self._offered(content, member)
            case PrivateBody(to, sealed) if not mine and to == self.chain.my_slot:
                self._private(member, sealed, late=late)
            case ChunkBody() if not mine:
                self._chunk(content, member)
            case RepairBody(step) if not late:
                self._apply(seq, ts, member, rp.Stepped(step), late=False, mine=mine)
            case Bye(goodbye):
                statement = goodbye_statement(self.me.room, member.identity)
                if verify(member.identity, statement, goodbye):
                    self.departures.said_bye(member.identity, goodbye, self.now)
            case Ack() if not mine:
                self._compare(member, content)

    def _apply(
        self, seq: int, ts: int, member: Member, event: StateEvent, *, late: bool, mine: bool
    ) -> None:
        """Into the room state; what it changed, onto the screen."""
        applied = Applied(seq, ts, member.slot, event, logged=not late)
        self.relay_offset = self.now - ts  # how far the relay's clock is from ours
        self.state, changes = apply_state(self.state, applied)
        self._show(changes, member, mine=mine)
        self._watch()

    def _show(self, changes: tuple[RoomChange, ...], member: Member | None, *, mine: bool) -> None:
        """What the room state changed, onto the screen; a rule broken, named."""
        for change in changes:
            match change:
                case Message(seq=at, ts=stamp, text=text, aside=aside, out_of_turn=out):
                    assert member is not None
                    label = self._label(member)
                    self.events.append(ev.Said(at, stamp, member.slot, label, text, mine, aside))
                    if out and not mine:
                        self._alarm(ev.Alarm.OUT_OF_TURN, (label,))
                case RoomReacted(emoji=emoji):
                    assert member is not None
                    self.events.append(ev.Reacted(member.slot, self._label(member), emoji))
                case FloorMoved(fl.Refused(slot, act, why)):
                    if mine:
                        self.events.append(ev.FloorDeclined(act, why))
                    elif why in (fl.Why.NOT_THE_SPEAKER, fl.Why.TOO_MANY_PAUSES):
                        self._alarm(ev.Alarm.FLOOR_OUT_OF_RULES, (self._seat_label(slot),))
                case FloorMoved(moved):
                    self.events.append(ev.FloorChanged(moved, self._names(), self.chain.my_slot))
                case VoteMoved(vt.BallotIn(key, cast, of)):
                    m = self.state.votes.get(key)
                    if m is not None:
                        self.events.append(
                            self._motion_event(m, ev.MotionStage.BALLOT, cast=cast, of=of)
                        )
                case VoteMoved(vt.VoteRefused(slot, _key, why)):
                    honest = (vt.Why.NOT_SEATED, vt.Why.WRONG_VOTERS, vt.Why.UNKNOWN)
                    if not mine and why not in honest:
                        self._alarm(ev.Alarm.VOTE_OUT_OF_RULES, (self._seat_label(slot),))
                case AmendMoved(am.AmendChange(stage, slot, amendment)):
                    self._amend_event(stage, slot, amendment)
                case RepairMoved(rp.Chose(slot, step)):
                    r = self.state.repair.round
                    flagger = self._seat_label(r.flagger) if r is not None else ""
                    who = self._seat_label(slot)
                    self.events.append(
                        ev.RepairEvent(ev.RepairStage.CHOSE, flagger, who=who, choice=str(step))
                    )
                case RepairMoved(rp.Closed(out)):
                    self._close_round(tuple(self._seat_label(s) for s in out))
                case RepairMoved(rp.RepairRefused(slot, why)):
                    if not mine and why is not rp.Why.NOT_SEATED:
                        self._alarm(ev.Alarm.FLOOR_OUT_OF_RULES, (self._seat_label(slot),))

    # --- accountability: motions to remove someone, and repair ------------------------

    def _vote_row(
        self, content: MotionBody | SecondBody | AnswerBody | BallotBody, member: Member
    ) -> StateEvent | None:
        roster, room = self.chain.roster, self.me.room
        if roster is None:
            return None
        match content:
            case MotionBody():
                return motion_row(content, member, roster, room)
            case SecondBody():
                return second_row(content, member, room)
            case AnswerBody(key):
                return vt.Answered(key)
            case BallotBody():
                return ballot_row(content, member, room)

    def _voters(self, named: int) -> tuple[int, ...]:
        """Who would vote on a motion about ``named`` now: the others present."""
        floor = self.state.floor
        return tuple(s for s in floor.seats if s not in floor.away and s != named)

    def _move(self, named: int, reason: str) -> None:
        roster, slot = self.chain.roster, self.chain.my_slot
        if roster is None or slot is None:
            self._note(ev.Note.NOT_IN_ROOM)
            return
        reason = reason.strip()
        target = roster.seat(named)
        if target is None:
            self._note(ev.Note.NO_SUCH_MEMBER)
            return
        if named == slot:
            self._note(ev.Note.MOTION_NOT_SELF)
            return
        if not reason or not reason.isprintable():
            self._note(ev.Note.REASON_NEEDED)
            return
        if len(reason) > REASON_CHARS:
            self._note(ev.Note.TOO_LONG)
            return
        voters = self._voters(named)
        floor, votes, now = self.state.floor, self.state.votes, self._relay_now()
        why = vt.refusal(
            votes, named, slot, self.me.key, target.identity, voters, now, floor.seats, floor.away
        )
        label = self._label(target)
        match why:
            case vt.Why.TOO_FEW | vt.Why.WRONG_VOTERS:
                self._note(ev.Note.MOTION_TOO_FEW, str(len(voters)))
                return
            case vt.Why.ALREADY:
                self._note(ev.Note.MOTION_ALREADY, label)
                return
            case vt.Why.AGAIN:
                self._note(ev.Note.MOTION_AGAIN, label)
                return
            case None:
                pass
            case _:
                self._note(ev.Note.NO_SUCH_MEMBER)
                return
        ids = []
        for voter in voters:
            seated = roster.seat(voter)
            assert seated is not None
            ids.append(seated.identity)
        second_s, respond_s, vote_s = self.motion_windows
        motion = Motion(
            roster.epoch,
            target.identity,
            reason_digest(reason),
            tuple(ids),
            second_s,
            respond_s,
            vote_s,
            random_bytes(16),
        ).encode()
        sig = sign(self.me.identity, motion_statement(self.me.room, motion))
        self._speak(MotionBody(motion, sig, reason))

    def _open_motions(self, phase: vt.Phase, about: int | None) -> list[vt.MotionState]:
        slot, now = self.chain.my_slot, self._relay_now()
        if slot is None:
            return []
        return [
            m
            for m in self.state.votes.motions
            if m.phase(now) is phase
            and m.votes_as(slot, self.me.key)
            and (about is None or m.named == about)
        ]

    def _second(self, about: int | None) -> None:
        waiting = [
            m
            for m in self._open_motions(vt.Phase.SECONDING, about)
            if m.mover != (self.chain.my_slot)
        ]
        if not waiting:
            self._note(ev.Note.NOTHING_TO_SECOND)
            return
        key = waiting[-1].key
        self._speak(SecondBody(key, sign(self.me.identity, second_statement(self.me.room, key))))

    def _vote(self, yes: bool, about: int | None) -> None:
        slot = self.chain.my_slot
        voting = self._open_motions(vt.Phase.VOTING, about)
        fresh = [m for m in voting if not any(b.slot == slot for b in m.ballots)]
        if not fresh:
            self._note(ev.Note.ALREADY_VOTED if voting else ev.Note.NO_VOTE_OPEN)
            return
        key = fresh[0].key
        sig = sign(self.me.identity, ballot_statement(self.me.room, key, yes))
        self._speak(BallotBody(key, yes, sig))

    def _my_turn_held(self) -> bool:
        slot = self.chain.my_slot
        return slot is not None and self.state.turn_holder(self._relay_now()) == slot

    def _held_turn_done(self, passed: bool) -> None:
        """Our done (or pass) in a repair round, or as the one a motion names."""
        now = self._relay_now()
        if self.state.repair.open_at(now) is not None:
            self._speak(RepairBody(rp.Step.PASS if passed else rp.Step.DONE))
            return
        for m in self.state.votes.motions:
            if m.named == self.chain.my_slot and m.phase(now) is vt.Phase.ANSWERING:
                self._speak(AnswerBody(m.key))
                return

    def _ouch(self, text: str, about: int | None) -> None:
        slot = self.chain.my_slot
        if slot is None or self.chain.roster is None:
            self._note(ev.Note.NOT_IN_ROOM)
            return
        text = text.strip()
        if len(text) > OUCH_CHARS:
            self._note(ev.Note.TOO_LONG)
            return
        if text and not text.isprintable():
            self._note(ev.Note.REASON_NEEDED)
            return
        match rp.refusal(self.state.repair, slot, self._relay_now()):
            case rp.Why.ALREADY:
                self._note(ev.Note.REPAIR_OPEN)
                return
            case rp.Why.TOO_MANY:
                self._note(ev.Note.TOO_MANY_OUCHES)
                return
        if about is None:  # the latest message from someone else
            others = [seq for seq, author in self.state.authors if author != slot]
            about = others[-1] if others else NO_MESSAGE
        self._speak(OuchBody(text, about))

    def _repair(self, step: rp.Step) -> None:
        slot, now = self.chain.my_slot, self._relay_now()
        r = self.state.repair.open_at(now)
        if r is None or slot is None:
            self._note(ev.Note.NO_REPAIR)
            return
        if step in (rp.Step.DONE, rp.Step.PASS):
            if r.speaker(now) != slot:
                self._note(ev.Note.NOT_YOUR_TURN, self._seat_label(r.speaker(now)))
                return
            self._speak(RepairBody(step))
            return
        if slot not in r.affected:
            self._note(ev.Note.NOT_AFFECTED)
            return
        if step is rp.Step.MORE and r.mores.count(slot) >= rp.MORES:
            self._note(ev.Note.NO_MORE_TIME)
            return
        self._speak(RepairBody(step))
        if step is rp.Step.STEP_OUT:
            # Gently: no goodbye, so the seat goes as a dropped connection does and
            # leaves a return ticket (``Endpoint.fresh`` comes back on it).
            self.stepped_out = True
            self.closed_by_us = True
            self.events.append(ev.Closed(ev.Ending.STEPPED_OUT))

    def _motion_event(
        self, m: vt.MotionState, stage: ev.MotionStage, **more: Any
    ) -> ev.MotionEvent:
        slot = self.chain.my_slot
        now = self._relay_now()
        left = 0
        match stage:
            case ev.MotionStage.RAISED:
                left = m.moved_ts + m.second_s * 1000 - now
            case ev.MotionStage.SECONDED:
                left = (m.answer_end() or now) - now
            case ev.MotionStage.VOTING:
                left = (m.vote_end() or now) - now
        fields: dict[str, Any] = {
            "cast": len(m.ballots),
            "of": len(m.voters),
            "yes": m.yes if stage in (ev.MotionStage.PASSED, ev.MotionStage.FAILED) else 0,
            "by": self._label_of(m.seconder_id, m.seconder) if m.seconder is not None else "",
            "voted": any(b.slot == slot for b in m.ballots),
            "seconds_left": max(0, (left + 999) // 1000),
        }
        fields.update(more)
        return ev.MotionEvent(
            stage,
            m.key,
            self._label_of(m.mover_id, m.mover),
            self._label_of(m.named_id, m.named),
            m.reason,
            mover_is_me=m.mover == slot,
            named_is_me=m.named == slot,
            i_vote=slot is not None and m.votes_as(slot, self.me.key),
            **fields,
        )

    def _label_of(self, identity: bytes, slot: int) -> str:
        """A member's name by their key, as a seat may be someone else's by now."""
        roster = self.chain.roster
        member = roster.by_identity(identity) if roster is not None else None
        if member is not None:
            return self._label(member)
        return self.door.former.get(identity) or self._seat_label(slot)

    def _watch(self) -> None:
        """Motions and the repair round move on with the relay's clock: each change shown once."""
        now = self._relay_now()
        stages = {
            vt.Phase.SECONDING: ev.MotionStage.RAISED,
            vt.Phase.ANSWERING: ev.MotionStage.SECONDED,
            vt.Phase.VOTING: ev.MotionStage.VOTING,
            vt.Phase.PASSED: ev.MotionStage.PASSED,
            vt.Phase.FAILED: ev.MotionStage.FAILED,
            vt.Phase.LAPSED: ev.MotionStage.LAPSED,
        }
        seen = {}
        for m in self.state.votes.motions:
            phase = m.phase(now)
            seen[m.key] = phase
            if self.motions_shown.get(m.key) is not phase:
                self.events.append(self._motion_event(m, stages[phase]))
        self.motions_shown = seen
        self._removal_overdue(now)
        self._no_return_for_the_removed(now)
        current = self.state.amendment
        if current is not None and current.is_open(now):
            self.amend_shown = current.key
        elif current is not None and self.amend_shown == current.key:
            self.amend_shown = None
            if current.objection is None and not current.complete():
                by = self._seat_label(current.proposer)
                count, of = len(current.consents), len(current.asked)
                self.events.append(ev.AmendEvent(ev.AmendStage.LAPSED, by, current.line, count, of))
        r = self.state.repair.open_at(now)
        if r is None:
            if self.round_shown is not None:
                self._close_round(())
            return
        turn = r.turn(now)
        if self.round_shown is not None and self.round_shown == (r.opened_ts, turn):
            return
        opened = self.round_shown is None or self.round_shown[0] != r.opened_ts
        self.round_shown = (r.opened_ts, turn)
        speaker = r.speaker(now)
        slot = self.chain.my_slot
        self.events.append(
            ev.RepairEvent(
                ev.RepairStage.OPENED if opened else ev.RepairStage.TURN,
                self._seat_label(r.flagger),
                self._seat_label(r.concerned) if r.concerned is not None else "",
                r.text,
                speaker=self._seat_label(speaker) if speaker is not None else "",
                speaker_is_me=speaker is not None and speaker == slot,
                affected_me=slot in r.affected,
                agreements=self.agreements_text() if opened else "",
            )
        )

    def _no_return_for_the_removed(self, now: int) -> None:
        """Knocked on a ticket while a vote was open, and voted out since: the ticket
        brings no one back; they knock like anyone, for a member's consent."""
        for peer, was in list(self.door.returns.items()):
            knock = self.door.knocks.get(peer)
            if was in self.state.votes.removed_by(now) and knock is not None:
                self.door.returns.pop(peer)
                self.sequencer.drop_consent(peer)
                self._knocked(peer, knock)

    def _removal_overdue(self, now: int) -> None:
        """A vote passed, yet whoever must commit the removal has not: the room is told."""
        roster = self.chain.roster
        if roster is None:
            return
        for m in self.state.votes.motions:
            named = roster.by_identity(m.named_id)
            if named is None or m.phase(now) is not vt.Phase.PASSED:
                continue
            if now - m.end() < REMOVAL_OVERDUE_MS:
                continue
            by = roster.successor if m.named == roster.commit.sequencer else roster.sequencer
            if by is not None and by.slot != self.chain.my_slot:
                self._alarm(ev.Alarm.REMOVAL_WITHHELD, (self._label(by), self._label(named)))

    def _close_round(self, stepped_out: tuple[str, ...]) -> None:
        if self.round_shown is None:
            return
        self.round_shown = None
        self.events.append(ev.RepairEvent(ev.RepairStage.CLOSED, "", stepped_out=stepped_out))

    def agreements_text(self) -> str:
        """The room's agreements as accepted (the host's, or the lobby's)."""
        if self.agreements is not None:
            return self.agreements
        lobby = self.entry.lobby
        return lobby.agreements if lobby is not None else ""

    def _room_turns(self) -> list[int]:
        """Relay times at which a motion or the repair round moves on by itself."""
        times = []
        for m in self.state.votes.motions:
            times.append(m.moved_ts + m.second_s * 1000)
            times.append(m.end() + REMOVAL_OVERDUE_MS)
            for end in (m.answer_end(), m.vote_end()):
                if end is not None:
                    times.extend((end, end + CLOSE_MARGIN_MS + 1))
        r = self.state.repair.round
        if r is not None:
            times.extend((*r.turn_ends(), r.end()))
        if self.state.amendment is not None:
            times.append(self.state.amendment.opened_ts + am.OPEN_S * 1000)
        return times

    def _voted_out_because(self, change: Transition) -> str | None:
        """The reason given, if the Commit that dropped us was the room's vote (we saw
        the motion: its words are in our room state)."""
        old = change.old
        mine = old.by_identity(self.me.key) if old is not None else None
        for c in change.new.commit.changes:
            if c.what is ChangeKind.REMOVED and mine is not None and c.slot == mine.slot:
                raw = removal_motion(c.evidence)
                motion = self.state.votes.get(motion_id(self.me.room, raw)) if raw else None
                return motion.reason if motion is not None else ""
        return None

    # --- amending the agreements: everyone present consents --------------------------

    def _amended_agreed(self, line: str) -> bytes | None:
        text = self.agreements
        return agreements_hash(am.with_line(text, line)) if text is not None else None

    def _amend(self, text: str) -> None:
        roster, slot = self.chain.roster, self.chain.my_slot
        if roster is None or slot is None or self.agreements is None:
            self._note(ev.Note.NOT_IN_ROOM)
            return
        text = " ".join(text.split())
        if not text or not text.isprintable():
            self._note(ev.Note.REASON_NEEDED)
            return
        current = self.state.amendment
        if current is not None and (current.is_open(self._relay_now()) or current.complete()):
            self._note(ev.Note.AMENDMENT_OPEN)
            return
        line = am.numbered(self.agreements, text)
        if len(line) > am.LINE_CHARS or len(am.with_line(self.agreements, line)) > AGREEMENTS_CHARS:
            self._note(ev.Note.AGREEMENTS_TOO_LONG, str(AGREEMENTS_CHARS))
            return
        key = random_bytes(16)
        new = agreements_hash(am.with_line(self.agreements, line))
        statement = amend_statement(self.me.room, key, roster.commit.agreed, new)
        self._speak(AmendBody(key, line, sign(self.me.identity, statement)))

    def _consent(self, objection: str | None) -> None:
        current, slot = self.state.amendment, self.chain.my_slot
        roster = self.chain.roster
        if current is None or slot is None or roster is None:
            self._note(ev.Note.NO_AMENDMENT)
            return
        if not current.is_open(self._relay_now()) or slot not in current.asked:
            self._note(ev.Note.NO_AMENDMENT)
            return
        if objection is not None:
            reason = " ".join(objection.split())
            if not reason or not reason.isprintable() or len(reason) > REASON_CHARS:
                self._note(ev.Note.REASON_NEEDED)
                return
            self._speak(ConsentBody(current.key, b"", reason))
            return
        if any(s == slot for s, _ in current.consents):
            self._note(ev.Note.ALREADY_VOTED)
            return
        statement = amend_statement(
            self.me.room, current.key, roster.commit.agreed, current.new_agreed
        )
        self._speak(ConsentBody(current.key, sign(self.me.identity, statement)))

    def _amend_row(self, content: AmendBody | ConsentBody, member: Member) -> StateEvent | None:
        roster = self.chain.roster
        if roster is None:
            return None
        room, agreed = self.me.room, roster.commit.agreed
        match content:
            case AmendBody(key, line, sig):
                new = self._amended_agreed(line)
                if new is None or not verify(
                    member.identity, amend_statement(room, key, agreed, new), sig
                ):
                    return None
                return am.Proposed(key, line, new, sig, member.identity)
            case ConsentBody(key, b"", reason):
                return am.Objected(key, reason)
            case ConsentBody(key, sig):
                current = self.state.amendment
                if current is None or current.key != key:
                    return None
                statement = amend_statement(room, key, agreed, current.new_agreed)
                if not verify(member.identity, statement, sig):
                    return None
                return am.Consented(key, sig, member.identity)
        return None

    def _amend_event(self, stage: am.Stage, slot: int, amendment: am.Amendment) -> None:
        mine = self.chain.my_slot
        by = self._seat_label(slot)
        consented = any(s == mine for s, _ in amendment.consents)
        count, of = len(amendment.consents), len(amendment.asked)
        line, me = amendment.line, slot == mine
        match stage:
            case am.Stage.PROPOSED:
                event = ev.AmendEvent(ev.AmendStage.PROPOSED, by, line, count, of, mine=me,
                                      consented=consented)  # fmt: skip
            case am.Stage.CONSENTED:
                event = ev.AmendEvent(ev.AmendStage.CONSENTED, by, line, count, of, mine=me,
                                      consented=consented)  # fmt: skip
            case _:
                reason = amendment.objection[1] if amendment.objection else ""
                event = ev.AmendEvent(ev.AmendStage.OBJECTED, by, line, count, of, reason, me)
        self.events.append(event)

    def _amendment_agreed(self) -> tuple[bytes, bytes] | None:
        """Our amendment everyone consented to: its id, and the hash of our text with it."""
        current = self.state.amendment
        if current is None or not current.complete() or self.agreements is None:
            return None
        return current.key, agreements_hash(am.with_line(self.agreements, current.line))

    def _amendment_due(self, roster: Roster, slot: int) -> CommitBody | None:
        """As sequencer: everyone consented to the open amendment; the Commit that makes it."""
        current = self.state.amendment
        if current is None or not current.complete() or roster.commit.sequencer != slot:
            return None
        if self.sequencer.awaits(roster.epoch + 1):
            return None
        places = {m.identity: at for at, m in enumerate(roster.members)}
        by_seat = dict(zip(current.asked, current.asked_ids, strict=True))
        try:
            consents = tuple((places[by_seat[s]], sig) for s, sig in current.consents)
        except KeyError:
            return None  # someone asked is no longer seated: the amendment is moot
        evidence = Amended(current.key, consents).encode()
        body = amending(roster, current.new_agreed, evidence, slot, self.chain.tickets)
        return rekeyed(roster, body, self._exchanges())

    def _take_amendment(self, new: Roster) -> None:
        """A Commit that amends the agreements: our text follows, line by line."""
        current = self.state.amendment
        for change in new.commit.changes:
            if change.what is not ChangeKind.AMENDED or current is None:
                continue
            if amended_key(change.evidence) == current.key and self.agreements is not None:
                self.agreements = am.with_line(self.agreements, current.line)
                self.events.append(
                    ev.AmendEvent(ev.AmendStage.AGREED, self._seat_label(current.proposer),
                                  current.line, len(current.asked), len(current.asked))
                )  # fmt: skip

    # --- offers: every share is an offer ---------------------------------------------

    def _offer_event(
        self, stage: ev.OfferStage, offer: of.Outgoing | of.Incoming, **more: Any
    ) -> None:
        mine = isinstance(offer, of.Outgoing)
        if isinstance(offer, of.Outgoing):
            sender = self.me.nick
        elif offer.sender == of.NOBODY:  # their seat went: the name they offered under
            sender = self.door.former.get(offer.sender_identity) or offer.sender_nick
        else:
            sender = self._label_of(offer.sender_identity, offer.sender)
        kind, note, size, mime = str(offer.kind), offer.note, offer.size, offer.mime
        self.events.append(
            ev.OfferEvent(stage, offer.number, kind, sender, note, size, mine, mime, **more)
        )

    def _offer(self, kind: OfferKind, note: str, content: bytes, mime: str) -> None:
        roster, slot = self.chain.roster, self.chain.my_slot
        if roster is None or slot is None:
            self._note(ev.Note.NOT_IN_ROOM)
            return
        if len(content) > self.offers.limit:
            self._note(ev.Note.OFFER_TOO_LARGE, str(self.offers.limit // (1024 * 1024)))
            return
        to = tuple(s for s in self._voters(slot))  # everyone else present
        if not to:
            self._note(ev.Note.NOBODY_TO_OFFER)
            return
        if kind is OfferKind.FILE:
            note = of.safe_name(note)
        out = of.Outgoing(
            self.offers.next_number(), random_bytes(16), kind, note[:120], mime[:80], content,
            random_bytes(32), digest(content, b"porch-offer"), to, of.chunk_count(len(content)),
        )  # fmt: skip
        self.offers.mine[out.offer] = out
        body = OfferBody(out.offer, kind, out.note, out.mime, out.size, out.chunks, to)
        self._speak(body)
        self._offer_event(ev.OfferStage.ASKING, out, to=tuple(self._seat_label(s) for s in to))

    def _incoming(self, number: int) -> of.Incoming | None:
        found = self.offers.by_number(number)
        if found is None:
            self._note(ev.Note.NO_SUCH_OFFER)
            return None
        if not isinstance(found, of.Incoming) or found.stage is not of.Stage.OFFERED:
            self._note(ev.Note.OFFER_DONE)
            return None
        return found

    def _accept(self, number: int) -> None:
        inc = self._incoming(number)
        if inc is None:
            return
        inc.stage = of.Stage.ACCEPTED
        inc.last_chunk_ms = self.now
        self._tell(inc.sender, OfferNote(inc.offer, OfferSay.ACCEPT, 0))

    def _decline(self, number: int) -> None:
        inc = self._incoming(number)
        if inc is not None:
            inc.stage = of.Stage.DECLINED  # nothing is sent: no answer looks the same

    def _cancel_offer(self, number: int) -> None:
        found = self.offers.by_number(number)
        if found is None:
            self._note(ev.Note.NO_SUCH_OFFER)
            return
        if isinstance(found, of.Outgoing):
            if found.cancelled:
                self._note(ev.Note.OFFER_DONE)
                return
            found.cancelled, found.sending = True, False
            for seat in found.to:  # those who did not answer too: it leaves their screens
                if seat not in found.have:
                    self._tell(seat, OfferNote(found.offer, OfferSay.CANCEL))
        else:
            if found.stage not in (of.Stage.OFFERED, of.Stage.ACCEPTED):
                self._note(ev.Note.OFFER_DONE)
                return
            if found.stage is of.Stage.ACCEPTED:
                self._tell(found.sender, OfferNote(found.offer, OfferSay.CANCEL))
            found.stage, found.pieces, found.sealed = of.Stage.CANCELLED, {}, {}
        self._offer_event(ev.OfferStage.CANCELLED, found, by=self.me.nick)

    def offer_content(self, number: int) -> tuple[str, bytes] | None:
        """(name, content) of an offer that arrived and checked out, for saving."""
        found = self.offers.by_number(number)
        if isinstance(found, of.Incoming) and found.content is not None:
            return found.note, found.content
        return None

    def _pair_key(self, member: Member, *, sending: bool) -> bytes | None:
        roster = self.chain.roster
        pair = self.pairs.with_member(member.exchange)
        if pair is None or roster is None:
            return None
        context = pair_context(self.me.room, roster.epoch)
        return pair.sending(context) if sending else pair.receiving(context)

    def _tell(self, slot: int, note: OfferNote | CardNote) -> None:
        """A private message to one member, sealed under the pair key we two hold."""
        roster, mine = self.chain.roster, self.chain.my_slot
        member = roster.seat(slot) if roster is not None else None
        if member is None or mine is None or roster is None:
            return
        key = self._pair_key(member, sending=True)
        if key is None:
            return
        aad = private_aad(self.me.room, roster.epoch, mine, slot)
        self._speak(PrivateBody(slot, seal(key, note.encode(), aad)))

    def _offered(self, body: OfferBody, member: Member) -> None:
        slot = self.chain.my_slot
        if slot is None or slot not in body.to or body.offer in self.offers.theirs:
            return
        if body.kind is OfferKind.LINK and not of.is_domain(body.note):
            # Its note is all that shows before accepting: one that reads as anything
            # but a domain is someone's words dressed as where the link goes.
            self._alarm(ev.Alarm.LINK_NOTE_NOT_A_DOMAIN, (self._label(member),))
            return
        if not self.offers.room_for(member.slot):
            self._tell(member.slot, OfferNote(body.offer, OfferSay.CROWDED))
            if member.slot not in self.offers.crowded:
                self.offers.crowded.add(member.slot)
                self._note(ev.Note.OFFERS_CROWDED, self._label(member))
            return
        self.offers.forget_ended()
        note = of.safe_name(body.note) if body.kind is OfferKind.FILE else body.note
        inc = of.Incoming(
            self.offers.next_number(), body.offer, member.slot, member.identity, body.kind,
            note, body.mime, body.size, body.chunks, sender_nick=member.nick,
        )  # fmt: skip
        self.offers.theirs[body.offer] = inc
        to = tuple("you" if s == slot else self._seat_label(s) for s in body.to)
        if body.size > self.offers.limit:
            inc.stage = of.Stage.DECLINED
            self._offer_event(ev.OfferStage.TOO_LARGE, inc, to=to)
            return
        self._offer_event(ev.OfferStage.OFFERED, inc, to=to)

    def _private(self, member: Member, sealed: bytes, *, late: bool) -> None:
        roster, mine = self.chain.roster, self.chain.my_slot
        key = self._pair_key(member, sending=False)
        if key is None or roster is None or mine is None or late:
            return
        try:
            plain = unseal(key, sealed, private_aad(self.me.room, roster.epoch, member.slot, mine))
        except CryptoFailure:
            return
        try:
            self._card(member, CardNote.decode(plain))
            return
        except (BodyError, ValueError, TypeError):
            pass
        try:
            note = OfferNote.decode(plain)
        except (BodyError, ValueError, TypeError):
            return
        out = self.offers.mine.get(note.offer)
        inc = self.offers.theirs.get(note.offer)
        match note.say:
            case OfferSay.ACCEPT if out is not None and not out.cancelled:
                if member.slot not in out.to:
                    # Back on a new connection (theirs or ours): only someone who was
                    # given the key can show it; a newcomer never sees earlier offers.
                    if note.digest != resume_proof(out.file_key, out.offer, member.identity):
                        return
                    out.to = (*out.to, member.slot)
                fresh = member.slot not in out.accepted
                out.accepted.add(member.slot)
                out.have.discard(member.slot)
                self._tell(
                    member.slot,
                    OfferNote(out.offer, OfferSay.KEY, file_key=out.file_key, digest=out.digest),
                )
                out.cursor = min(out.cursor, note.at) if out.sending else note.at
                out.sending = True
                if fresh:
                    self._offer_event(ev.OfferStage.ACCEPTED, out, by=self._label(member))
            case OfferSay.HAVE if out is not None and member.slot in out.accepted:
                if member.slot not in out.have:
                    out.have.add(member.slot)
                    self._offer_event(ev.OfferStage.DELIVERED, out, by=self._label(member))
                if not out.waiting():
                    out.sending = False
            case OfferSay.CANCEL if out is not None:
                out.accepted.discard(member.slot)
                if not out.waiting():
                    out.sending = False
            case OfferSay.CROWDED if out is not None and member.slot in out.to:
                if member.slot not in out.accepted:  # not shown to them: they are not asked
                    out.to = tuple(s for s in out.to if s != member.slot)
                    if not out.to:
                        out.cancelled, out.sending = True, False
                    to = tuple(self._seat_label(s) for s in out.to)
                    self._offer_event(ev.OfferStage.NOT_SHOWN, out, by=self._label(member), to=to)
            case OfferSay.KEY if inc is not None and inc.sender == of.NOBODY:
                # A sender back on a new seat: it holds the key, and it is the same person
                # as far as we can tell (its return ticket, or else the name it must keep).
                same = member.identity == inc.sender_identity or (
                    inc.sender_identity in self.came_back_as.get(member.identity, ())
                )
                if not same and member.nick == inc.sender_nick:
                    same = self.chain.roster is not None and (
                        self.chain.roster.by_identity(inc.sender_identity) is None
                    )
                if inc.stage is of.Stage.ACCEPTED and note.file_key == inc.file_key and same:
                    inc.sender, inc.sender_identity = member.slot, member.identity  # back
            case OfferSay.KEY if inc is not None and inc.sender == member.slot:
                if inc.stage is of.Stage.ACCEPTED and not inc.file_key:
                    inc.file_key, inc.digest = note.file_key, note.digest
                    for index, chunk in sorted(inc.sealed.items()):
                        self._open_chunk(inc, index, chunk, member)
                    inc.sealed = {}
            case OfferSay.CANCEL if inc is not None and inc.sender == member.slot:
                if inc.stage in (of.Stage.OFFERED, of.Stage.ACCEPTED):
                    inc.stage, inc.pieces, inc.sealed = of.Stage.CANCELLED, {}, {}
                    self._offer_event(ev.OfferStage.CANCELLED, inc, by=self._label(member))

    def _chunk(self, body: ChunkBody, member: Member) -> None:
        inc = self.offers.theirs.get(body.offer)
        if inc is None:
            return  # not offered to us, or before we came in: nothing to open
        if inc.sender == of.NOBODY:
            return  # its sender is away; it resumes once they show the key
        if inc.sender != member.slot:
            self._alarm(ev.Alarm.OFFER_NOT_THEIRS, (self._label(member),))
            return
        if inc.stage is not of.Stage.ACCEPTED:
            return
        if body.index >= inc.chunks:
            self._fail(inc, ev.Alarm.LARGER_THAN_OFFERED, member)
            return
        inc.last_chunk_ms = self.now
        if not inc.file_key:
            if len(inc.sealed) < of.PACE_PER_S * 10:
                inc.sealed[body.index] = body.sealed
            return
        self._open_chunk(inc, body.index, body.sealed, member)

    def _open_chunk(self, inc: of.Incoming, index: int, sealed: bytes, member: Member) -> None:
        try:
            plain = unseal(inc.file_key, sealed, chunk_aad(self.me.room, inc.offer, index))
        except CryptoFailure:
            self._alarm(ev.Alarm.CHUNK_BROKEN, (self._label(member),))
            return  # it is asked for again, from the first chunk we lack
        if len(plain) != CHUNK:
            self._fail(inc, ev.Alarm.CHUNK_BROKEN, member)
            return
        inc.pieces[index] = plain
        step = len(inc.pieces) * of.PROGRESS_STEPS // inc.chunks
        if step > inc.told and len(inc.pieces) < inc.chunks:
            inc.told = step
            self._offer_event(ev.OfferStage.PROGRESS, inc, done=len(inc.pieces), chunks=inc.chunks)
        if len(inc.pieces) == inc.chunks:
            self._arrived(inc, member)
        elif index == inc.chunks - 1:
            self._ask_again(inc)

    def _arrived(self, inc: of.Incoming, member: Member) -> None:
        content = of.whole(inc.pieces, inc.chunks)
        inc.pieces = {}
        if content is None or len(content) != inc.size:
            self._fail(inc, ev.Alarm.LARGER_THAN_OFFERED, member)
            return
        if digest(content, b"porch-offer") != inc.digest:
            self._fail(inc, ev.Alarm.CHUNK_BROKEN, member)
            return
        text = ""
        if inc.kind is not OfferKind.FILE:
            try:
                text = content.decode()
            except UnicodeDecodeError:
                self._fail(inc, ev.Alarm.CHUNK_BROKEN, member)
                return
            if inc.kind is OfferKind.LINK and of.link_domain(text) != inc.note:
                self._alarm(ev.Alarm.LINK_NOT_AS_SHOWN, (self._label(member),))
        inc.stage, inc.content = of.Stage.ARRIVED, content
        self._tell(inc.sender, OfferNote(inc.offer, OfferSay.HAVE))
        self._offer_event(ev.OfferStage.ARRIVED, inc, text=text, done=inc.chunks, chunks=inc.chunks)

    def _fail(self, inc: of.Incoming, alarm: ev.Alarm, member: Member) -> None:
        inc.stage, inc.pieces, inc.sealed = of.Stage.FAILED, {}, {}
        self._alarm(alarm, (self._label(member),))
        self._tell(inc.sender, OfferNote(inc.offer, OfferSay.CANCEL))
        self._offer_event(ev.OfferStage.FAILED, inc)

    def _share(self) -> None:
        """Send the chunks due under the pace; ask again for chunks that never came."""
        if self.chain.roster is None or self.chain.my_slot is None:
            return
        for out in self.offers.sending():
            if not out.waiting():
                out.sending = False  # every accepter went: nothing goes out to no one
                continue
            while out.cursor < out.chunks and self._chunk_may_go():
                index = out.cursor
                plain = of.piece(out.content, index)
                sealed = seal(out.file_key, plain, chunk_aad(self.me.room, out.offer, index))
                self._speak(ChunkBody(out.offer, index, sealed))
                out.cursor += 1
                step = out.cursor * of.PROGRESS_STEPS // out.chunks
                if step > out.told:
                    out.told = step
                    self._offer_event(
                        ev.OfferStage.PROGRESS, out, done=out.cursor, chunks=out.chunks
                    )
            if out.cursor >= out.chunks:
                out.sending = False  # all sent; an accepter lacking some asks again
        for inc in self.offers.theirs.values():
            if inc.stage is of.Stage.ACCEPTED and self.now - inc.last_chunk_ms >= of.STALL_MS:
                inc.last_chunk_ms = self.now
                self._ask_again(inc)
        self.reveals.expire(self.now)  # an ask nobody answered goes quietly

    def _ask_again(self, inc: of.Incoming) -> None:
        """Ask for the chunks we lack, from the first; a sender away on a new seat is
        asked wherever it is, with the proof that we were given the key."""
        proof = resume_proof(inc.file_key, inc.offer, self.me.key) if inc.file_key else b""
        note = OfferNote(inc.offer, OfferSay.ACCEPT, inc.first_missing(), digest=proof)
        roster = self.chain.roster
        if inc.sender != of.NOBODY:
            self._tell(inc.sender, note)
        elif roster is not None and proof:
            for member in roster.members:
                if member.slot != self.chain.my_slot:
                    self._tell(member.slot, note)

    def _reveal(self, slot: int, card: str) -> None:
        roster = self.chain.roster
        member = roster.seat(slot) if roster is not None else None
        card = card.strip()
        if member is None or slot == self.chain.my_slot:
            self._note(ev.Note.NO_SUCH_MEMBER)
            return
        if not card or not card.isprintable() or len(card) > CARD_CHARS:
            self._note(ev.Note.CARD_NEEDED)
            return
        ex = self.reveals.choose(member.identity, card, self.now)
        self._tell(slot, CardNote(ex.ours()))
        self.events.append(ev.RevealEvent(ev.RevealStage.ASKING, self._label(member)))
        self._open_card(member)

    def _card(self, member: Member, note: CardNote) -> None:
        if note.commitment:
            _ex, new = self.reveals.committed(member.identity, note.commitment, self.now)
            if new:
                self.events.append(ev.RevealEvent(ev.RevealStage.ASKED, self._label(member)))
            self._open_card(member)
            return
        card = self.reveals.opening(member.identity, note.nonce, note.card)
        if card is not None:
            self.events.append(ev.RevealEvent(ev.RevealStage.REVEALED, self._label(member), card))

    def _open_card(self, member: Member) -> None:
        """Both chose, and both committed: our card goes to them."""
        ex = self.reveals.pairs.get(member.identity)
        if ex is not None and ex.ready():
            ex.opened = True
            self._tell(member.slot, CardNote(b"", ex.nonce, ex.card))

    def _chunk_may_go(self) -> bool:
        """One more chunk now: under the offers' own pace and, when a writer paces all our
        frames (``protocol.pace``), only out of what that budget spares the talk."""
        if self.pace is not None and not self.pace.spare(self.now, pending=len(self.outbox)):
            return False
        return self.offers.take_token(self.now)

    def _share_deadline(self) -> int | None:
        times = []
        token = self.offers.next_token_ms()
        if token is not None and self.pace is not None:
            token = max(token, self.pace.spare_at(self.now, pending=len(self.outbox)))
        if token is not None:
            times.append(token)
        expires = self.reveals.deadline()
        if expires is not None:
            times.append(expires)
        for inc in self.offers.theirs.values():
            if inc.stage is of.Stage.ACCEPTED:
                times.append(inc.last_chunk_ms + of.STALL_MS)
        return min(times, default=None)

    # --- the floor: our acts, and the soft timer ---------------------------------------

    def _floor(self, act: fl.FloorAct) -> None:
        """Send a floor act, if the floor's rules allow it now (an honest client asks first)."""
        slot = self.chain.my_slot
        if slot is None or self.chain.roster is None:
            self._note(ev.Note.NOT_IN_ROOM)
            return
        sent = self.floor_sent_ms
        if sent is not None and self.now - sent < FLOOR_ROUND_TRIP_MS:
            self._note(ev.Note.FLOOR_ON_ITS_WAY)
            return
        floor = self.state.floor
        why = fl.refusal(floor, act, slot, self._relay_now())
        if why is not None:
            holder = self._seat_label(floor.speaker) if floor.speaker is not None else ""
            self.events.append(ev.FloorDeclined(act, why, holder))
            return
        self.floor_sent_ms = self.now
        self._speak(FloorBody(act))

    def _holder_if_not_me(self) -> str | None:
        """Who holds the floor in a round or stack, if not us: a message would be out of turn."""
        floor, slot, now = self.state.floor, self.chain.my_slot, self._relay_now()
        if slot is None or not self.state.out_of_turn(slot, now):
            return None
        held_by = self.state.turn_holder(now)  # a repair round's turn, or an answer
        if held_by is not None:
            return self._seat_label(held_by)
        return self._seat_label(floor.speaker) if floor.speaker is not None else ""

    def _relay_now(self) -> int:
        """The relay's clock, as far as our own tells it (for the floor's timer)."""
        return self.now - (self.relay_offset or 0)

    def _given_cue(self) -> int:
        """The last cue given this turn (0: none yet)."""
        since, percent = self.cued
        return percent if since == self.state.floor.since else 0

    def _cue(self) -> None:
        floor = self.state.floor
        cue = fl.cue_at(floor, self._given_cue())
        if cue is None or floor.speaker is None or self._relay_now() < cue[0]:
            return
        self.cued = (floor.since, cue[1])
        mine = floor.speaker == self.chain.my_slot
        self.events.append(ev.TimerCue(cue[1], self._seat_label(floor.speaker), mine))

    def _names(self) -> tuple[tuple[int, str], ...]:
        roster = self.chain.roster
        return tuple((m.slot, self._label(m)) for m in roster.members) if roster else ()

    def _seat_label(self, slot: int | None) -> str:
        roster = self.chain.roster
        seated = roster.seat(slot) if roster is not None and slot is not None else None
        if seated is not None:
            return self._label(seated)
        if slot is not None and slot in self.left_seats:
            return self.left_seats[slot]
        return f"seat {(slot or 0) + 1}"

    def _compare(self, member: Member, ack: Ack) -> None:
        roster = self.chain.roster
        assert roster is not None

        def name_of(slot: int) -> str:
            seated = roster.seat(slot)
            return self._label(seated) if seated else f"seat {slot + 1}"

        label, commits, slot = self._label(member), self.chain.commits, self.chain.my_slot
        assert slot is not None
        found = discrepancies(
            ack, label, roster.epoch, commits, self.state, self.receiver, slot, name_of
        )
        for alarm, who in found:
            self._alarm(alarm, who)
        chain = self.sender.chain
        gens = lacked(ack, slot) if chain is not None and ack.epoch == chain.epoch else []
        if gens:
            retry = self.sender.not_reaching(member.slot, max(gens), self.now)
            unreached = sorted(self.sender.unreached)
            self._alarm(ev.Alarm.NOT_REACHING, tuple(name_of(s) for s in unreached))
            if retry:
                voice = Voice(self.me.room, slot, self.me.identity, self.me.join_key)
                keys = self.sender.start_chain(voice, roster, self.pairs, self.now)
                if keys is not None:
                    self.publish(keys)

    # --- commands ---------------------------------------------------------------------

    def _agree(self) -> None:
        """Accept the agreements shown and knock."""
        lobby = self.entry.lobby
        if lobby is None or self.entry.knock is not None or self.presence.mine is None:
            self._note(ev.Note.NOTHING_TO_AGREE)
            return
        watching = self.chain.watching
        answers = watching.commit_hash if watching is not None else b""
        agreed = agreements_hash(lobby.agreements)
        knock = KnockBody(
            self.me.nick,
            self.me.key,
            self.pairs.public,
            agreed,
            answers=answers,
            evicted=self.entry.evicted,
            wait=self.knock_wait_s,
        )
        ticket = self.entry.ticket
        if ticket is not None:
            knock = replace(knock, was=bytes(ticket.identity.verify_key))
            vouch = sign(ticket.identity, vouch_statement(self.me.room, knock))
            knock = replace(knock, vouch=vouch)
        self.entry.knocked(knock)
        self.publish(self._roomwide(Kind.KNOCK, knock.encode()))
        self.events.append(ev.Waiting())

    def _admit(self, knock: int) -> None:
        body = self.door.knocks.get(knock)
        if body is None:
            self._note(ev.Note.KNOCK_GONE)
        else:
            statement = consent_statement(self.me.room, body.identity, body.exchange, body.nick)
            consent = sign(self.me.identity, statement)
            if self.chain.is_sequencer and self.chain.my_slot is not None:
                self.sequencer.consent(knock, self.chain.my_slot, consent)
            else:
                self._speak(Admit(knock, body.identity, consent))

    def _verify(self, slot: int) -> None:
        member = self.chain.roster.seat(slot) if self.chain.roster else None
        if member is not None:
            self.verified.add(member.identity)
            self.events.append(ev.SeatsChanged(self.seats))

    def _leave(self, *, ends_room: bool = False) -> None:
        if self.closed_by_us:
            return
        room = self.chain.roster
        if ends_room and room is not None and self.chain.my_slot is not None:
            # Before the goodbye: whoever reads it knows the relay goes too.
            closing = Closing(self.me.key, room.commit_hash)
            self.publish(self._roomwide(Kind.CLOSING, closing.encode()))
        if self.chain.roster is not None and self.chain.my_slot is not None:
            self._speak(Bye(sign(self.me.identity, goodbye_statement(self.me.room, self.me.key))))
        self.closed_by_us = True
        self.events.append(ev.Closed(ev.Ending.LEFT))

    def _ack(self) -> None:
        """Tell the room what we heard (see ``keys.acks``)."""
        roster = self.chain.roster
        if roster is None or self.sender.chain is None or self.sender.held_back:
            return
        heard, lacking = self.receiver.heard(), self.receiver.lacking()
        if heard or lacking:
            state = self.state
            log_count, log_hash = state.log_count, state.log_hash
            self._speak(Ack(roster.epoch, roster.commit_hash, log_count, log_hash, heard, lacking))

    # --- sequencing -------------------------------------------------------------------

    def _sequence(self) -> None:
        """The sequencer's duties after every input: greet newcomers, send again the Commit
        in flight, or commit what waits (as successor: only the sequencer's departure)."""
        roster, slot = self.chain.roster, self.chain.my_slot
        if roster is None or slot is None or self.chain.removed:
            return
        if self.sender.held_back:
            return  # the room is ahead of us: a Commit, or a lobby, of ours would split it
        self._greet()  # a lobby held back by the ration goes out when due
        if self.sequencer.awaits(roster.epoch + 1):
            frame = self.sequencer.resend(self.now)
            if frame is not None:
                self.publish(frame)
            return
        if self.door.returns:
            self._no_return_for_the_removed(self._relay_now())
        removals = removals_due(self.state.votes, roster, slot, self._relay_now())
        amending_body = self._amendment_due(roster, slot)
        if amending_body is not None and not removals and not self.departures.leaving:
            frame = self._roomwide(Kind.COMMIT, amending_body.encode())
            self.sequencer.signed(amending_body.epoch, frame, self.now)
            self.publish(frame)
            return
        if not self.sequencer.consents and not self.departures.leaving and not removals:
            return  # nothing waits to be committed: the common case, for every frame
        me = roster.seat(slot)
        assert me is not None
        due = [*removals, *self.departures.due(roster, self.now, self.grace_ms)]
        # While the room votes or repairs harm, the door waits: the voters are fixed,
        # and nobody walks in on a repair round.
        holding = self.state.holds_door(self._relay_now())
        decided = next_commit(
            roster,
            me,
            due=due,
            consents={} if holding else self.sequencer.consents,
            knocks=self.door.knocks,
            room=self.me.room,
            tickets=self.chain.tickets,
            exchanges=self._exchanges(),
        )
        for declined in decided.declined:
            self.sequencer.drop_consent(declined.peer)
            why = ev.Note.CANNOT_ADMIT_FULL if declined.room_full else ev.Note.CANNOT_ADMIT_KEYS
            knock = self.door.knocks.get(declined.peer)
            self._note(why, self._knock_label(knock) if knock is not None else declined.nick)
        if decided.body is not None:
            frame = self._roomwide(Kind.COMMIT, decided.body.encode())
            self.sequencer.signed(decided.body.epoch, frame, self.now)
            self.publish(frame)

    def _exchanges(self) -> dict[bytes, bytes]:
        """The exchange key each member announced for the next epoch, ours too, by identity."""
        roster = self.chain.roster
        if roster is None:
            return {}
        out = {}
        for slot, key in self.receiver.next_exchange.items():
            member = roster.seat(slot)
            if member is not None:
                out[member.identity] = key
        if self.pairs.next is not None and self.pairs.heard:
            out[self.me.key] = self.pairs.next.public
        return out

    def _ungreeted(self) -> set[int]:
        roster = self.chain.roster
        if roster is None or not self.chain.is_sequencer:
            return set()
        return newcomers(self.presence.present, self.presence.mine, roster, self.door.knocks)

    def _greet(self) -> None:
        """As sequencer, answer connections not yet greeted with one lobby for all of them."""
        waiting = self._ungreeted()
        if not waiting:
            return
        lobby = self.chain.lobby(self.agreements, self.me.nick)
        present = self.presence.present
        if self.sequencer.greet(waiting, present, self.now, can=lobby is not None):
            assert lobby is not None
            self.publish(self._roomwide(Kind.LOBBY, lobby.encode()))

    # --- before a lobby: opening the room again, or saying whom we wait for -----------

    def _wait_for_lobby(self) -> None:
        if self.presence.mine is None or self.entry.lobby is not None:
            return
        self._vouch_waiting()
        match self.entry.due(self.now, self.grace_ms):
            case Due.REOPEN:
                assert self.entry.reopening is not None
                self._reopen(self.entry.reopening)
            case Due.TELL_WAITING:
                note, who = self.entry.waiting_note()
                self._note(note, who)

    def _reopen(self, reopening: Reopening) -> None:
        """Open the room again as its sequencer, extending the chain we hold."""
        assert self.presence.mine is not None
        self.entry.reopened()
        # The key newcomers trust through the lineage signs the reopened room.
        self.me = replace(self.me, identity=reopening.identity)
        self.hosting = not reopening.lineage and self.me.key == self.me.invite.host_key
        self.agreements = reopening.agreements
        body = reopening.commit(self.pairs.public, self.presence.mine)
        body_bytes = body.encode()
        frame = self._roomwide(Kind.COMMIT, body_bytes)
        self._note(ev.Note.REOPENED)
        lineage, tickets = reopening.lineage, reopening.returning
        self._transition(self.chain.begin(body, body_bytes, frame, self.me.key, lineage, tickets))

    # --- outputs ----------------------------------------------------------------------

    def _label(self, member: Member, roster: Roster | None = None) -> str:
        """A member's name for the screen: with their seat, when another name looks like it."""
        roster = roster or self.chain.roster
        others = [m.nick for m in roster.members if m.slot != member.slot] if roster else []
        if any(names.alike(member.nick, other) for other in others):
            return f"{member.nick} (seat {member.slot + 1})"
        return member.nick

    def _knocked(self, peer: int, knock: KnockBody) -> None:
        self.events.append(ev.Knocked(peer, self._knock_label(knock), self._looks_like(knock)))

    def _knock_label(self, knock: KnockBody, among: tuple[KnockBody, ...] = ()) -> str:
        """A knocker's name for the screen: with their key mark, when another name here
        (seated, or knocking, or ``among`` the knocks going with it) looks like it."""
        roster = self.chain.roster
        others = [m.nick for m in roster.members] if roster else []
        knocks = (*self.door.knocks.values(), *among)
        others += [k.nick for k in knocks if k.identity != knock.identity]
        if any(names.alike(knock.nick, other) for other in others):
            return f"{knock.nick} (key {names.key_mark(knock.identity)})"
        return knock.nick

    def _looks_like(self, knock: KnockBody) -> str:
        """The label of someone here whose name looks like the knocker's, if anyone's."""
        roster = self.chain.roster
        for member in roster.members if roster else ():
            if names.alike(knock.nick, member.nick):
                return self._label(member)
        for other in self.door.knocks.values():
            if other.identity != knock.identity and names.alike(knock.nick, other.nick):
                return self._knock_label(other)
        return ""

    @property
    def knocking(self) -> tuple[ev.Knock, ...]:
        """The knocks waiting for a member's answer, in the order they came."""
        if self.chain.roster is None:
            return ()
        return tuple(
            ev.Knock(
                knock=peer,
                nick=self._knock_label(knock),
                name=knock.nick,
                mark=names.key_mark(knock.identity),
                asked_to_wait=bool(self.door.set_aside.get(peer)),
            )
            for peer, knock in self.door.knocks.items()
            if peer not in self.door.returns
        )

    def _speak(self, content: Content) -> None:
        """Seal ``content`` for the room, if we may speak."""
        roster, slot = self.chain.roster, self.chain.my_slot
        if self.sender.chain is None or self.closed_by_us or roster is None or slot is None:
            self._note(ev.Note.NOT_IN_ROOM)
            return
        if self.sender.held_back and not isinstance(content, Bye):
            unreadable = self.chain.unreadable
            if unreadable is not None and self.chain.unreadable_followed:
                self._note(ev.Note.NOT_SENT_UNREADABLE, unreadable.signer)
            else:
                self._note(ev.Note.HELD_BACK)
            return
        voice = Voice(self.me.room, slot, self.me.identity, self.me.join_key)
        for d in self.sender.seal(content, voice, roster, self.pairs, self.now):
            self.publish(d)

    def _roomwide(self, kind: Kind, body: bytes) -> bytes:
        return roomwide_frame(kind, body, self.me.room, self.me.join_key, self.me.identity)

    def publish(self, d: bytes) -> None:
        self.outbox.append(wire.encode_pub(d))

    def _note(self, note: ev.Note, who: str = "") -> None:
        self.events.append(ev.Notice(note, who))

    def _alarm(self, alarm: ev.Alarm, who: tuple[str, ...] = (), count: int = 0) -> None:
        """Tell the person once per epoch: the same evidence again adds nothing."""
        key = (alarm, who, count)
        if key not in self.told:
            self.told.add(key)
            self.events.append(ev.Tampering(alarm, who, count))
