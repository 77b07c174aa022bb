"""The room: who is here, the floor, the room code, the talk, the composer, who is knocking."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from protocol import commands as cmd
from protocol import events as ev
from protocol.room.floor import Floor, Talk
from tui.messages import Ask, FloorKey
from tui.peer_text import shown
from tui.sentences import sentence
from tui.widgets.composer import Composer
from tui.widgets.floor_panel import FloorPanel
from tui.widgets.invite_card import InviteCard
from tui.widgets.knock_bar import KnockBar
from tui.widgets.room_log import RoomLog
from tui.widgets.roster import Roster
from tui.widgets.status import ConnectionStatus


class RoomScreen(Screen[None]):
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

    def __init__(
        self,
        *,
        seats: tuple[ev.Seat, ...] = (),
        room_code: str = "",
        invite: str | None = None,
        relay_notice: str | None = None,
        connection: tuple[str, str] = ("connecting", "Connecting…"),
    ) -> None:
        super().__init__()
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
                yield FloorPanel(id="floor")
                yield KnockBar(id="knocks")
            with Vertical(id="main"):
                if self.invite:
                    yield InviteCard(self.invite, self.relay_notice, id="invite")
                yield RoomLog(id="log")
                yield Composer(id="composer")
        yield Footer()

    def on_mount(self) -> None:
        # Looked up once: a busy room posts an event per message.
        self.talk = self.query_one(RoomLog)
        self.knocks = self.query_one(KnockBar)
        self.query_one(Roster).show(self.seats)
        self.show_code(self.room_code)
        self.show_status(*self.connection)
        self.query_one(Composer).focus()

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
        line = sentence(event)
        if line:
            log.add_note(line, warning=isinstance(event, ev.Gap | ev.Tampering | ev.Refused))

    def clear(self) -> None:
        """Forget everything shown: the talk, the names, the invite."""
        self.talk.clear()
        self.query_one(Roster).show(())
        for card in self.query(InviteCard):
            card.remove()

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
