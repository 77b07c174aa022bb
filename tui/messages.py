"""The messages that travel inside the app: room events in, a person's commands out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual.message import Message

from protocol.commands import Command
from protocol.events import Event


@dataclass
class RoomEvent(Message):
    """Something happened in the room; posted by the worker that owns the connection."""

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
class FloorKey(Message):
    """A floor key was pressed: ``"hand"``, ``"done"`` or ``"pause"`` (each toggles sensibly)."""

    word: str


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
