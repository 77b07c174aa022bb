"""A bare `websockets` broadcast relay: the Python baseline for the relay benchmark.

Same rooms, path shape and msgpack framing as the Porch relay (welcome, join,
msg with a per-room seq and a ts), and the same broadcast() fan-out, but no
limits, no strict decoding and no slow-consumer checks. Run it as
``python -m bench.bare_relay PORT``; it prints one line with its address.
"""

from __future__ import annotations

import asyncio
import sys
import time

import msgpack
from websockets.asyncio.server import ServerConnection, broadcast, serve

PREFIX = "/v1/rooms/"
rooms: dict[str, dict] = {}


def stamp(room: dict, kind: str, **fields: object) -> None:
    room["seq"] += 1
    frame = {"t": kind, "seq": room["seq"], "ts": time.time_ns() // 1_000_000, **fields}
    broadcast(room["members"].values(), msgpack.packb(frame))


async def handle(conn: ServerConnection) -> None:
    path = conn.request.path if conn.request else ""
    if not path.startswith(PREFIX):
        return
    room_id = path[len(PREFIX) :]
    room = rooms.setdefault(room_id, {"members": {}, "seq": 0, "next": 1})
    peer = room["next"]
    room["next"] += 1
    others = list(room["members"])
    room["members"][peer] = conn
    welcome = {"t": "welcome", "v": 1, "you": peer, "peers": others, "cap": 12}
    broadcast((conn,), msgpack.packb(welcome))
    stamp(room, "join", peer=peer)
    try:
        async for message in conn:
            pub = msgpack.unpackb(message)
            stamp(room, "msg", **{"from": peer, "d": pub["d"]})
    except Exception:
        pass
    finally:
        del room["members"][peer]
        if room["members"]:
            stamp(room, "leave", peer=peer)
        else:
            del rooms[room_id]


async def main(port: int) -> None:
    async with serve(handle, "127.0.0.1", port, compression=None) as server:
        host, bound = next(iter(server.sockets)).getsockname()[:2]
        print(f"bare websockets relay listening on ws://{host}:{bound}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
