"""Where this person stands with the room, as one value folded from the room's events.

The status line must never say more than is true: "Connected" while the
client is still knocking its way back in is how messages got thrown away. So
the line is not set by hand from here and there; it is ``link_after`` of every
event, in order, starting from ``CONNECTING``:

    CONNECTING --Connected--> AT_THE_DOOR --Entered--> IN_ROOM
    IN_ROOM --connection dropped--> RECONNECTING --Connected--> REJOINING
    REJOINING --Entered / back in--> IN_ROOM
    IN_ROOM --stepped out--> STEPPED_OUT --come back--> REJOINING
    any --refused / closed--> GONE

Only ``IN_ROOM`` means what is typed goes out now. This module is shared by
the terminal app and the browser; it loads no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from protocol import events as ev


class Standing(Enum):
    """Where this person stands; the value names the status line's style class."""

    CONNECTING = "connecting"
    AT_THE_DOOR = "at-the-door"
    IN_ROOM = "in-room"
    RECONNECTING = "reconnecting"
    REJOINING = "rejoining"
    STEPPED_OUT = "stepped-out"
    GONE = "gone"


@dataclass(frozen=True, slots=True)
class Link:
    standing: Standing
    text: str

    @property
    def in_room(self) -> bool:
        return self.standing is Standing.IN_ROOM


CONNECTING = Link(Standing.CONNECTING, "Connecting…")
AT_THE_DOOR = Link(Standing.AT_THE_DOOR, "Connected; not in the room yet")
IN_ROOM = Link(Standing.IN_ROOM, "In the room")
REJOINING = Link(Standing.REJOINING, "Getting back into the room…")
STEPPED_OUT = Link(Standing.STEPPED_OUT, "Stepped out")
COMING_BACK = Link(Standing.REJOINING, "Coming back…")


def reconnecting(attempt: int = 0, retry_in_s: float = 0.0) -> Link:
    if attempt <= 0:
        return Link(Standing.RECONNECTING, "Reconnecting…")
    wait = f", next in {retry_in_s:.0f} s" if retry_in_s >= 1 else ""
    return Link(Standing.RECONNECTING, f"Reconnecting… (try {attempt}{wait})")


def link_after(link: Link, event: ev.Event) -> Link:
    """Where this person stands once ``event`` has happened."""
    # Imported here, with the first event: the app holds a ``Link`` from its first screen on.
    from protocol import events as ev
    from tui.sentences import refusal

    match event:
        case ev.Reconnecting(attempt=attempt, retry_in_s=retry_in_s):
            return reconnecting(attempt, retry_in_s)
        case ev.Rejoining():
            return REJOINING
        case ev.BackInRoom() | ev.Entered():
            return IN_ROOM
        case ev.Connected():
            if link.standing is Standing.CONNECTING:
                return AT_THE_DOOR
            if link.standing is Standing.IN_ROOM:
                return link
            return REJOINING  # the relay let us in again; the room has not yet
        case ev.Refused(code=code):
            return Link(Standing.GONE, refusal(code))
        case ev.Closed(ending=ev.Ending.STEPPED_OUT):
            return STEPPED_OUT
        case ev.Closed():
            return Link(Standing.GONE, "Not in the room")
    return link
