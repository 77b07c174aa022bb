"""What the terminal app shows of motions and the repair round, folded from room events.

The endpoint tells the screen each step once (``MotionEvent``, ``RepairEvent``);
the room screen keeps the latest of each here, as small frozen values, and the
motion bar, the vote dialog and the floor panel draw from them. Nothing here
is kept once a motion or a round is over (a result stays on screen a few
seconds, then goes).

A window's countdown is derived from the ``seconds_left`` an event carries,
counted on this computer's monotonic clock from when the event arrived.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Final

from protocol import events as ev
from protocol.events import MotionStage, RepairStage
from tui.vote_sentences import repair_agreements

RESULT_SHOWN_S: Final = 10.0  # how long a closed motion's result stays in the bar
CLOSED: Final = frozenset((MotionStage.PASSED, MotionStage.FAILED, MotionStage.LAPSED))


@dataclass(frozen=True, slots=True)
class MotionView:
    """One motion as the screen shows it: its latest step (never a bare ballot: a ballot
    updates the counts of the step it belongs to), and when that step's window ends."""

    motion: ev.MotionEvent
    ends_at: float  # on the local clock, in seconds
    closed_at: float | None = None

    @property
    def key(self) -> bytes:
        return self.motion.key

    @property
    def stage(self) -> MotionStage:
        return self.motion.stage

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def left(self, now: float) -> int:
        """Whole seconds left of this step's window (rounded up: 0 means it is over)."""
        return max(0, math.ceil(self.ends_at - now - 1e-9))

    @property
    def can_second(self) -> bool:
        m = self.motion
        return m.stage is MotionStage.RAISED and m.i_vote and not m.mover_is_me

    @property
    def can_vote(self) -> bool:
        m = self.motion
        return m.stage is MotionStage.VOTING and m.i_vote and not m.voted


def motions_after(
    motions: tuple[MotionView, ...], event: ev.MotionEvent, now: float
) -> tuple[MotionView, ...]:
    """The motions shown once ``event`` arrived at ``now``."""
    old = next((m for m in motions if m.key == event.key), None)
    match event.stage:
        case MotionStage.BALLOT:
            if old is None:
                return motions
            counted = replace(old.motion, cast=event.cast, of=event.of, voted=event.voted)
            view = replace(old, motion=counted)
        case stage if stage in CLOSED:
            view = MotionView(event, now, closed_at=now)
        case _:
            view = MotionView(event, now + event.seconds_left)
    if old is None:
        return (*motions, view)
    return tuple(view if m.key == event.key else m for m in motions)


def motions_at(motions: tuple[MotionView, ...], now: float) -> tuple[MotionView, ...]:
    """The motions still shown at ``now``: open ones, and results seen only briefly."""
    return tuple(m for m in motions if m.closed_at is None or now - m.closed_at < RESULT_SHOWN_S)


def voting_on(motions: tuple[MotionView, ...], key: bytes) -> MotionView | None:
    """The motion ``key``, while its vote is open and we have a ballot to cast."""
    view = next((m for m in motions if m.key == key), None)
    return view if view is not None and view.can_vote else None


def holding(repair: RepairView | None, motions: tuple[MotionView, ...]) -> str:
    """What holds the floor, as a noun phrase ("" for nothing): the round, or a motion
    once seconded and until its vote closes."""
    if repair is not None:
        return "a repair round"
    held = (MotionStage.SECONDED, MotionStage.VOTING)
    return "a motion" if any(m.stage in held and m.is_open for m in motions) else ""


# --- the repair round -----------------------------------------------------------


CHOICE_WORDS: Final = {
    "continue": "ready to continue",
    "more": "needs more time",
    "stepout": "stepped out",
}


@dataclass(frozen=True, slots=True)
class RepairView:
    """The open repair round: who flagged it, about whom, whose turn it is, what the
    room agreed about repair, and each affected person's latest choice."""

    flagger: str
    concerned: str  # "" when it concerns nobody in particular
    text: str  # the flagger's words, untrusted plain text
    speaker: str  # "" when anyone may speak
    speaker_is_me: bool
    affected_me: bool
    agreements: tuple[str, ...]  # made safe by ``repair_agreements``
    choices: tuple[tuple[str, str], ...] = ()  # (who, continue | more | stepout)


def repair_after(view: RepairView | None, event: ev.RepairEvent) -> RepairView | None:
    """The round shown once ``event`` arrived (None: no round is open)."""
    match event.stage:
        case RepairStage.OPENED:
            return RepairView(
                event.flagger,
                event.concerned,
                event.text,
                event.speaker,
                event.speaker_is_me,
                event.affected_me,
                tuple(repair_agreements(event.agreements)) if event.agreements else (),
            )
        case RepairStage.TURN if view is not None:
            return replace(
                view,
                speaker=event.speaker,
                speaker_is_me=event.speaker_is_me,
                affected_me=event.affected_me,
            )
        case RepairStage.CHOSE if view is not None:
            others = tuple((who, c) for who, c in view.choices if who != event.who)
            return replace(view, choices=(*others, (event.who, event.choice)))
        case RepairStage.CLOSED:
            return None
    return view
