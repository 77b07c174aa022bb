"""Rooms: the cap of twelve, one total order, isolation, and nothing left behind."""

from __future__ import annotations

import asyncio
import urllib.request

from relay_peers import Peer, closed_with, join, new_room_id
from websockets.asyncio.client import connect

from protocol import wire


def healthz(relay) -> dict[str, int]:
    body = urllib.request.urlopen(f"http://127.0.0.1:{relay.port}/healthz", timeout=5).read()
    lines = body.decode().splitlines()
    assert lines[0] == "ok"
    return {k: int(v) for k, v in (line.split() for line in lines[1:])}


async def test_twenty_at_once_twelve_welcomed_eight_refused(relay):
    url = relay.room_url(new_room_id())

    async def one() -> object:
        conn = await connect(url, compression=None, open_timeout=5)
        frame = wire.decode_server(await asyncio.wait_for(conn.recv(), 5))
        if isinstance(frame, wire.Welcome):
            return Peer(conn, frame)
        return frame, await closed_with(conn)

    results = await asyncio.gather(*(one() for _ in range(20)))
    welcomed = [r for r in results if isinstance(r, Peer)]
    refusals = [r for r in results if not isinstance(r, Peer)]
    assert len(welcomed) == 12
    assert len(refusals) == 8
    for err, code in refusals:
        assert err.code == "room_full"
        assert err.msg == "this room already has 12 people"
        assert code == 4001
    assert sorted(p.id for p in welcomed) == list(range(1, 13))
    assert all(p.welcome.cap == 12 for p in welcomed)
    for p in welcomed:
        await p.close()


async def test_twelve_publishing_at_once_see_one_order(relay):
    url = relay.room_url(new_room_id())
    peers = [await join(url) for _ in range(12)]
    per_peer = 15
    # Everyone drains the joins first, so the order we compare is the messages'.
    for i, p in enumerate(peers):
        for _ in range(12 - i):
            assert isinstance(await p.next(), wire.Join)

    async def publish(p: Peer) -> None:
        for n in range(per_peer):
            await p.pub(f"{p.id}:{n}".encode())

    async def collect(p: Peer) -> list[tuple[int, int, bytes]]:
        seen = []
        for _ in range(12 * per_peer):
            m = await p.next_msg()
            seen.append((m.seq, m.sender, m.d))
        return seen

    collectors = [asyncio.create_task(collect(p)) for p in peers]
    await asyncio.gather(*(publish(p) for p in peers))
    views = await asyncio.gather(*collectors)

    first = views[0]
    assert all(view == first for view in views), "members saw different orders"
    seqs = [seq for seq, _, _ in first]
    assert seqs == list(range(seqs[0], seqs[0] + 12 * per_peer)), "seq must rise by one"
    # Every sender saw its own messages, in the order it sent them.
    for p in peers:
        own = [d for _, sender, d in first if sender == p.id]
        assert own == [f"{p.id}:{n}".encode() for n in range(per_peer)]
    for p in peers:
        await p.close()


async def test_welcome_join_and_leave_events(relay):
    url = relay.room_url(new_room_id())
    ana = await join(url)
    assert ana.welcome.peers == ()
    own_join = await ana.next()
    assert isinstance(own_join, wire.Join) and own_join.peer == ana.id

    bo = await join(url)
    assert bo.welcome.peers == (ana.id,)
    seen_by_ana = await ana.next()
    seen_by_bo = await bo.next()
    assert seen_by_ana == seen_by_bo
    assert isinstance(seen_by_ana, wire.Join)
    assert seen_by_ana.peer == bo.id and seen_by_ana.seq == own_join.seq + 1

    await bo.close()
    leave = await ana.next()
    assert isinstance(leave, wire.Leave) and leave.peer == bo.id
    assert leave.seq == seen_by_ana.seq + 1
    # A peer number is never reused within the room's lifetime.
    cy = await join(url)
    assert cy.id not in (ana.id, bo.id)
    await cy.close()
    await ana.close()


async def test_rooms_are_isolated(relay):
    room_a, room_b = new_room_id(), new_room_id()
    a1, a2 = await join(relay.room_url(room_a)), await join(relay.room_url(room_a))
    b1 = await join(relay.room_url(room_b))
    await a1.pub(b"for room a only")
    assert (await a2.next_msg()).d == b"for room a only"
    await b1.pub(b"for room b only")
    assert (await b1.next_msg()).d == b"for room b only"
    # Room b's member saw only its own join and its own message: nothing from room a.
    assert b1.welcome.peers == ()
    await a2.pub(b"second")
    assert (await a1.next_msg()).d == b"for room a only"
    assert (await a1.next_msg()).d == b"second"
    with_timeout = asyncio.wait_for(b1.conn.recv(), 0.5)
    try:
        stray = await with_timeout
    except TimeoutError:
        stray = None
    assert stray is None, f"room b received {stray!r}"
    for p in (a1, a2, b1):
        await p.close()


async def test_room_state_is_freed_when_the_last_member_leaves(relay):
    room = new_room_id()
    first = [await join(relay.room_url(room)) for _ in range(3)]
    await first[0].pub(b"x")
    assert healthz(relay)["rooms"] == 1
    assert healthz(relay)["connections"] == 3
    for p in first:
        await p.close()
    for _ in range(100):
        if healthz(relay)["rooms"] == 0:
            break
        await asyncio.sleep(0.05)
    health = healthz(relay)
    assert (health["rooms"], health["connections"], health["errors"]) == (0, 0, 0)
    # A new room under the same id starts afresh: peer numbers and seq from the start.
    again = await join(relay.room_url(room))
    assert again.id == 1 and again.welcome.peers == ()
    own = await again.next()
    assert isinstance(own, wire.Join) and own.seq == 1
    await again.close()
