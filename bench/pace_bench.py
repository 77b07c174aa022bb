"""What pacing every frame under the relay's limit costs, and what it saves.

    python -m bench.pace_bench [--rounds 3] [--lines 200]

Measured in one run on one machine, through one Porch relay (default limits) on
loopback, two members in a room (``tui.client.RoomClient``, real crypto):

- light load: bo says a line every 50 ms (half the pace), 200 lines; ana times
  each from bo's send to ana's screen (p50, p99). Paced (``protocol.pace``, the
  client's default) against the same client with a budget too large to ever
  wait: the pacing must add about nothing when nobody types fast;
- the pace's own cost: CPU time of the writer's check and take, per frame;
- a pasted burst: bo sends ``--lines`` lines at once. Paced, all arrive, in
  order, and the figure is the time until the last one does; unpaced, the
  relay closes the connection for going over its rate, and the figure is how
  many arrived.

Rounds alternate paced and unpaced; medians of the rounds are shown.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from protocol import commands as cmd
from protocol import events as ev
from protocol.endpoint import Endpoint
from protocol.pace import Pace
from relay.server import Relay, bound_address
from relay.server import start as start_relay
from tui.client import RoomClient

UNLIMITED = 1e9
LIGHT = 200  # lines at light load, per round


def pace_cost_us(frames: int = 200_000) -> float:
    """CPU time of the writer's check and take for one frame, at light load (never waits)."""
    pace = Pace()
    start = time.process_time()
    for n in range(frames):
        now = n * 30  # 33 frames a second: under the rate, so a token is always there
        if pace.wait_ms(now) == 0:
            pace.take(now)
    return (time.process_time() - start) / frames * 1e6


def budget(paced: bool) -> Pace:
    return Pace() if paced else Pace(rate=UNLIMITED, burst=10**9, tokens=float(10**9))


class Member:
    def __init__(self, endpoint: Endpoint, pace: Pace) -> None:
        self.client = RoomClient(endpoint, reconnect=False, pace=pace)
        self.task = asyncio.get_running_loop().create_task(self.client.run())
        self.events: list[tuple[float, ev.Event]] = []
        self.changed = asyncio.Event()
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        while True:
            event = await self.client.events.get()
            self.events.append((time.perf_counter(), event))
            self.changed.set()

    async def wait_for(self, found: object, seconds: float) -> bool:
        deadline = time.perf_counter() + seconds
        while not found():  # type: ignore[operator]
            self.changed.clear()
            left = deadline - time.perf_counter()
            if left <= 0:
                return False
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                return False
        return True

    def said(self) -> dict[str, float]:
        return {e.text: t for t, e in self.events if isinstance(e, ev.Said)}

    async def close(self) -> None:
        for task in (self.task, self.reader):
            task.cancel()
        for task in (self.task, self.reader):
            with contextlib.suppress(BaseException):  # the member is gone either way
                await task


async def room(url: str, paced: bool) -> tuple[Member, Member]:
    ana = Member(Endpoint.host(url, "ana", "Be kind."), budget(paced))
    await ana.wait_for(lambda: any(isinstance(e, ev.Entered) for _, e in ana.events), 10)
    bo = Member(Endpoint.joining(ana.client.endpoint.invite, "bo"), budget(paced))
    await bo.wait_for(lambda: any(isinstance(e, ev.AgreementsOffered) for _, e in bo.events), 10)
    bo.client.send(cmd.Agree())
    await ana.wait_for(lambda: any(isinstance(e, ev.Knocked) for _, e in ana.events), 10)
    knock = next(e for _, e in ana.events if isinstance(e, ev.Knocked))
    ana.client.send(cmd.Admit(knock.knock))
    await bo.wait_for(lambda: any(isinstance(e, ev.Entered) for _, e in bo.events), 10)
    await asyncio.sleep(0.5)  # keys and acks settle
    return ana, bo


async def light(url: str, paced: bool) -> list[float]:
    ana, bo = await room(url, paced)
    sent: dict[str, float] = {}
    for n in range(LIGHT):
        text = f"light {n}"
        sent[text] = time.perf_counter()
        bo.client.send(cmd.Say(text))
        await asyncio.sleep(0.05)
    await ana.wait_for(lambda: len(ana.said()) >= LIGHT, 10)
    arrived = ana.said()
    await ana.close()
    await bo.close()
    return [(arrived[t] - sent[t]) * 1000 for t in sent if t in arrived]


async def burst(url: str, paced: bool, lines: int) -> tuple[int, float]:
    ana, bo = await room(url, paced)
    start = time.perf_counter()
    for n in range(lines):
        bo.client.send(cmd.Say(f"burst {n}"))
    # Every line, or the relay closed bo's connection (and what is on its way lands).
    await ana.wait_for(lambda: len(ana.said()) >= lines or bo.task.done(), 30)
    if bo.task.done():
        await ana.wait_for(lambda: len(ana.said()) >= lines, 1)
    said = ana.said()
    order = [e.text for _, e in ana.events if isinstance(e, ev.Said)]
    assert order == [f"burst {n}" for n in range(len(order))], "out of order"
    last = max(said.values()) - start if said else 0.0
    await ana.close()
    await bo.close()
    return len(said), last


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(rounds: int, lines: int) -> None:
    server = await start_relay(Relay(), "127.0.0.1", 0)
    host, port = bound_address(server)
    url = f"ws://{host}:{port}"
    p50 = {True: [], False: []}  # type: dict[bool, list[float]]
    p99 = {True: [], False: []}  # type: dict[bool, list[float]]
    got = {True: [], False: []}  # type: dict[bool, list[int]]
    took = {True: [], False: []}  # type: dict[bool, list[float]]
    for _ in range(rounds):
        for paced in (True, False):
            ms = await light(url, paced)
            p50[paced].append(pct(ms, 0.5))
            p99[paced].append(pct(ms, 0.99))
            n, seconds = await burst(url, paced, lines)
            got[paced].append(n)
            took[paced].append(seconds)
    server.close(close_connections=True)
    await server.wait_closed()

    def med(values: list[float] | list[int]) -> float:
        return float(statistics.median(values))

    print(f"{'scenario':34} {'paced':>12} {'unpaced':>12} {'paced/unpaced':>14}")
    for name, table in (
        ("light load, p50 latency (ms)", p50),
        ("light load, p99 latency (ms)", p99),
    ):
        a, b = med(table[True]), med(table[False])
        print(f"{name:34} {a:12.2f} {b:12.2f} {a / b if b else float('nan'):14.2f}")
    arrived = f"{med(got[True]):.0f}/{lines}", f"{med(got[False]):.0f}/{lines}"
    print(f"{f'burst of {lines}: lines arrived':34} {arrived[0]:>12} {arrived[1]:>12} {'':>14}")
    print(f"{'burst: last line after (s)':34} {med(took[True]):12.2f} {med(took[False]):12.2f}")
    print(f"{'the pace, CPU per frame (µs)':34} {pace_cost_us():12.2f} {0.0:12.2f}")
    print(
        f"\n{rounds} rounds, medians. Unpaced, the relay closes a connection that goes over "
        "its rate (50 frames/s, burst 100): what was still on its way is lost."
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lines", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.lines))
