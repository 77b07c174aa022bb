"""Where a person writes to the room. Enter sends; nothing typed is kept afterwards."""

from __future__ import annotations

from textual.widgets import Input

from tui.messages import Speak

MAX_MESSAGE = 4000  # characters; longer pastes belong in an offer, not the flow of talk


class Composer(Input):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            placeholder="Write to the room and press Enter",
            id=id,
            max_length=MAX_MESSAGE,
        )

    def on_input_submitted(self, submitted: Input.Submitted) -> None:
        submitted.stop()
        text = submitted.value.strip()
        self.clear()
        if text:
            self.post_message(Speak(text))
