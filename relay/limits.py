"""The relay's limits: every one a named setting with a default that suits a small server.

A relay serves strangers, so each resource a connection can take has a bound:
seats per room, bytes per frame, frames per second, connections per address and
in total, bytes queued for a reader that has stopped reading, and how long a
silent peer may keep a seat.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields

from protocol import wire


@dataclass(frozen=True, slots=True)
class Limits:
    room_cap: int = wire.ROOM_CAP
    """People in one room; the 13th connection is refused with room_full."""
    max_payload: int = wire.MAX_PAYLOAD
    """Bytes of opaque payload in one pub frame; larger frames get too_large."""
    rate: float = 50.0
    """Frames per second a connection may send, on average."""
    burst: int = 100
    """Frames a connection may send at once before the rate applies."""
    per_ip: int = 64
    """Open connections from one address; more get server_full."""
    max_connections: int = 10_000
    """Open connections in total; more get server_full."""
    write_buffer: int = 1024 * 1024
    """Bytes queued for one reader; past this it is closed with slow_consumer."""
    ping_interval: float = 20.0
    """Seconds between pings; a peer that does not answer within as long again is closed."""
    open_timeout: float = 10.0
    """Seconds a client has to finish the opening handshake."""

    def describe(self) -> str:
        return (
            f"{self.room_cap} per room, frames up to {self.max_payload // 1024} KiB, "
            f"{self.rate:g} frames/s (burst {self.burst}), {self.per_ip} per address, "
            f"{self.max_connections} in total, {self.write_buffer // 1024} KiB write buffer, "
            f"ping every {self.ping_interval:g} s"
        )

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) <= 0:
                raise ValueError(f"the limit {f.name.replace('_', '-')} must be positive")
        if self.room_cap > wire.ROOM_CAP:
            raise ValueError(f"a room holds at most {wire.ROOM_CAP} people")
        if self.max_payload > wire.MAX_PAYLOAD:
            raise ValueError(f"protocol v1 carries at most {wire.MAX_PAYLOAD} bytes per frame")


class TokenBucket:
    """Allows ``burst`` frames at once, refilled at ``rate`` frames per second."""

    __slots__ = ("_burst", "_rate", "_stamp", "_tokens")

    def __init__(self, rate: float, burst: int) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True
