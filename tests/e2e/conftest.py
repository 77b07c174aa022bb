"""Helpers for end-to-end tests: real clients, real crypto, a real relay on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import pytest

from protocol import events as ev
from protocol.endpoint import Endpoint
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

    async def join(self, host: Person, nick: str, admitter: Person | None = None) -> Person:
        person = self.start(Endpoint.joining(host.endpoint.invite, nick))
        await person.expect(ev.AgreementsOffered)
        person.client.agree()
        door = admitter or host
        knock = await door.expect(ev.Knocked, lambda k: k.nick == nick)
        door.client.admit(knock.knock)
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
