"""Three relays behind the documented nginx: rooms spread, stay whole, move alone, and stay moved.

Every connection goes through nginx (docs/deploy/nginx.conf, TLS aside), which
hashes the room id onto three relay processes. Sixty rooms of wire-level members
show the spread and that a room's members all land on one process; one room of
real clients shows what a person sees when the relay holding their room is
killed: they reconnect through nginx, the room opens again on another process
with nobody added, and everyone reads the same room code. The other rooms carry
on as if nothing happened. A killed relay brought back would split its moved
rooms; marked down as the file says, it leaves them where they are.
"""

from __future__ import annotations

import asyncio
import signal
import urllib.request
from collections.abc import Callable

import pytest
from websockets.protocol import State

from bench import nginx
from protocol import commands as cmd
from protocol import events as ev
from protocol import wire
from protocol.events import Note
from tests.conftest import RelayProcess
from tests.e2e.conftest import Person, Room
from tests.relay.relay_peers import Peer, join, new_room_id

pytestmark = pytest.mark.skipif(not nginx.available(), reason="nginx is not installed")

ROOMS = 60
BACK = 45.0  # as after a relay restart: long enough for the room to open again
StartRelay = Callable[..., RelayProcess]


def health(relay: RelayProcess) -> dict[str, int]:
    body = urllib.request.urlopen(f"http://127.0.0.1:{relay.port}/healthz", timeout=5).read()
    return {k: int(v) for k, v in (line.split() for line in body.decode().splitlines()[1:])}


async def open_wire_room(base: str, room_id: str) -> list[Peer]:
    """Three members through nginx; each welcome lists the ones before it, so one process."""
    members = [await join(f"{base}/v1/rooms/{room_id}") for _ in range(3)]
    assert [m.welcome.peers for m in members] == [(), (1,), (1, 2)]
    return members


async def mark(members: list[Peer], text: bytes) -> int:
    """One message round the room; every member reads up to it. Its seq."""
    await members[-1].pub(text)
    seqs = set()
    for member in members:
        while (msg := await member.next_msg()).d != text:
            pass
        seqs.add(msg.seq)
    (seq,) = seqs
    return seq


async def people_in_one_room(people: tuple[Person, ...], nicks: list[str]) -> set[str]:
    rosters = [
        await p.expect(ev.RosterChanged, lambda r: len(r.seats) == len(nicks), BACK) for p in people
    ]
    assert len({r.epoch for r in rosters}) == 1
    for person in people:
        assert sorted(s.nick for s in person.endpoint.seats) == nicks
    return {p.endpoint.room_code for p in people}


async def test_killing_one_of_three_relays_moves_only_its_rooms(
    start_relay: StartRelay, room: Room
) -> None:
    relays = [start_relay("--behind-proxy", "--per-ip", "1000") for _ in range(3)]
    with nginx.running([r.port for r in relays]) as proxy:
        # A room of real people, through nginx; the relay holding it is the one to kill.
        ana = await room.host(proxy.url, "ana")
        bo = await room.join(ana, "bo")
        cy = await room.join(ana, "cy", admitter=bo)
        people = (ana, bo, cy)
        before = await people_in_one_room(people, ["ana", "bo", "cy"])
        assert len(before) == 1
        epoch = ana.endpoint.epoch
        (doomed,) = [r for r in relays if health(r)["connections"] == 3]

        wire_rooms = {new_room_id(): [] for _ in range(ROOMS)}
        for room_id in wire_rooms:
            wire_rooms[room_id] = await open_wire_room(proxy.url, room_id)
        marks = {room_id: await mark(m, b"settled") for room_id, m in wire_rooms.items()}
        counts = [health(r)["rooms"] for r in relays]
        assert sum(counts) == ROOMS + 1 and all(counts), counts  # spread over all three
        moving = counts[relays.index(doomed)] - 1  # its wire rooms, beside the people's

        doomed.stop(signal.SIGKILL)

        # Exactly the doomed relay's rooms lose their members, whole rooms at a time.
        def closed(room_id: str) -> list[bool]:
            return [m.conn.protocol.state is not State.OPEN for m in wire_rooms[room_id]]

        async with asyncio.timeout(30):
            while sum(all(closed(r)) for r in wire_rooms) < moving:
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # a room that should not have moved gets time to show it did
        moved = [r for r in wire_rooms if all(closed(r))]
        assert len(moved) == moving
        assert not [r for r in wire_rooms if any(closed(r)) and r not in moved]

        # The other rooms carry on: no one left or came, the order goes on from where it was.
        for room_id, members in wire_rooms.items():
            if room_id not in moved:
                await members[0].pub(b"still here")
                for member in members:
                    frame = await member.next()
                    assert isinstance(frame, wire.Msg) and frame.d == b"still here", frame
                    assert frame.seq == marks[room_id] + 1

        # Members of a moved room come back through nginx and find each other on one process.
        for room_id in moved:
            wire_rooms[room_id] = await open_wire_room(proxy.url, room_id)
            assert await mark(wire_rooms[room_id], b"moved") == 4

        # The people's room opens again on another process: the same three, one room code.
        reopened = await ana.expect(ev.Notice, lambda n: n.note is Note.REOPENED, BACK)
        assert reopened is not None
        after = await people_in_one_room(people, ["ana", "bo", "cy"])
        assert len(after) == 1
        assert all(p.endpoint.epoch > epoch for p in people)
        cy.client.send(cmd.Say("on another relay"))
        for person in people:
            said = await person.expect(ev.Said, lambda s: s.text == "on another relay")
            assert said.nick == "cy"

        living = [r for r in relays if r is not doomed]
        assert sum(health(r)["rooms"] for r in living) == ROOMS + 1
        assert all(health(r)["errors"] == 0 for r in living)
        for members in wire_rooms.values():
            for member in members:
                await member.close()
        logs = proxy.logs()
    assert logs.get("access.log", "") == ""
    for text in logs.values():
        assert not [r for r in wire_rooms if r in text]


async def test_a_restored_relay_marked_down_leaves_its_moved_rooms_where_they_are(
    start_relay: StartRelay,
) -> None:
    relays = [start_relay("--behind-proxy", "--per-ip", "1000") for _ in range(3)]
    ports = [r.port for r in relays]
    with nginx.running(ports) as proxy:
        url = f"{proxy.url}/v1/rooms/{new_room_id()}"
        members = [await join(url) for _ in range(2)]
        (doomed,) = [r for r in relays if health(r)["connections"] == 2]
        doomed.stop(signal.SIGKILL)
        async with asyncio.timeout(30):
            while any(m.conn.protocol.state is State.OPEN for m in members):
                await asyncio.sleep(0.05)
        members = [await join(url) for _ in range(2)]  # the room, moved to the next relay
        assert [m.welcome.peers for m in members] == [(), (1,)]

        # The failed relay comes back on its port. Once nginx tries it again, a newcomer
        # to the moved room is sent there and finds no one: the room is in two places.
        restored = start_relay("--behind-proxy", "--per-ip", "1000", "--port", str(doomed.port))
        async with asyncio.timeout(BACK):
            while True:
                newcomer = await join(url)
                await newcomer.close()
                if newcomer.welcome.peers == ():
                    break
                await asyncio.sleep(0.5)
        assert health(restored)["frames"] > 0

        # Marked down, as docs/deploy/nginx.conf says, it gets none of the moved room.
        proxy.reload(ports, down={doomed.port})
        found: tuple[int, ...] = ()
        async with asyncio.timeout(BACK):
            while True:
                newcomer = await join(url)
                found = newcomer.welcome.peers
                await newcomer.close()
                if found:
                    break
                await asyncio.sleep(0.5)
        assert set(found) >= {m.id for m in members}
        for _ in range(5):  # and keeps getting none of it
            newcomer = await join(url)
            assert set(newcomer.welcome.peers) >= {m.id for m in members}
            await newcomer.close()
        for member in members:
            await member.close()
