"""Knocks at the door, each with Admit and Not now. Any one member's consent lets someone in.

A knock someone asked to wait ("not now") stays, marked so, with both choices: anyone,
whoever asked included, may still let them in.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from protocol import commands as cmd
from tui.messages import Ask
from tui.peer_text import name


class KnockRow(Vertical):
    def __init__(self, knock: int, nick: str) -> None:
        super().__init__(id=f"knock-{knock}", classes="knock")
        self.knock = knock
        self.nick = nick
        self.asked_to_wait = False

    def compose(self) -> ComposeResult:
        yield Static(Content(self._who()), classes="knock-who")
        with Horizontal(classes="knock-choices"):
            yield Button("Admit", variant="success", id=f"admit-{self.knock}", compact=True)
            yield Button("Not now", id=f"not-now-{self.knock}", compact=True)

    def on_button_pressed(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        if pressed.button.id == f"admit-{self.knock}":
            self.post_message(Ask(cmd.Admit(self.knock)))
        else:
            self.post_message(Ask(cmd.NotNow(self.knock)))

    def _who(self) -> str:
        if self.asked_to_wait:
            return f"{name(self.nick)} is knocking (asked to wait)"
        return f"{name(self.nick)} is knocking"

    def set_aside(self) -> None:
        """Someone asked them to wait: shown so, still with Admit."""
        self.asked_to_wait = True
        self.add_class("set-aside")
        for who in self.query(".knock-who"):
            if isinstance(who, Static):
                who.update(Content(self._who()))


class KnockBar(Vertical):
    """Hidden while nobody is knocking."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.display = False

    @property
    def knocks(self) -> list[KnockRow]:
        return list(self.query(KnockRow))

    def add(self, knock: int, nick: str) -> None:
        if self.query(f"#knock-{knock}"):
            return
        self.mount(KnockRow(knock, nick))
        self.display = True
        self.border_title = "At the door"

    def set_aside(self, knock: int) -> None:
        for row in self.query(f"#knock-{knock}"):
            if isinstance(row, KnockRow):
                row.set_aside()

    def drop(self, knock: int) -> None:
        for row in self.query(f"#knock-{knock}"):
            row.remove()
        self.display = any(row.knock != knock for row in self.knocks)

    def first(self) -> KnockRow | None:
        rows = self.knocks
        return rows[0] if rows else None
