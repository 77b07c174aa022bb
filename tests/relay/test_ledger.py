"""The room ledger on its own: no loop, no socket, the clock passed in."""

from __future__ import annotations

import pytest

from protocol import wire
from relay.ledger import Admitted, Ledger, Refused

ROOM = "ab" * 16


def admit(ledger: Ledger[str], who: str, now: int = 5) -> Admitted[str]:
    admitted = ledger.admit(ROOM, who, now)
    assert isinstance(admitted, Admitted), admitted
    return admitted


def test_a_newcomer_gets_its_welcome_then_everyone_gets_its_join() -> None:
    ledger: Ledger[str] = Ledger()
    admit(ledger, "ana")
    bo = admit(ledger, "bo", now=77)
    assert list(bo.welcome.to) == ["bo"]
    assert wire.decode_server(bo.welcome.frame) == wire.Welcome(you=2, peers=(1,), cap=12)
    assert list(bo.join.to) == ["ana", "bo"]
    assert wire.decode_server(bo.join.frame) == wire.Join(2, 77, 2)
    assert bo.join.frame == wire.encode_join(2, 77, 2)  # byte for byte what v1 says


def test_every_event_takes_the_next_seq_and_goes_to_every_member() -> None:
    ledger: Ledger[str] = Ledger()
    room = admit(ledger, "ana").room
    admit(ledger, "bo")
    send = ledger.publish(room, 1, b"hi", 90)
    assert send is not None and list(send.to) == ["ana", "bo"]
    assert wire.decode_server(send.frame) == wire.Msg(3, 90, 1, b"hi")
    leave = ledger.depart(room, 1, 91)
    assert leave is not None and list(leave.to) == ["bo"]  # the leaver hears nothing more
    assert wire.decode_server(leave.frame) == wire.Leave(4, 91, 1)
    assert ledger.publish(room, 1, b"late", 92) is None  # gone is gone
    assert ledger.depart(room, 1, 93) is None


def test_the_cap_refuses_one_more_and_changes_nothing() -> None:
    ledger: Ledger[str] = Ledger(cap=3)
    room = admit(ledger, "a").room
    admit(ledger, "b")
    admit(ledger, "c")
    before = (room.seq, room.next_peer, dict(room.members))
    refused = ledger.admit(ROOM, "d", 9)
    assert refused == Refused(wire.ROOM_FULL, "this room already has 3 people")
    assert (room.seq, room.next_peer, dict(room.members)) == before


def test_peer_numbers_are_never_reused_while_the_room_lives() -> None:
    ledger: Ledger[str] = Ledger()
    room = admit(ledger, "ana").room
    admit(ledger, "bo")
    ledger.depart(room, 2, 10)
    assert admit(ledger, "cy").peer == 3


def test_the_last_departure_drops_the_room_and_the_id_starts_afresh() -> None:
    ledger: Ledger[str] = Ledger()
    room = admit(ledger, "ana").room
    ledger.publish(room, 1, b"x", 6)
    assert ledger.depart(room, 1, 7) is None  # nobody left to tell
    assert ledger.rooms == {}
    again = admit(ledger, "bo")
    assert again.room is not room and again.peer == 1
    assert wire.decode_server(again.join.frame) == wire.Join(1, 5, 1)


def test_rooms_are_apart() -> None:
    ledger: Ledger[str] = Ledger()
    a = admit(ledger, "ana").room
    b = ledger.admit("cd" * 16, "bo", 5)
    assert isinstance(b, Admitted) and b.peer == 1 and list(b.join.to) == ["bo"]
    send = ledger.publish(a, 1, b"only a", 6)
    assert send is not None and list(send.to) == ["ana"]


def test_a_cap_above_twelve_is_refused() -> None:
    with pytest.raises(ValueError):
        Ledger(cap=13)
