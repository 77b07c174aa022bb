"""The room: who is here, the floor, the room code, the talk, the composer, who is knocking,
the open offers, and while the room holds someone to account, the motion bar, the vote and
the repair round.

The room screen keeps what it shows of motions and the repair round once, in
reactive attributes (``motions``, ``repair``, ``stepped_out``) that the motion
bar and the floor panel are bound to; each is folded from the room's events by
``tui.accountability``. The open offers live once in ``offers``, folded by
``tui.offer_views``, which the offer panel is bound to; the offers' flows (the
confirm before offering, the save dialog) are in ``tui.screens.room_offers``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static

from protocol import commands as cmd
from protocol import events as ev
from protocol.events import MotionStage, RepairStage
from protocol.room.floor import Floor, Talk
from protocol.room.repair import Step
from tui.accountability import (
    MotionView,
    RepairView,
    motions_after,
    motions_at,
    repair_after,
    voting_on,
)
from tui.commands import Action
from tui.messages import Ask, ComeBack, FloorKey, MotionAsked
from tui.offer_views import HeldOffers, OfferView
from tui.peer_text import name, shown
from tui.screens.motion import MotionScreen
from tui.screens.room_offers import RoomOffers
from tui.screens.vote import VoteScreen
from tui.sentences import sentence
from tui.widgets.composer import Composer
from tui.widgets.floor_panel import FloorPanel
from tui.widgets.invite_card import InviteCard
from tui.widgets.knock_bar import KnockBar
from tui.widgets.motion_bar import MotionBar
from tui.widgets.offer_panel import OfferPanel
from tui.widgets.room_log import RoomLog
from tui.widgets.roster import Roster
from tui.widgets.status import ConnectionStatus
from tui.widgets.stepped_out import SteppedOut


class RoomScreen(RoomOffers, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "admit", "Admit"),
        Binding("f3", "not_now", "Not now"),
        Binding("f4", "verify", "Room code"),
        Binding("f5", "invite", "Invite"),
        Binding("f6", "floor('hand')", "Hand"),
        Binding("f7", "floor('done')", "Done"),
        Binding("f8", "floor('pause')", "Pause"),
        Binding("ctrl+l", "app.leave", "Leave"),
    ]

    motions: reactive[tuple[MotionView, ...]] = reactive(())
    repair: reactive[RepairView | None] = reactive(None)
    stepped_out: reactive[bool] = reactive(False)
    offers: reactive[tuple[OfferView, ...]] = reactive(())

    def __init__(
        self,
        *,
        seats: tuple[ev.Seat, ...] = (),
        room_code: str = "",
        invite: str | None = None,
        relay_notice: str | None = None,
        connection: tuple[str, str] = ("connecting", "Connecting…"),
        clock: Callable[[], float] = time.monotonic,
        held: HeldOffers | None = None,
    ) -> None:
        super().__init__()
        self.clock = clock
        self.held = held  # the offers' limit, and what arrived (in memory only)
        self.seats = seats
        self.room_code = room_code
        self.invite = invite
        self.relay_notice = relay_notice
        self.connection = connection
        self.speaker: int | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield Static("Porch", id="brand")
            yield Static(id="room-code")
            yield ConnectionStatus(id="status")
        with Horizontal(id="body"):
            with Vertical(id="side"):
                yield Roster(id="roster")
                yield FloorPanel(id="floor").data_bind(RoomScreen.repair, RoomScreen.motions)
                yield KnockBar(id="knocks")
            with Vertical(id="main"):
                yield MotionBar(self.clock, id="motions").data_bind(RoomScreen.motions)
                yield SteppedOut(id="stepped-out")
                yield OfferPanel(id="offers").data_bind(RoomScreen.offers)
                if self.invite:
                    yield InviteCard(self.invite, self.relay_notice, id="invite")
                yield RoomLog(id="log")
                yield Composer(self.seat_named, limit=self.offer_limit, id="composer")
        yield Footer()

    def on_mount(self) -> None:
        # Looked up once: a busy room posts an event per message.
        self.talk = self.query_one(RoomLog)
        self.knocks = self.query_one(KnockBar)
        self.query_one(Roster).show(self.seats)
        self.show_code(self.room_code)
        self.show_status(*self.connection)
        self.query_one(Composer).focus()
        self.set_interval(1.0, self._clock)  # the motions' time left; results go

    def _clock(self) -> None:
        self.motions = motions_at(self.motions, self.clock())
        self.query_one(MotionBar).tick()

    # -- what the room shows ------------------------------------------------------

    def show_code(self, code: str) -> None:
        self.room_code = code
        text = f"Room code: {shown(code)}" if code else "Room code: (not yet)"
        self.query_one("#room-code", Static).update(Content(text))

    def show_seats(self, seats: tuple[ev.Seat, ...]) -> None:
        self.seats = seats
        self.query_one(Roster).show(seats, self.speaker)

    def show_floor(
        self,
        floor: Floor,
        label: Callable[[int], str],
        elapsed_ms: int | None = None,
        balance: tuple[Talk, ...] | None = None,
    ) -> None:
        self.speaker = floor.speaker
        self.query_one(FloorPanel).show(floor, label, elapsed_ms, balance)
        self.query_one(Roster).show(self.seats, floor.speaker)

    def show_status(self, state: str, text: str) -> None:
        self.query_one(ConnectionStatus).show(state, text)

    def show_event(self, event: ev.Event) -> None:
        log = self.talk
        knocks = self.knocks
        match event:
            case ev.Said():
                log.add_said(event)
                return
            case ev.Knocked(knock=knock, nick=nick):
                knocks.add(knock, nick)
            case ev.KnockWithdrawn(knock=knock) | ev.KnockExpired(knock=knock):
                knocks.drop(knock)
            case ev.KnockSetAside(knock=knock):
                knocks.set_aside(knock)
            case ev.Admitted(nick=nick):
                for row in knocks.knocks:
                    if row.nick == nick:
                        knocks.drop(row.knock)
                        break
            case ev.RosterChanged(seats=seats, room_code=code):
                self.show_seats(seats)
                self.show_code(code)
            case ev.SeatsChanged(seats=seats):
                self.show_seats(seats)
            case ev.Entered(room_code=code):
                self.show_code(code)
            case ev.MotionEvent():
                self._motion(event)
            case ev.RepairEvent():
                self._repair(event)
            case ev.OfferEvent(stage=ev.OfferStage.PROGRESS):
                self.show_offer(event)
                return  # the progress bar shows it; the talk is not flooded
            case ev.OfferEvent():
                self.show_offer(event)
            case ev.RevealEvent():
                self.show_reveal(event)
            case ev.Closed(ending=ev.Ending.STEPPED_OUT):
                self.stepped_out = True
                self.motions, self.repair = (), None  # the room goes on without us for now
        line = sentence(event)
        if line:
            log.add_note(line, warning=isinstance(event, ev.Gap | ev.Tampering | ev.Refused))

    def clear(self) -> None:
        """Forget everything shown: the talk, the names, the invite, the motions and repair."""
        self.talk.clear()
        self.query_one(Roster).show(())
        self.motions, self.repair, self.offers = (), None, ()
        for card in self.query(InviteCard):
            card.remove()

    def watch_stepped_out(self, out: bool) -> None:
        self.query_one(SteppedOut).display = out

    # -- motions and the repair round -----------------------------------------------

    def _motion(self, event: ev.MotionEvent) -> None:
        now = self.clock()
        self.motions = motions_after(motions_at(self.motions, now), event, now)
        self._close_vote_unless_open(event.key)
        ring, title = self._motion_alert(event)
        if title:
            if ring:
                self.app.bell()
            self.notify(self._motion_toast(event), title=title, markup=False, timeout=10)
        if event.stage is MotionStage.VOTING:
            self.open_vote(event.key)

    def _motion_alert(self, event: ev.MotionEvent) -> tuple[bool, str]:
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

    def _motion_toast(self, event: ev.MotionEvent) -> str:
        if event.stage is MotionStage.VOTING:
            return (
                f"The vote on removing {name(event.named)} is open: answer in the dialog "
                "(y, n, or Esc to decide later), or type /vote yes or /vote no."
            )
        return sentence(event) or ""

    def _repair(self, event: ev.RepairEvent) -> None:
        self.repair = repair_after(self.repair, event)
        if event.stage is RepairStage.OPENED:
            self.app.bell()
            self.notify(sentence(event) or "", title="Ouch", markup=False, timeout=12)
        elif event.stage is RepairStage.TURN and event.speaker_is_me:
            self.app.bell()
            self.notify(
                "It is your turn in the repair round: speak, then press F7 (or type /done).",
                title="Your turn",
                timeout=8,
            )

    def open_vote(self, key: bytes) -> None:
        """The vote dialog for the motion ``key``, unless it is showing already."""
        view = voting_on(self.motions, key)
        if view is None:
            return
        if any(isinstance(s, VoteScreen) and s.key == key for s in self.app.screen_stack):
            return
        self.app.push_screen(VoteScreen(view, self.clock), partial(self._voted, key))

    def _voted(self, key: bytes, yes: bool | None) -> None:
        view = voting_on(self.motions, key)
        if yes is None or view is None:
            return
        self.post_message(Ask(cmd.Vote(yes, self.seat_of(view.motion.named))))

    def _close_vote_unless_open(self, key: bytes) -> None:
        """The vote closed, or our ballot went in another way: its dialog goes."""
        top = self.app.screen
        if isinstance(top, VoteScreen) and top.key == key and voting_on(self.motions, key) is None:
            top.dismiss(None)

    @on(MotionAsked)
    def motion_asked(self, asked: MotionAsked) -> None:
        asked.stop()
        view = next((m for m in self.motions if m.key == asked.key), None)
        if view is None:
            return
        if asked.what == "vote":
            self.open_vote(asked.key)
        else:
            self.post_message(Ask(cmd.Second(self.seat_of(view.motion.named))))

    def seat_of(self, label: str) -> int | None:
        """The seat whose label (as the endpoint names seats in its events) is ``label``."""
        return next((s.slot for s in self.seats if s.nick == label), None)

    def seat_named(self, who: str) -> int | None:
        """The seat of the person someone typed as ``who``, as the plain mode finds them."""
        folded = who.casefold().lstrip("@")
        return next((s.slot for s in self.seats if name(s.nick).casefold() == folded), None)

    def move_to_remove(self, seat: ev.Seat) -> None:
        def moved(reason: str | None) -> None:
            if reason:
                self.post_message(Ask(cmd.Motion(seat.slot, reason)))

        self.app.push_screen(MotionScreen(seat.nick), moved)

    def accountability_actions(self) -> Iterator[Action]:
        """The palette's motions and repair: what this person can do now."""

        def ask(command: cmd.Command) -> Callable[[], object]:
            return partial(self.post_message, Ask(command))

        if self.stepped_out:
            yield Action(
                "Come back into the room",
                "You stepped out; your return ticket lets you back in",
                partial(self.post_message, ComeBack()),
            )
            return
        for view in self.motions:
            named, about = name(view.motion.named), self.seat_of(view.motion.named)
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
        if self.repair is not None and self.repair.affected_me:
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
        for seat in self.seats:
            if not seat.is_me:
                yield Action(
                    f"Move to remove {name(seat.nick)}…",
                    "With a reason; it needs a second and a vote of the others present",
                    partial(self.move_to_remove, seat),
                )

    # -- what a person can do -----------------------------------------------------

    def action_floor(self, word: str) -> None:
        """A floor key: F6 raises a hand (or lowers it), F7 done, F8 pause (or resume)."""
        self.post_message(FloorKey(word))

    def action_admit(self) -> None:
        row = self.knocks.first()
        if row is None:
            self.notify("Nobody is knocking right now.", markup=False)
            return
        self.post_message(Ask(cmd.Admit(row.knock)))

    def action_not_now(self) -> None:
        row = self.knocks.first()
        if row is None:
            self.notify("Nobody is knocking right now.", markup=False)
            return
        self.post_message(Ask(cmd.NotNow(row.knock)))

    def action_verify(self) -> None:
        from tui.screens.verify import VerifyScreen

        self.app.push_screen(VerifyScreen(self.room_code, self.seats))

    def action_invite(self) -> None:
        cards = self.query(InviteCard)
        if not cards:
            self.notify(
                "Only the person who opened the room holds its invite. Ask them for it.",
                markup=False,
            )
            return
        card = cards.first()
        card.display = not card.display
