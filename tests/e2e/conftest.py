"""Helpers for end-to-end tests: real clients, real crypto, a real relay on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import pytest

from protocol import commands as cmd
from protocol import events as ev
from protocol.endpoint import GRACE_MS, Endpoint
from tests.conftest import RelayProcess
from tui.client import RoomClient

E = TypeVar("E")
WAIT = 15.0


@dataclass
class Person:
    """A client and everything it has shown so far."""

    client: RoomClient
    task: asyncio.Task[None]
    seen: list[ev.Event] = field(default_factory=list)

    @property
    def endpoint(self) -> Endpoint:
        return self.client.endpoint

    async def expect(
        self, kind: type[E], where: Callable[[E], bool] = lambda e: True, timeout: float = WAIT
    ) -> E:
        """The next event of ``kind`` matching ``where``; every event is kept in ``seen``."""
        for old in self.seen:
            if isinstance(old, kind) and where(old) and id(old) not in self._taken:
                self._taken.add(id(old))
                return old
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError(f"no {kind.__name__} within {timeout} s; saw {self.seen[-8:]}")
            try:
                event = await asyncio.wait_for(self.client.events.get(), left)
            except TimeoutError:
                continue
            self.seen.append(event)
            if isinstance(event, kind) and where(event):
                self._taken.add(id(event))
                return event

    def said(self) -> list[tuple[str, str]]:
        self._drain()
        return [(e.nick, e.text) for e in self.seen if isinstance(e, ev.Said)]

    def _drain(self) -> None:
        while not self.client.events.empty():
            self.seen.append(self.client.events.get_nowait())

    _taken: set[int] = field(default_factory=set)


class Room:
    """Starts people in a room and stops them all afterwards."""

    def __init__(self) -> None:
        self.people: list[Person] = []

    def start(self, endpoint: Endpoint, *, reconnect: bool = True) -> Person:
        client = RoomClient(endpoint, reconnect=reconnect)
        person = Person(client, asyncio.get_running_loop().create_task(client.run()))
        self.people.append(person)
        return person

    async def host(self, url: str, nick: str = "ana", agreements: str = "Be kind.") -> Person:
        person = self.start(Endpoint.host(url, nick, agreements))
        await person.expect(ev.Entered)
        return person

    async def join(
        self, host: Person, nick: str, admitter: Person | None = None, *, grace_ms: int = GRACE_MS
    ) -> Person:
        person = self.start(Endpoint.joining(host.endpoint.invite, nick, grace_ms=grace_ms))
        await person.expect(ev.AgreementsOffered)
        person.client.send(cmd.Agree())
        door = admitter or host
        knock = await door.expect(ev.Knocked, lambda k: k.nick == nick)
        door.client.send(cmd.Admit(knock.knock))
        await person.expect(ev.Entered)
        return person

    async def close(self) -> None:
        for person in self.people:
            person.task.cancel()
        for person in self.people:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await person.task


@pytest.fixture
async def room() -> AsyncIterator[Room]:
    holder = Room()
    yield holder
    await holder.close()


class RecordingProxy:
    """A TCP proxy on 127.0.0.1 in front of the relay that keeps every byte both ways.

    Client-to-relay WebSocket frames are masked on the wire; ``upstream_payloads``
    unmasks them, so a search sees exactly what the relay received.
    """

    def __init__(self, relay_port: int) -> None:
        self.relay_port = relay_port
        # One buffer per connection and direction: frames must not interleave.
        self.upstreams: list[bytearray] = []
        self.downstreams: list[bytearray] = []
        self.links: list[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = []
        self.server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.relay_port)
        self.links.append((writer, up_writer))
        upstream, downstream = bytearray(), bytearray()
        self.upstreams.append(upstream)
        self.downstreams.append(downstream)

        async def pipe(
            src: asyncio.StreamReader, dst: asyncio.StreamWriter, sink: bytearray
        ) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    sink.extend(data)
                    dst.write(data)
                    await dst.drain()
            with contextlib.suppress(Exception):
                dst.close()

        await asyncio.gather(pipe(reader, up_writer, upstream), pipe(up_reader, writer, downstream))

    def cut(self, index: int) -> None:
        """Drop one client's connection abruptly, as a network would."""
        for side in self.links[index]:
            side.transport.abort()

    @property
    def downstream(self) -> bytes:
        """Everything the relay sent, every connection's bytes one after another."""
        return b"".join(bytes(raw) for raw in self.downstreams)

    def upstream_payloads(self) -> bytes:
        return b"".join(_unmask_stream(bytes(raw)) for raw in self.upstreams)

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
        for pair in self.links:
            for side in pair:
                side.transport.abort()


def _unmask_stream(raw: bytes) -> bytes:
    """HTTP request heads as they are, WebSocket frames unmasked (RFC 6455, section 5.2)."""
    out = bytearray()
    at = 0
    while at < len(raw):
        if raw.startswith(b"GET ", at):
            end = raw.find(b"\r\n\r\n", at)
            if end < 0:
                break
            out += raw[at : end + 4]
            at = end + 4
            continue
        if at + 2 > len(raw):
            break
        length = raw[at + 1] & 0x7F
        masked = raw[at + 1] & 0x80
        at += 2
        if length == 126:
            length = int.from_bytes(raw[at : at + 2], "big")
            at += 2
        elif length == 127:
            length = int.from_bytes(raw[at : at + 8], "big")
            at += 8
        mask = raw[at : at + 4] if masked else bytes(4)
        at += 4 if masked else 0
        payload = raw[at : at + length]
        out += bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        at += length
    return bytes(out)


@pytest.fixture
async def proxy(relay: RelayProcess) -> AsyncIterator[RecordingProxy]:
    holder = RecordingProxy(relay.port)
    await holder.start()
    yield holder
    await holder.close()
