"""Stepped out of a repair round: the room is still there, and the way back in."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Button, Static

from protocol.events import Ending
from tui.messages import ComeBack
from tui.sentences import ending_sentence


class SteppedOut(Vertical):
    """Hidden unless this person stepped out (the room screen's ``stepped_out``, bound)."""

    stepped_out: reactive[bool] = reactive(False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.display = False
        self.border_title = "Stepped out"

    def watch_stepped_out(self, out: bool) -> None:
        self.display = out

    def compose(self) -> ComposeResult:
        yield Static(Content(ending_sentence(Ending.STEPPED_OUT, "")))
        with Horizontal(classes="buttons"):
            yield Button("Come back", variant="success", id="come-back", compact=True)

    @on(Button.Pressed, "#come-back")
    def come_back(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        self.post_message(ComeBack())
