"""The asyncio side of a room: one connection to the relay, wired to one ``Endpoint``.

It does no thinking of its own. Frames from the relay go into the endpoint;
commands (``protocol.commands``) go in through ``send``; what the endpoint
wants sent goes out; its events land on ``events`` (an ``asyncio.Queue``) for
whoever shows them. A clock ticks the endpoint when it says it next needs one
(``next_deadline``), so departures, acks and resends happen without anyone
typing, and an idle room costs no wake-ups.

When the connection drops, the client knocks again as a new member with new
keys (``Endpoint.fresh``): the room sees the old seat leave after its grace
period and the new one come in, and no key outlives its connection. When the
relay itself restarted, the member who was sequencing opens the room again and
everyone else comes back the same way (``protocol.reopen``). Each step is an
event: ``Reconnecting`` (the connection dropped; trying again), ``Rejoining``
(connected again, not yet back in the room), ``BackInRoom``.

What the person types while out of the room is kept, if it can wait
(``commands.while_away``): words, a hand, an amendment. It goes out once we are
back in, in the order typed, and so do commands whose frames had not left when
the connection dropped (frames sealed for the old connection mean nothing to
the new one). What cannot wait is refused and said so. A room we are opening
ourselves keeps what is typed until it is open, a moment later.

Every frame goes out under one budget (``protocol.pace``), below the relay's
rate limit: a burst of typing or a pasted script waits its turn instead of
getting the connection closed, and file chunks share the same budget.

When a member whose relay closes with it says so (``porch new`` without
``--relay`` runs the relay inside its process), the connection closing just
after ends the session with ``Ending.ROOM_ENDED``, not two minutes of retries.

This module imports websockets and protocol, never textual: the TUI, the line
mode, the tests and the benchmarks all use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import deque
from dataclasses import dataclass
from typing import Final

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from protocol import commands as cmd
from protocol import wire
from protocol.endpoint import Endpoint
from protocol.events import (
    BackInRoom,
    Closed,
    Connected,
    Ending,
    Entered,
    Event,
    KnockWithdrawn,
    Note,
    Notice,
    Reconnecting,
    Refused,
    Rejoining,
)
from protocol.pace import Pace

# The longest the clock sleeps with nothing due, and the shortest between two
# ticks: guards, not a schedule (the endpoint says when it needs a tick).
IDLE_TICK_SECONDS: Final = 5.0
MIN_TICK_SECONDS: Final = 0.01
# About two minutes in all: long enough for a relay to be upgraded and restarted,
# after which the room opens again by itself (see protocol/reopen.py). Never more
# than a few seconds apart, so a relay that is back is found soon; each spread a
# little, so a restarted relay's rooms do not all knock at the same instant.
RETRY_DELAYS: Final = (0.5, 1.0, 2.0, 4.0, *(5.0,) * 23)
RETRY_SPREAD: Final = 0.2
FINAL_REFUSALS: Final = frozenset({wire.ROOM_FULL, wire.SERVER_FULL, wire.BAD_FRAME})


def now_ms() -> int:
    return time.monotonic_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A frame on its way out; ``command`` when it is the last frame the command made,
    so that a command whose frames did not all leave can be sent again once back."""

    frame: bytes
    command: cmd.Command | None = None


class RoomClient:
    """Connects ``endpoint`` to its relay, and reconnects as a fresh member after a drop."""

    def __init__(
        self, endpoint: Endpoint, *, reconnect: bool = True, pace: Pace | None = None
    ) -> None:
        self.pace = pace if pace is not None else Pace()
        self.endpoint = endpoint
        endpoint.pace = self.pace
        self.events: asyncio.Queue[Event] = asyncio.Queue()
        self.reconnect = reconnect
        self._backlog: deque[Outgoing | None] = deque()  # None: leaving, stop after the rest
        self._more = asyncio.Event()  # the backlog grew
        self._waiting: list[cmd.Command] = []  # typed while out of the room, in order
        self._opening = endpoint.is_host  # our own room, open in a moment
        self._returning = False  # out of the room (dropped, or stepped out), coming back
        self._leaving = False
        self._away = asyncio.Event()  # set while we stepped out; cleared to come back
        self._refused: Refused | None = None
        self._wake = asyncio.Event()  # something came in: the next deadline may have moved
        self.connections = 0

    @property
    def out_of_room(self) -> bool:
        """Whether what is typed now waits: we are on our way (back) into the room."""
        return self._returning or (self._opening and self.endpoint.my_slot is None)

    @property
    def backlog_s(self) -> float:
        """About how long until every frame waiting now has gone out, at the pace."""
        return self.pace.backlog_ms(now_ms()) / 1000

    # --- commands: hand them to the endpoint, then flush what it produced -----------

    def send(self, command: cmd.Command) -> None:
        """The person's command; ``Leave`` also ends ``run`` once the goodbye is sent."""
        if self.out_of_room and not self._hold_while_away(command):
            return
        if isinstance(command, cmd.Leave):
            self._leaving = True
        self.endpoint.send(command, now_ms())
        self._flush(command)
        self._wake.set()
        if isinstance(command, cmd.Leave):
            self._push(None)
        elif self.endpoint.stepped_out and not self._away.is_set():
            # Gently out of the room, no goodbye: the seat goes as a dropped one does,
            # with a return ticket, and ``come_back`` uses it.
            self._away.set()
            self._push(None)

    def _hold_while_away(self, command: cmd.Command) -> bool:
        """Keep or refuse a command typed out of the room; True if it goes on at once."""
        match cmd.while_away(command):
            case cmd.Away.WAITS:
                self._waiting.append(command)
                if self._returning:
                    self._emit(Notice(Note.QUEUED))
                return False
            case cmd.Away.REFUSED if self._returning:
                self._emit(Notice(Note.NOT_WHILE_AWAY))
                return False
        return True  # needs no room, or the room we open says why itself

    def come_back(self) -> None:
        self._returning = True
        self._away.clear()
        self._wake.set()

    # --- the connection ---------------------------------------------------------------

    async def run(self) -> None:
        """Hold the room until we leave, are refused, or the relay stays unreachable."""
        failures, lost_at = 0, 0.0
        while not self._leaving:
            url = self.endpoint.room_url
            try:
                async with connect(
                    url,
                    compression=None,
                    max_size=wire.MAX_PAYLOAD + 128,
                    open_timeout=10,
                    close_timeout=2,
                    user_agent_header=None,
                ) as conn:
                    failures = 0
                    self.connections += 1
                    await self._hold(conn)
            except InvalidStatus:
                self._emit(Closed(Ending.NOT_A_RELAY, self.endpoint.relay_url))
                return
            except (OSError, InvalidHandshake, InvalidURI, TimeoutError):
                failures += 1
                if failures == 1:
                    lost_at = time.monotonic()
                if self.connections == 0:
                    self._emit(Closed(Ending.UNREACHABLE, self.endpoint.relay_url))
                    return
                if failures > len(RETRY_DELAYS):
                    tried = round(time.monotonic() - lost_at)
                    unsent = len(self._waiting)
                    self._emit(Closed(Ending.LOST, self.endpoint.relay_url, tried, unsent))
                    return
                delay = RETRY_DELAYS[failures - 1]
                delay *= random.uniform(1 - RETRY_SPREAD, 1 + RETRY_SPREAD)
                self._emit(Reconnecting(attempt=failures + 1, retry_in_s=delay))
                await asyncio.sleep(delay)
                continue
            if self._leaving or (self.endpoint.removed and not self.endpoint.evicted):
                return  # it said why already
            ended_by = self.endpoint.room_ended_by(now_ms())
            if ended_by is not None:
                self._emit(Closed(Ending.ROOM_ENDED, ended_by))
                return  # its relay is gone: there is nothing to reconnect to
            if self.endpoint.unanswered:
                return  # nobody answered our knock: it said so, and knocking again is a choice
            if self._away.is_set():
                while self._away.is_set() and not self._leaving:
                    await self._wake.wait()
                    self._wake.clear()
                if self._leaving:
                    return
                self._renew()
                continue
            refused = self._refused
            if (refused and refused.code in FINAL_REFUSALS) or not self.reconnect:
                # The refusal already said why; the ending repeats it for whoever shows only that.
                ending = Closed(Ending.REFUSED, refused.code) if refused else Closed(Ending.ENDED)
                self._emit(ending)
                return
            self._refused = None
            told = self.endpoint.must_rejoin  # it said why already
            # A knock is known by its connection's number, and a restarted relay
            # numbers connections from 1 again: a knock left on screen could
            # admit someone else. Whoever was knocking knocks again.
            for knock, body in self.endpoint.knocks.items():
                self._emit(KnockWithdrawn(knock, body.nick))
            self._returning = True
            self._renew()
            if not told:
                self._emit(Reconnecting(attempt=1, retry_in_s=0.0))

    async def _hold(self, conn: ClientConnection) -> None:
        reader = asyncio.create_task(self._read(conn))
        writer = asyncio.create_task(self._write(conn))
        ticker = asyncio.create_task(self._tick())
        try:
            # The ticker only ends by failing: that ends the connection at once, rather
            # than leaving a room without timers that fails at the next drop.
            await asyncio.wait({reader, writer, ticker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (reader, writer, ticker):
                task.cancel()
            for task in (reader, writer, ticker):
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await task
            await conn.close()

    async def _read(self, conn: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for message in conn:
                if isinstance(message, str):
                    continue
                self.endpoint.receive_frame(message, now_ms())
                self._flush()
                self._wake.set()
                if self.endpoint.must_rejoin:
                    return  # the room went on, or let our seat go: come back on a new connection

    async def _write(self, conn: ClientConnection) -> None:
        """Send the backlog in order, each frame when the pace has a token for it."""
        while True:
            while not self._backlog:
                self._more.clear()
                await self._more.wait()
            head = self._backlog[0]
            if head is None:
                return  # leaving: everything before it went out
            wait_ms = self.pace.wait_ms(now_ms())
            if wait_ms > 0:
                await asyncio.sleep(wait_ms / 1000)
                continue
            self.pace.take(now_ms())
            await conn.send(head.frame)
            self._backlog.popleft()  # only now: a frame that never left is sent again
            self.pace.queued -= 1

    async def _tick(self) -> None:
        """Tick the endpoint when it asks to be; any other input moves the deadline."""
        while True:
            deadline = self.endpoint.next_deadline()
            delay = IDLE_TICK_SECONDS
            if deadline is not None:
                delay = min(delay, max(MIN_TICK_SECONDS, (deadline - now_ms()) / 1000))
            try:
                async with asyncio.timeout(delay):
                    await self._wake.wait()
            except TimeoutError:
                self.endpoint.tick(now_ms())
                self._flush()
                if self.endpoint.unanswered:
                    return  # the knock expired: the connection is done with
            self._wake.clear()

    def _flush(self, command: cmd.Command | None = None) -> None:
        entered = False
        for event in self.endpoint.events_received():
            if isinstance(event, Refused):
                self._refused = event
            self._emit(event)
            if isinstance(event, Connected) and self._returning:
                self._emit(Rejoining())
            entered = entered or isinstance(event, Entered)
        frames = self.endpoint.data_to_send()
        for i, frame in enumerate(frames):
            self._push(Outgoing(frame, command if i == len(frames) - 1 else None))
        if entered:
            self._back_in()

    def _back_in(self) -> None:
        """In the room (again): what was typed meanwhile goes out, in order."""
        returning = self._returning
        self._returning = self._opening = False
        waiting, self._waiting = self._waiting, []
        sent = 0
        for command in waiting:
            before = len(self._backlog)
            self.endpoint.send(command, now_ms())
            self._flush(command)
            sent += len(self._backlog) > before  # it made frames: it went out
        if returning:
            self._emit(BackInRoom(sent))

    def _push(self, item: Outgoing | None) -> None:
        self._backlog.append(item)
        if item is not None:
            self.pace.queued += 1
        self._more.set()

    def _emit(self, event: Event) -> None:
        self.events.put_nowait(event)

    def _renew(self) -> None:
        """A new connection, a fresh endpoint: frames sealed for the old connection's keys
        mean nothing to the new one, but what the person asked for still does. A command
        whose last frame had not left is kept to send again once back in, if it can wait."""
        again: list[cmd.Command] = []
        for item in self._backlog:
            if item is None or item.command is None:
                continue
            match cmd.while_away(item.command):
                case cmd.Away.WAITS:
                    again.append(item.command)
                case cmd.Away.REFUSED:
                    self._emit(Notice(Note.NOT_WHILE_AWAY))
        self._waiting[:0] = again
        self._backlog.clear()
        self.pace.queued = 0
        self.endpoint = self.endpoint.fresh(now_ms())
        self.endpoint.pace = self.pace
