"""A relay embedded in another program keeps to itself: no logger, no loop handler, no
stray task changed or left, and a failure is counted by type at /healthz, never printed."""

from __future__ import annotations

import asyncio
import logging
import urllib.request

from relay_peers import join, new_room_id

from protocol import wire
from relay.ledger import Ledger, Room
from relay.server import Relay, bound_address, start


def health(port: int) -> dict[str, int]:
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
    lines = body.decode().splitlines()
    assert lines[0] == "ok"
    return {k: int(v) for k, v in (line.split() for line in lines[1:])}


class BrokenLedger(Ledger[object]):
    """A ledger with a fault on one payload, to see where the failure goes."""

    def publish(self, room: Room[object], peer: int, d: bytes, now: int):  # type: ignore[override]
        if d == b"boom":
            raise KeyError("a room id that must not be printed")
        return super().publish(room, peer, d, now)


async def test_embedding_changes_no_logger_and_no_loop_handler(capfd) -> None:
    loop = asyncio.get_running_loop()
    before = {
        name: (logging.getLogger(name).disabled, logging.getLogger(name).level)
        for name in ("websockets", "websockets.server", "asyncio", "")
    }
    names = set(logging.root.manager.loggerDict)
    server = await start(Relay(), "127.0.0.1", 0)
    _, port = bound_address(server)
    url = f"ws://127.0.0.1:{port}/v1/rooms/{new_room_id()}"
    ana, bo = await join(url), await join(url)
    await ana.pub(b"hello")
    assert (await bo.next_msg()).d == b"hello"
    await ana.close()
    await bo.close()
    server.close()
    await server.wait_closed()
    after = {
        name: (logging.getLogger(name).disabled, logging.getLogger(name).level) for name in before
    }
    assert after == before
    assert loop.get_exception_handler() is None
    assert not {n for n in logging.root.manager.loggerDict if n.startswith("porch")} - names
    out, err = capfd.readouterr()
    assert out == err == ""


async def test_a_failure_is_counted_by_type_and_the_relay_goes_on(capfd) -> None:
    relay = Relay()
    relay.ledger = BrokenLedger()  # type: ignore[assignment]
    server = await start(relay, "127.0.0.1", 0)
    _, port = bound_address(server)
    room = new_room_id()
    url = f"ws://127.0.0.1:{port}/v1/rooms/{room}"
    ana, bo = await join(url), await join(url)
    await ana.pub(b"boom")
    left = await bo.next(5)
    while isinstance(left, wire.Join):
        left = await bo.next(5)
    assert isinstance(left, wire.Leave) and left.peer == ana.id
    counts = await asyncio.to_thread(health, port)
    assert counts["errors"] == 1 and counts["errors.KeyError"] == 1
    # The room goes on for those still in it.
    await bo.pub(b"still here")
    assert (await bo.next_msg()).d == b"still here"
    body = await asyncio.to_thread(
        lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
    )
    assert room.encode() not in body and b"must not" not in body
    await bo.close()
    server.close()
    await server.wait_closed()
    assert not relay.tasks
    out, err = capfd.readouterr()
    assert "must not" not in out + err and room not in out + err
