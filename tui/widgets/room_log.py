"""The room's conversation, held only in this widget's memory and cleared on leaving."""

from __future__ import annotations

import time

from rich.text import Text
from textual.events import Resize
from textual.widgets import RichLog

from protocol.events import Said
from tui.peer_text import name, shown

MAX_MESSAGES = 5000  # a long session stays responsive; older lines fall away
GUTTER = "      ┃ "  # under the clock: where a message's own further lines hang


def clock(ts_ms: int) -> str:
    return time.strftime("%H:%M", time.localtime(ts_ms / 1000))


class RoomLog(RichLog):
    """Messages and room notes. Peer text is written as literal ``Text``, never markup."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            id=id, markup=False, highlight=False, wrap=True, min_width=20, max_lines=MAX_MESSAGES
        )
        self.can_focus = False

    def on_resize(self, resize: Resize) -> None:
        """The log keeps its newest line in view when it grows shorter: a motion bar, an offer
        or a knock appearing above it can lay out after the line that announced it was
        scrolled to, and would otherwise hide that very line below the fold. (RichLog's own
        handler runs after this one, for lines written before the size was known.)"""
        if self.auto_scroll and self.lines:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def add_said(self, said: Said) -> None:
        """One message; every line after its first hangs under a gutter mark, so a line a
        peer typed can never read as another person's message."""
        first, *more = shown(said.text, multiline=True).split("\n")
        line = Text()
        line.append(clock(said.ts) + " ", style="dim")
        line.append(name(said.nick), style="bold cyan" if said.mine else "bold")
        line.append("  ")
        line.append(first)
        for rest in more:
            line.append("\n")
            line.append(GUTTER, style="dim")
            line.append(rest)
        self.write(line)

    def add_note(self, sentence: str, *, warning: bool = False) -> None:
        """A room note (someone knocked, left, was admitted): a sentence, set apart."""
        self.write(Text("— " + sentence, style="bold red" if warning else "italic dim"))
