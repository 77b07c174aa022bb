"""The relay `porch new` runs inside itself when no --relay is given.

It listens on 127.0.0.1 only, so only people on this computer can reach it;
that is said out loud, because a facilitator who shares the invite with someone
elsewhere would otherwise wonder why they cannot get in.
"""

from __future__ import annotations

from dataclasses import dataclass

from websockets.asyncio.server import Server

from relay.server import Relay, bound_address, start


@dataclass(slots=True)
class LocalRelay:
    server: Server
    url: str

    @property
    def notice(self) -> str:
        return (
            f"Using a relay on this computer at {self.url}. Only people on this machine "
            "can reach it; for others, start Porch with --relay and a hosted relay."
        )

    async def close(self) -> None:
        self.server.close(close_connections=True)
        await self.server.wait_closed()


async def start_local_relay() -> LocalRelay:
    server = await start(Relay(), "127.0.0.1", 0)
    host, port = bound_address(server)
    return LocalRelay(server, f"ws://{host}:{port}")
