"""A file offered to a full room: throughput, beside the relay's own, and what talk feels.

    python bench/offer_bench.py [--mib 64]

Measured in one run on one machine, through one Porch relay on loopback:

- porch: ana offers a file of ``--mib`` MiB to the eleven others, all accept;
  from the offer to the last accepter holding it whole and checked;
- baseline: the same bytes, in frames of the same size, published by a bare
  WebSocket client into a room of eleven bare receivers on the same relay, as
  fast as the relay's rate limit lets one connection send;
- chat: bo says a line every quarter second and cy times each from bo's send
  to cy's screen, with the room idle and then during the transfer (p50, p99).

Targets: the file at >= 0.5x the baseline's throughput; chat p99 during the
transfer <= 2x its idle value.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from websockets.asyncio.client import connect

from protocol import commands as cmd
from protocol import events as ev
from protocol import wire
from protocol.bodies.offer import CHUNK, OfferKind
from protocol.endpoint import Endpoint
from protocol.room.offers import chunk_count
from relay.limits import Limits
from relay.server import Relay, bound_address
from relay.server import start as start_relay
from tui.client import RoomClient

NICKS = ("ana", "bo", "cy", "di", "ed", "flo", "gus", "hal", "ivy", "jo", "kit", "lu")


class Member:
    def __init__(self, endpoint: Endpoint) -> None:
        self.client = RoomClient(endpoint, reconnect=False)
        self.seen: list[ev.Event] = []
        self.waiters: list[tuple[type, object, asyncio.Future[ev.Event]]] = []
        self.task = asyncio.get_running_loop().create_task(self.client.run())
        self.reader = asyncio.get_running_loop().create_task(self._read())
        self.said_at: dict[str, float] = {}

    async def _read(self) -> None:
        while True:
            event = await self.client.events.get()
            self.seen.append(event)
            if isinstance(event, ev.Said):
                self.said_at[event.text] = time.monotonic()
            for waiter in list(self.waiters):
                kind, test, future = waiter
                if isinstance(event, kind) and test(event) and not future.done():  # type: ignore[operator]
                    future.set_result(event)
                    self.waiters.remove(waiter)

    async def expect(
        self, kind: type, test: object = lambda e: True, seconds: float = 60
    ) -> ev.Event:
        for event in self.seen:
            if isinstance(event, kind) and test(event):  # type: ignore[operator]
                return event
        future: asyncio.Future[ev.Event] = asyncio.get_running_loop().create_future()
        self.waiters.append((kind, test, future))
        return await asyncio.wait_for(future, seconds)

    async def close(self) -> None:
        self.client.send(cmd.Leave())
        with_timeout = asyncio.wait_for(asyncio.shield(self.task), 3)
        try:
            await with_timeout
        except (TimeoutError, Exception):
            self.task.cancel()
        self.reader.cancel()


async def full_room(url: str) -> list[Member]:
    ana = Member(Endpoint.host(url, "ana", "Be kind."))
    await ana.expect(ev.Entered)
    members = [ana]
    for nick in NICKS[1:]:
        guest = Member(Endpoint.joining(ana.client.endpoint.invite, nick))
        await guest.expect(ev.AgreementsOffered)
        guest.client.send(cmd.Agree())
        knock = await ana.expect(ev.Knocked, lambda k, n=nick: k.nick == n)
        ana.client.send(cmd.Admit(knock.knock))  # type: ignore[attr-defined]
        await guest.expect(ev.Entered)
        members.append(guest)
    for member in members:
        await member.expect(ev.RosterChanged, lambda r: len(r.seats) == len(NICKS))
    return members


async def chat_latency(bo: Member, cy: Member, stop: asyncio.Event, tag: str) -> list[float]:
    """bo says a line every 250 ms until ``stop``; the ms each took to reach cy."""
    sent: dict[str, float] = {}
    n = 0
    while not stop.is_set():
        text = f"{tag} {n}"
        sent[text] = time.monotonic()
        bo.client.send(cmd.Say(text))
        n += 1
        await asyncio.sleep(0.25)
    await asyncio.sleep(1.0)
    return [(cy.said_at[t] - at) * 1e3 for t, at in sent.items() if t in cy.said_at]


async def bench_offer(url: str, size: int) -> tuple[float, list[float], list[float]]:
    members = await full_room(url)
    ana, bo, cy = members[:3]
    try:
        stop = asyncio.Event()
        idle = asyncio.ensure_future(chat_latency(bo, cy, stop, "idle"))
        await asyncio.sleep(5)
        stop.set()
        idle_ms = await idle
        content = os.urandom(size)
        stop = asyncio.Event()
        busy = asyncio.ensure_future(chat_latency(bo, cy, stop, "busy"))
        start = time.monotonic()
        ana.client.send(cmd.Offer(OfferKind.FILE, "bench.bin", content))
        for member in members[1:]:
            offered = await member.expect(ev.OfferEvent, lambda o: o.stage is ev.OfferStage.OFFERED)
            member.client.send(cmd.Accept(offered.number))  # type: ignore[attr-defined]
        for member in members[1:]:
            await member.expect(
                ev.OfferEvent, lambda o: o.stage is ev.OfferStage.ARRIVED, seconds=size / 1e5 + 60
            )
        elapsed = time.monotonic() - start
        stop.set()
        busy_ms = await busy
        for member in members[1:]:
            kept = member.client.endpoint.offer_content(1)
            assert kept is not None and kept[1] == content
        return elapsed, idle_ms, busy_ms
    finally:
        for member in members:
            await member.close()


async def bench_bare(url: str, size: int, rate: float) -> float:
    """The same bytes through the same relay, raw, at one connection's allowed rate."""
    room = url + wire.room_path("b" * 32)
    frames = chunk_count(size)
    payload = os.urandom(CHUNK + 200)  # about one sealed chunk in its group frame
    receivers = [await connect(room, max_size=wire.MAX_PAYLOAD + 128) for _ in range(11)]
    sender = await connect(room, max_size=wire.MAX_PAYLOAD + 128)
    got = [0] * len(receivers)

    async def receive(i: int) -> None:
        async for message in receivers[i]:
            if isinstance(message, bytes) and isinstance(wire.decode_server(message), wire.Msg):
                got[i] += 1
                if got[i] >= frames:
                    return

    async def drain() -> None:  # the sender reads its own frames back, as clients do
        async for _ in sender:
            pass

    readers = [asyncio.ensure_future(receive(i)) for i in range(len(receivers))]
    draining = asyncio.ensure_future(drain())
    start = time.monotonic()
    for n in range(frames):
        await sender.send(wire.encode_pub(payload))
        next_at = start + (n + 1) / rate
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    await asyncio.wait_for(asyncio.gather(*readers), 120)
    elapsed = time.monotonic() - start
    draining.cancel()
    for conn in (*receivers, sender):
        await conn.close()
    return elapsed


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main_async(mib: int) -> int:
    limits = Limits(per_ip=1000)
    server = await start_relay(Relay(limits), "127.0.0.1", 0)
    host, port = bound_address(server)
    url = f"ws://{host}:{port}"
    size = mib * 1024 * 1024
    try:
        porch_s, idle_ms, busy_ms = await bench_offer(url, size)
        bare_s = await bench_bare(url, size, limits.rate * 0.95)
    finally:
        server.close()
        await server.wait_closed()
    porch_mbps, bare_mbps = size / porch_s / 1e6, size / bare_s / 1e6
    ratio = porch_mbps / bare_mbps
    idle99, busy99 = pct(idle_ms, 0.99), pct(busy_ms, 0.99)
    rows = [
        (f"{mib} MiB to 11 accepters (MB/s)", f"{porch_mbps:.2f}", f"{bare_mbps:.2f}",
         ">= 0.5x", ratio >= 0.5),
        ("  seconds", f"{porch_s:.1f}", f"{bare_s:.1f}", "", None),
        ("chat p50 idle / during (ms)", f"{pct(idle_ms, 0.5):.1f}", f"{pct(busy_ms, 0.5):.1f}",
         "", None),
        ("chat p99 during vs idle (ms)", f"{busy99:.1f}", f"{idle99:.1f}", "<= 2x",
         busy99 <= 2 * idle99),
    ]  # fmt: skip
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"one relay and twelve clients on loopback; load average {load:.1f}\n")
    print(f"{'measure':36} {'porch':>10} {'baseline':>10}  {'target':8} met")
    print("-" * 72)
    for name, value, base, target, met in rows:
        verdict = "" if met is None else "yes" if met else "NO"
        print(f"{name:36} {value:>10} {base:>10}  {target:8} {verdict}")
    print(
        "\nbaseline: the same bytes in frames of the same size, published raw by one"
        " connection at the relay's rate limit to eleven raw receivers; for chat, the"
        f" idle room. Chat samples: {len(idle_ms)} idle, {len(busy_ms)} during;"
        f" mean during {statistics.mean(busy_ms) if busy_ms else float('nan'):.1f} ms."
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=64)
    args = parser.parse_args()
    return asyncio.run(main_async(args.mib))


if __name__ == "__main__":
    sys.exit(main())
