"""The Porch relay: rooms in RAM, twelve seats each, one total order per room.

The relay is blind by design. It sees a room id (derived from the invite secret,
which it never receives), small peer numbers, frame sizes and timing. The room
ledger (relay/ledger.py) stamps each room event with the next ``seq`` and the
relay's clock; the outbox (relay/fanout.py) writes the frame, encoded once, to
every member, the sender included, with no per-recipient await, so no member's
slowness can reorder or stall the room.

Everything that could identify a person stays out of output: websockets is
handed a logger of its own that is off, and the relay prints one line at start
and nothing after. Failures are counted by type and shown, as counts only, at
``/healthz``. As a process (``porch relay``) it also turns off the websockets
and asyncio loggers and the loop's exception handler; embedded in a client, it
changes nothing process-wide. Nothing touches the disk. A room's state is
dropped the moment its last member leaves.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from protocol import wire
from relay.fanout import Outbox, RelayConnection
from relay.ledger import Ledger, Refused, Room, Send
from relay.limits import Limits, TokenBucket

NOT_A_ROOM = "Not a Porch room. Rooms live at /v1/rooms/ROOM_ID.\n"

# A logger outside logging's registry: handing it to websockets changes nothing
# for anyone else in the process, and it writes nowhere.
_SILENT = logging.Logger("porch.relay.silent")
_SILENT.addHandler(logging.NullHandler())
_SILENT.propagate = False
_SILENT.disabled = True


def silence_logging() -> None:
    """For a relay process of its own: nothing about rooms, peers or addresses reaches a log."""
    logging.getLogger("websockets").disabled = True
    logging.getLogger("asyncio").disabled = True


class Relay:
    """The connection handler over the ledger; the network side lives in ``start`` and ``run``."""

    def __init__(
        self, limits: Limits | None = None, *, behind_proxy: bool = False, coalesce: bool = True
    ) -> None:
        self.limits = limits or Limits()
        # Behind a reverse proxy every connection comes from the proxy's address, so
        # the per-address limit must count the address the proxy forwards instead.
        self.behind_proxy = behind_proxy
        self.ledger: Ledger[ServerConnection] = Ledger(self.limits.room_cap)
        self.per_ip: dict[str, int] = {}
        self.connections = 0
        self.frames_relayed = 0
        self.failures: Counter[str] = Counter()  # exceptions by type, never their text
        self.outbox = Outbox(self.failures, coalesce=coalesce)
        self.tasks: set[asyncio.Task[None]] = set()  # closes in flight, held until done

    @property
    def rooms(self) -> dict[str, Room[ServerConnection]]:
        return self.ledger.rooms

    # -- HTTP side -------------------------------------------------------------

    def process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        if request.path == "/healthz":
            return conn.respond(HTTPStatus.OK, self.health())
        if wire.room_id_from_path(request.path) is None:
            return conn.respond(HTTPStatus.NOT_FOUND, NOT_A_ROOM)
        return None

    def health(self) -> str:
        """Aggregate counters, one ``name N`` a line: never a room id, an address or a message."""
        outbox = self.outbox
        lines = [
            "ok",
            f"rooms {len(self.ledger.rooms)}",
            f"connections {self.connections}",
            f"frames {self.frames_relayed}",
            f"deliveries {outbox.deliveries}",
            f"writes {outbox.writes}",
            f"uvloop {int(loop_name() == 'uvloop')}",
            f"errors {sum(self.failures.values())}",
        ]
        lines += [f"errors.{name} {count}" for name, count in sorted(self.failures.items())]
        return "\n".join(lines) + "\n"

    def count_failure(self, exc: BaseException) -> None:
        self.failures[type(exc).__name__] += 1

    def loop_exception(self, _loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """The loop's exception handler for a relay process: count, never print."""
        exc = context.get("exception")
        if isinstance(exc, BaseException):
            self.count_failure(exc)
        else:
            self.failures["LoopError"] += 1

    # -- WebSocket side --------------------------------------------------------

    async def handle(self, conn: ServerConnection) -> None:
        try:
            await self._serve(conn)
        except ConnectionClosed:
            pass
        except Exception as exc:  # counted, never logged: it could carry a room id
            self.count_failure(exc)

    async def _serve(self, conn: ServerConnection) -> None:
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
        # Admission is synchronous from the cap check to the join, so two
        # connections can never both take the twelfth seat.
        admitted = self.ledger.admit(room_id, conn, time_ms())
        if isinstance(admitted, Refused):
            await _refuse(conn, admitted.code, admitted.msg)
            return
        room, peer = admitted.room, admitted.peer
        self.connections += 1
        self.per_ip[ip] = self.per_ip.get(ip, 0) + 1
        self._send(admitted.welcome)
        self._fan_out(room, admitted.join)
        try:
            await self._relay_frames(conn, room, peer)
        finally:
            self.connections -= 1
            left = self.per_ip[ip] - 1
            if left:
                self.per_ip[ip] = left
            else:
                del self.per_ip[ip]
            self._fan_out(room, self.ledger.depart(room, peer, time_ms()))

    async def _relay_frames(
        self, conn: ServerConnection, room: Room[ServerConnection], peer: int
    ) -> None:
        member = Member(self, conn, room, peer)
        if isinstance(conn, RelayConnection):
            # Whole binary messages are taken as they are read, in the loop turn that
            # read them; only a text or fragmented one reaches the loop below.
            conn.attach(member.take, self.outbox.stalled)
        async for message in conn:
            member.take(message)
            if member.refusal is not None:
                break
        if member.refusal is not None:
            await member.refusal  # the err and its close code go out before anything else

    def _send(self, send: Send[ServerConnection]) -> None:
        self.outbox.send(send.to, send.frame)

    def _fan_out(self, room: Room[ServerConnection], send: Send[ServerConnection] | None) -> None:
        """A join or leave for the room, then drop readers that fell behind.

        The event is stamped already, so it goes first: a leave stamped by an
        eviction must follow it, never overtake it.
        """
        if send is not None:
            self.frames_relayed += 1
            self.outbox.send(send.to, send.frame)
            self.evict_slow(room)

    def evict_slow(self, room: Room[ServerConnection]) -> None:
        """Close every member whose write buffer is over the cap; the room hears them leave.

        A reader over the cap is dropped before the next send, so it can neither
        grow without bound nor hold the others back.
        """
        if self.outbox.fast and not self.outbox.stalled:
            return  # nobody anywhere is over the cap: the common case, checked in O(1)
        slow = [(p, c) for p, c in room.members.items() if c.paused]
        for peer, conn in slow:
            self.outbox.flush_to(conn)
            leave = self.ledger.depart(room, peer, time_ms())
            self.outbox.send((conn,), wire.encode_err(wire.SLOW_CONSUMER, SLOW_MSG))
            self.outbox.flush_to(conn)
            self._spawn(conn.close(wire.CLOSE_CODES[wire.SLOW_CONSUMER], wire.SLOW_CONSUMER))
            if leave is not None:
                self.frames_relayed += 1
                self.outbox.send(leave.to, leave.frame)

    async def refuse_member(self, conn: ServerConnection, code: str, msg: str) -> None:
        self.outbox.flush_to(conn)  # what the room sent it so far goes before the err
        await _refuse(conn, code, msg)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self.hold(asyncio.get_running_loop().create_task(work))

    def hold(self, task: asyncio.Task[None]) -> None:
        self.tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            self.count_failure(exc)

    def _address(self, conn: ServerConnection) -> str:
        if self.behind_proxy and conn.request is not None:
            forwarded = conn.request.headers.get("X-Forwarded-For")
            if forwarded:
                # The proxy appends the address it saw; anything before it is the client's claim.
                return forwarded.rsplit(",", 1)[-1].strip()
        remote = conn.remote_address
        return str(remote[0]) if remote else "?"


class Member:
    """One member's frames on their way in: the rate limit, the strict decode, the room's next seq.

    ``take`` runs for each message, either straight from the connection as it is
    read or from the relay's ``async for``; it never waits. A refusal closes the
    connection with its error code, and nothing this member sends after it counts.
    """

    __slots__ = ("bucket", "conn", "peer", "refusal", "relay", "room")

    def __init__(
        self, relay: Relay, conn: ServerConnection, room: Room[ServerConnection], peer: int
    ) -> None:
        self.relay = relay
        self.conn = conn
        self.room = room
        self.peer = peer
        self.bucket = TokenBucket(relay.limits.rate, relay.limits.burst)
        self.refusal: asyncio.Task[None] | None = None

    def take(self, message: bytes | str) -> None:
        if self.refusal is not None:
            return
        relay = self.relay
        try:
            if isinstance(message, str):
                self._refuse(wire.BAD_FRAME, TEXT_FRAME)
            elif not self.bucket.take():
                self._refuse(wire.RATE_LIMITED, "Too many frames. Slow down.")
            else:
                try:
                    d = payload(message, relay.limits.max_payload)
                except wire.WireError as exc:
                    self._refuse(exc.code, exc.msg)
                    return
                room = self.room
                relay.evict_slow(room)
                send = relay.ledger.publish(room, self.peer, d, time_ms())
                if send is not None:  # else evicted as a slow consumer meanwhile
                    relay.frames_relayed += 1
                    relay.outbox.send(send.to, send.frame)
        except Exception as exc:  # counted, never logged: it could carry a room id
            relay.count_failure(exc)
            self._end(self.conn.close())  # this member's state is in doubt; the room goes on

    def _refuse(self, code: str, msg: str) -> None:
        self._end(self.relay.refuse_member(self.conn, code, msg))

    def _end(self, work: Coroutine[Any, Any, None]) -> None:
        if isinstance(self.conn, RelayConnection):
            self.conn.detach()
        self.refusal = asyncio.get_running_loop().create_task(work)
        self.relay.hold(self.refusal)


PUB_HEAD = b"\x82\xa1t\xa3pub\xa1d"  # {"t": "pub", "d": ... as clients pack it
BIN_WIDTHS = {b"\xc4": 1, b"\xc5": 2, b"\xc6": 4}


def payload(message: bytes, max_payload: int) -> bytes:
    """The ``d`` of a pub frame, strictly decoded.

    A frame in the usual layout (the map's keys in the order t, d; the payload
    as msgpack bin) is read by slicing, which accepts exactly what the strict
    decoder accepts for that layout; any other frame goes to the decoder.
    """
    if message.startswith(PUB_HEAD):
        width = BIN_WIDTHS.get(message[9:10], 0)  # msgpack bin 8, 16 or 32
        start = 10 + width
        size = len(message) - start
        if width and size <= max_payload and int.from_bytes(message[10:start], "big") == size:
            return message[start:]
    return wire.decode_client(message, max_payload).d


SLOW_MSG = "You fell too far behind the room."
TEXT_FRAME = "Frames must be binary msgpack, not text."


def _settle(stop: asyncio.Future[None]) -> None:
    if not stop.done():
        stop.set_result(None)


def loop_name() -> str:
    """Which event loop runs the relay: uvloop where it is installed, else asyncio's own."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return "none"
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"


def time_ms() -> int:
    return time.time_ns() // 1_000_000


async def _refuse(conn: ServerConnection, code: str, msg: str) -> None:
    try:
        await conn.send(wire.encode_err(code, msg))
        await conn.close(wire.CLOSE_CODES[code], code)
    except ConnectionClosed:
        pass


async def start(relay: Relay, host: str, port: int) -> Server:
    """Start listening; the caller owns the returned server. Nothing process-wide changes."""
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
        create_connection=RelayConnection if relay.outbox.fast else None,
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
    coalesce: bool = True,
) -> None:
    """Serve until SIGINT or SIGTERM, then close every room with 1001."""
    loop = asyncio.get_running_loop()
    relay = Relay(limits, behind_proxy=behind_proxy, coalesce=coalesce)
    silence_logging()
    # What would reach asyncio's handler is counted instead (it could name a peer).
    loop.set_exception_handler(relay.loop_exception)
    server = await start(relay, host, port)
    stop = loop.create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, _settle, stop)
    bound_host, bound_port = bound_address(server)
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    announce(
        f"porch relay listening on ws://{shown}:{bound_port} "
        f"({limits.describe()}; event loop {loop_name()})"
    )
    try:
        await stop
    finally:
        server.close(close_connections=True)
        await server.wait_closed()
