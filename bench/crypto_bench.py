"""How much Porch's end-to-end encryption costs, beside what it is built from.

    python bench/crypto_bench.py [--messages 5000] [--joins 5]

Measured in one run on one machine, each beside a baseline:

- seal: one message from ``say`` to sealed, signed frame (ratchet, padding,
  XChaCha20-Poly1305, Ed25519), against a bare ``Aead`` seal of the same text;
- open: one relay frame in to a ``Said`` event out (wire decode, signature
  check, ratchet, open, body decode), against a bare ``Aead`` open;
- epoch change in a full room: CPU per member while a twelfth member is
  admitted (Commit, new chains sealed to eleven seats, eleven chains opened),
  against the same count of bare seals and opens;
- join to first message on loopback, through a real relay: connect, lobby,
  knock, admission, keys, and the newcomer's first message arriving at the
  host, against a bare WebSocket connect and one echoed frame;
- room events applied to the room state in a full room (a floor act, a
  ballot, a repair step), against a message applied to the same state.

Targets: seal <= 100 us, open <= 150 us, epoch change <= 20 ms per member,
floor and vote events <= 50 us each.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nacl.secret import Aead
from nacl.signing import SigningKey
from websockets.asyncio.client import connect

from protocol import commands as cmd
from protocol import events as ev
from protocol import wire
from protocol.crypto import random_bytes
from protocol.endpoint import Endpoint
from protocol.room import floor as fl
from protocol.room import repair as rp
from protocol.room import votes as vt
from protocol.room.state import AgreementsSet, Applied, RoomState, Spoken, StateEvent, apply
from relay.limits import Limits
from relay.server import Relay, bound_address
from relay.server import start as start_relay
from tests.protocol.harness import HostileRelay, Seat
from tests.protocol.rooms import knock_and_enter, open_room

TEXT = "A message of ordinary length, about as long as people write in a circle."


def per_call_us(run: Callable[[], object], count: int) -> float:
    """CPU time per call: other processes on a busy machine do not count against us."""
    start = time.process_time()
    for _ in range(count):
        run()
    return (time.process_time() - start) / count * 1e6


def bench_seal_open(count: int) -> tuple[float, float, float, float, float, float]:
    relay, (ana, bo) = open_room(2)
    sender, receiver = bo.endpoint, ana.endpoint
    frames: list[bytes] = []

    def seal_one() -> None:
        sender.send(cmd.Say(TEXT), relay.now)
        frames.extend(sender.data_to_send())

    seal_us = per_call_us(seal_one, count)
    stamped = [
        wire.encode_msg(relay.seq + 1 + n, 1, bo.peer, wire.decode_client(f).d)
        for n, f in enumerate(frames)
    ]
    feed = iter(stamped)

    def open_one() -> None:
        receiver.receive_frame(next(feed), relay.now)
        receiver.events_received()

    open_us = per_call_us(open_one, count)
    got = [e for e in receiver.events_received() if isinstance(e, ev.Said)]
    assert not got  # drained inside the loop; every frame produced a Said there

    key = random_bytes(32)
    box = Aead(key)
    body = TEXT.encode()
    sealed = [bytes(box.encrypt(body, b"h" * 31)) for _ in range(count)]
    base_seal = per_call_us(lambda: box.encrypt(body, b"h" * 31), count)
    it = iter(sealed)
    base_open = per_call_us(lambda: box.decrypt(next(it), b"h" * 31), count)
    signer = SigningKey.generate()
    signed = signer.sign(sealed[0])
    floor_seal = per_call_us(lambda: (box.encrypt(body, b"h" * 31), signer.sign(sealed[0])), count)
    it = iter(sealed)
    floor_open = per_call_us(
        lambda: (signer.verify_key.verify(signed), box.decrypt(next(it), b"h" * 31)), count
    )
    return seal_us, open_us, base_seal, base_open, floor_seal, floor_open


def bench_room_events(count: int) -> tuple[float, float, float, float]:
    """CPU us per event applied in a full room: (message, floor act, ballot, repair step)."""
    seats = tuple(range(12))
    start, _ = apply(RoomState(), Applied(0, 0, 0, AgreementsSet(bytes(32), seats)))
    ids = [bytes([s]) * 32 for s in seats]

    def per_event(rows: list[tuple[int, StateEvent]], state: RoomState, ts: int) -> float:
        """CPU us per row, applying ``rows`` again and again from ``state``."""
        done = 0
        began = time.process_time()
        while done < count:
            current = state
            for n, (slot, row) in enumerate(rows, 1):
                current, _ = apply(current, Applied(current.seq + 1, ts + n, slot, row))
            done += len(rows)
        return (time.process_time() - began) / done * 1e6

    said = [(s, Spoken(TEXT)) for s in seats]
    message = per_event(said, start, 10)
    stacked, _ = apply(start, Applied(1, 5, 0, fl_row(fl.Act.STACK)))
    hands = [(s, fl_row(fl.Act.HAND, fl.HandKind.HAND)) for s in seats[1:]]
    floor = per_event(hands, stacked, 10)
    key = bytes(16)
    moved = vt.Moved(key, 11, "a reason", seats[:11], tuple(ids[:11]), 60, 120, 60,
                     ids[0], ids[11], b"", bytes(64))  # fmt: skip
    voting = start
    for n, (slot, row) in enumerate(
        [(0, moved), (1, vt.Seconded(key, bytes(64), ids[1])), (11, vt.Answered(key))], 1
    ):
        voting, _ = apply(voting, Applied(voting.seq + 1, n, slot, row))
    ballots = [(s, vt.Balloted(key, s % 2 == 0, bytes(64), ids[s])) for s in seats[:11]]
    ballot = per_event(ballots, voting, 10)
    ouched, _ = apply(start, Applied(1, 5, 3, rp.Ouched("ouch", None)))
    steps = [(3, rp.Stepped(rp.Step.MORE)) for _ in range(11)]
    repair = per_event(steps, ouched, 10)
    return message, floor, ballot, repair


def fl_row(act: fl.Act, arg: object = "") -> StateEvent:
    from protocol.room.state import Floored

    return Floored(fl.FloorAct(act, arg))  # type: ignore[arg-type]


def bench_epoch_change(rounds: int) -> tuple[float, float, float]:
    """(mean ms per member, worst member ms, baseline ms) for admitting a twelfth member."""
    means, worsts = [], []
    for _ in range(rounds):
        relay = TimedRelay()
        _, seats = open_room(11, relay=relay)
        relay.timing = {seat.peer for seat in seats}
        newcomer = knock_and_enter(relay, seats[0], "lu")
        spent = relay.spent
        assert newcomer.endpoint.epoch == 12
        per_member = [v * 1e3 for v in spent.values()]
        means.append(statistics.mean(per_member))
        worsts.append(max(per_member))
    key = random_bytes(32)
    box = Aead(key)
    chain = random_bytes(32)
    sealed = bytes(box.encrypt(chain, b"a"))
    base = (
        per_call_us(lambda: (box.encrypt(chain, b"a"), box.decrypt(sealed, b"a")), 11 * 100)
        * 11
        / 1e3
    )
    return statistics.mean(means), max(worsts), base


class TimedRelay(HostileRelay):
    """The in-memory relay, counting the CPU each member spends on what it receives."""

    def __init__(self) -> None:
        super().__init__()
        self.timing: set[int] = set()
        self.spent: dict[int, float] = {}

    def deliver(self, seat: Seat, frame: bytes) -> None:
        if seat.peer not in self.timing:
            super().deliver(seat, frame)
            return
        start = time.process_time()
        super().deliver(seat, frame)
        self.spent[seat.peer] = self.spent.get(seat.peer, 0.0) + time.process_time() - start


async def bench_join(rounds: int) -> tuple[float, float]:
    server = await start_relay(Relay(Limits(per_ip=1000)), "127.0.0.1", 0)
    host, port = bound_address(server)
    url = f"ws://{host}:{port}"
    try:
        joins, bares = [], []
        for _ in range(rounds):
            joins.append(await _one_join(url))
            start = time.perf_counter()
            async with connect(f"{url}/v1/rooms/{'0' * 32}", compression=None) as conn:
                await conn.recv()  # welcome
                await conn.recv()  # our join
                await conn.send(wire.encode_pub(b"x"))
                await conn.recv()
            bares.append((time.perf_counter() - start) * 1e3)
        return statistics.median(joins), statistics.median(bares)
    finally:
        server.close()
        await server.wait_closed()


async def _one_join(url: str) -> float:
    from tui.client import RoomClient

    host = RoomClient(Endpoint.host(url, "ana", "Be kind."))
    host_task = asyncio.create_task(host.run())
    await _wait(host, ev.Entered)
    start = time.perf_counter()
    joiner = RoomClient(Endpoint.joining(host.endpoint.invite, "bo"))
    joiner_task = asyncio.create_task(joiner.run())
    await _wait(joiner, ev.AgreementsOffered)
    joiner.send(cmd.Agree())
    knock = await _wait(host, ev.Knocked)
    assert isinstance(knock, ev.Knocked)
    host.send(cmd.Admit(knock.knock))
    await _wait(joiner, ev.Entered)
    joiner.send(cmd.Say("first"))
    await _wait(host, ev.Said)
    elapsed = (time.perf_counter() - start) * 1e3
    for task in (host_task, joiner_task):
        task.cancel()
    await asyncio.gather(host_task, joiner_task, return_exceptions=True)
    return elapsed


async def _wait(client: object, kind: type[object]) -> object:
    queue: asyncio.Queue[object] = client.events  # type: ignore[attr-defined]
    async with asyncio.timeout(10):
        while True:
            event = await queue.get()
            if isinstance(event, kind):
                return event


def us(value: float) -> str:
    return f"{value:8.1f} us"


def ms(value: float) -> str:
    return f"{value:8.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    seal_us, open_us, base_seal, base_open, floor_seal, floor_open = bench_seal_open(args.messages)
    epoch_mean, epoch_worst, epoch_base = bench_epoch_change(args.rounds)
    join_ms, bare_ms = asyncio.run(bench_join(args.rounds))
    message_us, floor_us, ballot_us, repair_us = bench_room_events(args.messages)

    rows = [
        ("seal (encrypt + sign), per message", us(seal_us), us(base_seal), "<= 100 us",
         seal_us <= 100),
        ("  floor: bare Aead seal + Ed25519 sign", us(floor_seal), "", "", None),
        ("open (verify + decrypt), per message", us(open_us), us(base_open), "<= 150 us",
         open_us <= 150),
        ("  floor: bare Ed25519 verify + Aead open", us(floor_open), "", "", None),
        ("epoch change, 12 seats, mean per member", ms(epoch_mean), ms(epoch_base), "<= 20 ms",
         epoch_mean <= 20),
        ("epoch change, 12 seats, busiest member", ms(epoch_worst), "", "<= 20 ms",
         epoch_worst <= 20),
        ("join to first message, loopback (wall)", ms(join_ms), ms(bare_ms), "", None),
        ("floor act applied, 12 seats", us(floor_us), us(message_us), "<= 50 us",
         floor_us <= 50),
        ("ballot applied, 12 seats", us(ballot_us), us(message_us), "<= 50 us",
         ballot_us <= 50),
        ("repair step applied, 12 seats", us(repair_us), us(message_us), "<= 50 us",
         repair_us <= 50),
    ]  # fmt: skip
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"CPU time per operation; load average {load:.1f} on {os.cpu_count()} cores\n")
    print(f"{'measure':42} {'porch':>12} {'baseline':>12}  {'target':10} met")
    print("-" * 84)
    for name, value, base, target, met in rows:
        verdict = "" if met is None else "yes" if met else "NO"
        print(f"{name:42} {value:>12} {base:>12}  {target:10} {verdict}")
    print(
        "\nbaselines: a bare Aead seal/open of the same text; for the epoch change, eleven bare"
        " seals and opens;\nfor the join, a bare WebSocket connect through the same relay and"
        " one echoed frame;\nfor room events, a message applied to the same room state."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
