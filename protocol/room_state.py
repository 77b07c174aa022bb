"""The room's shared state: a pure function of verified events in relay order.

Every member applies the same events, each stamped with the relay's ``seq``, to
the same ``apply`` and so holds the same state without the relay knowing any
of it. An event arriving with a ``seq`` at or below the last one applied is
ignored: the order is the relay's, and it only moves forward. (The endpoint
also refuses a ``seq`` that does not rise by exactly one, so one huge number
cannot freeze the state unseen.)

Because the relay's order is taken on trust, the state keeps a log of what was
applied since the last Commit: a count and a running hash over the events in
the order applied, with the recent values kept. Members exchange them in acks;
equal counts with different hashes mean the relay fed members different states
(other events, or the same in another order). The numbers themselves are left
out: one skipped number would otherwise set a member apart for good, and the
endpoint reports skipped numbers already.

Events so far:

    AgreementsSet(hash)          from a Commit: the agreements everyone accepted
    Reaction(slot, emoji)        a reaction; it never takes the floor

The floor (open, go-round, stack), consent prompts and votes plug in here as
further event types and fields, each a row in the ``match`` below.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from protocol.bodies import pack
from protocol.crypto import digest

RECENT_REACTIONS: Final = 32
LOG_KEPT: Final = 64
LOG_SIZE: Final = 16


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
    # Events applied since the last Commit, and the running hash after each of
    # the latest ones (oldest first): (count, hash).
    log_count: int = 0
    log: tuple[tuple[int, bytes], ...] = ()

    @property
    def log_hash(self) -> bytes:
        return self.log[-1][1] if self.log else bytes(LOG_SIZE)

    def logged(self, count: int) -> bytes | None:
        """The running hash after ``count`` events, if still kept."""
        for at, running in self.log:
            if at == count:
                return running
        return None


def apply(state: RoomState, seq: int, event: StateEvent) -> RoomState:
    """The state after ``event`` at relay position ``seq``."""
    if seq <= state.seq:
        return state
    match event:
        case AgreementsSet(agreed):
            # A Commit starts the log again: a newcomer's log starts here too.
            fresh = replace(state, seq=seq, agreed=agreed, log_count=0, log=())
            return _logged(fresh, ["agreed", agreed])
        case Reaction(slot, emoji):
            recent = (*state.reactions, event)[-RECENT_REACTIONS:]
            return _logged(replace(state, seq=seq, reactions=recent), ["react", slot, emoji])
    return state


def _logged(state: RoomState, row: list[object]) -> RoomState:
    running = digest(state.log_hash + pack(row), b"porch-state-log", LOG_SIZE)
    count = state.log_count + 1
    return replace(state, log_count=count, log=(*state.log, (count, running))[-LOG_KEPT:])
