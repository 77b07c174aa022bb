"""The room code in the top bar, drawn from the room screen's ``room_code`` (bound with
``data_bind``): the numbers people read aloud to each other to know they share one room."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from tui.peer_text import shown


class RoomCode(Static):
    room_code: reactive[str] = reactive("")

    def render(self) -> Content:
        code = self.room_code
        return Content(f"Room code: {shown(code)}" if code else "Room code: (not yet)")
