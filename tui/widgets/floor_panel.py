"""The floor beside the roster: the mode, who speaks and for how long, who comes next,
the pause, and at the end of a round how the time was shared (a small bar each). While
the room repairs harm, the repair round shows here too (``repair_round``).

It draws from the room's floor (``room.floor``) and the names every screen
uses; peer names go through ``peer_text`` and into ``Content``, never markup.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from protocol.room.floor import Floor, HandKind, Mode, Talk, held
from tui.accountability import MotionView, RepairView, holding
from tui.floor_sentences import KIND_NAMES, MODE_NAMES, minutes, what_setting
from tui.peer_text import name
from tui.widgets.repair_round import RepairRound

BAR: int = 12  # the longest balance bar, in cells


def bars(balance: tuple[Talk, ...], label: Callable[[int], str]) -> list[Content]:
    """One line per person: a bar as long as their share of the time, and the time."""
    most = max((t.ms for t in balance), default=0)
    lines = []
    for talk in sorted(balance, key=lambda t: -t.ms):
        cells = round(BAR * talk.ms / most) if most else 0
        lines.append(
            Content.assemble(
                (name(label(talk.slot))[:10].ljust(10), ""),
                " ",
                ("█" * cells, "$accent"),
                ("░" * (BAR - cells), "$text-muted"),
                f" {minutes(talk.ms)}",
            )
        )
    return lines


class FloorPanel(Vertical):
    """Who has the floor. The timer counts from the relay's stamp that gave it."""

    repair: reactive[RepairView | None] = reactive(None)
    motions: reactive[tuple[MotionView, ...]] = reactive(())

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Floor"
        self.floor = Floor()
        self.balance: tuple[Talk, ...] | None = None
        self.floor_lines: list[str] = []
        self.drawn: tuple[Callable[[int], str], int | None] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="floor-lines")
        yield RepairRound(id="repair").data_bind(FloorPanel.repair)

    @property
    def lines(self) -> list[str]:
        """The panel as read on screen: the floor, then the repair round while one is open."""
        return self.floor_lines + self.query_one(RepairRound).lines

    def watch_repair(self) -> None:
        if self.drawn is not None and held(self.floor):
            self._draw(*self.drawn)  # what holds the floor: the round, or a motion

    def watch_motions(self) -> None:
        self.watch_repair()

    def show(
        self,
        floor: Floor,
        label: Callable[[int], str],
        elapsed_ms: int | None = None,
        balance: tuple[Talk, ...] | None = None,
    ) -> None:
        self.floor = floor
        if balance is not None:
            self.balance = balance
        elif floor.mode is not Mode.OPEN or floor.talk:
            self.balance = None  # a new round or stack: the last balance has been seen
        self._draw(label, elapsed_ms)

    def _draw(self, label: Callable[[int], str], elapsed_ms: int | None) -> None:
        self.drawn = (label, elapsed_ms)
        lines = self._lines(self.floor, label, elapsed_ms)
        self.floor_lines = [line.plain for line in lines]
        self.query_one("#floor-lines", Static).update(Content("\n").join(lines))

    def _lines(
        self, floor: Floor, label: Callable[[int], str], elapsed_ms: int | None
    ) -> list[Content]:
        def who(slot: int) -> str:
            return name(label(slot))

        lines = [Content.styled(MODE_NAMES[floor.mode].capitalize(), "bold")]
        if held(floor):
            # The room's own state lets the hold go at its next event; the screen
            # knows sooner, from the round or the motion that closed.
            why = holding(self.repair, self.motions)
            if why:
                lines.append(Content.styled(f"Held by the room for {why}", "$warning bold"))
        elif floor.paused is not None:
            lines.append(Content.styled(f"Paused by {who(floor.paused.by)}", "$warning bold"))
        if floor.speaker is not None:
            timer = ""
            if elapsed_ms is not None:
                limit = f" / {minutes(floor.timer_s * 1000)}" if floor.timer_s else ""
                timer = f" {minutes(elapsed_ms)}{limit}"
            over = floor.timer_s and elapsed_ms is not None and elapsed_ms >= floor.timer_s * 1000
            point = " (process)" if floor.speaker_process else ""
            lines.append(
                Content.assemble(
                    ("▶ ", "$success"),
                    (who(floor.speaker), "bold"),
                    point,
                    (timer, "$warning" if over else "$text-muted"),
                )
            )
        elif floor.mode is Mode.STACK:
            lines.append(Content.styled("Nobody speaks: raise a hand", "$text-muted"))
        if floor.mode is Mode.ROUND and floor.queue:
            lines.append(Content("Next: " + ", ".join(who(s) for s in floor.queue)))
        for place, hand in enumerate(floor.next_hands(), 1):
            kind = "" if hand.kind is HandKind.HAND else f" ({KIND_NAMES[hand.kind]})"
            lines.append(Content(f"{place}. {who(hand.slot)}{kind}"))
        if floor.timer_s and floor.speaker is None:
            lines.append(Content.styled(f"Speaking time {minutes(floor.timer_s * 1000)}", "dim"))
        if floor.progressive:
            lines.append(Content.styled("Progressive order", "dim"))
        for wait in floor.waiting:
            lines.append(
                Content.styled(f"Waiting: {what_setting(wait.act)} ({who(wait.slot)})", "dim")
            )
        balance = self.balance if self.balance is not None else None
        if balance:
            lines.append(Content.styled("How the time was shared", "bold"))
            lines.extend(bars(balance, label))
        return lines
