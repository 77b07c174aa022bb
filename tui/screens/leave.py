"""Before leaving a room, or quitting Porch from one: a clear question, Stay focused.

Leaving clears everything shown and tells the room you left. When the room's
relay runs inside this Porch (``porch new`` without ``--relay``), leaving ends
the room for everyone still in it, and the question says so, naming how many.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static


@dataclass(frozen=True, slots=True)
class Leaving:
    """What the person asked for: ``quitting`` Porch, or only leaving this room; and how
    many others are here when the room's relay runs inside this Porch (0 otherwise)."""

    quitting: bool
    ends_room_for: int = 0


def leave_words(leaving: Leaving) -> tuple[str, str, str]:
    """The question's title, its explanation, and the button that goes."""
    title = "Quit Porch?" if leaving.quitting else "Leave the room?"
    what = "Everything shown here is cleared and the room sees you leave."
    if leaving.ends_room_for:
        others = leaving.ends_room_for
        people = "person" if others == 1 else "people"
        what = (
            "The room's relay runs inside this Porch, so leaving ends the room for "
            f"everyone: the {others} other {people} here are told the room has ended. "
            "(A room opened with --relay on a hosted relay goes on without you.) " + what
        )
    elif not leaving.quitting:
        what += " You stay in Porch, to join another room or open a new one."
    go = "Quit" if leaving.quitting else "Leave"
    if leaving.ends_room_for:
        go = "End the room and quit" if leaving.quitting else "End the room and leave"
    return title, what, go


class LeaveScreen(ModalScreen[bool]):
    """True: go (leave, or leave and quit). False: stay in the room."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "stay", "Stay")]

    def __init__(self, leaving: Leaving) -> None:
        super().__init__()
        self.leaving = leaving

    def compose(self) -> ComposeResult:
        title, what, go = leave_words(self.leaving)
        with Vertical(id="leave", classes="dialog"):
            yield Static(title, classes="title")
            yield Static(Content(what), id="leave-what")
            with Horizontal(classes="buttons"):
                yield Button("Stay", variant="primary", id="stay")
                yield Button(go, variant="error", id="go")

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    @on(Button.Pressed, "#go")
    def go(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        self.dismiss(True)

    @on(Button.Pressed, "#stay")
    def stay_pressed(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        self.dismiss(False)

    def action_stay(self) -> None:
        self.dismiss(False)
