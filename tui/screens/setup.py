"""The first screen: a display name, and for a new room its agreements.

Enter on the name goes on: it opens the room (the agreements are already
filled in, and Tab reaches them to edit first) or, when joining, goes to the
door. A name longer than the room allows is not cut silently: the screen says
how long it is and what the limit is, and waits for a shorter one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static, TextArea

from protocol import names
from protocol.limits import NICK_CHARS
from tui.entry import DEFAULT_AGREEMENTS
from tui.peer_text import shown


@dataclass(frozen=True, slots=True)
class Setup:
    nick: str
    agreements: str | None


class SetupScreen(Screen[Setup]):
    """Asks what the room needs before the door opens; Enter or the button goes on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "go_on", "Continue"),
        Binding("escape", "app.quit", "Quit", show=False),
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
            yield Static(Content(shown(self.where)), classes="hint", id="where")
            yield Label("Your name in this room")
            yield Input(self.nick, placeholder="e.g. ana", id="nick")
            yield Static(self._enter_hint(), id="nick-length", classes="hint")
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
        self.action_go_on()

    def _enter_hint(self) -> str:
        if self.opening:
            return "Enter opens the room. To edit the agreements first, Tab to them."
        return "Enter goes on to the room's door."

    def on_input_changed(self, changed: Input.Changed) -> None:
        too_long = len(changed.value.strip()) > NICK_CHARS
        note = self.query_one("#nick-length", Static)
        note.update((names.refusal(changed.value) or "") if too_long else self._enter_hint())
        note.set_class(too_long, "warning")
        self.query_one("#setup-error", Static).update("")  # what it said is about another name

    def on_button_pressed(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        self.action_go_on()

    def action_go_on(self) -> None:
        nick = self.query_one("#nick", Input).value.strip()
        error = self.query_one("#setup-error", Static)
        refused = names.refusal(nick)
        if refused:
            error.update(Content(refused))
            self.query_one("#nick", Input).focus()
            return
        agreements = None
        if self.opening:
            agreements = self.query_one("#agreements", TextArea).text.strip()
            if not agreements:
                error.update("Please write at least one agreement; the room starts from them.")
                return
        self.dismiss(Setup(nick, agreements))
