"""Verify the room by reading its code aloud, then mark the people whose code matched.

The dialog draws the room screen's ``room_code`` and ``seats`` as they change:
if someone enters while it is open, the code shown is the new one at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from protocol import commands as cmd
from protocol.events import Seat
from tui.messages import Ask
from tui.peer_text import name, shown

if TYPE_CHECKING:
    from tui.screens.room import RoomScreen

HOW = (
    "Read these numbers aloud, by voice or face to face. If someone hears the same numbers "
    "on their screen, nobody has slipped into the room between you: mark them verified. "
    "The code changes whenever someone enters or leaves."
)


class SeatToVerify(Horizontal):
    def __init__(self, seat: Seat) -> None:
        super().__init__(classes="verify-seat")
        self.seat = seat

    def compose(self) -> ComposeResult:
        yield Static(Content(name(self.seat.nick)), classes="verify-who")
        if self.seat.verified:
            yield Static("✓ verified", classes="verified")
        else:
            yield Button("Mark verified", classes="verify", compact=True)

    @on(Button.Pressed, ".verify")
    def verify(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        self.post_message(Ask(cmd.Verify(self.seat.slot)))
        pressed.button.label = "✓ verified"
        pressed.button.disabled = True


class SeatsToVerify(VerticalScroll):
    seats: reactive[tuple[Seat, ...]] = reactive((), recompose=True)

    def compose(self) -> ComposeResult:
        for seat in self.seats:
            if not seat.is_me:
                yield SeatToVerify(seat)


class VerifyScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Close")]

    def __init__(self, room: RoomScreen) -> None:
        super().__init__()
        self.room = room

    def compose(self) -> ComposeResult:
        with Vertical(id="verify", classes="dialog"):
            yield Static("Room code", classes="title")
            yield Static(id="verify-code")
            yield Static(HOW, classes="hint")
            yield SeatsToVerify(id="verify-seats")
            yield Button("Close", id="close-verify")

    def on_mount(self) -> None:
        self.watch(self.room, "room_code", self._show_code)
        self.watch(self.room, "seats", self._show_seats)

    def _show_code(self, code: str) -> None:
        self.query_one("#verify-code", Static).update(Content(shown(code) or "(not yet)"))

    def _show_seats(self, seats: tuple[Seat, ...]) -> None:
        self.query_one(SeatsToVerify).seats = seats

    @on(Button.Pressed, "#close-verify")
    def close(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        self.dismiss()
