"""A thin test peer that speaks wire v1 to a real relay, for the relay's own tests."""

from __future__ import annotations

import asyncio
import os
import socket
from dataclasses import dataclass

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from protocol import wire


def new_room_id() -> str:
    return os.urandom(16).hex()


@dataclass
class Peer:
    conn: ClientConnection
    welcome: wire.Welcome

    @property
    def id(self) -> int:
        return self.welcome.you

    async def pub(self, d: bytes) -> None:
        await self.conn.send(wire.encode_pub(d))

    async def next(self, timeout: float = 5.0) -> wire.ServerFrame:
        return wire.decode_server(await asyncio.wait_for(self.conn.recv(), timeout))

    async def next_msg(self, timeout: float = 5.0) -> wire.Msg:
        """The next msg frame, skipping join and leave events."""
        while True:
            frame = await self.next(timeout)
            if isinstance(frame, wire.Msg):
                return frame

    async def close(self) -> None:
        await self.conn.close()


async def join(url: str) -> Peer:
    conn = await connect(url, compression=None, max_size=None, max_queue=None, open_timeout=5)
    frame = wire.decode_server(await asyncio.wait_for(conn.recv(), 5))
    if not isinstance(frame, wire.Welcome):
        await conn.close()
        raise AssertionError(f"expected welcome, got {frame!r}")
    return Peer(conn, frame)


async def refused(url: str) -> tuple[wire.Err, int | None]:
    """Connect expecting an err frame and a close; returns both."""
    conn = await connect(url, compression=None, open_timeout=5)
    frame = wire.decode_server(await asyncio.wait_for(conn.recv(), 5))
    assert isinstance(frame, wire.Err), frame
    code = await closed_with(conn)
    return frame, code


async def closed_with(conn: ClientConnection, timeout: float = 5.0) -> int | None:
    """Wait for the relay to close ``conn`` (discarding frames) and return the close code."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                await conn.recv()
    except ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd else None


async def send_then_err(url: str, payload: bytes | str) -> tuple[wire.Err, int | None]:
    """Join a room, send one raw frame, and return the err frame and close code it earns."""
    peer = await join(url)
    await peer.conn.send(payload)
    while True:
        frame = await peer.next()
        if isinstance(frame, wire.Err):
            return frame, await closed_with(peer.conn)


def raw_handshake(url: str, rcvbuf: int = 4096) -> socket.socket:
    """Open a WebSocket by hand on a socket with a tiny receive buffer, then never read."""
    host_port, path = url.removeprefix("ws://").split("/", 1)
    host, port = host_port.rsplit(":", 1)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(5)
    sock.connect((host, int(port)))
    sock.sendall(
        (
            f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        assert chunk, "relay closed during the handshake"
        head += chunk
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock
