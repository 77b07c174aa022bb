"""The room's shared state: a pure function of verified events in relay order.

Every member applies the same events, each stamped with the relay's ``seq``, to
the same ``apply`` and so holds the same state without the relay knowing any
of it. An event arriving with a ``seq`` at or below the last one applied is
ignored: the order is the relay's, and it only moves forward.

Events so far:

    AgreementsSet(hash)          from a Commit: the agreements everyone accepted
    Reaction(slot, emoji)        a reaction; it never takes the floor

The floor (open, go-round, stack), consent prompts and votes plug in here as
further event types and fields, each a row in the ``match`` below.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

RECENT_REACTIONS: Final = 32


@dataclass(frozen=True, slots=True)
class AgreementsSet:
    agreed: bytes


@dataclass(frozen=True, slots=True)
class Reaction:
    slot: int
    emoji: str


StateEvent = AgreementsSet | Reaction


@dataclass(frozen=True, slots=True)
class RoomState:
    seq: int = 0
    agreed: bytes = b""
    # The latest reactions, oldest first; kept short because nothing is kept.
    reactions: tuple[Reaction, ...] = ()


def apply(state: RoomState, seq: int, event: StateEvent) -> RoomState:
    """The state after ``event`` at relay position ``seq``."""
    if seq <= state.seq:
        return state
    match event:
        case AgreementsSet(agreed):
            return replace(state, seq=seq, agreed=agreed)
        case Reaction():
            recent = (*state.reactions, event)[-RECENT_REACTIONS:]
            return replace(state, seq=seq, reactions=recent)
    return state
