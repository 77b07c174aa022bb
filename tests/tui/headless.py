"""People in a room without a screen: a real client and endpoint each, driven by the test.

They sit beside real app instances in one room (a motion needs four people), and
every event they are shown is kept in ``seen``, so a test can wait for one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from protocol import commands as cmd
from protocol import events as ev
from protocol.endpoint import Endpoint
from tui.client import RoomClient

E = TypeVar("E")


@dataclass
class Member:
    client: RoomClient
    task: asyncio.Task[None]
    seen: list[ev.Event] = field(default_factory=list)
    taken: set[int] = field(default_factory=set)

    @property
    def endpoint(self) -> Endpoint:
        return self.client.endpoint

    def send(self, command: cmd.Command) -> None:
        self.client.send(command)

    async def expect(
        self, kind: type[E], where: Callable[[E], bool] = lambda _: True, seconds: float = 20.0
    ) -> E:
        """The next event of ``kind`` matching ``where`` not taken before (bounded wait)."""
        for old in self.seen:
            if isinstance(old, kind) and where(old) and id(old) not in self.taken:
                self.taken.add(id(old))
                return old
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (left := deadline - loop.time()) > 0:
            try:
                event = await asyncio.wait_for(self.client.events.get(), left)
            except TimeoutError:
                break
            self.seen.append(event)
            if isinstance(event, kind) and where(event):
                self.taken.add(id(event))
                return event
        raise AssertionError(f"No {kind.__name__} within {seconds:g}s; saw {self.seen[-6:]}")


class Members:
    """Starts headless members and stops every one of them afterwards."""

    def __init__(self) -> None:
        self.started: list[Member] = []

    def start(self, endpoint: Endpoint) -> Member:
        client = RoomClient(endpoint)
        member = Member(client, asyncio.get_running_loop().create_task(client.run()))
        self.started.append(member)
        return member

    async def host(self, relay_url: str, nick: str, agreements: str) -> Member:
        member = self.start(Endpoint.host(relay_url, nick, agreements))
        await member.expect(ev.Entered)
        return member

    async def knock(self, invite: str, nick: str) -> Member:
        """Knocks on the room, having agreed to its agreements; someone must admit them."""
        member = self.start(Endpoint.joining(invite, nick))
        await member.expect(ev.AgreementsOffered)
        member.send(cmd.Agree())
        await member.expect(ev.Waiting)
        return member

    async def close(self) -> None:
        for member in self.started:
            member.task.cancel()
        for member in self.started:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await member.task
