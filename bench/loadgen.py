"""One load-generator process: a share of the rooms, open-loop senders, checking receivers.

Each participant is a minimal WebSocket client on a raw ``asyncio.Protocol``
rather than a full ``websockets`` connection, so that one generator core can
keep up with a relay core: a delivery costs one parse and a few counters.

A delivery is read without building a dict where it can be: a msg frame from
any of the relays benchmarked starts with the same bytes (``t`` then ``seq``)
and ends with its payload, whose size the generator knows; anything else goes
through msgpack. The generator runs on uvloop where it is installed.

Every payload carries (slot, counter, scheduled send time). Senders follow a
fixed open-loop schedule and never wait for the relay, so a slow relay shows
up as latency, counted from the scheduled time (no coordinated omission), and
never as a politely reduced load. Receivers check every delivery: distinct
counters per sender (loss, duplicates), counters and relay ``seq`` increasing
(order). All members of a room live in one process, so the checks are local.
"""

from __future__ import annotations

import asyncio
import base64
import os
import random
import resource
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

import msgpack

from bench.histogram import FINE_BUCKETS, FINE_US, Histogram

STAMP = struct.Struct("<HIq")  # slot in room, counter, scheduled send time (monotonic ns)
MSG_HEAD = b"\x85\xa1t\xa3msg\xa3seq"  # {"t": "msg", "seq": ... as every relay here packs it
UINT_SIZES = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}
FINE_NS = FINE_US * 1000
FINE_LIMIT_NS = FINE_NS * FINE_BUCKETS
HANDSHAKE_CONCURRENCY = 64  # keeps the relay's listen backlog from overflowing


@dataclass(frozen=True, slots=True)
class Plan:
    host: str
    port: int
    worker: int
    room_ids: tuple[str, ...]
    per_room: int
    rate: float  # messages per second per participant; 0 leaves them idle
    payload: int  # bytes of opaque payload per message
    warmup: float
    duration: float
    drain: float


class Tally:
    """What one process saw; merged across processes by the orchestrator."""

    def __init__(self, window: tuple[int, int]) -> None:
        self.window_start, self.window_end = window
        self.latency = Histogram()
        self.latency_counts = self.latency.counts
        self.send_lag = Histogram()
        self.delivered = 0  # every delivery, to check against what was sent
        self.delivered_in_window = 0
        self.sent_in_window = 0
        self.duplicates = 0
        self.out_of_order = 0
        self.closed = 0


class Member(asyncio.Protocol):
    """One participant: its handshake, frame parser, checks and sender."""

    def __init__(self, plan: Plan, room_id: str, slot: int, tally: Tally, n_msgs: int) -> None:
        self.path = f"/v1/rooms/{room_id}"
        self.host = plan.host
        self.slot = slot
        self.tally = tally
        self.n_msgs = n_msgs
        self.pad = bytes(max(0, plan.payload - STAMP.size))
        size = STAMP.size + len(self.pad)
        self.payload_size = size
        self.payload_head = bytes((0xC4, size)) if size < 256 else b""  # bin 8 header
        self.transport: asyncio.Transport | None = None
        self.welcomed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.upgraded = False
        self.buffer = b""
        self.last_seq = -1
        self.last_counter = [-1] * plan.per_room
        self.seen = bytearray(plan.per_room * n_msgs)

    # -- connection ------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no subclass
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self.tally.closed += 1
        if not self.welcomed.done():
            self.welcomed.set_exception(ConnectionError("closed before welcome"))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    # -- receiving -------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self.buffer:
            data = self.buffer + data
            self.buffer = b""
        if not self.upgraded:
            end = data.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = data
                return
            if not data.startswith(b"HTTP/1.1 101"):
                assert self.transport is not None
                self.transport.abort()
                return
            self.upgraded = True
            data = data[end + 4 :]
        pos, size = 0, len(data)
        now = time.monotonic_ns()  # one clock read for everything this read brought
        while size - pos >= 2:
            opcode, length = data[pos] & 0x0F, data[pos + 1] & 0x7F
            start = pos + 2
            if length == 126:
                length, start = int.from_bytes(data[start : start + 2], "big"), start + 2
            elif length == 127:
                length, start = int.from_bytes(data[start : start + 8], "big"), start + 8
            end = start + length
            if end > size:
                break
            if opcode == 2:
                self.on_frame(data, start, end, now)
            elif opcode == 9:  # ping: the relay closes peers that do not answer
                self.send_frame(0x8A, data[start:end])
            pos = end
        if pos < size:
            self.buffer = data[pos:]

    def on_frame(self, data: bytes, start: int, end: int, now: int) -> None:
        """One binary frame, ``data[start:end]``, read at ``now``."""
        if self.payload_head and data.startswith(MSG_HEAD, start):
            tag = data[start + 11]
            width = 0 if tag < 0x80 else UINT_SIZES.get(tag, -1)
            at = end - self.payload_size
            if width >= 0 and data[at - 2 : at] == self.payload_head:
                wide = data[start + 12 : start + 12 + width]
                seq = int.from_bytes(wide, "big") if width else tag
                self.on_msg(seq, data, at, now)
                return
        obj = msgpack.unpackb(data[start:end])
        if obj["t"] == "msg":
            self.on_msg(obj["seq"], obj["d"], 0, now)
            return
        seq = obj.get("seq")
        if seq is not None:
            if seq <= self.last_seq:
                self.tally.out_of_order += 1
            self.last_seq = seq
        if obj["t"] == "welcome":
            self.welcomed.set_result(None)

    def on_msg(self, seq: int, data: bytes, at: int, now: int) -> None:
        """A delivery in room order ``seq``, read at ``now``; its stamp is at ``data[at:]``."""
        tally = self.tally
        if seq <= self.last_seq:
            tally.out_of_order += 1
        self.last_seq = seq
        slot, counter, scheduled = STAMP.unpack_from(data, at)
        tally.delivered += 1
        index = slot * self.n_msgs + counter
        if self.seen[index]:
            tally.duplicates += 1
            return
        self.seen[index] = 1
        if counter < self.last_counter[slot]:
            tally.out_of_order += 1
        self.last_counter[slot] = counter
        if tally.window_start <= scheduled < tally.window_end:
            tally.delivered_in_window += 1
            late = now - scheduled
            if 0 <= late < FINE_LIMIT_NS:  # the histogram's fine buckets, without a call
                tally.latency_counts[late // FINE_NS] += 1
            else:
                tally.latency.add_ns(late)

    # -- sending ---------------------------------------------------------------

    def send_frame(self, head: int, payload: bytes) -> None:
        # Clients must mask; the key only guards against proxy cache poisoning,
        # so on loopback a zero key is valid and saves the XOR.
        size = len(payload)
        if size < 126:
            header = bytes((head, 0x80 | size))
        else:
            header = bytes((head, 0x80 | 126)) + size.to_bytes(2, "big")
        assert self.transport is not None
        self.transport.write(header + b"\0\0\0\0" + payload)

    def publish(self, counter: int, scheduled: int) -> None:
        d = STAMP.pack(self.slot, counter, scheduled) + self.pad
        self.send_frame(0x82, msgpack.packb({"t": "pub", "d": d}))


def source_address(worker: int, index: int) -> str:
    """A distinct loopback source per participant, so ephemeral ports never run out."""
    return f"127.{10 + worker}.{index // 250}.{index % 250 + 1}"


async def connect_all(plan: Plan, tally: Tally, n_msgs: int) -> list[Member]:
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(HANDSHAKE_CONCURRENCY)
    members: list[Member] = []

    async def join(room_id: str, slot: int) -> Member:
        member = Member(plan, room_id, slot, tally, n_msgs)
        async with gate:
            local = (source_address(plan.worker, len(members)), 0)
            members.append(member)
            await loop.create_connection(lambda: member, plan.host, plan.port, local_addr=local)
            await asyncio.wait_for(member.welcomed, 30)
        return member

    # Rooms fill one seat at a time across all rooms, the way people arrive.
    order = [(room_id, slot) for slot in range(plan.per_room) for room_id in plan.room_ids]
    return list(await asyncio.gather(*(join(r, s) for r, s in order)))


async def run_schedule(plan: Plan, members: list[Member], tally: Tally, t0: int) -> None:
    if plan.rate <= 0:
        return
    interval = int(1e9 / plan.rate)
    rng = random.Random(plan.worker)
    phased = sorted((rng.randrange(interval), m) for m in members)  # spread, not in lockstep
    n_msgs = members[0].n_msgs if members else 0
    for counter in range(n_msgs):
        base = t0 + counter * interval
        for phase, member in phased:
            scheduled = base + phase
            now = time.monotonic_ns()
            if scheduled > now:
                await asyncio.sleep((scheduled - now) / 1e9)
                now = time.monotonic_ns()
            if tally.window_start <= scheduled < tally.window_end:
                tally.sent_in_window += 1
                tally.send_lag.add_ns(now - scheduled)
            member.publish(counter, scheduled)


async def work(plan: Plan, pipe: Connection) -> dict[str, object]:
    n_msgs = round((plan.warmup + plan.duration) * plan.rate)
    tally = Tally((0, 0))
    members = await connect_all(plan, tally, max(n_msgs, 1))
    pipe.send(("connected", len(members)))
    t0 = await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
    tally.window_start = t0 + int(plan.warmup * 1e9)
    tally.window_end = tally.window_start + int(plan.duration * 1e9)

    cpu: list[float] = []
    loop = asyncio.get_running_loop()
    for edge in (tally.window_start, tally.window_end):
        loop.call_at(edge / 1e9, lambda: cpu.append(time.process_time()))
    await run_schedule(plan, members, tally, t0)
    expected = n_msgs * len(members) * plan.per_room if plan.rate > 0 else 0
    deadline = time.monotonic() + plan.drain
    while tally.delivered < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    while len(cpu) < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    closed_early = tally.closed
    for member in members:
        member.close()
    distinct = tally.delivered - tally.duplicates
    return {
        "participants": len(members),
        "sent_in_window": tally.sent_in_window,
        "delivered_in_window": tally.delivered_in_window,
        "lost": max(0, expected - distinct),
        "duplicates": tally.duplicates,
        "out_of_order": tally.out_of_order,
        "closed_early": closed_early,
        "cpu_seconds": cpu[1] - cpu[0] if len(cpu) == 2 else float("nan"),
        "latency": tally.latency.counts,
        "send_lag": tally.send_lag.counts,
    }


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def main(plan: Plan, pipe: Connection, cores: set[int] | None) -> None:
    """Entry point of a generator process."""
    if cores:
        os.sched_setaffinity(0, cores)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            result = runner.run(work(plan, pipe))
        pipe.send(("result", result))
    except Exception as exc:  # reported, not raised: the orchestrator prints it
        pipe.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        pipe.close()
