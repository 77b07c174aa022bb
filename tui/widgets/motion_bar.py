"""The motion bar: while a motion to remove someone is open, who moved it, about whom and
why, its step and the time left, the ballot totals (never who voted how), and what this
person can do about it. A result stays a few seconds, then the bar goes.

The reason is the mover's own words: it goes through ``peer_text`` and into
``Content``, never markup.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Button, Static

from protocol import events as ev
from protocol.events import MotionStage
from tui.accountability import MotionView
from tui.floor_sentences import minutes
from tui.messages import MotionAsked
from tui.peer_text import name, shown

Clock = Callable[[], float]


def motion_what(m: ev.MotionEvent) -> Content:
    mover = "You" if m.mover_is_me else name(m.mover)
    named = "you" if m.named_is_me else name(m.named)
    return Content.assemble(
        (f"{mover} moved to remove {named}", "bold"), ": ", shown(m.reason, limit=200)
    )


def motion_step(view: MotionView, now: float) -> str:
    """The motion's step in a few words, with the time left or the totals."""
    m = view.motion
    named = name(m.named)
    left = f"{minutes(view.left(now) * 1000)} left"
    match m.stage:
        case MotionStage.RAISED if m.named_is_me:
            return f"Needs a second · {left}. If seconded, you answer first."
        case MotionStage.RAISED if view.can_second:
            return f"Needs a second · {left}. You can second it."
        case MotionStage.RAISED:
            return f"Needs a second from another member · {left}"
        case MotionStage.SECONDED if m.named_is_me:
            return f"Your turn to answer · {left}. F7 or /done when you have said it."
        case MotionStage.SECONDED:
            return f"{named} answers · {left}. The floor is held; then the vote opens."
        case MotionStage.VOTING:
            line = f"Voting · {m.cast} of {m.of} voted · {left}"
            if m.named_is_me:
                return line + ". The others vote."
            if m.i_vote and m.voted:
                return line + ". Your vote is in."
            if m.i_vote:
                return line + ". Not voting counts as no."
            return line
        case MotionStage.PASSED:
            return f"Passed: {m.yes} of {m.of} voted yes."
        case MotionStage.FAILED:
            return f"Did not pass: {m.yes} of {m.of} voted yes. The floor goes on."
        case MotionStage.LAPSED:
            return "Lapsed: nobody seconded it in time."
    return ""


class MotionRow(Vertical):
    """One motion: what it is, its step, and a Second or Vote button when they are ours."""

    def __init__(self, view: MotionView, clock: Clock) -> None:
        super().__init__(classes="motion")
        self.view = view
        self.clock = clock

    def compose(self) -> ComposeResult:
        yield Static(classes="motion-what")
        with Horizontal(classes="motion-line"):
            yield Static(classes="motion-step")
            second = Button("Second", variant="warning", classes="second", compact=True)
            vote = Button("Vote…", variant="primary", classes="vote", compact=True)
            second.display, vote.display = self.view.can_second, self.view.can_vote
            yield second
            yield vote

    def on_mount(self) -> None:
        self.show(self.view)

    def show(self, view: MotionView) -> None:
        self.view = view
        self.set_class(not view.is_open, "-closed")
        self.query_one(".motion-what", Static).update(motion_what(view.motion))
        self.query_one(".second", Button).display = view.can_second
        self.query_one(".vote", Button).display = view.can_vote
        self.tick()

    def tick(self) -> None:
        step = motion_step(self.view, self.clock())
        self.query_one(".motion-step", Static).update(Content(step))

    @property
    def lines(self) -> list[str]:
        """The row as read on screen, for whoever checks what a person sees."""
        return [motion_what(self.view.motion).plain, motion_step(self.view, self.clock())]

    @on(Button.Pressed, ".second")
    def second(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        self.post_message(MotionAsked(self.view.key, "second"))

    @on(Button.Pressed, ".vote")
    def vote(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        self.post_message(MotionAsked(self.view.key, "vote"))


class MotionBar(Vertical):
    """Hidden while no motion is open (or just closed)."""

    motions: reactive[tuple[MotionView, ...]] = reactive(())

    def __init__(self, clock: Clock, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.rows: dict[bytes, MotionRow] = {}
        self.display = False

    def watch_motions(self, motions: tuple[MotionView, ...]) -> None:
        keys = {m.key for m in motions}
        for key in [k for k in self.rows if k not in keys]:
            self.rows.pop(key).remove()
        for view in motions:
            row = self.rows.get(view.key)
            if row is None:
                self.rows[view.key] = row = MotionRow(view, self.clock)
                self.mount(row)
            elif row.is_mounted:
                row.show(view)
            else:
                row.view = view
        self.display = bool(motions)
        opened = sum(1 for m in motions if m.is_open)
        self.border_title = "Motion to remove someone" if opened <= 1 else f"{opened} motions"

    def tick(self) -> None:
        """Once a second: the time left."""
        for row in self.rows.values():
            if row.is_mounted:
                row.tick()

    @property
    def lines(self) -> list[str]:
        return [line for row in self.rows.values() for line in row.lines]
