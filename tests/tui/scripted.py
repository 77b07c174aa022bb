"""A Porch app whose room is fed scripted events instead of a connection.

Used only for layout and rendering tests (snapshots, peer text), where a real
room's random invite and room code would change every run. Every flow that
involves the relay is tested against a real one in test_flows.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from textual import events
from textual.notifications import SeverityLevel

from protocol import events as ev
from protocol.room.floor import Floor, Talk
from tui.app import Plan, PorchApp
from tui.messages import RoomEvent
from tui.screens.room import RoomScreen

HOSTILE = "[@click=app.quit]x[/]"
ANSI = "\x1b[31mred\x1b[0m\x1b]0;owned\x07"

SEATS = (
    ev.Seat(1, "ana", connected=True, verified=False, is_host=True, is_me=True),
    ev.Seat(2, "bo", connected=True, verified=True, is_host=False, is_me=False),
    ev.Seat(3, HOSTILE, connected=False, verified=False, is_host=False, is_me=False),
)
INVITE = "ws://127.0.0.1:8765#porch1.AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHHIIIIJJJJKKKKLLLLMMMMNNNN"
NOTICE = (
    "Using a relay on this computer at ws://127.0.0.1:8765. Only people on this machine "
    "can reach it; for others, start Porch with --relay and a hosted relay."
)
TALK: tuple[ev.Event, ...] = (
    ev.Connected(peer=1, present=3),
    ev.Said(seq=1, ts=0, slot=1, nick="ana", text="Welcome, both of you.", mine=True),
    ev.Said(seq=2, ts=60_000, slot=2, nick="bo", text=HOSTILE + " and " + ANSI, mine=False),
    ev.Admitted(nick="bo", by_nick="ana"),
)


def frozen_clock() -> float:
    """A clock that never moves: a countdown shows the same time in every snapshot."""
    return 1000.0


@dataclass
class ScriptedRoom:
    """The room's live view for a scripted screen: a floor set by the test, fixed names,
    and the knocks the script has shown (as an endpoint keeps them)."""

    invite: str | None = INVITE
    knocking: tuple[ev.Knock, ...] = ()
    floor: Floor = field(default_factory=Floor)
    elapsed_ms: int | None = None
    labels: dict[int, str] = field(default_factory=lambda: {s.slot: s.nick for s in SEATS})
    my_slot: int | None = 1
    offer_limit: int = 64 * 1024 * 1024
    runs_the_relay: bool = False

    def label(self, slot: int) -> str:
        return self.labels.get(slot, f"seat {slot + 1}")

    def see(self, event: ev.Event) -> None:
        """What the endpoint would have done with the knocks before telling the screen."""
        match event:
            case ev.Knocked(knock=knock, nick=nick):
                shown = ev.Knock(knock, nick, nick, f"k{knock:03d}", asked_to_wait=False)
                self.knocking = (*self.knocking, shown)
            case ev.KnockWithdrawn(knock=knock) | ev.KnockExpired(knock=knock):
                self.knocking = tuple(k for k in self.knocking if k.knock != knock)
            case ev.KnockSetAside(knock=knock):
                self.knocking = tuple(
                    replace(k, asked_to_wait=True) if k.knock == knock else k for k in self.knocking
                )
            case ev.Admitted(nick=nick):
                self.knocking = tuple(k for k in self.knocking if k.nick != nick)

    def floor_elapsed_ms(self) -> int | None:
        return self.elapsed_ms

    def offer_content(self, number: int) -> tuple[str, bytes] | None:
        return None


def show_floor(
    app: PorchApp, floor: Floor, elapsed_ms: int | None, balance: tuple[Talk, ...] | None = None
) -> None:
    """Set the scripted room's floor and draw it, as a floor event would."""
    room = app.room_screen()
    assert room is not None and isinstance(room.room, ScriptedRoom)
    room.room.floor, room.room.elapsed_ms = floor, elapsed_ms
    room.show_floor(balance)


class ScriptedPorch(PorchApp):
    def __init__(
        self,
        script: tuple[ev.Event, ...] = TALK,
        *,
        invite: str | None = INVITE,
        clock: Callable[[], float] = frozen_clock,
    ):
        super().__init__(Plan())
        self.script = script
        self.invite = invite
        self.clock = clock
        self.room = ScriptedRoom(invite=invite)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        # A toast lives a few seconds of wall clock; a shot taken on a loaded machine must
        # still find it, so here toasts stay until the app ends (their words are the test's).
        super().notify(message, title=title, severity=severity, timeout=3600, markup=markup)

    def on_room_event(self, message: RoomEvent) -> None:
        # Textual calls PorchApp's handler after this one (it walks the class tree).
        self.room.see(message.event)

    def on_mount(self, mount: events.Mount) -> None:
        mount.prevent_default()
        self.push_screen(
            RoomScreen(
                self.room,
                seats=SEATS,
                room_code="3648 1369 6160 8544 2575",
                relay_notice=NOTICE if self.invite else None,
                clock=self.clock,
            )
        )
        for event in self.script:
            self.post_message(RoomEvent(event))
