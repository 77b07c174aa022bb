"""Fan-out: one frame to many members, serialized once, written once per member per loop turn.

This is the one module that reaches into websockets internals. ``broadcast()``
builds and serializes a WebSocket frame per recipient, and writes each at once,
one ``send`` system call per delivery. A server frame is unmasked and, with
compression off, has no extensions, so its bytes are the same for everyone:
the ``Outbox`` builds them once, queues them per recipient, and at the end of
the loop turn writes each recipient's queue in one call. At light load a turn
carries one frame per recipient and nothing changes; under load, when a turn
carries several frames for one recipient, they leave in one system call.

What it relies on, pinned by tests/relay/test_fanout.py:

- ``ServerConnection.transport`` is the connection's asyncio transport, and
  bytes written to it reach the peer in order with websockets' own writes;
- ``ServerConnection.protocol.state`` is ``State.OPEN`` while frames may go out;
- ``ServerConnection.send_in_progress`` is None unless a fragmented message
  is being sent, in which case another frame must not be interleaved;
- ``Frame(...).serialize(mask=False, extensions=[])`` gives the bytes
  websockets itself would write for an unmasked binary message.

On a websockets release outside the tested range the outbox falls back to
``broadcast()``: the same order and the same skips, without the savings.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Collection

from websockets.asyncio.server import ServerConnection, broadcast
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.version import version as websockets_version

TESTED_MAJORS = (16, 17)
"""The websockets releases whose internals this module was tested against."""


def reaches_internals(version: str = websockets_version) -> bool:
    return int(version.split(".", 1)[0]) in TESTED_MAJORS


class Outbox:
    """Frames waiting for the end of this loop turn, per recipient, in order."""

    __slots__ = ("_coalesce", "_fast", "_pending", "_scheduled", "deliveries", "failures", "writes")

    def __init__(
        self, failures: Counter[str], *, fast: bool | None = None, coalesce: bool = True
    ) -> None:
        self._fast = reaches_internals() if fast is None else fast
        self._coalesce = coalesce  # off: every frame is written at once, as broadcast() does
        # One frame for a recipient is kept as it is; a second makes a list.
        self._pending: dict[ServerConnection, bytes | list[bytes]] = {}
        self._scheduled = False
        self.failures = failures  # exceptions by type, shared with the relay's /healthz
        self.deliveries = 0  # frames handed to the outbox, one per recipient
        self.writes = 0  # transport writes they took

    def send(self, members: Collection[ServerConnection], message: bytes) -> None:
        """Queue one binary message for every member; it leaves at the end of this turn."""
        self.deliveries += len(members)
        if not self._fast:
            self.writes += len(members)
            broadcast(members, message)
            return
        frame = Frame(Opcode.BINARY, message).serialize(mask=False, extensions=[])
        if not self._coalesce:
            for conn in members:
                self._write(conn, frame)
            return
        pending = self._pending
        for conn in members:
            box = pending.get(conn)
            if box is None:
                pending[conn] = frame
            elif type(box) is bytes:
                pending[conn] = [box, frame]
            else:
                box.append(frame)  # type: ignore[union-attr]
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
