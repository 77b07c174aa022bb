"""The messages that travel inside the app: room events in, a person's commands out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from textual.message import Message

if TYPE_CHECKING:  # the app's first screen posts none of these, so it loads no protocol
    from protocol.commands import Command, Offer
    from protocol.events import Event


@dataclass
class RoomEvent(Message, bubble=False):
    """Something happened in the room: posted to the app by the worker that owns the
    connection, and by the app to the screen that shows the room (it goes no further)."""

    event: Event


@dataclass
class Ask(Message):
    """The person asks the room for something (``protocol.commands``)."""

    command: Command


@dataclass
class FloorAsked(Message):
    """The person asks to see the floor: ``"floor"`` on one line, or ``"balance"``."""

    what: str


@dataclass
class MotionAsked(Message):
    """A motion bar button: second the motion ``key``, or open its vote."""

    key: bytes
    what: Literal["second", "vote"]


@dataclass
class ComeBack(Message):
    """After stepping out of a repair round: back in, on the return ticket."""


@dataclass
class LeaveRoom(Message):
    """The person chose to leave; the room is cleared from this screen and from memory."""


@dataclass
class DoorOpened(Message):
    """The session is open: the relay is reachable and the endpoint exists."""


@dataclass
class Propose(Message):
    """The person would offer something: the confirm dialog names who will be asked.
    ``offer`` is the offer, or a sentence saying why there is none (no such file…);
    ``from_composer`` when it is the composer's own text (Offer then clears it)."""

    offer: Offer | str
    from_composer: bool = False


@dataclass
class OfferChosen(Message):
    """An offer panel button, or its typed word: accept, decline, cancel or save offer
    ``number`` (``path``: where, as typed; else the save dialog asks), set it aside
    (``dismiss``: gone from the panel, nothing is sent), or ``list`` the open offers."""

    number: int
    what: Literal["accept", "decline", "cancel", "save", "dismiss", "list"]
    path: str = ""


@dataclass
class PeopleAsked(Message):
    """A typed word about the people: ``/admit`` or ``/notnow`` a knock, ``/verify``
    a member, or ``/who`` is here (``rest``: the NAME, as typed)."""

    word: str
    rest: str = ""
