"""Waiting at the door: connecting, reading the agreements, knocking, being let in.

The door screen handles the room's events while this person is outside: it
shows each step in a sentence, and asks for consent to the agreements before
knocking (``AgreementsConsent``). Declining leaves, and nothing is kept.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, LoadingIndicator, Static

from protocol import commands as cmd
from protocol import events as ev
from tui.messages import Ask, LeaveRoom, RoomEvent
from tui.peer_text import shown
from tui.screens.consent import AgreementsConsent
from tui.sentences import sentence
from tui.widgets.status import ConnectionStatus

STEPS = ev.Waiting | ev.AskedToWait | ev.Notice | ev.TwoRooms | ev.Refused


class DoorScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.leave_room", "Leave")]

    def __init__(self, relay_url: str) -> None:
        super().__init__()
        self.relay_url = relay_url

    def compose(self) -> ComposeResult:
        with Vertical(id="door", classes="dialog"):
            yield Static("At the door", classes="title")
            yield Static(
                Content(f"Connecting to the relay at {shown(self.relay_url)}…"), id="door-step"
            )
            yield LoadingIndicator()
            yield ConnectionStatus(id="status")
        yield Footer()

    def step(self, sentence: str) -> None:
        self.query_one("#door-step", Static).update(Content(sentence))

    def on_room_event(self, message: RoomEvent) -> None:
        event = message.event
        if isinstance(event, ev.AgreementsOffered):
            self.app.push_screen(
                AgreementsConsent(event.text, event.host_nick), self._consent_given
            )
        elif isinstance(event, STEPS):
            self.step(sentence(event) or "")

    def _consent_given(self, agreed: bool | None) -> None:
        if not agreed:
            self.post_message(LeaveRoom())
            return
        self.post_message(Ask(cmd.Agree()))
        self.step("You agreed. Knocking…")
