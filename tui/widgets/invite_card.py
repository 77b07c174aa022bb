"""The invite, ready to copy, and a line on sharing it safely."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from tui.sentences import COPIED, COPIED_IN_BROWSER, SHARING


class InviteCard(Vertical):
    def __init__(self, invite: str, relay_notice: str | None = None, *, id: str | None = None):
        super().__init__(id=id)
        self.invite = invite
        self.relay_notice = relay_notice
        self.border_title = "Invite"

    def compose(self) -> ComposeResult:
        yield Static(Content(self.invite), id="invite-text")
        yield Static(Content(SHARING), classes="hint")
        if self.relay_notice:
            yield Static(Content(self.relay_notice), classes="hint warning", id="relay-notice")
        with Horizontal(classes="buttons"):
            yield Button("Copy invite", id="copy-invite", compact=True)
            yield Button("Hide", id="hide-invite", compact=True)

    def on_button_pressed(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        if pressed.button.id == "copy-invite":
            self.app.copy_to_clipboard(self.invite)
            self.app.notify(COPIED_IN_BROWSER if self.app.is_web else COPIED, markup=False)
        else:
            self.display = False
