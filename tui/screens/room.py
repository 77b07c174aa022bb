"""The room: who is here, the floor, the room code, the talk, the composer, who is knocking,
the open offers, and while the room holds someone to account, the motion bar, the vote and
the repair round.

The screen handles the room's events itself (``RoomEvent``, posted to it by the
app) and keeps what it shows once, in reactive attributes the widgets are bound
to: ``seats``, ``speaker``, ``room_code``, ``knocks``, ``motions``, ``repair``,
``stepped_out`` and ``offers``. Each is folded from the events by a pure
function (``knock_views``, ``accountability``, ``offer_views``). Two composed
parts turn the person's choices into commands: ``Accountability`` (motions,
the vote, the repair round) and ``OfferDesk`` (offering, answering, saving);
the people's typed words go through ``room_people``. A message the room did not
take (``MESSAGE_REFUSED``) goes back into the composer.
The palette's entries come from this screen's own providers (``room_palette``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static

from protocol import commands as cmd
from protocol import events as ev
from protocol.room import floor as fl
from protocol.room.floor import Talk
from tui import who
from tui.accountability import MotionView, RepairView
from tui.floor_sentences import balance_words, floor_line
from tui.messages import (
    Ask,
    ComeBack,
    FloorAsked,
    MotionAsked,
    OfferChosen,
    PeopleAsked,
    Propose,
    RoomEvent,
)
from tui.offer_views import OfferView
from tui.peer_text import name
from tui.room_source import RoomSource
from tui.screens.room_accountability import Accountability
from tui.screens.room_offers import OfferDesk
from tui.screens.room_palette import PROVIDERS
from tui.screens.room_people import answer_people
from tui.sentences import sentence
from tui.who import Several
from tui.widgets.composer import Composer
from tui.widgets.floor_panel import FloorPanel
from tui.widgets.invite_card import InviteCard, copy_invite
from tui.widgets.knock_bar import KnockBar
from tui.widgets.motion_bar import MotionBar
from tui.widgets.offer_panel import OfferPanel
from tui.widgets.room_code import RoomCode
from tui.widgets.room_log import RoomLog
from tui.widgets.roster import Roster
from tui.widgets.status import ConnectionStatus
from tui.widgets.stepped_out import SteppedOut

# The events after which the floor panel is drawn again: a motion or a repair round
# holds the floor, and lets it go, without a floor act.
FLOOR_MOVES = ev.FloorChanged | ev.RosterChanged | ev.Entered | ev.MotionEvent | ev.RepairEvent
WARNINGS = ev.Gap | ev.Tampering | ev.Refused
DOOR_MOVES = (
    ev.Knocked
    | ev.KnockWithdrawn
    | ev.KnockExpired
    | ev.KnockSetAside
    | ev.Admitted
    | ev.RosterChanged
    | ev.Entered
    | ev.Closed
)
# The notes that say a message was not sent: what was written goes back into the composer.
MESSAGE_REFUSED = frozenset(
    (
        ev.Note.NOT_YOUR_TURN,
        ev.Note.TOO_LONG,
        ev.Note.NOT_IN_ROOM,
        ev.Note.HELD_BACK,
        ev.Note.NOT_SENT_UNREADABLE,
    )
)


class RoomScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "admit", "Admit"),
        Binding("f3", "not_now", "Not now"),
        Binding("f4", "verify", "Room code"),
        Binding("f5", "invite", "Invite"),
        Binding("f6", "floor('hand')", "Hand"),
        Binding("f7", "floor('done')", "Done"),
        Binding("f8", "floor('pause')", "Pause"),
    ]
    COMMANDS = PROVIDERS
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (90, "-wide")]  # noqa: RUF012

    seats: reactive[tuple[ev.Seat, ...]] = reactive(())
    speaker: reactive[int | None] = reactive(None)
    room_code: reactive[str] = reactive("")
    knocks: reactive[tuple[ev.Knock, ...]] = reactive(())
    motions: reactive[tuple[MotionView, ...]] = reactive(())
    repair: reactive[RepairView | None] = reactive(None)
    stepped_out: reactive[bool] = reactive(False)
    offers: reactive[tuple[OfferView, ...]] = reactive(())

    def __init__(
        self,
        room: RoomSource,
        *,
        seats: tuple[ev.Seat, ...] = (),
        room_code: str = "",
        relay_notice: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.room = room
        self.clock = clock
        self.relay_notice = relay_notice
        self.set_reactive(RoomScreen.seats, seats)
        self.set_reactive(RoomScreen.room_code, room_code)
        self.accountability = Accountability(self)
        self.offer_desk = OfferDesk(self)
        # Made here, not looked up: a busy room posts an event per message, and the room can
        # end (``clear``) before the screen is drawn.
        self.talk = RoomLog(id="log")

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield Static("Porch", id="brand")
            yield RoomCode(id="room-code").data_bind(RoomScreen.room_code)
            yield ConnectionStatus(id="status")
        with Horizontal(id="body"):
            with Vertical(id="side"):
                yield Roster(id="roster").data_bind(RoomScreen.seats, RoomScreen.speaker)
                yield FloorPanel(id="floor").data_bind(RoomScreen.repair, RoomScreen.motions)
                yield KnockBar(id="knocks").data_bind(RoomScreen.knocks)
            with Vertical(id="main"):
                # What sits above the talk scrolls in a space of its own, so the talk keeps
                # its rows however much of it there is.
                with VerticalScroll(id="above-talk"):
                    yield MotionBar(self.clock, id="motions").data_bind(RoomScreen.motions)
                    yield SteppedOut(id="stepped-out").data_bind(RoomScreen.stepped_out)
                    yield OfferPanel(id="offers").data_bind(RoomScreen.offers)
                    if self.room.invite:
                        card = InviteCard(self.room.invite, self.relay_notice, id="invite")
                        card.display = self.relay_notice is not None  # the opener sees it first
                        yield card.data_bind(RoomScreen.seats)
                yield self.talk
                yield Composer(self.seat_named, limit=lambda: self.room.offer_limit, id="composer")
        yield Footer()

    @property
    def standing(self) -> bool:
        """Whether the app still holds this screen. The room can end, the person leave or the
        app close in the same moment the screen opens: it is then taken down while it is
        being built, its widgets gone or never there, and has nothing left to draw on."""
        return self.is_attached and self in self.app.screen_stack

    def on_mount(self) -> None:
        if not self.standing:
            return
        self.query_one(Composer).focus()
        self.show_floor()
        self.set_interval(1.0, self._clock)  # the speaker's time and the motions' time left

    def _clock(self) -> None:
        if not self.standing:
            return  # the last tick, as the screen is taken down
        self.accountability.tick()
        if self.room.floor.speaker is not None:
            self.show_floor()

    # -- the room's events ------------------------------------------------------------

    def on_room_event(self, message: RoomEvent) -> None:
        if not self.standing:
            return  # posted before the room ended or the person left: not to ring or show now
        event = message.event
        if isinstance(event, ev.Said):
            self.talk.add_said(event)  # the busiest path: nothing else to do
            if event.mine:
                self.query_one(Composer).delivered(event.text)
            return
        given_back = False
        if isinstance(event, DOOR_MOVES):
            self.knocks = self.room.knocking
        match event:
            case ev.RosterChanged(seats=seats, room_code=code):
                self.seats, self.room_code = seats, code
            case ev.SeatsChanged(seats=seats):
                self.seats = seats
            case ev.Entered(room_code=code):
                self.room_code = code
            case ev.Knocked(nick=nick):
                self.app.bell()
                self.notify(
                    f"{name(nick)} is knocking. F2 admits, F3 says not now.",
                    title="Knock knock",
                    markup=False,
                    timeout=10,
                )
            case ev.Tampering():
                self.app.bell()
                self.notify(
                    sentence(event) or "",
                    title="The room may be tampered with",
                    severity="error",
                    markup=False,
                    timeout=20,
                )
            case ev.FloorChanged(change=fl.Turn(speaker=speaker), me=me) if speaker == me:
                self.app.bell()
                self.notify(
                    "It is your turn. Press F7 (or type /done) when you finish.",
                    title="Your turn",
                    timeout=8,
                )
            case ev.TimerCue():
                self.app.bell()
                self.notify(sentence(event) or "", title="Speaking time", markup=False)
            case ev.MotionEvent():
                self.accountability.motion(event)
            case ev.RepairEvent():
                self.accountability.repair_step(event)
            case ev.OfferEvent(stage=ev.OfferStage.PROGRESS):
                self.offer_desk.show(event)
                return  # the progress bar shows it; the talk is not flooded
            case ev.OfferEvent():
                self.offer_desk.show(event)
            case ev.RevealEvent():
                self.offer_desk.show_reveal(event)
            case ev.Closed(ending=ev.Ending.STEPPED_OUT):
                self.stepped_out = True
                self.motions, self.repair = (), None  # the room goes on without us for now
            case ev.Notice(note=note) if note in MESSAGE_REFUSED:
                given_back = self.query_one(Composer).give_back()
        if isinstance(event, FLOOR_MOVES):
            ended = event.change if isinstance(event, ev.FloorChanged) else None
            self.show_floor(ended.balance if isinstance(ended, fl.Ended) else None)
        line = sentence(event)
        if line and given_back:
            line += " What you wrote is back in the composer."
        if line:
            self.talk.add_note(line, warning=isinstance(event, WARNINGS))

    def clear(self) -> None:
        """Forget everything shown: the talk, the names, the invite, motions, offers, knocks."""
        self.talk.clear()
        self.seats, self.knocks, self.room_code = (), (), ""
        self.motions, self.repair, self.offers = (), None, ()
        for card in self.query(InviteCard):
            card.remove()

    # -- the floor ----------------------------------------------------------------------

    def show_floor(self, balance: tuple[Talk, ...] | None = None) -> None:
        floor = self.room.floor
        self.speaker = floor.speaker
        panel = self.query_one(FloorPanel)
        panel.show(floor, self.room.label, self.room.floor_elapsed_ms(), balance)

    @on(FloorAsked)
    def floor_asked(self, asked: FloorAsked) -> None:
        asked.stop()
        floor = self.room.floor
        if asked.what == "balance":
            self.show_floor(floor.talk)
            words = balance_words(floor.talk, lambda slot: name(self.room.label(slot)))
            self.notify(words, title="Balance", markup=False)
        else:
            self.notify(floor_line(floor, self.room.label), title="The floor", markup=False)

    def action_floor(self, word: str) -> None:
        """A floor key: F6 raises a hand (or lowers it), F7 done, F8 pause (or resume)."""
        floor, me = self.room.floor, self.room.my_slot
        match word:
            case "hand" if any(hand.slot == me for hand in floor.hands):
                act = fl.FloorAct(fl.Act.LOWER)
            case "hand":
                act = fl.FloorAct(fl.Act.HAND, fl.HandKind.HAND)
            case "pause" if floor.paused is not None:
                act = fl.FloorAct(fl.Act.RESUME)
            case "pause":
                act = fl.FloorAct(fl.Act.PAUSE)
            case _:
                act = fl.FloorAct(fl.Act.DONE)
        self.post_message(Ask(cmd.Floor(act)))

    # -- the person's choices, before the app sends them -----------------------------------

    @on(Ask)
    def asking(self, asked: Ask) -> None:
        """Nothing goes out while stepped out; an answer to a knock or an offer shows at once."""
        command = asked.command
        if self.stepped_out and not isinstance(command, cmd.Leave):
            asked.stop()
            kept = isinstance(command, cmd.Say) and self.query_one(Composer).give_back()
            self.notify(
                "You stepped out, so nothing was sent. Come back first: the Come back button, "
                "or /back." + (" What you wrote is back in the composer." if kept else ""),
                markup=False,
            )
            return
        match command:
            case cmd.Admit(knock):
                # Gone from the bar at once; the room lets them in with its next Commit.
                # (A "not now" leaves the knock on screen: the room marks it when it comes back.)
                self.knocks = tuple(k for k in self.knocks if k.knock != knock)
            case cmd.Accept(number) | cmd.Decline(number):
                self.offer_desk.answered(number, accept=isinstance(command, cmd.Accept))

    @on(PeopleAsked)
    def people_asked(self, asked: PeopleAsked) -> None:
        asked.stop()
        answer_people(self, asked)

    @on(ComeBack)
    def coming_back(self, back: ComeBack) -> None:
        if not self.stepped_out:
            back.stop()
            self.notify(
                "You are in the room; /back is for coming back after stepping out.", markup=False
            )
            return
        self.stepped_out = False
        self.talk.add_note("Coming back in with your return ticket.")

    @on(MotionAsked)
    def motion_asked(self, asked: MotionAsked) -> None:
        asked.stop()
        self.accountability.asked(asked)

    @on(Propose)
    def proposed(self, proposed: Propose) -> None:
        proposed.stop()
        self.offer_desk.propose(proposed)

    @on(OfferChosen)
    def offer_chosen(self, chosen: OfferChosen) -> None:
        chosen.stop()
        self.offer_desk.chosen(chosen)

    def seat_of(self, label: str) -> int | None:
        """The seat whose label (as the endpoint names seats in its events) is ``label``."""
        return next((s.slot for s in self.seats if s.nick == label), None)

    def seat_named(self, typed: str) -> int | Several | None:
        """The seat of the person typed as ``typed``, as the plain mode finds them; Several
        when the name means more than one person here (the composer asks which one)."""
        found = who.find(typed, who.seated(self.seats))
        return found.key if isinstance(found, who.Person) else found

    def action_admit(self) -> None:
        self._answer_first(admit=True)

    def action_not_now(self) -> None:
        self._answer_first(admit=False)

    def _answer_first(self, *, admit: bool) -> None:
        if not self.knocks:
            self.notify("Nobody is knocking right now.", markup=False)
            return
        knock = self.knocks[0].knock
        self.post_message(Ask(cmd.Admit(knock) if admit else cmd.NotNow(knock)))

    def action_verify(self) -> None:
        from tui.screens.verify import VerifyScreen

        self.app.push_screen(VerifyScreen(self))

    def copy_invite(self) -> None:
        if self.room.invite:
            copy_invite(self.app, self.room.invite)

    def action_invite(self) -> None:
        cards = self.query(InviteCard)
        if not cards:
            self.notify("This room's invite is not known here.", markup=False)
            return
        card = cards.first()
        card.display = not card.display
