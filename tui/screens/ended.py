"""What a person sees when the room is over for them: one sentence, and the way out."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Static


class EndedScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q,escape,enter", "app.quit", "Quit")]

    def __init__(self, sentence: str) -> None:
        super().__init__()
        self.sentence = sentence

    def compose(self) -> ComposeResult:
        with Vertical(id="ended", classes="dialog"):
            yield Static(Content(self.sentence), id="ended-sentence")
            yield Static("Nothing from this session was kept.", classes="hint")
            yield Button("Quit", id="quit", variant="primary")
        yield Footer()

    def on_button_pressed(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        self.app.exit()
