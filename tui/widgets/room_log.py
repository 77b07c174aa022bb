"""The room's conversation, held only in this widget's memory and cleared on leaving.

A message is laid out at the width it is drawn (``talk_layout``): the time and the
name start its first row; every further row, broken by the sender or by the
terminal, hangs under a gutter mark.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.text import Text
from textual.events import Resize
from textual.widgets import RichLog

from protocol.events import Said
from tui.peer_text import name
from tui.talk_layout import hanging, message_lines, wrapped

MAX_MESSAGES = 5000  # rows kept: a long session stays responsive; older rows fall away
GUTTER = "      ┃ "  # under the clock: where a message's own further rows hang


def clock(ts_ms: int) -> str:
    return time.strftime("%H:%M", time.localtime(ts_ms / 1000))


class Message:
    """One message, drawn at whatever width the log has (a Rich renderable)."""

    def __init__(self, said: Said) -> None:
        self.head = Text()
        self.head.append(clock(said.ts) + " ", style="dim")
        self.head.append(name(said.nick), style="bold cyan" if said.mine else "bold")
        self.head.append("  ")
        self.said = message_lines(said.text)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(line) for line in self.said.lines), default=0)
        if self.said.hidden:
            widest = max(widest, cell_len(self.said.more) + len(GUTTER) - self.head.cell_len)
        return Measurement(len(GUTTER) + 1, self.head.cell_len + widest)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        width = options.max_width
        first = width - self.head.cell_len
        rest = max(1, width - len(GUTTER))
        inline = first >= 1
        if not inline:  # a long name in a narrow log: the name has a row of its own
            yield self.head
        rows = hanging(self.said.lines, first if inline else rest, rest)
        told = len(rows)
        if self.said.hidden:
            rows.extend(wrapped(self.said.more, rest, rest))
        for index, row in enumerate(rows):
            line = Text(no_wrap=True, overflow="crop", end="\n")
            if index == 0 and inline:
                line.append_text(self.head)
            else:
                line.append(GUTTER, style="dim")
            line.append(row, style="italic dim" if index >= told else "")
            yield line


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
        """One message; every row after its first hangs under a gutter mark, so a line a
        peer typed, or padded out to wrap, can never read as another person's message."""
        self.write(Message(said))

    def add_note(self, sentence: str, *, warning: bool = False) -> None:
        """A room note (someone knocked, left, was admitted): a sentence, set apart."""
        self.write(Text("— " + sentence, style="bold red" if warning else "italic dim"))
