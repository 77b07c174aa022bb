"""The invite on one line, ready to copy whole, and a line on sharing it safely.

A wrapped invite cannot be selected with the mouse without picking up borders,
so it is drawn on one line (cut with … where the window is narrow) and the
Copy button puts all of it on the clipboard. Every member holds the invite and
can show it (F5); it opens by itself only for the person who opened the room.
Once someone else is in, the line on sharing safely has been read, and the card
drops it to leave the talk its room.
"""

from __future__ import annotations

from textual import on
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Button, Static

from protocol.events import Seat
from tui.peer_text import shown
from tui.sentences import COPIED, COPIED_IN_BROWSER, SHARING


def copy_invite(app: App[object], invite: str) -> None:
    """Put the whole invite on the clipboard (OSC 52 in a terminal, the page's in a browser)."""
    app.copy_to_clipboard(invite)
    app.notify(COPIED_IN_BROWSER if app.is_web else COPIED, title="Invite copied", markup=False)


class InviteCard(Vertical):
    """Bound to the room screen's ``seats``: with others seated, it is drawn shorter."""

    seats: reactive[tuple[Seat, ...]] = reactive(())

    def __init__(self, invite: str, relay_notice: str | None = None, *, id: str | None = None):
        super().__init__(id=id)
        self.invite = invite
        self.relay_notice = relay_notice
        self.border_title = "Invite"

    def compose(self) -> ComposeResult:
        yield Static(Content(shown(self.invite)), id="invite-text")
        yield Static(Content(SHARING), classes="hint sharing")
        if self.relay_notice:
            yield Static(Content(self.relay_notice), classes="hint warning", id="relay-notice")
        with Horizontal(classes="buttons"):
            yield Button("Copy invite", id="copy-invite", compact=True)
            yield Button("Hide (F5)", id="hide-invite", compact=True)

    def watch_seats(self, seats: tuple[Seat, ...]) -> None:
        self.set_class(len(seats) > 1, "-others-in")

    @on(Button.Pressed, "#copy-invite")
    def copy(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        copy_invite(self.app, self.invite)

    @on(Button.Pressed, "#hide-invite")
    def hide(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        self.display = False
