"""Where a person writes to the room. Enter sends; nothing typed is kept afterwards.

A line starting with ``/`` is one of the floor's commands or accountability's,
the same words as the plain mode's (``tui.floor_commands``,
``tui.vote_commands``), or ``/back`` after stepping out; ``//`` sends a line
that starts with ``/`` as a message.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input

from protocol import commands as cmd
from protocol.limits import TEXT_CHARS
from tui.floor_commands import WORDS, floor_command
from tui.messages import Ask, ComeBack, FloorAsked
from tui.peer_text import shown
from tui.vote_commands import WORDS as VOTE_WORDS
from tui.vote_commands import vote_command


class Composer(Input):
    def __init__(self, find: Callable[[str], int | None], *, id: str | None = None) -> None:
        super().__init__(
            placeholder="Write to the room and press Enter (/hand, /done, /aside …)",
            id=id,
            max_length=TEXT_CHARS,
        )
        self.find = find  # a name, as the screen shows it, to the seat of who has it

    def on_input_submitted(self, submitted: Input.Submitted) -> None:
        submitted.stop()
        text = submitted.value.strip()
        self.clear()
        if not text:
            return
        if text.startswith("//"):
            self.post_message(Ask(cmd.Say(text[1:])))
            return
        if not text.startswith("/"):
            self.post_message(Ask(cmd.Say(text)))
            return
        word, _, rest = text[1:].partition(" ")
        word = word.lower()
        if word in ("floor", "balance"):
            self.post_message(FloorAsked(word))
        elif word == "back":
            self.post_message(ComeBack())
        elif word in WORDS or word in VOTE_WORDS:
            asked = (
                floor_command(word, rest) if word in WORDS else vote_command(word, rest, self.find)
            )
            if isinstance(asked, str):
                self.notify(asked, markup=False)
            else:
                self.post_message(Ask(asked))
        else:
            self.notify(
                f"There is no command /{shown(word, limit=20)}. To send a line that starts "
                "with /, begin it with //.",
                markup=False,
            )
