"""The first screen: a display name, and for a new room its agreements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static, TextArea

from protocol.limits import NICK_CHARS
from tui.session import DEFAULT_AGREEMENTS


@dataclass(frozen=True, slots=True)
class Setup:
    nick: str
    agreements: str | None


class SetupScreen(Screen[Setup]):
    """Asks what the room needs before the door opens; Enter or the button goes on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "go_on", "Continue"),
        Binding("escape", "app.quit", "Quit"),
    ]

    def __init__(self, *, opening: bool, nick: str | None, agreements: str | None, where: str):
        super().__init__()
        self.opening = opening
        self.nick = nick or ""
        self.agreements = agreements if agreements is not None else DEFAULT_AGREEMENTS
        self.where = where

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="setup"):
            yield Static("Open a new room" if self.opening else "Join a room", classes="title")
            yield Static(Content(self.where), classes="hint", id="where")
            yield Label("Your name in this room")
            yield Input(self.nick, placeholder="e.g. ana", id="nick", max_length=NICK_CHARS)
            if self.opening:
                yield Label("The room's agreements (everyone accepts them before entering)")
                yield TextArea(self.agreements, id="agreements", soft_wrap=True)
            yield Static("", id="setup-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(
                    "Open the room" if self.opening else "Continue",
                    variant="primary",
                    id="go-on",
                )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#nick", Input).focus()

    def on_input_submitted(self, submitted: Input.Submitted) -> None:
        submitted.stop()
        if self.opening:
            self.query_one("#agreements", TextArea).focus()
        else:
            self.action_go_on()

    def on_button_pressed(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        self.action_go_on()

    def action_go_on(self) -> None:
        nick = self.query_one("#nick", Input).value.strip()
        error = self.query_one("#setup-error", Static)
        if not nick:
            error.update("Please give a name, so the room knows who is knocking.")
            self.query_one("#nick", Input).focus()
            return
        if not nick.isprintable():
            error.update("A name holds printable characters only. Please choose another.")
            self.query_one("#nick", Input).focus()
            return
        agreements = None
        if self.opening:
            agreements = self.query_one("#agreements", TextArea).text.strip()
            if not agreements:
                error.update("Please write at least one agreement; the room starts from them.")
                return
        self.dismiss(Setup(nick, agreements))
