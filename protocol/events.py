"""What a room endpoint tells the person in front of it: small frozen events.

Events are data: what happened, of which kind, and to whom. They carry no
prose; the sentence a person reads for each is written once, on the client
side (``tui/sentences.py``), and shared by the terminal app, the plain mode
and the browser.

Every field that came from a peer (``nick``, ``text``, ``agreements``, the
names in ``who``) is untrusted plain text: show it as a literal string, never
as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, auto

from protocol.bodies.commit import ChangeKind
from protocol.room.floor import FloorAct, FloorChange, Why


@dataclass(frozen=True, slots=True)
class Seat:
    """One roster entry as a person sees it; ``nick`` carries the seat when another
    seat's name looks like it ("ana (seat 2)"), ``name`` is the name as chosen."""

    slot: int
    nick: str
    connected: bool
    verified: bool
    is_host: bool
    is_me: bool
    name: str = ""

    @property
    def chosen(self) -> str:
        return self.name or self.nick


@dataclass(frozen=True, slots=True)
class Knock:
    """One knock waiting for an answer, as a person sees it. ``nick`` carries the knock's
    key mark when another name here looks like it ("ana (key kxqd)"); ``knock`` is what
    ``Admit`` and ``NotNow`` take."""

    knock: int
    nick: str
    name: str
    mark: str
    asked_to_wait: bool


# --- connection -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Connected:
    """The relay welcomed us into the room's channel (not yet into the roster)."""

    peer: int
    present: int  # connections in the room, us included


@dataclass(frozen=True, slots=True)
class Refused:
    """The relay refused or closed us, with one of the wire's error codes."""

    code: str


@dataclass(frozen=True, slots=True)
class Reconnecting:
    """The connection to the relay dropped (or the relay is not back yet): the client
    tries again, for the ``attempt``-th time, in ``retry_in_s`` seconds. Nothing we
    send goes anywhere until ``BackInRoom``."""

    attempt: int
    retry_in_s: float


@dataclass(frozen=True, slots=True)
class Rejoining:
    """Connected to the relay again, and not yet back in the room: knocking with a
    return ticket, or waiting for the room to be opened again."""


@dataclass(frozen=True, slots=True)
class BackInRoom:
    """On the roster again after a drop (or after stepping out); ``sent`` commands
    typed meanwhile went out, in the order they were typed."""

    sent: int = 0


class Ending(Enum):
    """Why the session ended for this endpoint."""

    LEFT = auto()  # we left
    REMOVED = auto()  # a Commit no longer names us
    VOTED_OUT = auto()  # the room voted to remove us (``detail``: the reason given)
    STEPPED_OUT = auto()  # we stepped out of a repair round; our return ticket is held
    REFUSED = auto()  # the relay refused us for good (``detail``: the wire code)
    NOT_A_RELAY = auto()  # the address answers, but not as a Porch relay (``detail``: address)
    UNREACHABLE = auto()  # the relay cannot be reached (``detail``: address)
    # We were in the room; its relay stopped answering, and trying again gave up
    # (``detail``: address; ``waited_s``: how long it tried; ``unsent``: what waited).
    LOST = auto()
    ENDED = auto()  # the connection ended and will not be tried again
    FAILED = auto()  # the client failed (``detail``: what failed)
    CANNOT_OPEN = auto()  # the door could not be opened (``detail``: the sentence why)
    NO_LOCAL_RELAY = auto()  # no relay could start on this computer (``detail``: why)
    UNANSWERED = auto()  # nobody answered our knock (``waited_s``: how long it waited)
    # The member whose computer ran the relay left, and the relay closed with them:
    # the room is over for everyone (``detail``: their name).
    ROOM_ENDED = auto()


@dataclass(frozen=True, slots=True)
class Closed:
    """The session is over for this endpoint."""

    ending: Ending
    detail: str = ""
    waited_s: int = 0
    unsent: int = 0  # things typed while coming back, never sent


# --- entering ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgreementsOffered:
    """A joiner sees the room's agreements, signed by the host, before knocking."""

    text: str
    host_nick: str


@dataclass(frozen=True, slots=True)
class Waiting:
    """We knocked; a member must admit us."""


@dataclass(frozen=True, slots=True)
class AskedToWait:
    """A member said "not now" to our knock; it still stands. Which member is not said."""


@dataclass(frozen=True, slots=True)
class Entered:
    """We are on the roster: the room is ours to speak in."""

    slot: int
    epoch: int
    room_code: str


# --- membership -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Knocked:
    """Someone holding the invite asks to come in. ``knock`` identifies it for admitting.

    ``looks_like`` names someone in the room (or knocking) whose name looks the same.
    """

    knock: int
    nick: str
    looks_like: str = ""


@dataclass(frozen=True, slots=True)
class KnockWithdrawn:
    knock: int
    nick: str


@dataclass(frozen=True, slots=True)
class KnockSetAside:
    """A member said "not now" to a knock (``mine``: we did). Anyone may still admit it."""

    knock: int
    nick: str
    by_nick: str
    mine: bool


@dataclass(frozen=True, slots=True)
class KnockExpired:
    """Nobody answered this knock in the time it said it would wait; it is gone."""

    knock: int
    nick: str


@dataclass(frozen=True, slots=True)
class Admitted:
    """Everyone sees who admitted whom.

    ``returning``: nobody did; they came back after their connection dropped,
    vouched for by their old key (``by_nick`` is then their own nickname).
    """

    nick: str
    by_nick: str
    returning: bool = False


@dataclass(frozen=True, slots=True)
class RosterChanged:
    """A new epoch: the roster, and a new room code to read aloud."""

    epoch: int
    seats: tuple[Seat, ...]
    room_code: str
    entering: bool = False  # the epoch that seats us: ``Entered`` follows and says it all


@dataclass(frozen=True, slots=True)
class SeatsChanged:
    """Someone's connection or verification changed; the roster and epoch did not."""

    seats: tuple[Seat, ...]


@dataclass(frozen=True, slots=True)
class Departed:
    """Someone left the roster: they said goodbye, or their grace period ran out."""

    nick: str
    reason: ChangeKind  # LEFT, DISCONNECTED or REMOVED (by the room's vote)


# --- talk -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Said:
    """A message, in the room's agreed order."""

    seq: int
    ts: int
    slot: int
    nick: str
    text: str
    mine: bool
    aside: bool = False  # set apart: it does not take the floor


@dataclass(frozen=True, slots=True)
class FloorChanged:
    """The floor moved (``room.floor``); ``names`` labels every seat, ``me`` is ours."""

    change: FloorChange
    names: tuple[tuple[int, str], ...]
    me: int | None

    def name(self, slot: int | None) -> str:
        return next((n for s, n in self.names if s == slot), f"seat {(slot or 0) + 1}")


@dataclass(frozen=True, slots=True)
class FloorDeclined:
    """A floor act of ours that the floor's rules do not allow now: nothing was sent."""

    act: FloorAct
    why: Why
    holder: str = ""  # who holds the floor, when that is the reason


@dataclass(frozen=True, slots=True)
class TimerCue:
    """The speaking time is nearly (80) or fully (100) used: a gentle cue, never a cut-off."""

    percent: int
    nick: str
    mine: bool


# --- accountability: motions and repair ------------------------------------------


class MotionStage(Enum):
    RAISED = auto()  # it needs a second
    SECONDED = auto()  # ``by`` seconded it: the floor is held, the person named answers
    VOTING = auto()  # the vote is open
    BALLOT = auto()  # someone voted: ``cast`` of ``of`` (never who, nor how)
    PASSED = auto()  # ``yes`` of ``of``: the removal Commit follows
    FAILED = auto()
    LAPSED = auto()  # nobody seconded it in time


@dataclass(frozen=True, slots=True)
class MotionEvent:
    """A motion to remove someone moved on (``room.votes``). Names are labels; ``reason``
    is the mover's own words, untrusted plain text."""

    stage: MotionStage
    key: bytes
    mover: str
    named: str
    reason: str
    mover_is_me: bool
    named_is_me: bool
    i_vote: bool  # we are one of the voters
    cast: int = 0
    of: int = 0
    yes: int = 0
    by: str = ""  # the seconder
    voted: bool = False  # we voted already
    seconds_left: int = 0  # of this stage's window, when it began


class RepairStage(Enum):
    OPENED = auto()  # ``flagger`` flagged harm, about ``concerned`` ("" for nobody)
    TURN = auto()  # ``speaker`` speaks now in the round ("": anyone)
    CHOSE = auto()  # ``who`` chose ``choice``
    CLOSED = auto()  # the round is over; ``stepped_out`` went gently


@dataclass(frozen=True, slots=True)
class RepairEvent:
    stage: RepairStage
    flagger: str
    concerned: str = ""
    text: str = ""  # the flagger's words, untrusted plain text
    speaker: str = ""
    speaker_is_me: bool = False
    who: str = ""
    choice: str = ""  # continue, more or stepout
    affected_me: bool = False  # we flagged it, or it concerns us: we choose at the end
    stepped_out: tuple[str, ...] = ()
    agreements: str = ""  # the room's agreements, which may say how it repairs harm


# --- offers ---------------------------------------------------------------------


class OfferStage(Enum):
    OFFERED = auto()  # someone offers us something: accept or decline
    ASKING = auto()  # our offer went out to ``to``
    ACCEPTED = auto()  # ``by`` accepted ours
    TOO_LARGE = auto()  # larger than our limit (``size``): declined, nothing was sent
    PROGRESS = auto()  # ``done`` of ``chunks`` (ours going out, or theirs coming in)
    ARRIVED = auto()  # every chunk in and checked; ``text`` for a link or a text
    DELIVERED = auto()  # ``by`` has all of ours
    CANCELLED = auto()  # by the sender, or by us
    FAILED = auto()  # what arrived did not check out
    NOT_SHOWN = auto()  # ours: ``by`` has as many of our offers open as one may; ``to`` is left


@dataclass(frozen=True, slots=True)
class OfferEvent:
    """An offer moved on. ``sender``, ``note``, ``mime`` and ``text`` came from a peer:
    untrusted plain text."""

    stage: OfferStage
    number: int
    kind: str
    sender: str
    note: str
    size: int
    mine: bool
    mime: str = ""
    to: tuple[str, ...] = ()
    by: str = ""
    done: int = 0
    chunks: int = 0
    text: str = ""


class AmendStage(Enum):
    PROPOSED = auto()  # ``by`` proposes adding ``line``: /consent or /object REASON
    CONSENTED = auto()  # ``count`` of ``of`` consented
    OBJECTED = auto()  # ``by`` objected: ``reason``; nothing changes
    LAPSED = auto()  # not everyone consented in time: nothing changes
    AGREED = auto()  # everyone consented: the agreements now include ``line``


@dataclass(frozen=True, slots=True)
class AmendEvent:
    stage: AmendStage
    by: str
    line: str  # untrusted plain text, as are ``reason`` and ``by``
    count: int = 0
    of: int = 0
    reason: str = ""
    mine: bool = False
    consented: bool = False  # we consented already


class RevealStage(Enum):
    ASKING = auto()  # we offered our card to ``who``; nothing is shown until they do too
    ASKED = auto()  # ``who`` would exchange contact details with us
    REVEALED = auto()  # both chose: ``card`` is theirs (untrusted plain text)


@dataclass(frozen=True, slots=True)
class RevealEvent:
    stage: RevealStage
    who: str
    card: str = ""


@dataclass(frozen=True, slots=True)
class Reacted:
    """A reaction never takes the floor."""

    slot: int
    nick: str
    emoji: str


@dataclass(frozen=True, slots=True)
class Gap:
    """Messages we know were sent but never reached us: shown, never hidden."""

    slot: int
    nick: str
    missing: int


# --- evidence and notes -----------------------------------------------------------


class Alarm(Enum):
    """Evidence that the relay, or a member's client, broke the room's rules.

    ``who`` in the event names the parties, in the order each kind lists them.
    """

    # membership
    TAKEOVER_WHILE_HERE = auto()  # (successor, sequencer): took over a sequencer still here
    TAKEOVER_WHILE_YOU_ARE_HERE = auto()  # (successor,): took over from us, still here
    SPEAKS_AFTER_LEAVE = auto()  # (member,): the relay said they dropped, yet they speak
    EVICTED_WHILE_HERE = auto()  # (member,): the relay said they dropped while connected
    DROP_WHILE_HERE = auto()  # (signer, member): committed a drop of someone still here
    # the floor
    OUT_OF_TURN = auto()  # (member,): a message while someone else held the floor
    FLOOR_OUT_OF_RULES = auto()  # (member,): done for someone else, or pause after pause
    # offers
    OFFER_NOT_THEIRS = auto()  # (member,): sent a chunk of someone else's offer
    CHUNK_BROKEN = auto()  # (member,): a chunk or the whole did not match what was sealed
    LARGER_THAN_OFFERED = auto()  # (member,): sent more than the offer announced
    LINK_NOT_AS_SHOWN = auto()  # (member,): the link goes elsewhere than its note said
    LINK_NOTE_NOT_A_DOMAIN = auto()  # (member,): a link offered under a note no domain reads as
    # votes
    REMOVAL_WITHOUT_VOTES = auto()  # (signer, member): a removal Commit the votes do not allow
    AMENDMENT_WITHOUT_CONSENT = auto()  # (signer,): changed the agreements unconsented
    REMOVAL_WITHHELD = auto()  # (who commits, member): a vote passed; no removal came
    VOTE_OUT_OF_RULES = auto()  # (member,): a second ballot, a vote out of its window…
    # the door
    LOBBY_OF_ANOTHER_ROOM = auto()  # a second lobby showed a newcomer a different room
    LURE_BY_MEMBER = auto()  # (member,): greeted a newcomer as if they ran the room
    LURE_BY_FIRST_KEY = auto()  # the invite's key greeted after it handed over
    LURE_BY_FORMER = auto()  # (nick,): someone who left the room greeted a newcomer
    LURE_BY_STRANGER = auto()  # someone holding the invite, never in the room, greeted
    # talk
    KEY_NOT_ANNOUNCED = auto()  # (sender,): sealed us another key than the one announced
    TWO_KEYS = auto()  # (sender,): announced two different keys for one chain
    KEYS_NEVER_CAME = auto()  # (sender,): speaks under a chain whose keys never reached us
    NOT_REACHING = auto()  # (member, ...): our keys never reached them
    AHEAD_BY_TAKEOVER = auto()  # (member,): in a later epoch by a takeover we refused
    COMMIT_WITHHELD = auto()  # (member,): in a later epoch; a Commit was withheld from us
    SPEAKS_IN_OLD_EPOCH = auto()  # (member,): still speaking after the window closed
    OWN_NOT_RETURNED = auto()  # ``count`` of our frames the relay never brought back
    OUT_OF_ORDER = auto()  # the relay's numbering skipped, repeated or went back
    # acks
    SPLIT = auto()  # (acker,): holds another Commit for an epoch we hold
    STATE_DIFFERS = auto()  # (acker,): another room-state log at the same count
    DIFFERENT_KEYS = auto()  # (sender, acker): the sender gave us different keys
    WITHHELD = auto()  # (acker, sender): the acker heard messages that never reached us
    DIFFERENT_MESSAGES = auto()  # (acker, sender): shown different frames at one index
    DIFFERENT_RECORDS = auto()  # (acker, sender): as above, behind a gap in our chain


@dataclass(frozen=True, slots=True)
class TwoRooms:
    """Two rooms answered the invite: who vouches for the one we are joining, and the other."""

    host: str
    vouched_by: tuple[str, ...]
    other_host: str
    other_vouched_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Tampering:
    """Evidence that something was dropped, forked or forged; everyone is told."""

    alarm: Alarm
    who: tuple[str, ...] = ()
    count: int = 0


class Note(Enum):
    """Anything else a person should know; ``who`` is the person it concerns, if any."""

    # a command that could not be carried out
    NOTHING_TO_AGREE = auto()
    TOO_LONG = auto()
    NOT_YOUR_TURN = auto()  # (holder): a message while they hold the floor: not sent
    FLOOR_ON_ITS_WAY = auto()  # our last floor act has not come back yet
    NOT_A_REACTION = auto()
    KNOCK_GONE = auto()
    ASKED_TO_WAIT_ALREADY = auto()  # (who): we said "not now" to their knock already
    NOT_IN_ROOM = auto()
    HELD_BACK = auto()  # a Commit was withheld from us: nothing is sent until we catch up
    # offers
    NO_SUCH_OFFER = auto()
    NOBODY_TO_OFFER = auto()
    OFFER_TOO_LARGE = auto()  # (limit in MiB)
    OFFER_DONE = auto()  # that offer was answered, or is over
    OFFERS_CROWDED = auto()  # (member) has as many offers open here as one may: later not shown
    NO_AMENDMENT = auto()  # nothing to consent or object to
    AMENDMENT_OPEN = auto()  # one amendment at a time
    AGREEMENTS_TOO_LONG = auto()  # (limit)
    CARD_NEEDED = auto()  # /reveal NAME CONTACT: the contact, in plain printable text
    # motions and repair
    MOTION_TOO_FEW = auto()  # a motion needs at least three others present
    MOTION_ALREADY = auto()  # (who): a motion about them is open already
    MOTION_AGAIN = auto()  # (who): our motion about them failed; not again this session
    MOTION_NOT_SELF = auto()  # a motion about ourselves
    NO_SUCH_MEMBER = auto()  # (name): nobody seated by that name
    NOTHING_TO_SECOND = auto()
    NO_VOTE_OPEN = auto()
    ALREADY_VOTED = auto()
    REASON_NEEDED = auto()
    REPAIR_OPEN = auto()  # a repair round is open already
    TOO_MANY_OUCHES = auto()
    NO_REPAIR = auto()  # no repair round is open
    NOT_AFFECTED = auto()  # continue / more / step out are for those it concerns
    NO_MORE_TIME = auto()  # more time was asked already in this round
    # the door
    CANNOT_ADMIT_FULL = auto()  # (who): the room already has every seat taken
    CANNOT_ADMIT_KEYS = auto()  # (who): their knock names keys already in the room
    COMING_BACK = auto()  # (who): lost the connection and is coming back
    LEFT_BEHIND = auto()  # (who, the sequencer): the room went on without us
    # (who): signed the next Commit in a form we cannot read, most likely another version
    CHANGE_UNREADABLE = auto()
    NOT_SENT_UNREADABLE = auto()  # (who): as above, so what we typed was not sent
    EVICTED = auto()  # the relay told the room we had dropped, while we were connected
    # the relay lost the room
    REOPENED = auto()
    WAITING_FOR_HOLDERS = auto()
    WAITING_FOR = auto()  # (who): the member who can open the room again
    WAITING_FOR_HOST = auto()
    # the connection
    QUEUED = auto()  # typed while out of the room: it goes out once we are back in
    NOT_WHILE_AWAY = auto()  # typed while out of the room, and it cannot wait: not sent


@dataclass(frozen=True, slots=True)
class Notice:
    note: Note
    who: str = ""


Event = (
    Connected
    | Refused
    | Reconnecting
    | Rejoining
    | BackInRoom
    | Closed
    | AgreementsOffered
    | Waiting
    | AskedToWait
    | Entered
    | Knocked
    | KnockWithdrawn
    | KnockSetAside
    | KnockExpired
    | Admitted
    | RosterChanged
    | SeatsChanged
    | Departed
    | Said
    | Reacted
    | FloorChanged
    | FloorDeclined
    | MotionEvent
    | RepairEvent
    | OfferEvent
    | RevealEvent
    | AmendEvent
    | TimerCue
    | Gap
    | TwoRooms
    | Tampering
    | Notice
)
