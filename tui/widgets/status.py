"""The status line: where this person stands with the room, in words and colour.

It draws the app's one ``link`` (``tui.link``), folded from the room's events;
no screen keeps a copy.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from tui.link import CONNECTING, Link, Standing


class ConnectionStatus(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.standing = Standing.CONNECTING

    def on_mount(self) -> None:
        self.show(CONNECTING)
        self.watch(self.app, "link", self.show)  # PorchApp.link

    def show(self, link: Link) -> None:
        self.remove_class(f"-{self.standing.value}")
        self.standing = link.standing
        self.add_class(f"-{link.standing.value}")
        self.update(Content(link.text))
