"""Knocks at the door, each with Admit and Not now. Any one member's consent lets someone in.

A knock someone asked to wait ("not now") stays, marked so, with both choices: anyone,
whoever asked included, may still let them in. The bar draws the room screen's
``knocks`` (bound with ``data_bind``), which is the endpoint's, and keeps no copy of
its own. A name that looks like another here carries its key mark ("cy (key dmrp)").
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Button, Static

from protocol import commands as cmd
from protocol.events import Knock
from tui.messages import Ask
from tui.peer_text import name


class KnockRow(Vertical):
    def __init__(self, view: Knock) -> None:
        super().__init__(classes="knock -set-aside" if view.asked_to_wait else "knock")
        self.view = view

    def compose(self) -> ComposeResult:
        who = f"{name(self.view.nick)} is knocking"
        waiting = " (asked to wait)" if self.view.asked_to_wait else ""
        yield Static(Content(who + waiting), classes="knock-who")
        with Horizontal(classes="knock-choices"):
            yield Button("Admit", variant="success", classes="admit", compact=True)
            yield Button("Not now", classes="not-now", compact=True)

    @on(Button.Pressed, ".admit")
    def admit(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        self.post_message(Ask(cmd.Admit(self.view.knock)))

    @on(Button.Pressed, ".not-now")
    def not_now(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        self.post_message(Ask(cmd.NotNow(self.view.knock)))


class KnockBar(Vertical):
    """Hidden while nobody is knocking."""

    knocks: reactive[tuple[Knock, ...]] = reactive((), recompose=True)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "At the door"

    def compose(self) -> ComposeResult:
        for view in self.knocks:
            yield KnockRow(view)

    def watch_knocks(self, knocks: tuple[Knock, ...]) -> None:
        self.display = bool(knocks)
