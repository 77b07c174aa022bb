"""Help: what each key does, and what the room promises."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.entry import BROWSER_KEYS


@dataclass(frozen=True, slots=True)
class Keys:
    """One row of the help: the keys pressed or the words typed, and what they do."""

    keys: str
    what: str


@dataclass(frozen=True, slots=True)
class Part:
    """A part of the help: a line saying what it is about, its rows, and a last word."""

    about: str
    rows: tuple[Keys, ...]
    after: str = ""


PARTS = (
    Part(
        "",
        (
            Keys("Enter", "send what you wrote"),
            Keys("F1", "this help"),
            Keys("F2 / F3", "admit / not now, for the first person knocking"),
            Keys("F4", "the room code: read it aloud, mark people verified"),
            Keys(
                "F5",
                "show or hide the invite (everyone in the room holds it; Copy takes it whole)",
            ),
            Keys("F6", "raise your hand (again: lower it)"),
            Keys("F7", "done: end your turn"),
            Keys("F8", "pause the floor for everyone (again: resume)"),
            Keys("Ctrl+P", "every action, searchable"),
            Keys("Ctrl+Q", "quit Porch (it asks first; in a room, you leave it)"),
            Keys("", 'to leave the room but stay in Porch: Ctrl+P, "Leave the room"'),
            Keys("Tab", "move between the roster, the knocks and the composer"),
        ),
        "The mouse works too: click buttons, scroll the talk.",
    ),
    Part(
        "The floor, typed in the composer (the same words as the plain mode):",
        (
            Keys("/round /stack /open", "a go-round, a stack of hands, or an open floor"),
            Keys("/hand [reply|process]", "a hand, a direct reply, or a point of process"),
            Keys("/lower /done", "lower your hand; end your turn"),
            Keys("/pass /later", "in a go-round: pass the piece on; come back to me"),
            Keys("/aside TEXT", "say something without taking the floor"),
            Keys("/timer SECONDS | off", "a speaking time: a gentle cue, never a cut-off"),
            Keys("/progressive on | off", "the next hand goes to whoever has spoken least"),
            Keys("/pause /resume", "anyone can pause; the caller or most of the room resumes"),
            Keys("/balance /floor", "how the time was shared; the floor on one line"),
            Keys("//TEXT", "send a message that starts with /"),
            Keys("/react R", "a reaction: 👍 ❤️ 👏 🙏 😂 😮 (or +1 heart clap thanks laugh wow)"),
            Keys("/leave", "leave the room and stay in Porch (it asks first)"),
            Keys("/quit /help", "quit Porch (it asks first, as Ctrl+Q); this help (F1)"),
            Keys("/admit /notnow NAME", "let someone knocking in; ask them to wait"),
            Keys("/verify NAME /who", "mark someone verified (F4); who is here and knocking"),
        ),
        "A message sent while someone else holds the floor is not sent: it comes back into "
        "the composer, to wait for your turn or to go as /aside.\n"
        "A NAME two people share is answered with which one: type it back as cy#2.",
    ),
    Part(
        "Shared accountability (the same words as the plain mode; also Ctrl+P):",
        (
            Keys("/motion remove NAME REASON", "move to remove someone, saying why"),
            Keys("/second", "second it: the floor waits while they answer"),
            Keys("/done (or F7)", "the person named has said what they wanted to"),
            Keys("/vote yes | /vote no", "or in its dialog: y, n, Esc to decide later"),
            Keys("/ouch [TEXT]", "flag harm in what was just said: repair"),
            Keys("/continue /more /stepout", "for those it concerns: go on, more, step out"),
            Keys("/back", "come back in after stepping out"),
        ),
    ),
    Part(
        "Offers (the same words as the plain mode; also Ctrl+P and the offer panel):",
        (
            Keys(
                "/offer PATH   /link URL",
                "offer a file or a link; a dialog names who is asked (a paste of several "
                "lines, or longer than a message, becomes a text offer the same way: "
                "nothing is lost)",
            ),
            Keys("/offers", "the open offers, numbered"),
            Keys("/accept N   /decline N", "a decline sends nothing: it looks like no answer"),
            Keys(
                "/save N [PATH]",
                "keep a file that arrived (the dialog asks where; a folder keeps the offer's "
                "own name in it)",
            ),
            Keys("/cancel N", "withdraw your offer, or stop one coming in"),
            Keys("/reveal NAME CONTACT", "contact details, shown only once both of you chose"),
        ),
    ),
)
GAP = 2  # between the longest keys of a part and its descriptions


class KeysRow(Horizontal):
    """The keys in a column of their own, and what they do beside them: a description
    too long for the window wraps under itself, not under the keys."""

    def __init__(self, row: Keys, width: int) -> None:
        super().__init__(classes="help-row")
        self.row = row
        self.width = width

    def compose(self) -> ComposeResult:
        keys = Static(self.row.keys, markup=False, classes="help-keys")
        keys.styles.width = self.width
        yield keys
        yield Static(self.row.what, markup=False, classes="help-what")


def help_part(part: Part) -> ComposeResult:
    width = max(len(row.keys) for row in part.rows) + GAP
    if part.about:
        yield Static(part.about, markup=False, classes="help-about")
    for row in part.rows:
        yield KeysRow(row, width)
    if part.after:
        yield Static(part.after, markup=False, classes="help-after")


ACCOUNTABILITY = (
    "No one removes anyone alone. A motion needs a reason and a second; the person named "
    "answers first; then everyone else present votes once. It passes with a strict majority "
    "of them (not voting counts as no), and only with at least three others present. Only "
    "the totals are shown, but every member's client receives every sealed ballot, so a "
    "modified client could tell who voted how.\n\n"
    "An ouch never removes anyone. It holds the floor for a repair round: the person who "
    "flagged speaks first, then the person it concerns, then anyone; it ends when each of "
    "them chooses to continue or to step out. Nothing of it is kept."
)

PROMISES = (
    "Porch rooms hold at most twelve people. What you write is encrypted on this computer "
    "and only the people on the roster can read it; the relay in the middle cannot.\n\n"
    "Nothing is kept: no history, no log. When you leave, the room is gone from this screen.\n\n"
    "Anyone holding the invite can knock, and any one member can let them in; everyone sees "
    "who admitted whom. Not now asks them to wait (they are not told who asked), and anyone "
    "can still let them in; a knock nobody answers expires. Read the room code aloud to be "
    "sure nobody slipped in unseen."
)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help", classes="dialog"):
            yield Static("Porch help", classes="title")
            with VerticalScroll():
                if self.app.is_web:
                    yield Static(BROWSER_KEYS, markup=False, classes="hint", id="help-browser")
                with Vertical(id="help-keys"):
                    for part in PARTS:
                        yield from help_part(part)
                yield Static(PROMISES, markup=False, classes="hint")
                yield Static(ACCOUNTABILITY, markup=False, classes="hint")
            yield Button("Close", id="close-help")

    def on_button_pressed(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        self.dismiss()
