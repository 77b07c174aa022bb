"""What a person can ask of the room: small frozen commands, one seam.

    endpoint.send(Say("hello"), now_ms)

The terminal app, the plain mode, the tests and the benchmarks all hand the
endpoint the same commands, and the endpoint answers each with frames to
send, events to show, a ``Notice`` saying why it could not, or (for what has
nothing left to do: a knock already gone, a second goodbye) nothing at all.
Adding a command is one dataclass here and one row in ``Endpoint.send``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, auto
from typing import Final

from protocol.bodies.offer import OfferKind
from protocol.room.floor import Act, FloorAct
from protocol.room.repair import Step


@dataclass(frozen=True, slots=True)
class Agree:
    """Accept the agreements shown, and knock."""


@dataclass(frozen=True, slots=True)
class Say:
    text: str


@dataclass(frozen=True, slots=True)
class Aside:
    """A message set apart: it never takes the floor."""

    text: str


@dataclass(frozen=True, slots=True)
class Floor:
    """An act on the floor: start a round, raise a hand, done, pause… (``room.floor``)."""

    act: FloorAct


@dataclass(frozen=True, slots=True)
class React:
    emoji: str


@dataclass(frozen=True, slots=True)
class Admit:
    """Let a knocking person in: one member's consent is enough."""

    knock: int


@dataclass(frozen=True, slots=True)
class NotNow:
    """Decline a knock for now: the room and the knocker are told; anyone may still admit them."""

    knock: int


@dataclass(frozen=True, slots=True)
class Verify:
    """Mark a seat verified after reading the room code aloud together."""

    slot: int


@dataclass(frozen=True, slots=True)
class Leave:
    """Say goodbye and close. ``ends_room``: the relay runs on our computer and closes
    with us, so the room ends for everyone; the goodbye says so first."""

    ends_room: bool = False


@dataclass(frozen=True, slots=True)
class Motion:
    """Move to remove the member in ``slot``, for ``reason`` (``room.votes``)."""

    slot: int
    reason: str


@dataclass(frozen=True, slots=True)
class Second:
    """Second the motion that waits for one (``about``: the seat it names, if several do)."""

    about: int | None = None


@dataclass(frozen=True, slots=True)
class Vote:
    yes: bool
    about: int | None = None


@dataclass(frozen=True, slots=True)
class Ouch:
    """Flag harm: about the latest message from someone else, unless ``about`` says which
    (the relay's number of a message; -1 for none)."""

    text: str = ""
    about: int | None = None


@dataclass(frozen=True, slots=True)
class Repair:
    """A step in the repair round: done, pass, continue, more or step out."""

    step: Step


@dataclass(frozen=True, slots=True)
class Offer:
    """Offer a file, a link or a long text to everyone else present (``room.offers``):
    ``note`` is what they are shown first (a file's name, a link's domain, a text's
    first words), ``content`` what only those who accept receive."""

    kind: OfferKind
    note: str
    content: bytes
    mime: str = ""


@dataclass(frozen=True, slots=True)
class Accept:
    number: int


@dataclass(frozen=True, slots=True)
class Decline:
    """Nothing is sent: to the sender a decline looks the same as no answer."""

    number: int


@dataclass(frozen=True, slots=True)
class CancelOffer:
    """Stop an offer of ours, or a transfer to us."""

    number: int


@dataclass(frozen=True, slots=True)
class Reveal:
    """Offer our contact card to the member in ``slot``: shown to them, and theirs to
    us, only once both chose to (``room.reveal``)."""

    slot: int
    card: str


@dataclass(frozen=True, slots=True)
class Amend:
    """Propose adding ``text`` to the agreements: everyone present must consent."""

    text: str


@dataclass(frozen=True, slots=True)
class Consent:
    """Consent to the proposed amendment."""


@dataclass(frozen=True, slots=True)
class Object:
    """Object to the proposed amendment, saying why: it is not made."""

    reason: str


Command = (
    Agree
    | Say
    | Aside
    | React
    | Floor
    | Admit
    | NotNow
    | Verify
    | Leave
    | Motion
    | Second
    | Vote
    | Ouch
    | Repair
    | Offer
    | Accept
    | Decline
    | CancelOffer
    | Reveal
    | Amend
    | Consent
    | Object
)


class Away(Enum):
    """What becomes of a command typed while out of the room for a moment (the
    connection dropped, and we are on our way back in)."""

    WAITS = auto()  # it means the same once we are back: kept, and sent then, in order
    REFUSED = auto()  # it belongs to the moment or to a seat number: not sent, and said so
    NOW = auto()  # it needs no room: carried out at once


# A raised or lowered hand keeps its meaning (hands survive a return ticket);
# every other floor act answers the floor as it was when typed.
_HANDS: Final = frozenset((Act.HAND, Act.LOWER))


def while_away(command: Command) -> Away:
    """Whether ``command`` can wait until we are back in the room.

    Words wait: messages, asides, reactions, a hand, a proposed amendment, the
    cancelling of an offer. What answers a moment does not: a turn ended or
    passed, a vote or a second in its window, a consent, a harm flag about what
    was just said, an offer whose sender must see who is asked, and anything
    that names a seat or a knock by number, since the numbers change when
    people come back. Leaving, agreeing and declining need no room.
    """
    match command:
        case Say() | Aside() | React() | CancelOffer() | Amend():
            return Away.WAITS
        case Floor(act=act):
            return Away.WAITS if act.act in _HANDS else Away.REFUSED
        case Leave() | Agree() | Decline():
            return Away.NOW
    return Away.REFUSED
