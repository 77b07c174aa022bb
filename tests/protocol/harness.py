"""A hostile relay for endpoints, in memory: it speaks wire v1 and can lie in every way.

It keeps a room's total order like the real relay, and then lets a test drop,
replay, reorder, duplicate, inject, move frames between rooms or epochs, and
show different members different frames. Endpoints are the real ones with real
crypto; only the network is replaced, by something worse than a network.

It also keeps the clock: every frame reaches an endpoint at ``now`` (ms), and
``tick(now)`` moves the clock on and lets every endpoint's timers run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from protocol import commands as cmd
from protocol import wire
from protocol.endpoint import Endpoint
from protocol.events import Event

# A tamper hook sees each stamped frame for one recipient and returns what that
# recipient gets instead: [] drops it, [f, f] duplicates it, and so on.
Tamper = Callable[[int, wire.Msg], list[bytes]]


@dataclass
class Seat:
    peer: int
    endpoint: Endpoint
    relay: HostileRelay
    events: list[Event] = field(default_factory=list)
    inbox: list[bytes] = field(default_factory=list)  # every frame delivered, in order

    def send(self, command: cmd.Command) -> None:
        """The person at this seat asks for ``command`` now (the frames wait for a pump)."""
        self.endpoint.send(command, self.relay.now)
        self.events.extend(self.endpoint.events_received())

    def say(self, text: str) -> None:
        self.send(cmd.Say(text))


class HostileRelay:
    def __init__(self, now: int = 0) -> None:
        self.seats: dict[int, Seat] = {}
        self.seq = 0
        self.next_peer = 1
        self.now = now  # the endpoints' clock
        self.clock = 1_000_000  # the relay's own clock, for ``ts``
        self.log: list[wire.Msg] = []  # every msg stamped, for replays
        self.received: list[bytes] = []  # every pub payload, for the relay's-view checks
        self.tamper: Tamper | None = None
        self.hold = False  # when set, published frames are queued but not stamped
        self.held: list[tuple[int, bytes]] = []

    # --- connections --------------------------------------------------------------

    def connect(self, endpoint: Endpoint) -> Seat:
        peer = self.next_peer
        self.next_peer += 1
        seat = self.seats[peer] = Seat(peer, endpoint, self)
        endpoint.receive_frame(
            wire.encode_welcome(peer, [p for p in self.seats if p != peer]), self.now
        )
        self._stamp_all(lambda seq, ts: wire.encode_join(seq, ts, peer))
        self.pump()
        return seat

    def disconnect(self, peer: int) -> None:
        self.seats.pop(peer)
        self._stamp_all(lambda seq, ts: wire.encode_leave(seq, ts, peer))
        self.pump()

    # --- traffic ------------------------------------------------------------------

    def pump(self, rounds: int = 50) -> None:
        """Carry frames until every endpoint is quiet (bounded)."""
        for _ in range(rounds):
            moved = False
            for seat in list(self.seats.values()):
                for frame in seat.endpoint.data_to_send():
                    moved = True
                    payload = wire.decode_client(frame).d
                    self.received.append(payload)
                    if self.hold:
                        self.held.append((seat.peer, payload))
                    else:
                        self.publish(seat.peer, payload)
                seat.events.extend(seat.endpoint.events_received())
            if not moved:
                return
        raise AssertionError("endpoints kept talking for 50 rounds")

    def publish(self, sender: int, payload: bytes) -> wire.Msg:
        self.seq += 1
        self.clock += 7
        msg = wire.Msg(self.seq, self.clock, sender, payload)
        self.log.append(msg)
        for peer, seat in list(self.seats.items()):
            frames = [wire.encode(msg)] if self.tamper is None else self.tamper(peer, msg)
            for frame in frames:
                self.deliver(seat, frame)
        return msg

    def deliver(self, seat: Seat, frame: bytes) -> None:
        seat.inbox.append(frame)
        seat.endpoint.receive_frame(frame, self.now)
        seat.events.extend(seat.endpoint.events_received())

    def inject(self, peer: int, frame: bytes) -> None:
        self.deliver(self.seats[peer], frame)
        self.pump()

    def release(self) -> None:
        self.hold = False
        held, self.held = self.held, []
        for sender, payload in held:
            self.publish(sender, payload)
        self.pump()

    def tick(self, now_ms: int) -> None:
        self.now = now_ms
        for seat in list(self.seats.values()):
            seat.endpoint.tick(now_ms)
        self.pump()

    def _stamp_all(self, frame: Callable[[int, int], bytes]) -> None:
        self.seq += 1
        self.clock += 7
        data = frame(self.seq, self.clock)
        for seat in list(self.seats.values()):
            self.deliver(seat, data)

    # --- reading ------------------------------------------------------------------

    def events(self, peer: int) -> list[Event]:
        seat = self.seats[peer]
        seat.events.extend(seat.endpoint.events_received())
        return seat.events


def restamp(msg: wire.Msg, seq: int, d: bytes | None = None, sender: int | None = None) -> bytes:
    return wire.encode_msg(
        seq, msg.ts, msg.sender if sender is None else sender, msg.d if d is None else d
    )
