"""A hostile relay for endpoints, in memory: it speaks wire v1 and can lie in every way.

It keeps a room's total order in the real relay's own ledger (relay/ledger.py:
seats, peer numbers, seq, the cap), and then lets a test drop,
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
from relay.ledger import Ledger, Refused, Room, Send

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
    ROOM_ID = "0" * 32

    def __init__(self, now: int = 0) -> None:
        self.ledger: Ledger[Seat] = Ledger()
        # The room is there before its first member, so a test can set its seq.
        self.room: Room[Seat] = self.ledger.rooms.setdefault(self.ROOM_ID, Room(self.ROOM_ID))
        self.now = now  # the endpoints' clock
        self.clock = 1_000_000  # the relay's own clock, for ``ts``
        self.log: list[wire.Msg] = []  # every msg stamped, for replays
        self.received: list[bytes] = []  # every pub payload, for the relay's-view checks
        self.tamper: Tamper | None = None
        self.hold = False  # when set, published frames are queued but not stamped
        self.held: list[tuple[int, bytes]] = []

    # The room's state lives in the ledger; a test may still move seq by hand to lie.

    @property
    def seats(self) -> dict[int, Seat]:
        return self.room.members

    @property
    def seq(self) -> int:
        return self.room.seq

    @seq.setter
    def seq(self, value: int) -> None:
        self.room.seq = value

    @property
    def next_peer(self) -> int:
        return self.room.next_peer

    # --- connections --------------------------------------------------------------

    def connect(self, endpoint: Endpoint) -> Seat:
        seat = Seat(0, endpoint, self)
        self.clock += 7
        admitted = self.ledger.admit(self.ROOM_ID, seat, self.clock)
        if isinstance(admitted, Refused):  # a hostile relay seats a 13th all the same
            welcome, join = self._overfill(seat)
        else:
            self.room, seat.peer = admitted.room, admitted.peer
            welcome, join = admitted.welcome, admitted.join
        endpoint.receive_frame(welcome.frame, self.now)
        self._deliver_all(join)
        self.pump()
        return seat

    def _overfill(self, seat: Seat) -> tuple[Send[Seat], Send[Seat]]:
        room = self.room
        seat.peer = room.next_peer
        room.next_peer += 1
        welcome = wire.encode_welcome(seat.peer, list(room.members))
        room.members[seat.peer] = seat
        room.seq += 1
        join = wire.encode_join(room.seq, self.clock, seat.peer)
        return Send((seat,), welcome), Send(room.members.values(), join)

    def disconnect(self, peer: int) -> None:
        assert peer in self.seats, f"peer {peer} is not in the room"
        self.clock += 7
        self._deliver_all(self.ledger.depart(self.room, peer, self.clock))
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
        self.clock += 7
        send = self.ledger.publish(self.room, sender, payload, self.clock)
        if send is None:  # not a member: a hostile relay stamps it all the same
            self.seq += 1
            send = Send(self.seats.values(), wire.encode_msg(self.seq, self.clock, sender, payload))
        msg = wire.Msg(self.seq, self.clock, sender, payload)
        self.log.append(msg)
        for peer, seat in list(self.seats.items()):
            frames = [send.frame] if self.tamper is None else self.tamper(peer, msg)
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

    def _deliver_all(self, send: Send[Seat] | None) -> None:
        if send is not None:
            for seat in list(send.to):
                self.deliver(seat, send.frame)

    # --- reading ------------------------------------------------------------------

    def events(self, peer: int) -> list[Event]:
        seat = self.seats[peer]
        seat.events.extend(seat.endpoint.events_received())
        return seat.events


def restamp(msg: wire.Msg, seq: int, d: bytes | None = None, sender: int | None = None) -> bytes:
    return wire.encode_msg(
        seq, msg.ts, msg.sender if sender is None else sender, msg.d if d is None else d
    )
