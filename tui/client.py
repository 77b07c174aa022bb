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
everyone else comes back the same way (``protocol.reopen``).

This module imports websockets and protocol, never textual: the TUI, the line
mode, the tests and the benchmarks all use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Final

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from protocol import commands as cmd
from protocol import wire
from protocol.endpoint import Endpoint
from protocol.events import Closed, Ending, Event, KnockWithdrawn, Note, Notice, Refused

# The longest the clock sleeps with nothing due, and the shortest between two
# ticks: guards, not a schedule (the endpoint says when it needs a tick).
IDLE_TICK_SECONDS: Final = 5.0
MIN_TICK_SECONDS: Final = 0.01
# About two minutes in all: long enough for a relay to be upgraded and restarted,
# after which the room opens again by itself (see protocol/reopen.py).
RETRY_DELAYS: Final = (0.5, 1.0, 2.0, 4.0, 8.0, *(15.0,) * 7)
FINAL_REFUSALS: Final = frozenset({wire.ROOM_FULL, wire.SERVER_FULL, wire.BAD_FRAME})


def now_ms() -> int:
    return time.monotonic_ns() // 1_000_000


class RoomClient:
    """Connects ``endpoint`` to its relay, and reconnects as a fresh member after a drop."""

    def __init__(self, endpoint: Endpoint, *, reconnect: bool = True) -> None:
        self.endpoint = endpoint
        self.events: asyncio.Queue[Event] = asyncio.Queue()
        self.reconnect = reconnect
        self._outgoing: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._leaving = False
        self._away = asyncio.Event()  # set while we stepped out; cleared to come back
        self._refused: Refused | None = None
        self._wake = asyncio.Event()  # something came in: the next deadline may have moved
        self.connections = 0

    # --- commands: hand them to the endpoint, then flush what it produced -----------

    def send(self, command: cmd.Command) -> None:
        """The person's command; ``Leave`` also ends ``run`` once the goodbye is sent."""
        if isinstance(command, cmd.Leave):
            self._leaving = True
        self.endpoint.send(command, now_ms())
        self._flush()
        self._wake.set()
        if isinstance(command, cmd.Leave):
            self._outgoing.put_nowait(None)
        elif self.endpoint.stepped_out and not self._away.is_set():
            # Gently out of the room, no goodbye: the seat goes as a dropped one does,
            # with a return ticket, and ``come_back`` uses it.
            self._away.set()
            self._outgoing.put_nowait(None)

    def come_back(self) -> None:
        self._away.clear()
        self._wake.set()

    # --- the connection ---------------------------------------------------------------

    async def run(self) -> None:
        """Hold the room until we leave, are refused, or the relay stays unreachable."""
        failures = 0
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
                if self.connections == 0 or failures > len(RETRY_DELAYS):
                    self._emit(Closed(Ending.UNREACHABLE, self.endpoint.relay_url))
                    return
                await asyncio.sleep(RETRY_DELAYS[failures - 1])
                continue
            if self._leaving or (self.endpoint.removed and not self.endpoint.evicted):
                return  # it said why already
            if self.endpoint.unanswered:
                return  # nobody answered our knock: it said so, and knocking again is a choice
            if self._away.is_set():
                while self._away.is_set() and not self._leaving:
                    await self._wake.wait()
                    self._wake.clear()
                if self._leaving:
                    return
                self.endpoint = self.endpoint.fresh(now_ms())
                self._drain_outgoing()
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
            self.endpoint = self.endpoint.fresh(now_ms())
            self._drain_outgoing()
            if not told:
                self._emit(Notice(Note.RECONNECTING))

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
        while True:
            frame = await self._outgoing.get()
            if frame is None:
                return  # leaving: everything before the sentinel went out
            await conn.send(frame)

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

    def _flush(self) -> None:
        for event in self.endpoint.events_received():
            if isinstance(event, Refused):
                self._refused = event
            self._emit(event)
        for frame in self.endpoint.data_to_send():
            self._outgoing.put_nowait(frame)

    def _emit(self, event: Event) -> None:
        self.events.put_nowait(event)

    def _drain_outgoing(self) -> None:
        # Frames sealed for the old connection's keys mean nothing to the new one.
        while not self._outgoing.empty():
            self._outgoing.get_nowait()
