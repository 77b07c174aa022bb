"""Verify the room by reading its code aloud, then mark the people whose code matched."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from protocol import commands as cmd
from protocol.events import Seat
from tui.messages import Ask
from tui.peer_text import name, shown

HOW = (
    "Read this code aloud, by voice or face to face. If someone hears the same words on "
    "their screen, nobody has slipped into the room between you: mark them verified. "
    "The code changes whenever someone enters or leaves."
)


class VerifyScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Close")]

    def __init__(self, room_code: str, seats: tuple[Seat, ...]) -> None:
        super().__init__()
        self.room_code = room_code
        self.seats = seats

    def compose(self) -> ComposeResult:
        with Vertical(id="verify", classes="dialog"):
            yield Static("Room code", classes="title")
            yield Static(Content(shown(self.room_code) or "(not yet)"), id="verify-code")
            yield Static(HOW, classes="hint")
            with VerticalScroll(id="verify-seats"):
                for seat in self.seats:
                    if seat.is_me:
                        continue
                    with Horizontal(classes="verify-seat"):
                        yield Static(Content(name(seat.nick)), classes="verify-who")
                        if seat.verified:
                            yield Static("✓ verified", classes="verified")
                        else:
                            yield Button("Mark verified", id=f"verify-{seat.slot}", compact=True)
            yield Button("Close", id="close-verify")

    def on_button_pressed(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        button_id = pressed.button.id or ""
        if button_id.startswith("verify-"):
            slot = int(button_id.removeprefix("verify-"))
            self.post_message(Ask(cmd.Verify(slot)))
            pressed.button.label = "✓ verified"
            pressed.button.disabled = True
        else:
            self.dismiss()
