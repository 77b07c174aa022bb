"""The Porch relay: rooms in RAM, twelve seats each, one total order per room.

The relay is blind by design. It sees a room id (derived from the invite secret,
which it never receives), small peer numbers, frame sizes and timing. It stamps
each room event with the next ``seq`` and its clock, and fans the frame out to
every member, the sender included, with ``fan_out()`` (websockets' ``broadcast()``
with the frame serialized once): encoded once, written synchronously, so no
member's slowness can reorder or stall the room.

Everything that could identify a person stays out of output: the websockets
logger is silenced, asyncio's exception handler is replaced, and the relay
prints one line at start and nothing after. Nothing touches the disk. A room's
state is dropped the moment its last member leaves.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.http11 import Request, Response
from websockets.protocol import State

from protocol import wire
from relay.limits import Limits, TokenBucket

NOT_A_ROOM = "Not a Porch room. Rooms live at /v1/rooms/ROOM_ID.\n"

_SILENT = logging.getLogger("porch.relay.silent")
_SILENT.addHandler(logging.NullHandler())
_SILENT.propagate = False
_SILENT.disabled = True


def silence_logging() -> None:
    """Nothing about rooms, peers or addresses may reach a log."""
    logging.getLogger("websockets").disabled = True
    logging.getLogger("asyncio").disabled = True


@dataclass(slots=True)
class Room:
    members: dict[int, ServerConnection] = field(default_factory=dict)
    seq: int = 0
    next_peer: int = 1


class Relay:
    """Room bookkeeping and the connection handler; the network side lives in ``run``."""

    def __init__(self, limits: Limits | None = None, *, behind_proxy: bool = False) -> None:
        self.limits = limits or Limits()
        # Behind a reverse proxy every connection comes from the proxy's address, so
        # the per-address limit must count the address the proxy forwards instead.
        self.behind_proxy = behind_proxy
        self.rooms: dict[str, Room] = {}
        self.per_ip: dict[str, int] = {}
        self.connections = 0
        self.frames_relayed = 0

    # -- HTTP side -------------------------------------------------------------

    def process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        if request.path == "/healthz":
            body = (
                f"ok\nrooms {len(self.rooms)}\nconnections {self.connections}\n"
                f"frames {self.frames_relayed}\n"
            )
            return conn.respond(HTTPStatus.OK, body)
        if wire.room_id_from_path(request.path) is None:
            return conn.respond(HTTPStatus.NOT_FOUND, NOT_A_ROOM)
        return None

    # -- WebSocket side --------------------------------------------------------

    async def handle(self, conn: ServerConnection) -> None:
        assert conn.request is not None
        room_id = wire.room_id_from_path(conn.request.path)
        assert room_id is not None  # process_request refused every other path
        ip = self._address(conn)
        limits = self.limits
        if self.connections >= limits.max_connections:
            await _refuse(conn, wire.SERVER_FULL, "This relay is full. Try again later.")
            return
        if self.per_ip.get(ip, 0) >= limits.per_ip:
            await _refuse(conn, wire.SERVER_FULL, "Too many connections from your address.")
            return
        room = self.rooms.get(room_id)
        if room is None:
            room = self.rooms[room_id] = Room()
        if len(room.members) >= limits.room_cap:
            await _refuse(conn, wire.ROOM_FULL, f"this room already has {limits.room_cap} people")
            return

        # Admission is synchronous from the cap check to the join broadcast, so
        # two connections can never both take the twelfth seat.
        peer = room.next_peer
        room.next_peer += 1
        others = list(room.members)
        room.members[peer] = conn
        self.connections += 1
        self.per_ip[ip] = self.per_ip.get(ip, 0) + 1
        fan_out((conn,), wire.encode_welcome(peer, others, limits.room_cap))
        self._stamp_and_send(room, wire.encode_join, peer)

        try:
            await self._relay_frames(conn, room, peer)
        except ConnectionClosed:
            pass
        finally:
            self.connections -= 1
            left = self.per_ip[ip] - 1
            if left:
                self.per_ip[ip] = left
            else:
                del self.per_ip[ip]
            self._depart(room_id, room, peer)

    async def _relay_frames(self, conn: ServerConnection, room: Room, peer: int) -> None:
        bucket = TokenBucket(self.limits.rate, self.limits.burst)
        max_payload = self.limits.max_payload
        async for message in conn:
            if isinstance(message, str):
                await _refuse(conn, wire.BAD_FRAME, "Frames must be binary msgpack, not text.")
                return
            if not bucket.take():
                await _refuse(conn, wire.RATE_LIMITED, "Too many frames. Slow down.")
                return
            try:
                pub = wire.decode_client(message, max_payload)
            except wire.WireError as exc:
                await _refuse(conn, exc.code, exc.msg)
                return
            if peer not in room.members:  # evicted as a slow consumer meanwhile
                return
            self._stamp_and_send(room, wire.encode_msg, peer, pub.d)

    def _stamp_and_send(self, room: Room, encode: Callable[..., bytes], *fields: object) -> None:
        """Give the event the room's next seq and the relay's clock, and fan it out."""
        # A reader whose buffer is over the cap is dropped before the send, so it
        # can neither grow without bound nor hold the others back.
        slow = [p for p, c in room.members.items() if c.paused]
        for p in slow:
            self._evict_slow(room, p)
        room.seq += 1
        fan_out(room.members.values(), encode(room.seq, time_ms(), *fields))
        self.frames_relayed += 1
        for p in slow:
            if room.members:
                self._stamp_and_send(room, wire.encode_leave, p)

    def _evict_slow(self, room: Room, peer: int) -> None:
        conn = room.members.pop(peer)
        fan_out((conn,), wire.encode_err(wire.SLOW_CONSUMER, "You fell too far behind the room."))
        asyncio.get_running_loop().create_task(
            conn.close(wire.CLOSE_CODES[wire.SLOW_CONSUMER], wire.SLOW_CONSUMER)
        )

    def _address(self, conn: ServerConnection) -> str:
        if self.behind_proxy and conn.request is not None:
            forwarded = conn.request.headers.get("X-Forwarded-For")
            if forwarded:
                # The proxy appends the address it saw; anything before it is the client's claim.
                return forwarded.rsplit(",", 1)[-1].strip()
        remote = conn.remote_address
        return str(remote[0]) if remote else "?"

    def _depart(self, room_id: str, room: Room, peer: int) -> None:
        if room.members.pop(peer, None) is not None and room.members:
            self._stamp_and_send(room, wire.encode_leave, peer)
        if not room.members and self.rooms.get(room_id) is room:
            del self.rooms[room_id]


def _settle(stop: asyncio.Future[None]) -> None:
    if not stop.done():
        stop.set_result(None)


def fan_out(members: Iterable[ServerConnection], message: bytes) -> None:
    """Send one binary message to every member: ``broadcast()``, serialized once.

    ``broadcast()`` builds and serializes a WebSocket frame per recipient. A
    server frame is unmasked and, with compression off, has no extensions, so
    its bytes are the same for everyone: build them once and write them to each
    transport. Half the relay's CPU per delivery went to that repeated work.
    The rest is ``broadcast()`` as it is: members that are not open, or are in
    the middle of a fragmented send, are skipped, and a failed write is ignored.
    """
    frame = Frame(Opcode.BINARY, message).serialize(mask=False, extensions=[])
    for conn in members:
        if conn.protocol.state is State.OPEN and conn.send_in_progress is None:
            # As in broadcast(), one broken member never stops the room; a bare
            # try is cheaper than contextlib.suppress in this loop.
            try:  # noqa: SIM105
                conn.transport.write(frame)
            except Exception:
                pass


def time_ms() -> int:
    return time.time_ns() // 1_000_000


async def _refuse(conn: ServerConnection, code: str, msg: str) -> None:
    try:
        await conn.send(wire.encode_err(code, msg))
        await conn.close(wire.CLOSE_CODES[code], code)
    except ConnectionClosed:
        pass


async def start(relay: Relay, host: str, port: int) -> Server:
    """Start listening; the caller owns the returned server."""
    silence_logging()
    limits = relay.limits
    return await serve(
        relay.handle,
        host,
        port,
        process_request=relay.process_request,
        compression=None,
        server_header=None,
        max_size=limits.max_payload + 64,
        max_queue=4,
        write_limit=limits.write_buffer,
        ping_interval=limits.ping_interval,
        ping_timeout=limits.ping_interval,
        open_timeout=limits.open_timeout,
        close_timeout=2,
        logger=_SILENT,
    )


def bound_address(server: Server) -> tuple[str, int]:
    sock = next(iter(server.sockets))
    host, port = sock.getsockname()[:2]
    return str(host), int(port)


async def run(
    host: str,
    port: int,
    limits: Limits,
    announce: Callable[[str], None],
    *,
    behind_proxy: bool = False,
) -> None:
    """Serve until SIGINT or SIGTERM, then close every room with 1001."""
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, _context: None)
    relay = Relay(limits, behind_proxy=behind_proxy)
    server = await start(relay, host, port)
    stop = loop.create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, _settle, stop)
    bound_host, bound_port = bound_address(server)
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    announce(f"porch relay listening on ws://{shown}:{bound_port} ({limits.describe()})")
    try:
        await stop
    finally:
        server.close(close_connections=True)
        await server.wait_closed()
