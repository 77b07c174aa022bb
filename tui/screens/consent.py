"""Consent before entering: the room's agreements, and a clear choice to agree or leave."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.peer_text import name, shown


class AgreementsConsent(ModalScreen[bool]):
    """True means the person agreed and will knock; False means they leave."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "agree", "Agree and knock"),
        Binding("escape,l", "leave", "Leave"),
    ]

    def __init__(self, agreements: str, host_nick: str) -> None:
        super().__init__()
        self.agreements = agreements
        self.host_nick = host_nick

    def compose(self) -> ComposeResult:
        with Vertical(id="consent", classes="dialog"):
            yield Static(
                Content(f"{name(self.host_nick)}'s room has these agreements"), classes="title"
            )
            with VerticalScroll(id="consent-text"):
                yield Static(Content(shown(self.agreements, multiline=True)))
            yield Static(
                "If you agree, you knock and someone in the room lets you in. "
                "If not, you leave and nothing is kept.",
                classes="hint",
            )
            with Horizontal(classes="buttons"):
                yield Button("Agree and knock", variant="success", id="agree")
                yield Button("Leave", variant="error", id="leave")

    def on_mount(self) -> None:
        self.query_one("#agree", Button).focus()

    def on_button_pressed(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        self.dismiss(pressed.button.id == "agree")

    def action_agree(self) -> None:
        self.dismiss(True)

    def action_leave(self) -> None:
        self.dismiss(False)
