"""The door by consent: "not now" is the room's and reaches the knocker; a knock expires.

Real endpoints and real crypto behind the in-memory hostile relay, whose ``ts``
is its own clock, apart from the endpoints' ``now``.
"""

from __future__ import annotations

import pytest
from nacl.signing import SigningKey

from protocol import commands as cmd
from protocol import events as ev
from protocol import wire
from protocol.bodies.door import SetAside
from protocol.endpoint import Endpoint
from protocol.events import Note
from protocol.frames import Kind, RoomFrame, parse
from tests.protocol.harness import Seat
from tests.protocol.rooms import (
    fingerprint,
    knocking,
    notes,
    of,
    open_room,
    publish_as,
    roomwide,
    stamped,
)


def set_aside_events(seat: Seat) -> list[ev.KnockSetAside]:
    return [e for e in seat.events if isinstance(e, ev.KnockSetAside)]


def asked_to_wait(seat: Seat) -> int:
    return sum(isinstance(e, ev.AskedToWait) for e in seat.events)


# --- not now ------------------------------------------------------------------------


def test_not_now_reaches_every_member_and_the_knocker_and_anyone_can_still_admit() -> None:
    relay, (ana, bo) = open_room(2)
    cy = knocking(relay, ana, "cy")
    bo.send(cmd.NotNow(cy.peer))
    relay.pump()
    assert set_aside_events(ana) == [ev.KnockSetAside(cy.peer, "cy", "bo", mine=False)]
    assert set_aside_events(bo) == [ev.KnockSetAside(cy.peer, "cy", "bo", mine=True)]
    assert asked_to_wait(cy) == 1 and cy.endpoint.roster is None
    assert cy.peer in ana.endpoint.knocks  # set aside, not refused
    ana.send(cmd.Admit(cy.peer))
    relay.pump()
    assert cy.endpoint.my_slot is not None
    assert ev.Admitted("cy", "ana") in bo.events


def test_whoever_said_not_now_can_still_admit_and_says_it_once() -> None:
    relay, (ana, bo) = open_room(2)
    cy = knocking(relay, ana, "cy")
    bo.send(cmd.NotNow(cy.peer))
    relay.pump()
    bo.send(cmd.NotNow(cy.peer))  # again: nothing is sent, and bo is told why
    assert bo.endpoint.data_to_send() == []
    assert (Note.ASKED_TO_WAIT_ALREADY, "cy") in notes(bo)
    bo.send(cmd.Admit(cy.peer))
    relay.pump()
    assert cy.endpoint.my_slot is not None
    assert ev.Admitted("cy", "bo") in ana.events


def test_someone_not_in_the_room_cannot_say_not_now() -> None:
    relay, (ana, _bo) = open_room(2)
    cy = knocking(relay, ana, "cy")
    di = knocking(relay, ana, "di")
    di.send(cmd.NotNow(cy.peer))
    assert di.endpoint.data_to_send() == []
    assert (Note.NOT_IN_ROOM, "") in notes(di)


def test_a_not_now_replayed_by_the_relay_is_shown_once() -> None:
    relay, (ana, bo, _cy) = open_room(3)
    di = knocking(relay, ana, "di")
    bo.send(cmd.NotNow(di.peer))
    relay.pump()
    frame = stamped(relay, bo, Kind.SET_ASIDE)
    for _ in range(3):
        publish_as(relay, bo, frame.d)
    assert len(set_aside_events(ana)) == 1
    assert asked_to_wait(di) == 1


def test_two_members_saying_not_now_are_two_members() -> None:
    relay, (ana, bo, cy) = open_room(3)
    di = knocking(relay, ana, "di")
    bo.send(cmd.NotNow(di.peer))
    cy.send(cmd.NotNow(di.peer))
    relay.pump()
    assert [e.by_nick for e in set_aside_events(ana)] == ["bo", "cy"]
    assert asked_to_wait(di) == 2


def test_a_not_now_signed_by_someone_not_on_the_roster_is_dropped() -> None:
    """Defence: only a member's "not now" counts, for the members and for the knocker."""
    relay, (ana, bo) = open_room(2)
    cy = knocking(relay, ana, "cy")
    di = knocking(relay, ana, "di")  # holds the invite, and is not in the room
    knock = ana.endpoint.knocks[cy.peer]
    stranger = SigningKey.generate()
    di_key = di.endpoint.identity
    bo_key = bytes(bo.endpoint.identity.verify_key)
    forged = (
        roomwide(ana.endpoint, Kind.SET_ASIDE, SetAside(s, knock.identity).encode(), signer)
        for s, signer in (
            (bytes(stranger.verify_key), stranger),  # a stranger naming itself
            (bytes(di_key.verify_key), di_key),  # another knocker naming itself
            (bo_key, stranger),  # a stranger naming bo
        )
    )
    before = [fingerprint(s.endpoint) for s in (ana, bo, cy)]
    for d in forged:
        publish_as(relay, di, d)
    assert [fingerprint(s.endpoint) for s in (ana, bo, cy)] == before
    assert set_aside_events(ana) == set_aside_events(bo) == []
    assert asked_to_wait(cy) == 0


def test_a_not_now_for_another_knock_tells_this_knocker_nothing() -> None:
    """Defence: a "not now" names its knock by the knocker's identity key."""
    relay, (ana, bo) = open_room(2)
    cy = knocking(relay, ana, "cy")
    di = knocking(relay, ana, "di")
    bo.send(cmd.NotNow(di.peer))
    relay.pump()
    assert asked_to_wait(di) == 1
    assert asked_to_wait(cy) == 0
    assert set_aside_events(ana) == [ev.KnockSetAside(di.peer, "di", "bo", mine=False)]


def test_a_not_now_from_someone_who_left_is_dropped() -> None:
    relay, (ana, bo, cy) = open_room(3)
    di = knocking(relay, ana, "di")
    knock = ana.endpoint.knocks[di.peer]
    cy_key = cy.endpoint.identity
    cy.send(cmd.Leave())
    relay.pump()
    relay.disconnect(cy.peer)
    assert len(ana.endpoint.seats) == 2
    body = SetAside(bytes(cy_key.verify_key), knock.identity).encode()
    publish_as(relay, bo, roomwide(ana.endpoint, Kind.SET_ASIDE, body, cy_key))
    assert set_aside_events(ana) == []
    assert asked_to_wait(di) == 0


# --- expiry -------------------------------------------------------------------------


def test_a_knock_expires_at_the_relays_time_of_it_plus_its_own_wait() -> None:
    relay, (ana, bo) = open_room(2)
    bo.say("hello")  # every member now knows how far the relay's clock is from its own
    relay.pump()
    cy = knocking(relay, ana, "cy", wait_s=10)
    knock = stamped(relay, cy, Kind.KNOCK)
    for member in (ana, bo):  # the knock's own wait, not the members' default
        assert member.endpoint.door.expires[cy.peer] == knock.ts + 10_000
    offset = bo.endpoint.relay_offset
    assert offset is not None and ana.endpoint.relay_offset == offset
    due = knock.ts + 10_000 + offset  # on the members' clock
    relay.tick(due - 1)
    assert not of(ana, ev.KnockExpired) and cy.peer in ana.endpoint.knocks
    relay.tick(due)
    for member in (ana, bo):
        assert of(member, ev.KnockExpired) == [ev.KnockExpired(cy.peer, "cy")]
        assert cy.peer not in member.endpoint.knocks
    assert of(cy, ev.Closed) == [ev.Closed(ev.Ending.UNANSWERED, waited_s=10)]
    assert cy.endpoint.unanswered and cy.endpoint.closed
    ana.send(cmd.Admit(cy.peer))  # too late
    assert (Note.KNOCK_GONE, "") in notes(ana)


def test_a_knock_shown_late_expires_at_the_same_moment_of_the_relays_clock() -> None:
    relay, (ana, bo) = open_room(2)
    bo.say("hello")
    relay.pump()
    held: list[wire.Msg] = []

    def hold_knocks_from_ana(peer: int, msg: wire.Msg) -> list[bytes]:
        frame = parse(msg.d, ana.endpoint.room)
        if peer == ana.peer and isinstance(frame, RoomFrame) and frame.kind is Kind.KNOCK:
            held.append(msg)
            return []
        return [wire.encode(msg)]

    relay.tamper = hold_knocks_from_ana
    cy = knocking(relay, ana, "cy", wait_s=10)
    relay.tamper = None
    relay.now = 4_000  # ana's clock has moved on when the knock reaches her
    relay.deliver(ana, wire.encode(held[0]))
    assert cy.peer in ana.endpoint.knocks
    assert ana.endpoint.next_deadline() == bo.endpoint.next_deadline()
    offset = bo.endpoint.relay_offset
    assert offset is not None
    due = held[0].ts + 10_000 + offset
    assert due < 4_000 + 10_000  # not ten seconds from when ana saw it
    relay.tick(due)
    assert of(ana, ev.KnockExpired) == of(bo, ev.KnockExpired) == [ev.KnockExpired(cy.peer, "cy")]


def test_a_knocker_who_leaves_after_its_knock_expired_is_shown_as_expired() -> None:
    """A leave the relay stamped after the expiry, before a member's own clock got there."""
    relay, (ana, _bo) = open_room(2)
    cy = knocking(relay, ana, "cy", wait_s=10)
    di = knocking(relay, ana, "di", wait_s=600)
    relay.clock += 10_000
    relay.disconnect(cy.peer)
    relay.disconnect(di.peer)
    assert of(ana, ev.KnockExpired) == [ev.KnockExpired(cy.peer, "cy")]
    assert of(ana, ev.KnockWithdrawn) == [ev.KnockWithdrawn(di.peer, "di")]


def test_the_knocker_waits_from_the_relays_time_of_its_knock() -> None:
    relay, (ana, _bo) = open_room(2)
    cy = knocking(relay, ana, "cy", wait_s=30)
    knock = stamped(relay, cy, Kind.KNOCK)
    assert cy.endpoint.entry.knock_expires == knock.ts + 30_000
    offset = cy.endpoint.relay_offset
    assert offset is not None
    assert cy.endpoint.next_deadline() == knock.ts + 30_000 + offset
    relay.tick(knock.ts + 30_000 + offset - 1)
    assert not of(cy, ev.Closed)
    relay.tick(knock.ts + 30_000 + offset)
    assert of(cy, ev.Closed) == [ev.Closed(ev.Ending.UNANSWERED, waited_s=30)]


def test_a_knock_wait_out_of_bounds_is_refused_before_any_knock() -> None:
    _relay, (ana, _bo) = open_room(2)
    for wait in (9, 1801):
        with pytest.raises(ValueError, match="between 10 and 1800 seconds"):
            Endpoint.joining(ana.endpoint.invite, "cy", knock_wait_s=wait)
