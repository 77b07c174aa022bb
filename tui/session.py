"""One person's time in one room, shared by the Textual app and the plain mode.

A ``Session`` opens the door (starting a relay on this computer when none was
given), owns the ``RoomClient`` that holds the relay connection, and hands out
room events one at a time. It keeps nothing but what the endpoint keeps in
memory, and ``close()`` leaves the room and lets all of it go.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from protocol import commands as cmd
from protocol import events as ev
from protocol.endpoint import Endpoint
from protocol.room.floor import Floor
from tui.client import RoomClient, now_ms
from tui.entry import DEFAULT_AGREEMENTS, Door, DoorError, check_invite

if TYPE_CHECKING:
    from tui.local_relay import LocalRelay

__all__ = ["DEFAULT_AGREEMENTS", "Door", "DoorError", "Session", "check_invite"]

CLOSE_GRACE = 2.0  # seconds to let a goodbye reach the relay before the socket goes


class Session:
    def __init__(self, door: Door) -> None:
        self.door = door
        self.local_relay: LocalRelay | None = None
        self.client: RoomClient | None = None
        self._first: Endpoint | None = None
        self._seen: Endpoint | None = None
        self._run: asyncio.Task[None] | None = None
        self._closed = False

    async def open(self) -> None:
        door = self.door
        url = door.relay_url
        if door.opening and url is None:
            from tui.local_relay import start_local_relay  # only when it runs the relay

            self.local_relay = await start_local_relay()
            url = self.local_relay.url
        # Invites and names are checked by the endpoint; its errors are sentences.
        try:
            if door.opening:
                assert url is not None
                endpoint = Endpoint.host(url, door.nick, door.agreements or DEFAULT_AGREEMENTS)
            else:
                assert door.invite is not None
                endpoint = Endpoint.joining(door.invite, door.nick, knock_wait_s=door.knock_wait_s)
        except ValueError as exc:
            if self.local_relay is not None:
                await self.local_relay.close()
            raise DoorError(str(exc)) from None
        endpoint.offers.limit = door.offer_limit
        self._first = self._seen = endpoint
        self.client = RoomClient(endpoint)
        self._run = asyncio.get_running_loop().create_task(self.client.run())

    @property
    def endpoint(self) -> Endpoint | None:
        """The live endpoint; after a dropped connection the client rejoins with a fresh one."""
        return self.client.endpoint if self.client is not None else self._first

    def rejoined(self) -> bool:
        """True once after the client reconnected as a fresh member of the room."""
        current = self.endpoint
        if current is self._seen:
            return False
        self._seen = current
        return True

    @property
    def runs_the_relay(self) -> bool:
        """The room's relay runs inside this Porch: the room ends when it goes."""
        return self.local_relay is not None

    @property
    def invite(self) -> str | None:
        return self.endpoint.invite if self.endpoint is not None else None

    @property
    def relay_url(self) -> str:
        if self.endpoint is not None:
            return self.endpoint.relay_url
        if self.local_relay is not None:
            return self.local_relay.url
        return self.door.relay_url or "the relay named in the invite"

    async def next_event(self) -> ev.Event:
        """The next room event; a Closed one when the connection ended for good."""
        assert self._run is not None and self.client is not None
        queue = self.client.events
        if not queue.empty() or not self._run.done():
            getter = asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait({getter, self._run}, return_when=asyncio.FIRST_COMPLETED)
            if getter in done:
                return getter.result()
            getter.cancel()
            if not queue.empty():
                return queue.get_nowait()
        return self._ending()

    def _ending(self) -> ev.Closed:
        assert self._run is not None
        if self._run.cancelled():
            return ev.Closed(ev.Ending.LEFT)
        exc = self._run.exception()
        if exc is None:
            return ev.Closed(ev.Ending.ENDED)
        if isinstance(exc, OSError):
            return ev.Closed(ev.Ending.UNREACHABLE, self.relay_url)
        return ev.Closed(ev.Ending.FAILED, type(exc).__name__)

    # -- what a person can do ---------------------------------------------------

    def send(self, command: cmd.Command) -> None:
        """Hand the person's command to the room, while the session is open."""
        if not self._closed and self.client is not None:
            self.client.send(command)

    def come_back(self) -> None:
        """After stepping out of a repair round: back in on the return ticket."""
        if not self._closed and self.client is not None:
            self.client.come_back()

    # -- what a person can see ----------------------------------------------------

    @property
    def seats(self) -> tuple[ev.Seat, ...]:
        return self.endpoint.seats if self.endpoint is not None else ()

    @property
    def room_code(self) -> str:
        return (self.endpoint.room_code or "") if self.endpoint is not None else ""

    @property
    def agreements(self) -> str:
        return (self.endpoint.agreements or "") if self.endpoint is not None else ""

    @property
    def knocking(self) -> tuple[ev.Knock, ...]:
        return self.endpoint.knocking if self.endpoint is not None else ()

    @property
    def floor(self) -> Floor:
        return self.endpoint.floor if self.endpoint is not None else Floor()

    @property
    def my_slot(self) -> int | None:
        return self.endpoint.my_slot if self.endpoint is not None else None

    def floor_elapsed_ms(self) -> int | None:
        return self.endpoint.floor_elapsed_ms(now_ms()) if self.endpoint is not None else None

    @property
    def offer_limit(self) -> int:
        return self.endpoint.offers.limit if self.endpoint is not None else 0

    def offer_content(self, number: int) -> tuple[str, bytes] | None:
        return self.endpoint.offer_content(number) if self.endpoint is not None else None

    def label(self, slot: int) -> str:
        return self.endpoint.seat_label(slot) if self.endpoint is not None else f"seat {slot + 1}"

    async def close(self) -> None:
        """Leave the room, give the goodbye a moment to go out, and let everything go."""
        if self._closed:
            return
        self._closed = True
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.send(cmd.Leave())
        if self._run is not None:
            with contextlib.suppress(asyncio.TimeoutError, Exception):
                await asyncio.wait_for(asyncio.shield(self._run), CLOSE_GRACE)
            self._run.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._run
        if self.local_relay is not None:
            await self.local_relay.close()
        self.client = None
        self._first = self._seen = None
