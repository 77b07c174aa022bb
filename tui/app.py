"""The Porch terminal app: `porch new`, `porch join`, and the tab behind `porch web`.

The app runs the way through: the first screen (open or join), the setup
(a name, and for a new room its agreements), the door, the room, and the end.
It owns the session: one worker holds the connection and posts each room
event to the app as a ``RoomEvent``; the app folds it into ``link`` (where this
person stands, drawn by every status line), moves between screens when the
way through says so, and passes the event on to the screen showing the room
or the door, which handles it. The person's choices travel the other way as
``Ask`` messages carrying a protocol command, which the app hands to the
session.

Leaving a room asks first and keeps Porch open (to join another room); quitting
asks first too. Nothing is kept: the app writes no file, Textual's devtools and
log file are off (see ``tui.cli``), screenshots are refused, and leaving clears
the room.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen

from protocol.limits import KNOCK_WAIT_S, MAX_OFFER_BYTES
from tui.commands import Action, actions_from
from tui.entry import BROWSER_KEYS, Door, DoorError, check_invite
from tui.link import COMING_BACK, CONNECTING, Link, link_after
from tui.messages import Ask, ComeBack, DoorOpened, LeaveRoom, RoomEvent
from tui.screens.setup import Setup, SetupScreen
from tui.screens.start import Start, StartScreen

# The first screen needs only the modules above. What comes after it (the session and
# its protocol, the door, the room, the end) is imported where it is first needed, so
# that the first screen is drawn sooner: bench/tui_bench.py and bench/web_bench.py.
if TYPE_CHECKING:
    from tui.screens.door import DoorScreen
    from tui.screens.room import RoomScreen
    from tui.session import Session


@dataclass(frozen=True, slots=True)
class Plan:
    """What the command line asked for; the setup screen fills in the rest."""

    invite: str | None = None
    relay_url: str | None = None
    nick: str | None = None
    agreements: str | None = None
    knock_wait_s: int = KNOCK_WAIT_S  # how long a knock waits for an answer
    offer_limit: int = MAX_OFFER_BYTES  # the largest offer accepted, in bytes
    # Nothing chosen yet (a browser tab, or after leaving a room): the first screen asks.
    choosing: bool = False

    @property
    def opening(self) -> bool:
        return self.invite is None


def app_actions(screen: Screen[Any]) -> Iterator[Action]:
    app = screen.app
    assert isinstance(app, PorchApp)
    yield Action("Help", "Keys, commands and what the room promises", app.action_help)
    if app.in_room:
        yield Action(
            "Leave the room",
            "Say goodbye and stay in Porch; everything shown is cleared",
            app.action_leave_room,
        )
    yield Action("Quit Porch", "Leave the room, if you are in one, and close", app.action_quit)


class PorchApp(App[None]):
    CSS_PATH = Path(__file__).with_name("porch.tcss")
    TITLE = "Porch"
    COMMANDS = App.COMMANDS | {actions_from(app_actions, "PorchActions")}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    link: reactive[Link] = reactive(CONNECTING)

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan
        self.session: Session | None = None
        self.refusal: str | None = None  # a refusal says more than the close that follows it
        self.leaving = False  # what is still on its way from a room we left goes nowhere

    def on_mount(self) -> None:
        # SIGTERM reads as "I am leaving": say goodbye and give the terminal back intact.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGTERM, lambda: self.call_next(self._go, quitting=True)
            )
        self._begin()

    def _begin(self) -> None:
        if self.plan.choosing:
            self.push_screen(StartScreen(where=self._start_where()), self._start_chosen)
        else:
            self._set_up()

    def _start_where(self) -> str:
        relay = (
            f"A new room uses the relay at {self.plan.relay_url}."
            if self.plan.relay_url
            else "A new room uses a relay inside this Porch, reachable only from this computer."
        )
        if self.is_web:
            return (
                "You are using Porch in a browser tab: the computer running porch web sees "
                f"the room as you do, and closing this tab leaves the room. {relay} "
                f"{BROWSER_KEYS}"
            )
        return relay

    def _start_chosen(self, start: Start | None) -> None:
        if start is None:
            return
        self.plan = replace(self.plan, invite=start.invite, choosing=False)
        self._set_up()

    def _set_up(self) -> None:
        if self.plan.opening:
            where = (
                f"The room will use the relay at {self.plan.relay_url}."
                if self.plan.relay_url
                else "The room will use a relay on this computer, reachable only from it."
            )
        else:
            try:
                relay = check_invite(self.plan.invite or "")
            except DoorError:
                relay = "the relay named in the invite"
            where = (
                f"You are about to knock on a room whose relay is {relay}. "
                "You will read the room's agreements before you knock."
            )
        screen = SetupScreen(
            opening=self.plan.opening,
            nick=self.plan.nick,
            agreements=self.plan.agreements,
            where=where,
        )
        self.push_screen(screen, self._door_chosen)

    def _door_chosen(self, setup: Setup | None) -> None:
        if setup is None:
            return
        from tui.session import Session

        self.plan = replace(self.plan, nick=setup.nick)
        door = Door(
            nick=setup.nick,
            relay_url=self.plan.relay_url,
            agreements=setup.agreements,
            invite=self.plan.invite,
            knock_wait_s=self.plan.knock_wait_s,
            offer_limit=self.plan.offer_limit,
        )
        self.link, self.refusal, self.leaving = CONNECTING, None, False
        self.session = Session(door)
        self.keep_room(self.session)

    @work(exclusive=True, group="room", exit_on_error=False)
    async def keep_room(self, session: Session) -> None:
        """Own the connection: open the door, then pass every event on, until it ends
        (stepping out of a repair round ends only the connection: the session waits)."""
        from protocol import events as ev

        try:
            await session.open()
        except DoorError as exc:
            self.post_message(RoomEvent(ev.Closed(ev.Ending.CANNOT_OPEN, str(exc))))
            return
        except OSError as exc:
            self.post_message(RoomEvent(ev.Closed(ev.Ending.NO_LOCAL_RELAY, str(exc))))
            return
        self.post_message(DoorOpened())
        while True:
            try:
                event = await session.next_event()
            except Exception as exc:  # bad input must end in a sentence, never a traceback
                event = ev.Closed(ev.Ending.FAILED, type(exc).__name__)
            self.post_message(RoomEvent(event))
            if isinstance(event, ev.Closed) and event.ending is not ev.Ending.STEPPED_OUT:
                return

    # -- screens ----------------------------------------------------------------

    def room_screen(self) -> RoomScreen | None:
        if "tui.screens.room" not in sys.modules:
            return None  # not one was made yet: looking for one need not load the room
        from tui.screens.room import RoomScreen

        return next((s for s in reversed(self.screen_stack) if isinstance(s, RoomScreen)), None)

    def door_screen(self) -> DoorScreen | None:
        if "tui.screens.door" not in sys.modules:
            return None
        from tui.screens.door import DoorScreen

        return next((s for s in reversed(self.screen_stack) if isinstance(s, DoorScreen)), None)

    @property
    def in_room(self) -> bool:
        return not self.leaving and self.room_screen() is not None

    def on_door_opened(self, _opened: DoorOpened) -> None:
        from tui.screens.door import DoorScreen
        from tui.screens.room import RoomScreen

        session = self.session
        assert session is not None
        if not session.door.opening:
            self.push_screen(DoorScreen(session.relay_url))
            return
        # The invite card shows the opener where the relay runs; no toast repeats it
        # over the composer.
        notice = session.local_relay.notice if session.local_relay else None
        self.push_screen(RoomScreen(session, relay_notice=notice))

    def on_room_event(self, message: RoomEvent) -> None:
        from protocol import events as ev
        from tui.screens.room import RoomScreen
        from tui.sentences import sentence

        event = message.event
        if self.leaving:
            return
        self.link = link_after(self.link, event)
        match event:
            case ev.Refused():
                self.refusal = sentence(event)
            case ev.Entered() if self.room_screen() is None and self.session is not None:
                room = RoomScreen(self.session, seats=self.session.seats)
                if self.door_screen() is not None:
                    self.switch_screen(room)
                else:
                    self.push_screen(room)
            case ev.Closed(ending=ending) if ending is not ev.Ending.STEPPED_OUT:
                self._end(self.refusal or sentence(event) or "")
                return
        shown_on = self.room_screen() or self.door_screen()
        if shown_on is not None:
            shown_on.post_message(RoomEvent(event))

    def _end(self, text: str) -> None:
        from tui.screens.ended import EndedScreen

        room = self.room_screen()
        if room is not None:
            room.clear()
        self.session, self.leaving = None, True
        ended = EndedScreen(text)
        if len(self.screen_stack) > 1:
            self.switch_screen(ended)
        else:
            self.push_screen(ended)

    # -- a person's choices -------------------------------------------------------

    def on_ask(self, message: Ask) -> None:
        if self.session is not None:
            self.session.send(message.command)

    def on_come_back(self, _message: ComeBack) -> None:
        if self.session is not None:
            self.link = COMING_BACK
            self.session.come_back()

    def on_leave_room(self, _message: LeaveRoom) -> None:
        self.call_next(self._go, quitting=False)

    def action_leave_room(self) -> None:
        self._ask_first(quitting=False)

    async def action_quit(self) -> None:
        self._ask_first(quitting=True)

    def _ask_first(self, *, quitting: bool) -> None:
        """Leaving a room asks first; quitting from anywhere else does not."""
        room = self.room_screen()
        if not self.in_room or room is None:
            self.call_next(self._go, quitting=quitting)
            return
        from tui.screens.leave import LeaveScreen, Leaving

        if any(isinstance(screen, LeaveScreen) for screen in self.screen_stack):
            return
        session = self.session
        others = sum(1 for seat in room.seats if seat.connected and not seat.is_me)
        ends_for = others if session is not None and session.runs_the_relay else 0

        def answered(go: bool | None) -> None:
            if go:
                self.call_next(self._go, quitting=quitting)

        self.push_screen(LeaveScreen(Leaving(quitting, ends_for)), answered)

    async def _go(self, *, quitting: bool) -> None:
        """Leave the room (clear what was shown, say goodbye), then quit or start again."""
        room = self.room_screen()
        if room is not None:
            room.clear()
        session, self.session, self.leaving = self.session, None, True
        if session is not None:
            await session.close()
        if quitting:
            self.exit()
            return
        self.link = CONNECTING
        self.plan = replace(self.plan, invite=None, choosing=True)
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        self._begin()

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Refused: a screenshot would write the room to disk."""
        self.notify("Porch keeps nothing, so it does not save screenshots.", markup=False)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title not in ("Screenshot", "Quit the application"):
                yield command
