"""The asyncio side of a room: one connection to the relay, wired to one ``Endpoint``.

It does no thinking of its own. Frames from the relay go into the endpoint;
what the endpoint wants sent goes out; its events land on ``events`` (an
``asyncio.Queue``) for whoever shows them. A clock ticks the endpoint twice a
second so departures, acks and rotations happen without anyone typing.

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

from protocol import wire
from protocol.endpoint import Endpoint
from protocol.events import Closed, Event, KnockWithdrawn, Notice, Refused

TICK_SECONDS: Final = 0.5
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
        self._refused: Refused | None = None
        self.connections = 0

    # --- commands: call the endpoint, then flush what it produced -------------------

    def say(self, text: str) -> None:
        self.endpoint.say(text)
        self._flush()

    def agree(self) -> None:
        self.endpoint.agree()
        self._flush()

    def admit(self, knock: int) -> None:
        self.endpoint.admit(knock)
        self._flush()

    def not_now(self, knock: int) -> None:
        self.endpoint.not_now(knock)
        self._flush()

    def react(self, emoji: str) -> None:
        self.endpoint.react(emoji)
        self._flush()

    def mark_verified(self, slot: int) -> None:
        self.endpoint.mark_verified(slot)
        self._flush()

    def leave(self) -> None:
        """Say goodbye to the room; ``run`` returns once the goodbye is sent."""
        self._leaving = True
        self.endpoint.leave()
        self._flush()
        self._outgoing.put_nowait(None)

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
                self._emit(
                    Closed(
                        f"The server at {self.endpoint.relay_url} is not a Porch relay, or "
                        "speaks another version. Check the address in the invite."
                    )
                )
                return
            except (OSError, InvalidHandshake, InvalidURI, TimeoutError):
                failures += 1
                if self.connections == 0 or failures > len(RETRY_DELAYS):
                    self._emit(
                        Closed(
                            f"Cannot reach the relay at {self.endpoint.relay_url}. "
                            "Check the address or try again later."
                        )
                    )
                    return
                await asyncio.sleep(RETRY_DELAYS[failures - 1])
                continue
            if self._leaving or self.endpoint.removed:
                return
            refused = self._refused
            if (refused and refused.code in FINAL_REFUSALS) or not self.reconnect:
                # The refusal already said why; the ending repeats it for whoever shows only that.
                self._emit(
                    Closed(refused.sentence if refused else "The connection to the room ended.")
                )
                return
            self._refused = None
            left_behind = self.endpoint.left_behind  # it said why already
            # A knock is known by its connection's number, and a restarted relay
            # numbers connections from 1 again: a knock left on screen could
            # admit someone else. Whoever was knocking knocks again.
            for knock, body in self.endpoint.knocks.items():
                self._emit(KnockWithdrawn(knock, body.nick))
            self.endpoint = self.endpoint.fresh()
            self._drain_outgoing()
            if not left_behind:
                self._emit(
                    Notice(
                        "The connection to the relay dropped. Joining again as a new member; "
                        "the room will see you leave and come back."
                    )
                )

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
                self.endpoint.receive_frame(message)
                self._flush()
                if self.endpoint.left_behind:
                    return  # the room went on without us: come back on a new connection

    async def _write(self, conn: ClientConnection) -> None:
        while True:
            frame = await self._outgoing.get()
            if frame is None:
                return  # leaving: everything before the sentinel went out
            await conn.send(frame)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            self.endpoint.tick(now_ms())
            self._flush()

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
