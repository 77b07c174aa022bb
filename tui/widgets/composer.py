"""Where a person writes to the room. Enter sends; nothing typed is kept afterwards."""

from __future__ import annotations

from textual.widgets import Input

from protocol import commands as cmd
from protocol.limits import TEXT_CHARS
from tui.messages import Ask


class Composer(Input):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            placeholder="Write to the room and press Enter",
            id=id,
            max_length=TEXT_CHARS,
        )

    def on_input_submitted(self, submitted: Input.Submitted) -> None:
        submitted.stop()
        text = submitted.value.strip()
        self.clear()
        if text:
            self.post_message(Ask(cmd.Say(text)))
