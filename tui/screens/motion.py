"""Moving to remove someone: what will happen, and the reason, in the mover's own words.

Returns the reason, or None when the person thought better of it. The same as
``/motion remove NAME REASON`` in the composer.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from protocol.bodies.vote import REASON_CHARS
from tui.peer_text import name


def how_it_goes(named: str) -> str:
    return (
        f"Another member must second it. Then the floor is held and {named} has a turn to "
        f"answer; then everyone else present votes. It passes with more than half of them "
        "(not voting counts as no), and only with at least three others present. Everyone "
        "sees who moved it and why."
    )


class MotionScreen(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, nick: str) -> None:
        super().__init__()
        self.nick = nick

    def compose(self) -> ComposeResult:
        named = name(self.nick)
        with Vertical(id="motion", classes="dialog"):
            yield Static(Content(f"Move to remove {named}"), classes="title")
            yield Static(Content(how_it_goes(named)))
            yield Input(
                placeholder="Why, in plain words", max_length=REASON_CHARS, id="motion-reason"
            )
            yield Static(id="motion-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Move to remove", variant="warning", id="move")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#motion-reason", Input).focus()

    @on(Input.Submitted, "#motion-reason")
    @on(Button.Pressed, "#move")
    def move(self) -> None:
        reason = self.query_one("#motion-reason", Input).value.strip()
        if not reason:
            self.query_one("#motion-error", Static).update("Say why, in plain words.")
            return
        self.dismiss(reason)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
