"""The first screen when nothing was chosen yet (a browser tab): open a room, or join one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from tui.entry import DoorError, check_invite


@dataclass(frozen=True, slots=True)
class Start:
    """The way in: ``invite`` None opens a new room."""

    invite: str | None


class StartScreen(Screen[Start]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.quit", "Quit", show=False)]

    def __init__(self, *, where: str) -> None:
        super().__init__()
        self.where = where

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="start"):
            yield Static("Porch", classes="title")
            yield Static(Content(self.where), classes="hint", id="start-where")
            yield Label("To join a room, paste the invite someone gave you, then press Enter")
            yield Input(placeholder="ws://…#porch1.…", id="invite")
            yield Static("", id="start-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Join with this invite", variant="primary", id="join")
                yield Button("Open a new room", id="new")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#invite", Input).focus()

    def on_input_submitted(self, submitted: Input.Submitted) -> None:
        submitted.stop()
        self.join()

    def on_button_pressed(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        if pressed.button.id == "new":
            self.dismiss(Start(invite=None))
        else:
            self.join()

    def join(self) -> None:
        invite = self.query_one("#invite", Input).value.strip()
        error = self.query_one("#start-error", Static)
        if not invite:
            error.update("Paste an invite to join a room, or choose Open a new room.")
            return
        try:
            check_invite(invite)
        except DoorError as exc:
            error.update(Content(str(exc)))
            return
        self.dismiss(Start(invite=invite))
