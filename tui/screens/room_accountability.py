"""The room screen's part in holding each other to account: motions, the vote, the repair round.

``Accountability`` is composed into the room screen and is the only writer of
its ``motions`` and ``repair`` (the motion bar and the floor panel are bound to
them). It folds each step with ``tui.accountability``, rings and toasts when a
step asks something of this person, opens the vote dialog when the vote opens
(and closes it when the vote does), and turns the bar's buttons and the
palette's entries into commands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from protocol import commands as cmd
from protocol import events as ev
from protocol.events import MotionStage, RepairStage
from protocol.room.repair import Step
from tui.accountability import motions_after, motions_at, repair_after, voting_on
from tui.commands import Action
from tui.messages import Ask, ComeBack, MotionAsked
from tui.peer_text import name
from tui.screens.motion import MotionScreen
from tui.screens.vote import VoteScreen
from tui.sentences import sentence
from tui.widgets.motion_bar import MotionBar

if TYPE_CHECKING:
    from tui.screens.room import RoomScreen


class Accountability:
    def __init__(self, screen: RoomScreen) -> None:
        self.screen = screen

    def tick(self) -> None:
        """Once a second: results seen long enough go, and the time left counts down."""
        screen = self.screen
        screen.motions = motions_at(screen.motions, screen.clock())
        screen.query_one(MotionBar).tick()

    # -- a motion's steps -----------------------------------------------------------------

    def motion(self, event: ev.MotionEvent) -> None:
        screen = self.screen
        now = screen.clock()
        screen.motions = motions_after(motions_at(screen.motions, now), event, now)
        self._close_vote_unless_open(event.key)
        ring, title = _motion_alert(event)
        if title:
            if ring:
                screen.app.bell()
            screen.notify(_motion_toast(event), title=title, markup=False, timeout=10)
        if event.stage is MotionStage.VOTING:
            self.open_vote(event.key)

    def repair_step(self, event: ev.RepairEvent) -> None:
        screen = self.screen
        screen.repair = repair_after(screen.repair, event)
        if event.stage is RepairStage.OPENED:
            screen.app.bell()
            screen.notify(sentence(event) or "", title="Ouch", markup=False, timeout=12)
        elif event.stage is RepairStage.TURN and event.speaker_is_me:
            screen.app.bell()
            screen.notify(
                "It is your turn in the repair round: speak, then press F7 (or type /done).",
                title="Your turn",
                timeout=8,
            )

    # -- the vote -------------------------------------------------------------------------

    def open_vote(self, key: bytes) -> None:
        """The vote dialog for the motion ``key``, unless it is showing already."""
        screen = self.screen
        view = voting_on(screen.motions, key)
        if view is None:
            return
        if any(isinstance(s, VoteScreen) and s.key == key for s in screen.app.screen_stack):
            return
        screen.app.push_screen(VoteScreen(view, screen.clock), partial(self._voted, key))

    def _voted(self, key: bytes, yes: bool | None) -> None:
        view = voting_on(self.screen.motions, key)
        if yes is None or view is None:
            return
        self.screen.post_message(Ask(cmd.Vote(yes, self.screen.seat_of(view.motion.named))))

    def _close_vote_unless_open(self, key: bytes) -> None:
        """The vote closed, or our ballot went in another way: its dialog goes."""
        screen = self.screen
        top = screen.app.screen
        closed = voting_on(screen.motions, key) is None
        if isinstance(top, VoteScreen) and top.key == key and closed:
            top.close()

    def asked(self, asked: MotionAsked) -> None:
        """A motion bar button: second it, or open its vote."""
        screen = self.screen
        view = next((m for m in screen.motions if m.key == asked.key), None)
        if view is None:
            return
        if asked.what == "vote":
            self.open_vote(asked.key)
        else:
            screen.post_message(Ask(cmd.Second(screen.seat_of(view.motion.named))))

    def move_to_remove(self, seat: ev.Seat) -> None:
        def moved(reason: str | None) -> None:
            if reason:
                self.screen.post_message(Ask(cmd.Motion(seat.slot, reason)))

        self.screen.app.push_screen(MotionScreen(seat.nick), moved)

    # -- the palette ------------------------------------------------------------------------

    def actions(self) -> Iterator[Action]:
        """What this person can do now about motions and repair."""
        screen = self.screen

        def ask(command: cmd.Command) -> Callable[[], object]:
            return partial(screen.post_message, Ask(command))

        if screen.stepped_out:
            yield Action(
                "Come back into the room",
                "You stepped out; your return ticket lets you back in",
                partial(screen.post_message, ComeBack()),
            )
            return
        for view in screen.motions:
            named, about = name(view.motion.named), screen.seat_of(view.motion.named)
            if view.can_second:
                yield Action(
                    f"Second the motion to remove {named}",
                    "The floor is held; they answer, then the others vote",
                    ask(cmd.Second(about)),
                )
            if view.can_vote:
                yield Action(
                    f"Vote yes: remove {named}",
                    "A strict majority of the voters removes; not voting counts as no",
                    ask(cmd.Vote(True, about)),
                )
                yield Action(
                    f"Vote no: keep {named}", "Only totals are shown", ask(cmd.Vote(False, about))
                )
        if screen.repair is not None and screen.repair.affected_me:
            for step, title, why in (
                (Step.CONTINUE, "Repair: continue", "You are ready to go on"),
                (Step.MORE, "Repair: more time", "The round stays open a while longer"),
                (Step.STEP_OUT, "Repair: step out", "Leave gently; you can come back"),
            ):
                yield Action(title, why, ask(cmd.Repair(step)))
        yield Action(
            "Ouch: flag harm",
            "In what was just said; the floor is held for a repair round",
            ask(cmd.Ouch()),
        )
        for seat in screen.seats:
            if not seat.is_me:
                yield Action(
                    f"Move to remove {name(seat.nick)}…",
                    "With a reason; it needs a second and a vote of the others present",
                    partial(self.move_to_remove, seat),
                )


def _motion_alert(event: ev.MotionEvent) -> tuple[bool, str]:
    """Whether a motion's step rings, and the toast's title ("" for no toast)."""
    mine = event.named_is_me or event.mover_is_me
    match event.stage:
        case MotionStage.RAISED if event.named_is_me:
            return True, "A motion about you"
        case MotionStage.SECONDED if event.named_is_me:
            return True, "Your turn to answer"
        case MotionStage.VOTING if event.i_vote and not event.voted:
            return True, "The vote is open"
        case MotionStage.PASSED | MotionStage.FAILED:
            return True, "The vote's result"
        case MotionStage.LAPSED if mine:
            return True, "The motion lapsed"
    return False, ""


def _motion_toast(event: ev.MotionEvent) -> str:
    if event.stage is MotionStage.VOTING:
        return (
            f"The vote on removing {name(event.named)} is open: answer in the dialog "
            "(y, n, or Esc to decide later), or type /vote yes or /vote no."
        )
    return sentence(event) or ""
