"""The vote on a motion to remove someone: what was moved and why, the rule, what a
ballot reveals, and Yes, No or Decide later.

True is a yes, False a no; None decides later (``/vote yes`` or ``/vote no`` still
work, and the motion bar opens this again). The room screen closes it when the
vote closes meanwhile, or the ballot went in another way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.accountability import MotionView
from tui.floor_sentences import minutes
from tui.peer_text import name, shown
from tui.vote_sentences import BALLOTS_SEEN


def vote_rule(of: int) -> str:
    needed = of // 2 + 1
    return (
        f"It passes with a strict majority of the {of} voters: at least {needed} of them "
        "must vote yes. Not voting counts as no. The person named does not vote."
    )


class VoteScreen(ModalScreen[bool | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "vote(True)", "Yes, remove"),
        Binding("n", "vote(False)", "No, keep"),
        Binding("escape", "later", "Decide later"),
    ]

    def __init__(self, view: MotionView, clock: Callable[[], float]) -> None:
        super().__init__()
        self.view = view
        self.clock = clock

    @property
    def key(self) -> bytes:
        return self.view.key

    def compose(self) -> ComposeResult:
        m = self.view.motion
        named = name(m.named)
        mover = "You" if m.mover_is_me else name(m.mover)
        seconded = f", and {name(m.by)} seconded it" if m.by else ""
        with Vertical(id="vote", classes="dialog"):
            yield Static(Content(f"Should {named} leave the room?"), classes="title")
            yield Static(Content(f"{mover} moved to remove {named}{seconded}. The reason given:"))
            yield Static(Content(shown(m.reason)), id="vote-reason")
            yield Static(Content(vote_rule(m.of)), id="vote-rule")
            yield Static(id="vote-left")
            yield Static(Content(BALLOTS_SEEN), classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Yes, remove (y)", variant="error", id="yes")
                yield Button("No, keep (n)", variant="primary", id="no")
                yield Button("Decide later (Esc)", id="later")

    def on_mount(self) -> None:
        self.query_one("#later", Button).focus()  # Enter on its own casts no ballot
        self.tick()
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        left = self.view.left(self.clock())
        self.query_one("#vote-left", Static).update(
            Content(f"The vote closes in {minutes(left * 1000)}, or once everyone has voted.")
        )

    @on(Button.Pressed, "#yes")
    def yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def no(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#later")
    def later(self) -> None:
        self.dismiss(None)

    def close(self) -> None:
        """Closes the dialog with no ballot, once it has opened: the vote can close (or the
        ballot go in another way) in the same burst of events that opened it, and a dialog
        closed before it is mounted would meet its own buttons gone."""
        self.call_later(self._close_if_on_top)

    def _close_if_on_top(self) -> None:
        if self.app.screen is self:
            self.dismiss(None)

    def action_vote(self, yes: bool) -> None:
        self.dismiss(yes)

    def action_later(self) -> None:
        self.dismiss(None)
