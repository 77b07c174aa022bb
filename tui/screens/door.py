"""Waiting at the door: connecting, reading the agreements, knocking, being let in."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, LoadingIndicator, Static

from tui.widgets.status import ConnectionStatus


class DoorScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+l", "app.leave", "Leave")]

    def __init__(self, relay_url: str) -> None:
        super().__init__()
        self.relay_url = relay_url

    def compose(self) -> ComposeResult:
        with Vertical(id="door", classes="dialog"):
            yield Static("At the door", classes="title")
            yield Static(Content(f"Connecting to the relay at {self.relay_url}…"), id="door-step")
            yield LoadingIndicator()
            yield ConnectionStatus(id="status")
        yield Footer()

    def step(self, sentence: str) -> None:
        self.query_one("#door-step", Static).update(Content(sentence))
