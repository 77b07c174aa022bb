"""The Porch terminal app: `porch new` and `porch join`.

One worker owns the session (and through it the relay connection) and posts
each room event to the app as a ``RoomEvent``; every change to the screen
happens in a message handler. The person's choices travel the other way as
one message, ``Ask``, carrying a protocol command that the app hands to the
session.

Nothing is kept: the app writes no file, Textual's devtools and log file are
off (see ``tui.cli``), screenshots are refused, and leaving clears the room.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from protocol import commands as cmd
from protocol import events as ev
from protocol.limits import KNOCK_WAIT_S
from protocol.room import floor as fl
from protocol.room.offers import MAX_OFFER_BYTES
from tui.commands import Action, RoomCommands
from tui.floor_sentences import balance_words, floor_line
from tui.messages import Ask, ComeBack, DoorOpened, FloorAsked, FloorKey, LeaveRoom, RoomEvent
from tui.peer_text import name
from tui.screens.consent import AgreementsConsent
from tui.screens.door import DoorScreen
from tui.screens.ended import EndedScreen
from tui.screens.help import HelpScreen
from tui.screens.room import RoomScreen
from tui.screens.setup import Setup, SetupScreen
from tui.screens.start import Start, StartScreen
from tui.sentences import BROWSER_KEYS, COPIED, COPIED_IN_BROWSER, sentence
from tui.session import Door, DoorError, Session, check_invite
from tui.widgets.knock_bar import KnockBar
from tui.widgets.status import ConnectionStatus

REACTIONS = ("👍", "❤️", "👏", "🙏", "😂", "😮")


@dataclass(frozen=True, slots=True)
class Plan:
    """What the command line asked for; the setup screen fills in the rest."""

    invite: str | None = None
    relay_url: str | None = None
    nick: str | None = None
    agreements: str | None = None
    knock_wait_s: int = KNOCK_WAIT_S  # how long a knock waits for an answer
    offer_limit: int = MAX_OFFER_BYTES  # the largest offer accepted, in bytes
    # Nothing chosen yet (a browser tab): the first screen asks whether to open or join.
    choosing: bool = False

    @property
    def opening(self) -> bool:
        return self.invite is None


class PorchApp(App[None]):
    CSS_PATH = Path(__file__).with_name("porch.tcss")
    TITLE = "Porch"
    COMMANDS = App.COMMANDS | {RoomCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan
        self.session: Session | None = None
        self.leaving = False
        self.refusal: str | None = None
        self.connection = ("connecting", "Connecting…")
        self.coming_back = False  # after stepping out: back in on the return ticket

    def on_mount(self) -> None:
        # SIGTERM reads as "I am leaving": say goodbye and give the terminal back intact.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGTERM, lambda: self.call_next(self.action_leave)
            )
        self.set_interval(1.0, self._floor_clock)  # the speaker's time, once a second
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
        door = Door(
            nick=setup.nick,
            relay_url=self.plan.relay_url,
            agreements=setup.agreements,
            invite=self.plan.invite,
            knock_wait_s=self.plan.knock_wait_s,
            offer_limit=self.plan.offer_limit,
        )
        self.session = Session(door)
        self.keep_room(self.session)

    @work(exclusive=True, group="room", exit_on_error=False)
    async def keep_room(self, session: Session) -> None:
        """Own the connection: open the door, then pass every event on, until it ends
        (stepping out of a repair round ends only the connection: the session waits)."""
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
        for screen in reversed(self.screen_stack):
            if isinstance(screen, RoomScreen):
                return screen
        return None

    def door_screen(self) -> DoorScreen | None:
        for screen in reversed(self.screen_stack):
            if isinstance(screen, DoorScreen):
                return screen
        return None

    def on_door_opened(self, _opened: DoorOpened) -> None:
        session = self.session
        assert session is not None
        if session.door.opening:
            notice = session.local_relay.notice if session.local_relay else None
            self.push_screen(
                RoomScreen(
                    seats=session.seats,
                    room_code=session.room_code,
                    invite=session.invite,
                    relay_notice=notice,
                    connection=self.connection,
                    held=session,
                )
            )
            if notice:
                self.notify(notice, markup=False, timeout=8)
        else:
            self.push_screen(DoorScreen(session.relay_url))

    def on_room_event(self, message: RoomEvent) -> None:
        event = message.event
        session = self.session
        room = self.room_screen()
        door = self.door_screen()
        match event:
            case ev.Connected():
                if self.coming_back and session is not None:
                    self.coming_back = False
                    session.rejoined()  # the fresh endpoint is ours: no reconnection to show
                self._status("connected", "Connected")
            case ev.Refused(code=code):
                text = sentence(event) or code
                self.refusal = text
                self._status("gone", text)
                if door is not None:
                    door.step(text)
            case ev.Notice() if session is not None and session.rejoined():
                self._status("reconnecting", "Reconnecting…")
            case ev.AgreementsOffered(text=text, host_nick=host):
                self.push_screen(AgreementsConsent(text, host), self._consent_given)
            case ev.Waiting():
                if door is not None:
                    door.step(sentence(event) or "")
            case ev.Entered() if room is None and session is not None:
                entered = RoomScreen(
                    seats=session.seats,
                    room_code=event.room_code,
                    connection=self.connection,
                    held=session,
                )
                if door is not None:
                    self.switch_screen(entered)
                else:
                    self.push_screen(entered)
                self.call_after_refresh(entered.show_event, event)
                return
            case ev.Knocked(nick=nick):
                self.bell()
                self.notify(
                    f"{name(nick)} is knocking. F2 admits, F3 says not now.",
                    title="Knock knock",
                    markup=False,
                    timeout=10,
                )
            case ev.Tampering():
                text = sentence(event) or ""
                self.bell()
                self.notify(
                    text,
                    title="The room may be tampered with",
                    severity="error",
                    markup=False,
                    timeout=20,
                )
            case ev.FloorChanged(change=fl.Turn(speaker=speaker), me=me) if speaker == me:
                self.bell()
                self.notify(
                    "It is your turn. Press F7 (or type /done) when you finish.",
                    title="Your turn",
                    timeout=8,
                )
            case ev.TimerCue():
                self.bell()
                self.notify(sentence(event) or "", title="Speaking time", markup=False)
            case ev.Closed(ending=ev.Ending.STEPPED_OUT):
                self._status("gone", "Stepped out")
            case ev.Closed():
                # A refusal says more than the bare end of the connection that follows it.
                self._end(self.refusal or sentence(event) or "")
                return
        if room is not None:
            room.show_event(event)
            # A motion or a repair round holds the floor, and lets it go, without a floor act.
            redraw = (
                ev.FloorChanged | ev.RosterChanged | ev.Entered | ev.MotionEvent | ev.RepairEvent
            )
            if isinstance(event, redraw):
                ended = event.change if isinstance(event, ev.FloorChanged) else None
                balance = ended.balance if isinstance(ended, fl.Ended) else None
                self._show_floor(room, balance)
        elif door is not None and isinstance(event, ev.Notice | ev.TwoRooms | ev.AskedToWait):
            door.step(sentence(event) or "")

    # -- the floor ------------------------------------------------------------------

    def _show_floor(self, room: RoomScreen, balance: tuple[fl.Talk, ...] | None = None) -> None:
        session = self.session
        if session is not None:
            elapsed = session.floor_elapsed_ms()
            room.show_floor(session.floor, session.label, elapsed, balance)

    def _floor_clock(self) -> None:
        room, session = self.room_screen(), self.session
        if room is not None and session is not None and session.floor.speaker is not None:
            self._show_floor(room)

    def on_floor_asked(self, message: FloorAsked) -> None:
        room, session = self.room_screen(), self.session
        if room is None or session is None:
            return
        floor = session.floor
        if message.what == "balance":
            self._show_floor(room, floor.talk)
            who = lambda slot: name(session.label(slot))  # noqa: E731
            self.notify(balance_words(floor.talk, who), title="Balance", markup=False)
        else:
            self.notify(floor_line(floor, session.label), title="The floor", markup=False)

    def on_floor_key(self, message: FloorKey) -> None:
        session = self.session
        if session is None:
            return
        floor, me = session.floor, session.my_slot
        match message.word:
            case "hand" if any(h.slot == me for h in floor.hands):
                act = fl.FloorAct(fl.Act.LOWER)
            case "hand":
                act = fl.FloorAct(fl.Act.HAND, fl.HandKind.HAND)
            case "pause" if floor.paused is not None:
                act = fl.FloorAct(fl.Act.RESUME)
            case "pause":
                act = fl.FloorAct(fl.Act.PAUSE)
            case _:
                act = fl.FloorAct(fl.Act.DONE)
        session.send(cmd.Floor(act))

    def _floor_actions(self) -> Iterator[Action]:
        def ask(command: cmd.Command) -> Callable[[], object]:
            return partial(self.post_message, Ask(command))

        def act(what: fl.Act, arg: str | int | bool = "") -> Callable[[], object]:
            return ask(cmd.Floor(fl.FloorAct(what, arg)))

        yield Action(
            "Floor: start a go-round", "The talking piece passes seat by seat", act(fl.Act.ROUND)
        )
        yield Action("Floor: open a stack", "Raise a hand to speak", act(fl.Act.STACK))
        yield Action("Floor: open the floor", "Anyone speaks", act(fl.Act.OPEN))
        yield Action("Floor: raise a hand (F6)", "In a stack", act(fl.Act.HAND, fl.HandKind.HAND))
        yield Action(
            "Floor: direct reply", "Right after the speaker", act(fl.Act.HAND, fl.HandKind.REPLY)
        )
        yield Action(
            "Floor: point of process",
            "To the front, in a stack or a round",
            act(fl.Act.HAND, fl.HandKind.PROCESS),
        )
        yield Action("Floor: lower my hand", "Take your hands down", act(fl.Act.LOWER))
        yield Action("Floor: done (F7)", "End your turn", act(fl.Act.DONE))
        yield Action("Floor: pass", "In a go-round: pass the talking piece on", act(fl.Act.PASS))
        yield Action("Floor: later", "In a go-round: come back to me", act(fl.Act.LATER))
        yield Action("Floor: pause (F8)", "Freeze the floor and the timer", act(fl.Act.PAUSE))
        yield Action("Floor: resume", "End the pause, or ask to", act(fl.Act.RESUME))
        for seconds in (60, 120, 300):
            yield Action(
                f"Floor: speaking time {seconds // 60} min",
                "A gentle cue near the end; never a cut-off",
                act(fl.Act.TIMER, seconds),
            )
        yield Action("Floor: speaking timer off", "No speaking time", act(fl.Act.TIMER, 0))
        yield Action(
            "Floor: progressive order on",
            "The next hand: who spoke least",
            act(fl.Act.PROGRESSIVE, True),
        )
        yield Action(
            "Floor: progressive order off",
            "Hands in the order raised",
            act(fl.Act.PROGRESSIVE, False),
        )
        yield Action(
            "Floor: balance",
            "How the time was shared",
            partial(self.post_message, FloorAsked("balance")),
        )
        yield Action(
            "Floor: on one line",
            "The floor in words",
            partial(self.post_message, FloorAsked("floor")),
        )

    def _status(self, state: str, text: str) -> None:
        self.connection = (state, text)
        for screen in (self.room_screen(), self.door_screen()):
            if screen is not None:
                for status in screen.query(ConnectionStatus):
                    status.show(state, text)

    def _consent_given(self, agreed: bool | None) -> None:
        if not agreed or self.session is None:
            self.post_message(LeaveRoom())
            return
        self.session.send(cmd.Agree())
        door = self.door_screen()
        if door is not None:
            door.step("You agreed. Knocking…")

    def _end(self, text: str) -> None:
        room = self.room_screen()
        if room is not None:
            room.clear()
        if self.leaving:
            self.exit()
            return
        ended = EndedScreen(text)
        if len(self.screen_stack) > 1:
            self.switch_screen(ended)
        else:
            self.push_screen(ended)

    # -- a person's choices -------------------------------------------------------

    def on_ask(self, message: Ask) -> None:
        session = self.session
        if session is None:
            return
        command = message.command
        if isinstance(command, cmd.Leave):
            self.post_message(LeaveRoom())
            return
        room = self.room_screen()
        if room is not None and room.stepped_out:
            self.notify(
                "You stepped out, so nothing was sent. Come back first: the Come back button, "
                "or /back.",
                markup=False,
            )
            return
        session.send(command)
        if room is None:
            return
        match command:
            case cmd.Admit(knock):
                # A "not now" leaves the knock on screen: the room marks it when it comes back.
                room.query_one(KnockBar).drop(knock)
            case cmd.Verify():
                room.show_seats(session.seats)
            case cmd.Accept(number) | cmd.Decline(number):
                room.answered(number, accept=isinstance(command, cmd.Accept))

    def on_come_back(self, _message: ComeBack) -> None:
        room, session = self.room_screen(), self.session
        if room is None or session is None:
            return
        if not room.stepped_out:
            self.notify(
                "You are in the room; /back is for coming back after stepping out.", markup=False
            )
            return
        room.stepped_out = False
        self.coming_back = True
        session.come_back()
        self._status("connecting", "Coming back…")
        room.talk.add_note("Coming back in with your return ticket.")

    async def on_leave_room(self, _message: LeaveRoom) -> None:
        await self.action_leave()

    async def action_leave(self) -> None:
        """Leave the room: clear what was shown, say goodbye, and close."""
        self.leaving = True
        room = self.room_screen()
        if room is not None:
            room.clear()
        if self.session is not None:
            await self.session.close()
            self.session = None
        self.exit()

    async def action_quit(self) -> None:
        await self.action_leave()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def copy_invite(self, invite: str) -> None:
        self.copy_to_clipboard(invite)
        self.notify(COPIED_IN_BROWSER if self.is_web else COPIED, markup=False)

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Refused: a screenshot would write the room to disk."""
        self.notify("Porch keeps nothing, so it does not save screenshots.", markup=False)

    # -- the command palette ------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command

    def palette_actions(self, screen: Screen[object]) -> Iterator[Action]:
        room = self.room_screen()
        yield Action("Help", "Keys, commands and what the room promises", self.action_help)
        if room is not None:
            for row in room.query_one(KnockBar).knocks:
                yield Action(
                    f"Admit {name(row.nick)}",
                    "Let this person into the room",
                    partial(self.post_message, Ask(cmd.Admit(row.knock))),
                )
                yield Action(
                    f"Not now: {name(row.nick)}",
                    "Ask them to wait; anyone can still let them in",
                    partial(self.post_message, Ask(cmd.NotNow(row.knock))),
                )
            yield Action(
                "Room code and verify",
                "Read the code aloud, mark people verified",
                room.action_verify,
            )
            yield Action(
                "Show or hide the invite", "The invite and how to share it", room.action_invite
            )
            if room.invite:
                yield Action(
                    "Copy the invite",
                    "Put the invite on the clipboard",
                    partial(self.copy_invite, room.invite),
                )
            yield from self._floor_actions()
            yield from room.accountability_actions()
            yield from room.offer_actions()
            for emoji in REACTIONS:
                yield Action(
                    f"React {emoji}",
                    "A reaction never takes the floor",
                    partial(self.post_message, Ask(cmd.React(emoji))),
                )
        yield Action(
            "Leave the room",
            "Say goodbye; everything shown is cleared",
            partial(self.post_message, LeaveRoom()),
        )
