"""The contract relay/fanout.py takes from websockets internals, pinned on the installed release.

If an upgrade of websockets breaks one of these, the outbox must fall back to
``broadcast()`` for that release (see ``TESTED_MAJORS``) until it is fixed.
"""

from __future__ import annotations

import asyncio
import tomllib
import urllib.request
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from relay_peers import join, new_room_id, raw_handshake
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.server import ServerProtocol
from websockets.version import version

from protocol import wire
from relay.fanout import TESTED_MAJORS, Outbox, RelayConnection, frame, reaches_internals


class Pair:
    """One real websockets server connection on 127.0.0.1 and the client at its other end."""

    def __init__(self) -> None:
        self.server: ServerConnection | None = None
        self.client: ClientConnection | None = None
        self.release = asyncio.Event()

    async def handler(self, conn: ServerConnection) -> None:
        self.server = conn
        await self.release.wait()


@pytest.fixture
async def pair() -> AsyncIterator[Pair]:
    holder = Pair()
    async with serve(
        holder.handler, "127.0.0.1", 0, compression=None, create_connection=RelayConnection
    ) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        async with connect(f"ws://127.0.0.1:{port}", compression=None) as client:
            holder.client = client
            for _ in range(200):
                if holder.server is not None:
                    break
                await asyncio.sleep(0.01)
            yield holder
            holder.release.set()


def test_the_installed_websockets_is_one_the_outbox_was_tested_with() -> None:
    assert reaches_internals(version), f"websockets {version}: check relay/fanout.py"
    assert not reaches_internals("18.0") and not reaches_internals("15.0")


def test_porch_asks_for_no_websockets_the_outbox_was_not_tested_with() -> None:
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    wanted = [d for d in pyproject["project"]["dependencies"] if d.startswith("websockets")]
    assert wanted == [f"websockets>={min(TESTED_MAJORS)}.0,<{max(TESTED_MAJORS) + 1}"]


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_a_frame_built_once_is_what_websockets_writes_itself(size: int) -> None:
    message = bytes(range(256)) * (size // 256) + bytes(size % 256)
    protocol = ServerProtocol()
    protocol.state = State.OPEN
    protocol.send_binary(message)
    (written,) = protocol.data_to_send()
    assert frame(message) == written
    assert Frame(Opcode.BINARY, message).serialize(mask=False, extensions=[]) == written


async def test_a_server_connection_has_what_the_outbox_reads(pair: Pair) -> None:
    conn = pair.server
    assert isinstance(conn, RelayConnection)
    assert isinstance(conn.transport, asyncio.Transport)
    assert conn.protocol.state is State.OPEN
    assert conn.send_in_progress is None
    assert conn.paused is False


async def test_whole_binary_messages_are_taken_as_read_and_the_rest_keeps_its_order(
    pair: Pair,
) -> None:
    conn, client = pair.server, pair.client
    assert isinstance(conn, RelayConnection) and client is not None
    taken: list[bytes] = []
    conn.attach(taken.append, set())
    await client.send(b"one")
    await client.send(b"two")
    await client.ping()  # control frames stay websockets' own
    for _ in range(200):
        if len(taken) == 2:
            break
        await asyncio.sleep(0.01)
    assert taken == [b"one", b"two"]
    # A fragmented message goes through websockets' queue, and so does all that follows it.
    await client.send([b"thr", b"ee"])
    await client.send(b"four")
    await client.send("five")
    assert [await asyncio.wait_for(conn.recv(), 5) for _ in range(3)] == [b"three", b"four", "five"]
    assert taken == [b"one", b"two"]
    conn.attach(taken.append, set())
    await client.send("a text message")
    await client.send(b"six")
    assert [await asyncio.wait_for(conn.recv(), 5) for _ in range(2)] == ["a text message", b"six"]
    assert taken == [b"one", b"two"]


async def test_a_reader_over_its_write_buffer_is_stalled_until_it_drains(pair: Pair) -> None:
    conn, client = pair.server, pair.client
    assert isinstance(conn, RelayConnection) and client is not None
    stalled: set[ServerConnection] = set()
    conn.attach(lambda _: None, stalled)
    conn.transport.set_write_buffer_limits(high=1024)
    outbox = Outbox(Counter())
    chunk = bytes(60_000)
    for _ in range(200):  # the client reads nothing meanwhile
        if conn in stalled:
            break
        outbox.send((conn,), chunk)
        outbox.flush()
        await asyncio.sleep(0)
    assert conn.paused and stalled == {conn}
    while conn.paused:
        await asyncio.wait_for(client.recv(), 5)
    assert stalled == set()


async def test_frames_of_one_turn_reach_the_peer_in_order_in_one_write(pair: Pair) -> None:
    assert pair.server is not None and pair.client is not None
    outbox = Outbox(Counter())
    for n in range(3):
        outbox.send((pair.server,), f"frame {n}".encode())
    assert outbox.writes == 0  # nothing leaves before the end of the turn
    got = [await asyncio.wait_for(pair.client.recv(), 5) for _ in range(3)]
    assert got == [b"frame 0", b"frame 1", b"frame 2"]
    assert (outbox.deliveries, outbox.writes) == (3, 1)


async def test_nothing_is_interleaved_into_a_fragmented_send(pair: Pair) -> None:
    conn, client = pair.server, pair.client
    assert conn is not None and client is not None
    gate = asyncio.Event()

    async def fragments() -> AsyncIterator[bytes]:
        yield b"first half "
        await gate.wait()
        yield b"second half"

    sending = asyncio.create_task(conn.send(fragments()))
    for _ in range(100):
        if conn.send_in_progress is not None:
            break
        await asyncio.sleep(0.01)
    assert conn.send_in_progress is not None
    outbox = Outbox(Counter())
    outbox.send((conn,), b"skipped")
    outbox.flush()
    gate.set()
    await sending
    assert await asyncio.wait_for(client.recv(), 5) == b"first half second half"
    outbox.send((conn,), b"after")
    assert await asyncio.wait_for(client.recv(), 5) == b"after"


async def test_the_broadcast_fallback_delivers_the_same(pair: Pair) -> None:
    assert pair.server is not None and pair.client is not None
    outbox = Outbox(Counter(), fast=False)
    for n in range(3):
        outbox.send((pair.server,), f"frame {n}".encode())
    got = [await asyncio.wait_for(pair.client.recv(), 5) for _ in range(3)]
    assert got == [b"frame 0", b"frame 1", b"frame 2"]


async def test_a_closed_member_is_skipped_and_the_others_still_get_theirs(pair: Pair) -> None:
    conn = pair.server
    assert conn is not None and pair.client is not None
    await pair.client.close()
    for _ in range(100):
        if conn.protocol.state is not State.OPEN:
            break
        await asyncio.sleep(0.01)
    failures: Counter[str] = Counter()
    outbox = Outbox(failures)
    outbox.send((conn,), b"too late")
    outbox.flush()
    assert outbox.writes == 0 and not failures


def relay_counts(port: int) -> dict[str, int]:
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
    return {k: int(v) for k, v in (line.split() for line in body.decode().splitlines()[1:])}


def masked(payload: bytes) -> bytes:
    """A client's binary frame, masked with a zero key (valid, and readable in a test)."""
    assert len(payload) < 126
    return bytes((0x82, 0x80 | len(payload))) + bytes(4) + payload


async def test_a_burst_reaches_everyone_in_order_in_fewer_writes_than_deliveries(relay) -> None:
    url = relay.room_url(new_room_id())
    bo = await join(url)
    burst = await asyncio.to_thread(raw_handshake, url, 1 << 16)
    assert isinstance(await bo.next(), wire.Join)  # the burster's arrival
    before = await asyncio.to_thread(relay_counts, relay.port)
    # Twenty frames in one write: the relay reads them in one go and fans them out in one turn.
    await asyncio.to_thread(
        burst.sendall, b"".join(masked(wire.encode_pub(b"n%d" % n)) for n in range(20))
    )
    got = [(await bo.next_msg()).d for _ in range(20)]
    assert got == [b"n%d" % n for n in range(20)]
    after = await asyncio.to_thread(relay_counts, relay.port)
    deliveries = after["deliveries"] - before["deliveries"]
    writes = after["writes"] - before["writes"]
    assert deliveries == 40  # twenty frames, two members each
    assert writes < deliveries
    burst.close()
    await bo.close()
