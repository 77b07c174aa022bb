"""The roster: twelve seats at most, who is connected, who has been verified aloud."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from protocol.events import Seat
from protocol.limits import SEATS
from tui.peer_text import name


def seat_line(seat: Seat, speaking: bool = False) -> Content:
    presence = "▶" if speaking else "●" if seat.connected else "○"
    mark = " ✓" if seat.verified else ""
    notes = [note for note, on in (("you", seat.is_me), ("host", seat.is_host)) if on]
    suffix = f" ({', '.join(notes)})" if notes else ""
    line = Content.assemble(
        (presence, "$success" if seat.connected else "$text-muted"),
        " ",
        (name(seat.nick), "bold" if seat.is_me else ""),
        (suffix, "$text-muted"),
        (mark, "$success bold"),
    )
    return line


class Roster(Static):
    """Seats in slot order. ● connected, ○ not connected, ▶ holds the floor, ✓ verified by
    reading the code. Draws the room screen's ``seats`` and ``speaker`` (``data_bind``)."""

    # A seat more or fewer is a row more or fewer: the list is laid out again, not only
    # repainted, or its height stays what it was when first drawn and new names fall
    # below its border, unseen.
    seats: reactive[tuple[Seat, ...]] = reactive((), layout=True)
    speaker: reactive[int | None] = reactive(None)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = f"Seats 0/{SEATS}"

    def render(self) -> Content:
        seats = sorted(self.seats, key=lambda seat: seat.slot)
        self.border_title = f"Seats {len(seats)}/{SEATS}"
        if not seats:
            return Content("Nobody is seated yet.")
        return Content("\n").join(seat_line(s, s.slot == self.speaker) for s in seats)
