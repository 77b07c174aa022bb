"""The repair round, inside the floor panel: who flagged harm and about whom, whose turn
it is, what the room agreed about repair, and for those it concerns the way out of it:
continue, more time, or step out.

Names, the flagger's words and the agreements are peer text: each goes through
``peer_text`` and into ``Content``, never markup.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Button, Static

from protocol import commands as cmd
from protocol.room.repair import Step
from tui.accountability import CHOICE_WORDS, RepairView
from tui.messages import Ask
from tui.peer_text import name, shown

AFFECTED_HELP = "Choose when you are ready. Stepping out leaves gently; you can come back."
OTHERS_HELP = "Those it concerns choose at the end: continue, more time, or step out."


def round_lines(view: RepairView) -> list[Content]:
    about = f", about {name(view.concerned)}" if view.concerned else ""
    lines = [
        Content.styled("Repair round", "$warning bold"),
        Content(f"Flagged by {name(view.flagger)}{about}"),
    ]
    if view.text:
        lines.append(Content.assemble(("“", "$text-muted"), shown(view.text), ("”", "$text-muted")))
    if view.speaker_is_me:
        turn = Content.assemble(("▶ ", "$success"), ("Your turn", "bold"), " (F7: done)")
    elif view.speaker:
        turn = Content.assemble(("▶ ", "$success"), (name(view.speaker), "bold"), " speaks")
    else:
        turn = Content.assemble(("▶ ", "$success"), "Anyone may speak")
    lines.append(turn)
    for who, choice in view.choices:
        lines.append(Content(f"{name(who)}: {CHOICE_WORDS.get(choice, 'chose')}"))
    if view.agreements:
        lines.append(Content.styled("What the room agreed", "bold"))
        lines.extend(Content.styled(line, "$text-muted") for line in view.agreements)
    return lines


class RepairRound(Vertical):
    """Hidden while no round is open."""

    repair: reactive[RepairView | None] = reactive(None)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.display = False
        self.lines: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(classes="repair-lines")
        with Vertical(classes="repair-choices"):
            yield Button("Continue", variant="success", id="repair-continue", compact=True)
            yield Button("More time", id="repair-more", compact=True)
            yield Button("Step out", variant="warning", id="repair-stepout", compact=True)
        yield Static(classes="hint repair-help")

    def watch_repair(self, view: RepairView | None) -> None:
        self.display = view is not None
        if view is None:
            self.lines = []
            return
        lines = round_lines(view)
        help_text = AFFECTED_HELP if view.affected_me else OTHERS_HELP
        self.lines = [line.plain for line in lines] + [help_text]
        self.query_one(".repair-lines", Static).update(Content("\n").join(lines))
        self.query_one(".repair-choices").display = view.affected_me
        self.query_one(".repair-help", Static).update(Content(help_text))

    @on(Button.Pressed, "#repair-continue")
    def go_on(self, pressed: Button.Pressed) -> None:
        self._step(pressed, Step.CONTINUE)

    @on(Button.Pressed, "#repair-more")
    def more(self, pressed: Button.Pressed) -> None:
        self._step(pressed, Step.MORE)

    @on(Button.Pressed, "#repair-stepout")
    def step_out(self, pressed: Button.Pressed) -> None:
        self._step(pressed, Step.STEP_OUT)

    def _step(self, pressed: Button.Pressed, step: Step) -> None:
        pressed.stop()
        self.post_message(Ask(cmd.Repair(step)))
