"""What a room screen reads beyond the events it is shown: the session's live view.

The room's events say what changed; a few things are read when they are
drawn instead — the floor and its clock, who is knocking, a seat's label,
what arrived of an offer, the invite. ``Session`` provides them; the layout tests provide a still
room. Loads no Textual.
"""

from __future__ import annotations

from typing import Protocol

from protocol.events import Knock
from protocol.room.floor import Floor


class RoomSource(Protocol):
    @property
    def invite(self) -> str | None: ...

    @property
    def floor(self) -> Floor: ...

    @property
    def knocking(self) -> tuple[Knock, ...]:
        """The knocks waiting for an answer: the endpoint's own, the one copy there is."""
        ...

    @property
    def my_slot(self) -> int | None: ...

    @property
    def offer_limit(self) -> int: ...

    @property
    def runs_the_relay(self) -> bool:
        """Whether the relay runs inside this Porch, so the room ends when it quits."""
        ...

    def label(self, slot: int) -> str: ...

    def floor_elapsed_ms(self) -> int | None: ...

    def offer_content(self, number: int) -> tuple[str, bytes] | None: ...
