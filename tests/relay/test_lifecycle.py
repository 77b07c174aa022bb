"""Slow readers, silent peers, shutdown and restart, and a relay that keeps nothing."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import tempfile
from pathlib import Path

import pytest
from relay_peers import closed_with, join, new_room_id, raw_handshake
from websockets.exceptions import ConnectionClosed

from protocol import wire


async def test_a_reader_that_stops_reading_is_closed_while_the_room_flows(start_relay):
    relay = start_relay("--write-buffer", "65536", "--rate", "1000", "--burst", "1000")
    url = relay.room_url(new_room_id())
    ana, bo = await join(url), await join(url)
    stalled = await asyncio.to_thread(raw_handshake, url)  # never reads again
    assert isinstance(await bo.next(), wire.Join)  # bo's own join
    chunk = os.urandom(60_000)
    sent, seen_leave = 0, None
    # Enough to fill the kernel buffers on both sides and then the relay's cap.
    async with asyncio.timeout(60):
        while seen_leave is None and sent < 600:
            await ana.pub(chunk)
            sent += 1
            while True:
                frame = await bo.next()
                if isinstance(frame, wire.Leave):
                    seen_leave = frame
                elif isinstance(frame, wire.Msg) and frame.sender == ana.id:
                    break
    assert seen_leave is not None, "the stalled reader was never closed"
    assert seen_leave.peer not in (ana.id, bo.id)
    # The room goes on at full speed after the eviction.
    for n in range(20):
        await bo.pub(f"after {n}".encode())
    got: list[bytes] = []
    async with asyncio.timeout(30):
        while len(got) < 20:
            m = await ana.next_msg()
            if m.sender == bo.id:
                got.append(m.d)
    assert got == [f"after {n}".encode() for n in range(20)]
    stalled.close()
    await ana.close()
    await bo.close()


async def test_a_silent_peer_is_dropped_by_the_ping(start_relay):
    relay = start_relay("--ping-interval", "0.3")
    url = relay.room_url(new_room_id())
    watcher = await join(url)
    assert isinstance(await watcher.next(), wire.Join)
    silent = await asyncio.to_thread(raw_handshake, url, 1 << 16)
    joined = await watcher.next()
    assert isinstance(joined, wire.Join)
    # The silent peer answers no ping; within a few intervals the room sees it leave.
    left = await watcher.next(timeout=10)
    assert isinstance(left, wire.Leave) and left.peer == joined.peer
    silent.close()
    # The watcher, which answers pings, is still there.
    await watcher.pub(b"still here")
    assert (await watcher.next_msg()).d == b"still here"
    await watcher.close()


async def test_sigterm_closes_every_room_with_1001_and_exits_0(relay):
    peers = [await join(relay.room_url(new_room_id())) for _ in range(3)]
    waits = [asyncio.create_task(closed_with(p.conn, timeout=10)) for p in peers]
    await asyncio.sleep(0.1)
    code = await asyncio.to_thread(relay.stop, signal.SIGTERM)
    assert code == 0
    assert await asyncio.gather(*waits) == [1001, 1001, 1001]


async def test_ctrl_c_also_exits_cleanly(relay):
    peer = await join(relay.room_url(new_room_id()))
    assert await asyncio.to_thread(relay.stop, signal.SIGINT) == 0
    assert await closed_with(peer.conn) == 1001


async def test_a_restart_is_seen_as_a_close_and_the_new_relay_serves(start_relay):
    first = start_relay()
    room = new_room_id()
    peer = await join(first.room_url(room))
    assert await asyncio.to_thread(first.stop, signal.SIGKILL) == -signal.SIGKILL
    with pytest.raises(ConnectionClosed):
        async with asyncio.timeout(10):
            while True:
                await peer.conn.recv()
    # A fresh relay: nothing of the old room survived.
    second = start_relay()
    again = await join(second.room_url(room))
    assert again.id == 1 and again.welcome.peers == ()
    await again.close()


CANARY_TEXT = b"canary-payload-7f3e9d"


async def _session(relay) -> str:
    room = new_room_id()
    url = relay.room_url(room)
    a, b = await join(url), await join(url)
    for n in range(20):
        await a.pub(CANARY_TEXT + str(n).encode())
    for _ in range(20):
        assert CANARY_TEXT in (await b.next_msg()).d
    await a.conn.send("text frame " + CANARY_TEXT.decode())
    await closed_with(a.conn)
    await b.close()
    return room


async def test_the_relay_prints_nothing_about_rooms_and_writes_no_file(relay):
    room = await _session(relay)
    assert await asyncio.to_thread(relay.stop) == 0
    output = bytes(relay.output).decode(errors="replace")
    lines = output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("porch relay listening on ws://127.0.0.1:")
    for secret in (room, CANARY_TEXT.decode(), "canary"):
        assert secret not in output
    # The start line names the relay's own address only, no peer's port.
    assert re.fullmatch(r"porch relay listening on ws://127\.0\.0\.1:\d+ \(.*\)", lines[0])
    assert relay.written_files() == ["cwd", "home", "tmp"]


WRITE_FLAGS = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND")
MUTATING = re.compile(
    r"\b(mkdir|mkdirat|rename|renameat2?|unlink|unlinkat|rmdir|truncate|link|"
    r"symlink|creat)\("
)


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
async def test_strace_sees_no_file_written(start_relay):
    with tempfile.TemporaryDirectory(prefix="porch-strace-") as out:
        trace = Path(out) / "trace"
        relay = start_relay(prefix=["strace", "-f", "-qq", "-e", "trace=%file", "-o", str(trace)])
        await _session(relay)
        # Signal the traced relay itself; strace then exits with the relay's status.
        children = Path(f"/proc/{relay.proc.pid}/task/{relay.proc.pid}/children").read_text()
        os.kill(int(children.split()[0]), signal.SIGTERM)
        assert await asyncio.to_thread(relay.proc.wait, 20) == 0
        calls = trace.read_text().splitlines()
    assert any("openat(" in c for c in calls), "strace recorded nothing: the check is blind"
    suspicious = [
        c
        for c in calls
        if (WRITE_FLAGS.search(c) or MUTATING.search(c))
        and not re.search(r'"/dev/(null|tty|urandom|random)"', c)
        and "= -1 " not in c
    ]
    assert suspicious == []
