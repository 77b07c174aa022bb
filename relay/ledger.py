"""The room ledger: who sits in which room, and the order of what happens there.

Sans-I/O, like the protocol core: no loop, no sockets, no clock. The caller
passes the time (``now``, the relay's clock in ms) into every call and gets back
the frames to write and who gets them. The relay's server and the tests'
hostile relay both keep their rooms here, so the rules below are written once.

The rules, in the order a room lives them:

1. A room exists from its first member's admission to its last member's
   departure; then its state is dropped, and the same room id starts afresh.
2. A room holds at most ``cap`` members; admitting one more is refused
   (``room_full``) and changes nothing.
3. Peer numbers start at 1 and are never reused within a room's lifetime.
4. Every room event (join, msg, leave) takes the room's next ``seq``, from 1,
   and ``now`` as its ``ts``.
5. A newcomer gets its ``welcome`` (the members before it) first; then every
   member, the newcomer included, gets its ``join``.
6. Every event goes to every member, the sender included, so all see one order.
7. A member that departs gets nothing more; the others get its ``leave``.

Members are whatever the caller uses to reach a person (a connection, a test
seat); the ledger only stores them. A ``Send`` names its recipients as a live
view of the room: write it before the next call to the ledger.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from protocol import wire

M = TypeVar("M")


@dataclass(slots=True)
class Room(Generic[M]):
    room_id: str
    members: dict[int, M] = field(default_factory=dict)
    seq: int = 0
    next_peer: int = 1


@dataclass(frozen=True, slots=True)
class Send(Generic[M]):
    """One frame, encoded once, for each of ``to``."""

    to: Collection[M]
    frame: bytes
    seq: int = 0  # the room event's seq; 0 for a welcome


@dataclass(frozen=True, slots=True)
class Admitted(Generic[M]):
    room: Room[M]
    peer: int
    welcome: Send[M]
    join: Send[M]


@dataclass(frozen=True, slots=True)
class Refused:
    code: str
    msg: str


class Ledger(Generic[M]):
    """Every room of one relay, in RAM."""

    __slots__ = ("cap", "rooms")

    def __init__(self, cap: int = wire.ROOM_CAP) -> None:
        if not 0 < cap <= wire.ROOM_CAP:
            raise ValueError(f"a room holds at most {wire.ROOM_CAP} people")
        self.cap = cap
        self.rooms: dict[str, Room[M]] = {}

    def admit(self, room_id: str, member: M, now: int) -> Admitted[M] | Refused:
        room = self.rooms.get(room_id)
        if room is None:
            room = Room(room_id)
        elif len(room.members) >= self.cap:
            return Refused(wire.ROOM_FULL, f"this room already has {self.cap} people")
        self.rooms[room_id] = room
        peer = room.next_peer
        room.next_peer += 1
        welcome = Send((member,), wire.encode_welcome(peer, list(room.members), self.cap))
        room.members[peer] = member
        room.seq += 1
        join = Send(room.members.values(), wire.encode_join(room.seq, now, peer), room.seq)
        return Admitted(room, peer, welcome, join)

    def publish(self, room: Room[M], peer: int, d: bytes, now: int) -> Send[M] | None:
        """The member's payload as the room's next msg; None if it is no longer a member."""
        if peer not in room.members:
            return None
        room.seq += 1
        return Send(room.members.values(), wire.encode_msg(room.seq, now, peer, d), room.seq)

    def depart(self, room: Room[M], peer: int, now: int) -> Send[M] | None:
        """The member leaves; the leave for those who stay, or None if nobody is told."""
        if room.members.pop(peer, None) is None:
            return None
        if not room.members:
            if self.rooms.get(room.room_id) is room:
                del self.rooms[room.room_id]
            return None
        room.seq += 1
        return Send(room.members.values(), wire.encode_leave(room.seq, now, peer), room.seq)

    def member(self, room: Room[M], peer: int) -> M | None:
        return room.members.get(peer)
