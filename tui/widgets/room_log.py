"""The room's conversation, held only in this widget's memory and cleared on leaving.

A message is laid out at the width it is drawn (``talk_layout``): the time and the
name start its first row; every further row, broken by the sender or by the
terminal, hangs under a gutter mark.

The log keeps what it shows (each message and note itself, not only the rows it was
drawn to, and in memory only), so that when its width changes, the talk is laid out
again at the new width:

1. Only a change of width does it; a bar or a toast appearing changes the height.
2. A window being dragged sends many sizes: the talk is laid out once the width has
   stayed the same for ``SETTLE_S``.
3. A person at the end of the talk stays at the end; one who scrolled up to read
   keeps the message at the top of the log in view, at the same place in it.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Final, Self

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.events import Resize
from textual.timer import Timer
from textual.widgets import RichLog

from protocol.events import Said
from tui.peer_text import name
from tui.talk_layout import hanging, message_lines, wrapped

# Rows drawn, and messages and notes kept to draw again: a long session stays responsive;
# older ones fall away.
MAX_MESSAGES = 5000
GUTTER = "      ┃ "  # under the clock: where a message's own further rows hang
SETTLE_S: Final = 0.2  # a width held this long is the one the talk is laid out at again
DIM, PLAIN, MORE = Style(dim=True), Style(), Style(italic=True, dim=True)
NAME, NAME_MINE = Style(bold=True), Style(bold=True, color="cyan")


def clock(ts_ms: int) -> str:
    return time.strftime("%H:%M", time.localtime(ts_ms / 1000))


class Message:
    """One message, drawn at whatever width the log has (a Rich renderable)."""

    def __init__(self, said: Said) -> None:
        when, who = clock(said.ts) + " ", name(said.nick)
        who_style = NAME_MINE if said.mine else NAME
        self.head = Text()
        self.head.append(when, style=DIM)
        self.head.append(who, style=who_style)
        self.head.append("  ")
        self.lead = (Segment(when, DIM), Segment(who, who_style))
        self.said = message_lines(said.text)
        self.measured: Measurement | None = None

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        if self.measured is None:  # the same at any width: measured once, not at each layout
            widest = max((cell_len(line) for line in self.said.lines), default=0)
            if self.said.hidden:
                widest = max(widest, cell_len(self.said.more) + len(GUTTER) - self.head.cell_len)
            self.measured = Measurement(len(GUTTER) + 1, self.head.cell_len + widest)
        return self.measured

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterator[Text | Segment]:
        laid = self.laid_out(options.max_width)
        yield from self._segments(laid) if laid.narrowest >= 2 else self.texts(laid)

    def laid_out(self, width: int) -> MessageRows:
        first = width - self.head.cell_len
        rest = max(1, width - len(GUTTER))
        inline = first >= 1
        rows = hanging(self.said.lines, first if inline else rest, rest)
        told = len(rows)
        if self.said.hidden:
            rows.extend(wrapped(self.said.more, rest, rest))
        return MessageRows(
            rows, told, inline=inline, narrowest=min(first if inline else rest, rest)
        )

    def texts(self, laid: MessageRows) -> Iterator[Text]:
        """The rows as ``Text``, cropped to the width they are drawn at: any width will do."""
        if not laid.inline:  # a long name in a narrow log: the name has a row of its own
            yield self.head
        for index, row in enumerate(laid.rows):
            line = Text(no_wrap=True, overflow="crop", end="\n")
            if index == 0 and laid.inline:
                line.append_text(self.head)
            else:
                line.append(GUTTER, style=DIM)
            line.append(row, style=MORE if index >= laid.told else PLAIN)
            yield line

    def _segments(self, laid: MessageRows) -> Iterator[Text | Segment]:
        """The segments ``texts`` draws to, when every row fits (``hanging`` sees to that
        where a row has two cells or more): drawing them through ``Text`` took most of the
        time a long talk takes to be laid out again."""
        if not laid.inline:
            yield self.head
        for index, row in enumerate(laid.rows):
            if index == 0 and laid.inline:
                yield from self.lead
                yield Segment("  " + row, PLAIN)
            else:
                yield Segment(GUTTER, DIM)
                if row:
                    yield Segment(row, MORE if index >= laid.told else PLAIN)
            yield Segment.line()


@dataclass(frozen=True, slots=True)
class MessageRows:
    """A message laid out at one width."""

    rows: list[str]
    told: int  # rows of the message's own; any after them say how much more it had
    inline: bool  # the first row starts after the time and the name, on their row
    narrowest: int  # the fewest cells any row had room for


@dataclass(slots=True)
class Shown:
    """A message or a note the log shows, and how many of the log's rows it takes."""

    drawn: Message | Text
    rows: int = 0


class RoomLog(RichLog):
    """Messages and room notes. Peer text is written as literal ``Text``, never markup.

    ``RichLog`` draws what it is given to rows once, at the width it has then; this log
    keeps the messages and notes themselves (``shown``, at most ``MAX_MESSAGES``) and
    writes them all again, through ``RichLog``'s own ``clear`` and ``write``, when its
    width changes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            id=id, markup=False, highlight=False, wrap=True, min_width=20, max_lines=MAX_MESSAGES
        )
        self.can_focus = False
        self.shown: deque[Shown] = deque(maxlen=MAX_MESSAGES)
        self.laid_out_at: int | None = None  # the width the talk is laid out at (None: not yet)
        self.at_end = True  # the person is reading the newest line, not scrolled up
        self._settle: Timer | None = None

    def add_said(self, said: Said) -> None:
        """One message; every row after its first hangs under a gutter mark, so a line a
        peer typed, or padded out to wrap, can never read as another person's message."""
        self._show(Message(said), mine=said.mine)

    def add_note(self, sentence: str, *, warning: bool = False) -> None:
        """A room note (someone knocked, left, was admitted): a sentence, set apart."""
        self._show(Text("— " + sentence, style="bold red" if warning else "italic dim"))

    def clear(self) -> Self:
        """Forget the talk: what is shown and what was kept to show again."""
        self.shown.clear()
        super().clear()
        return self

    def _show(self, drawn: Message | Text, *, mine: bool = False) -> None:
        shown = Shown(drawn)
        self.shown.append(shown)
        if self.laid_out_at is not None:  # until the log has a width, it is only kept
            # Someone who scrolled up to read stays where they are as others write;
            # what they send themselves takes them to the end, as it does in any talk.
            shown.rows = self._write(drawn, scroll_end=self.at_end or mine)

    def _write(self, drawn: Message | Text, *, scroll_end: bool | None) -> int:
        """Draw ``drawn`` below the rest and say how many rows it took. (Past
        ``MAX_MESSAGES`` rows the log drops its oldest as it writes, so the count is
        taken from where the row that was last before now is.)"""
        last = self.lines[-1] if self.lines else None
        self.write(drawn, scroll_end=scroll_end)
        for rows, line in enumerate(reversed(self.lines)):
            if line is last:
                return rows
        return len(self.lines)

    # -- the log's size -----------------------------------------------------------------

    @property
    def settling(self) -> bool:
        """Whether the log waits for a new width to settle, to lay the talk out at it."""
        return self._settle is not None

    @property
    def laid_out(self) -> bool:
        """Whether the talk is drawn at the width the log has now."""
        return self.laid_out_at == self.scrollable_content_region.width and not self.settling

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.at_end = new_value >= self.max_scroll_y

    def on_resize(self, resize: Resize) -> None:
        """The log keeps its newest line in view when it grows shorter: a motion bar, an offer
        or a knock appearing above it can lay out after the line that announced it was
        scrolled to, and would otherwise hide that very line below the fold. (RichLog's own
        handler runs after this one, and only then can the log be written to.)"""
        if self.auto_scroll and self.lines and self.at_end:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        width = self.scrollable_content_region.width
        if width < 1 or width == self.laid_out_at:
            return  # only its height changed: the rows are as wide as before
        if self.laid_out_at is None:
            self.call_next(self.lay_out)  # the first width: the talk kept so far is drawn
            return
        if self._settle is not None:
            self._settle.stop()
        self._settle = self.set_timer(SETTLE_S, self.lay_out)

    def lay_out(self) -> None:
        """Draw the kept talk again at the log's width, if that changed, keeping the person's
        place: the end, or the message they scrolled up to."""
        self._settle = None
        width = self.scrollable_content_region.width
        if width < 1 or width == self.laid_out_at:
            return
        self.laid_out_at = width
        at_end = self.at_end or not self.lines
        top = None if at_end else self._row_in_talk(round(self.scroll_y))
        super().clear()
        for shown in self.shown:
            shown.rows = self._write(shown.drawn, scroll_end=False)
        y = self.max_scroll_y if top is None else self._row_in_log(*top)
        self.scroll_to(x=0, y=y, animate=False, immediate=True)
        self.at_end = at_end

    def _row_in_talk(self, y: int) -> tuple[int, float]:
        """Which kept message or note row ``y`` of the log belongs to, and how far into it."""
        row = sum(shown.rows for shown in self.shown) - len(self.lines) + y  # dropped rows too
        for index, shown in enumerate(self.shown):
            if row < shown.rows:
                return index, row / shown.rows
            row -= shown.rows
        return len(self.shown) - 1, 0.0

    def _row_in_log(self, index: int, into: float) -> int:
        """The log's row that is ``into`` of the way through kept message ``index``."""
        above = sum(shown.rows for shown in islice(self.shown, index))
        dropped = sum(shown.rows for shown in self.shown) - len(self.lines)
        return max(0, above - dropped + int(into * self.shown[index].rows))
