"""The relay's short cuts through websockets: messages in without a queue, frames out once per turn.

This is the one module that reaches into websockets internals. It saves work on
both sides of a delivery, and each saving has a plain fallback.

In: websockets parses every frame (the framing, masking, size and protocol
checks stay its own), then queues each message for the handler's ``async
for``, which wakes a task per message. A ``RelayConnection`` hands a whole
binary message to the relay's ``take`` callback at once, in the same loop turn
it was read, in order. Anything else (a text message, a fragmented one, and
every message after it) goes the usual way, through the queue, so the order
of one sender's messages never changes.

Out: ``broadcast()`` builds and serializes a WebSocket frame per recipient, and
writes each at once, one ``send`` system call per delivery. A server frame is
unmasked and, with compression off, has no extensions, so its bytes are the
same for everyone: the ``Outbox`` frames a message once, queues it per
recipient, and at the end of the loop turn writes each recipient's queue in
one call. Messages read from the network in one turn are fanned out in that
turn, so a turn that read several messages for one room writes them to each
member together; at light load a turn carries one frame per recipient and
nothing waits.

What it relies on, pinned by tests/relay/test_fanout.py:

- ``ServerConnection.process_event`` receives each parsed ``Frame`` after
  websockets' own checks, and a binary frame with ``fin`` set is a whole
  message (websockets refuses a new message inside a fragmented one);
- ``ServerConnection.transport`` is the connection's asyncio transport, and
  bytes written to it reach the peer in order with websockets' own writes;
- ``ServerConnection.protocol.state`` is ``State.OPEN`` while frames may go out;
- ``ServerConnection.send_in_progress`` is None unless a fragmented message
  is being sent, in which case another frame must not be interleaved;
- ``pause_writing`` and ``resume_writing`` set ``paused`` as the transport's
  write buffer crosses its limit;
- ``frame(message)`` is what websockets itself writes for an unmasked binary message.

On a websockets release outside the tested range the relay serves plain
``ServerConnection``s and the outbox falls back to ``broadcast()``: the same
order and the same skips, without the savings.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Collection
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.version import version as websockets_version

TESTED_MAJORS = (16, 17)
"""The websockets releases whose internals this module was tested against."""


def reaches_internals(version: str = websockets_version) -> bool:
    return int(version.split(".", 1)[0]) in TESTED_MAJORS


def frame(message: bytes) -> bytes:
    """One unmasked binary WebSocket message with FIN set (RFC 6455, 5.2), ready to write."""
    size = len(message)
    if size < 126:
        return bytes((0x82, size)) + message
    if size < 65536:
        return b"\x82\x7e" + size.to_bytes(2, "big") + message
    return b"\x82\x7f" + size.to_bytes(8, "big") + message


class RelayConnection(ServerConnection):
    """A server connection that hands each whole binary message to ``take`` as it is read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.take: Callable[[bytes], None] | None = None
        self.stalled: set[ServerConnection] | None = None  # the outbox's, once attached

    def attach(self, take: Callable[[bytes], None], stalled: set[ServerConnection]) -> None:
        """Binary messages go to ``take`` now; a reader over its buffer joins ``stalled``."""
        self.take = take
        self.stalled = stalled
        if self.paused:
            stalled.add(self)

    def detach(self) -> None:
        """Messages go through websockets' queue again, in order after those already taken."""
        self.take = None

    def process_event(self, event: Any) -> None:
        take = self.take
        if take is not None and type(event) is Frame:
            if event.opcode is Opcode.BINARY and event.fin:
                take(event.data)  # type: ignore[arg-type]  # apply_mask returns bytes
                return
            if event.opcode is Opcode.TEXT or event.opcode is Opcode.BINARY:
                # A text or fragmented message waits in websockets' queue; everything
                # after it must wait behind it, or one sender's order would change.
                self.take = None
        super().process_event(event)

    def pause_writing(self) -> None:
        super().pause_writing()
        if self.stalled is not None:
            self.stalled.add(self)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self.stalled is not None:
            self.stalled.discard(self)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if self.stalled is not None:
            self.stalled.discard(self)


class Outbox:
    """Frames waiting for the end of this loop turn, per recipient, in order."""

    __slots__ = (
        "_coalesce",
        "_pending",
        "_scheduled",
        "deliveries",
        "failures",
        "fast",
        "stalled",
        "writes",
    )

    def __init__(
        self, failures: Counter[str], *, fast: bool | None = None, coalesce: bool = True
    ) -> None:
        self.fast = reaches_internals() if fast is None else fast
        self._coalesce = coalesce  # off: every frame is written at once, as broadcast() does
        # One frame for a recipient is kept as it is; a second makes a list.
        self._pending: dict[ServerConnection, bytes | list[bytes]] = {}
        self._scheduled = False
        self.failures = failures  # exceptions by type, shared with the relay's /healthz
        self.stalled: set[ServerConnection] = set()  # readers whose write buffer is over its limit
        self.deliveries = 0  # frames handed to the outbox, one per recipient
        self.writes = 0  # transport writes they took

    def send(self, members: Collection[ServerConnection], message: bytes) -> None:
        """Queue one binary message for every member; it leaves at the end of this turn."""
        self.deliveries += len(members)
        if not self.fast:
            self.writes += len(members)
            broadcast(members, message)
            return
        data = frame(message)
        if not self._coalesce:
            for conn in members:
                self._write(conn, data)
            return
        pending = self._pending
        for conn in members:
            box = pending.get(conn)
            if box is None:
                pending[conn] = data
            elif type(box) is bytes:
                pending[conn] = [box, data]
            else:
                box.append(data)  # type: ignore[union-attr]
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        """Write everything queued: one write per recipient."""
        self._scheduled = False
        pending, self._pending = self._pending, {}
        open_ = State.OPEN
        writes = 0
        for conn, box in pending.items():
            # As in broadcast(): members that are no longer open, or are in the middle
            # of a fragmented send, are skipped, and one failed write never stops the room.
            if conn.protocol.state is not open_ or conn.send_in_progress is not None:
                continue
            writes += 1
            try:
                conn.transport.write(box if type(box) is bytes else b"".join(box))  # type: ignore[arg-type]
            except Exception as exc:
                self.failures[type(exc).__name__] += 1
        self.writes += writes

    def flush_to(self, conn: ServerConnection) -> None:
        """Write what is queued for ``conn`` now, before websockets writes to it itself."""
        box = self._pending.pop(conn, None)
        if box is not None:
            self._write(conn, box if isinstance(box, bytes) else b"".join(box))

    def _write(self, conn: ServerConnection, data: bytes) -> None:
        if conn.protocol.state is not State.OPEN or conn.send_in_progress is not None:
            return
        self.writes += 1
        try:
            conn.transport.write(data)
        except Exception as exc:
            self.failures[type(exc).__name__] += 1
