"""The one budget every frame we send is paced by, under the relay's rate limit.

A relay closes a connection that sends faster than its limit (by default 50
frames a second, with a burst of 100: ``relay.limits``), and a closed
connection loses whatever was still on its way. So the client sends every
frame, of every kind, through one token bucket set below those defaults:
``RATE`` frames a second with a burst of ``BURST``, which leaves the relay's
bucket room for timing jitter on the way. Nothing is dropped to keep the pace;
a frame waits for its token.

File chunks share the budget: besides their own pace (``room.offers``, 30 a
second, which keeps what eleven recipients must open each second within
reach), a chunk is made only when the bucket holds more than ``RESERVE``
tokens beyond the frames already waiting. So a message, a reaction, an ack or
a keys frame never queues behind a file: while the talk uses the budget, the
file waits. The reserve is nearly the whole burst, so a file never comes in a
burst of its own (it would land at once in every recipient's write buffer on
the relay), and the burst stays the talk's.

Sans-I/O like the rest of ``protocol``: the clock is a number of milliseconds
that the caller passes in. The writer ``take``s a token per frame it sends and
counts what waits in ``queued``; the endpoint asks ``spare`` before making a
chunk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

RATE: Final = 40.0  # frames a second: the relay allows 50 by default
BURST: Final = 50  # frames at once: the relay allows 100 by default
CHUNK_BURST: Final = 4  # chunks at once, at most
RESERVE: Final = BURST - CHUNK_BURST  # tokens a file leaves for talk, acks and keys


@dataclass(slots=True)
class Pace:
    rate: float = RATE
    burst: int = BURST
    tokens: float = float(BURST)
    stamp: int | None = None  # the clock at the last refill (ms)
    queued: int = 0  # frames handed to the writer, not yet sent

    def _refill(self, now: int) -> None:
        if self.stamp is not None and now > self.stamp:
            self.tokens = min(
                float(self.burst), self.tokens + (now - self.stamp) * self.rate / 1000
            )
        if self.stamp is None or now > self.stamp:
            self.stamp = now

    def wait_ms(self, now: int) -> int:
        """How long the next frame must wait for its token, from ``now``."""
        self._refill(now)
        if self.tokens >= 1.0:
            return 0
        return int((1.0 - self.tokens) * 1000 / self.rate) + 1

    def take(self, now: int) -> bool:
        """Spend a token for one frame going out now; False (nothing spent) if none is left."""
        self._refill(now)
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True

    def spare(self, now: int, pending: int = 0) -> bool:
        """Whether a file chunk may be made now: a token beyond those the waiting frames
        (``queued``, and ``pending`` not yet handed over) and the talk's reserve need."""
        self._refill(now)
        return self.tokens - self.queued - pending >= RESERVE + 1

    def spare_at(self, now: int, pending: int = 0) -> int:
        """When ``spare`` will next hold, if nothing else is queued meanwhile."""
        self._refill(now)
        short = RESERVE + 1 - (self.tokens - self.queued - pending)
        if short <= 0:
            return now
        return now + int(short * 1000 / self.rate) + 1

    def backlog_ms(self, now: int) -> int:
        """About how long until every frame waiting now has gone out."""
        self._refill(now)
        short = self.queued - self.tokens
        return 0 if short <= 0 else int(short * 1000 / self.rate) + 1
