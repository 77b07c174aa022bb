"""The connection line: connecting, connected, reconnecting, or what went wrong."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class ConnectionStatus(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.state = "connecting"

    def show(self, state: str, sentence: str) -> None:
        """``state`` is one of connecting, connected, reconnecting, gone; it picks the colour."""
        self.remove_class(f"-{self.state}")
        self.state = state
        self.add_class(f"-{state}")
        self.update(Content(sentence))
