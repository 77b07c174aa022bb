"""A knock let go stays gone, and a knock said again says no more than it should.

Real endpoints and real crypto behind the in-memory hostile relay. Anyone
present can publish a knocker's own signed knock again, and the relay chooses
the sender of every frame; members keep what they let go, and show a knock said
again only from the connection it names (``membership.door``).
"""

from __future__ import annotations

from dataclasses import replace

from protocol import commands as cmd
from protocol import events as ev
from protocol import wire
from protocol.bodies.door import MAX_TOLD, REPEAT_BYTES, KnockBody
from protocol.crypto import pad_bucket
from protocol.endpoint import Endpoint
from protocol.frames import Kind, RoomFrame, parse
from protocol.limits import NICK_CHARS
from protocol.snapshot import snapshot
from tests.protocol.harness import HostileRelay, Seat
from tests.protocol.rooms import (
    answering,
    body_of,
    drop_knocks_to,
    knock_and_enter,
    knocking,
    knocks_by,
    notes,
    of,
    open_room,
    publish_as,
    roomwide,
    shown,
)


def bystander(relay: HostileRelay, host: Seat, nick: str) -> Seat:
    """A connection holding the invite that never knocks."""
    return relay.connect(Endpoint.joining(host.endpoint.invite, nick))


def set_asides_by(relay: HostileRelay, seat: Seat) -> list[wire.Msg]:
    room = seat.endpoint.room
    return [
        m
        for m in relay.log
        if m.sender == seat.peer
        and isinstance(frame := parse(m.d, room), RoomFrame)
        and frame.kind is Kind.SET_ASIDE
    ]


# --- a knock let go does not come back ----------------------------------------------


def test_a_withdrawn_knock_said_again_from_another_connection_is_not_shown() -> None:
    """Defence: zo leaves; cy, a member, and w, a connection that never knocked,
    publish zo's own signed knock. Nobody shows it, so nobody can let zo's keys
    in at a connection that is not zo's."""
    relay, (ana, bo, cy) = open_room(3)
    zo = knocking(relay, ana, "zo")
    first = knocks_by(relay, zo)[0]
    relay.disconnect(zo.peer)
    assert of(ana, ev.KnockWithdrawn) == [ev.KnockWithdrawn(zo.peer, "zo")]
    w = bystander(relay, ana, "w")
    relay.clock += 300_000
    before = [snapshot(s.endpoint.door) for s in (ana, bo, cy)]
    publish_as(relay, cy, first.d)
    publish_as(relay, w, first.d)
    assert [snapshot(s.endpoint.door) for s in (ana, bo, cy)] == before
    assert ana.endpoint.knocking == bo.endpoint.knocking == ()
    assert len(shown(ana, "zo")) == len(shown(bo, "zo")) == 1
    ana.send(cmd.Admit(w.peer))
    relay.pump()
    assert (ev.Note.KNOCK_GONE, "") in notes(ana)
    roster = bo.endpoint.roster
    assert roster is not None and [m.nick for m in roster.members] == ["ana", "bo", "cy"]


def test_a_knock_that_ran_out_as_its_knocker_left_is_not_shown_again() -> None:
    """Defence: the knocker's leave, stamped as its wait runs out, reaches members
    before their clock lets the knock expire; the knock is let go all the same."""
    relay, (ana, bo, cy) = open_room(3)
    zo = knocking(relay, ana, "zo", wait_s=10)
    first = knocks_by(relay, zo)[0]
    relay.clock = ana.endpoint.door.expires[zo.peer]
    relay.disconnect(zo.peer)
    assert of(ana, ev.KnockExpired) == [ev.KnockExpired(zo.peer, "zo")]
    publish_as(relay, cy, first.d)
    assert ana.endpoint.knocking == bo.endpoint.knocking == ()
    assert len(shown(ana, "zo")) == 1


def test_a_knock_said_again_from_a_connection_not_the_knockers_is_not_shown() -> None:
    """Defence: the relay keeps cy's saying from bo, seated late, and brings it to bo
    as if from w, a connection that never knocked. bo shows it only from cy's."""
    relay, (ana,) = open_room(1)
    cy = knocking(relay, ana, "cy")
    bo = knocking(relay, ana, "bo")
    w = bystander(relay, ana, "w")
    drop_knocks_to(relay, cy, bo)
    ana.send(cmd.Admit(bo.peer))
    relay.pump()
    relay.tamper = None
    again = knocks_by(relay, cy)[-1]
    assert body_of(cy, again).peer == cy.peer
    publish_as(relay, w, again.d)
    assert bo.endpoint.knocking == () and shown(bo, "cy") == []
    publish_as(relay, cy, again.d)
    assert shown(bo, "cy") == [ev.Knocked(cy.peer, "cy")]


# --- what a knock said again carries ------------------------------------------------


def test_a_knock_told_to_wait_by_more_than_a_room_holds_still_reaches_newcomers() -> None:
    """Thirteen members said "not now" over the knock's wait, two of whom left: the
    knock carries only the "not now"s of those in the room, and every newcomer reads it."""
    relay, seats = open_room(11)  # 11 members and zo: the relay's twelve connections
    ana = seats[0]
    zo = knocking(relay, ana, "zo", wait_s=1800)
    for seat in seats:
        seat.send(cmd.NotNow(zo.peer))
    relay.pump()
    leaving = list(seats[1:])
    for n in range(3):
        gone = leaving.pop()
        gone.send(cmd.Leave())
        relay.pump()
        relay.disconnect(gone.peer)
        new = knock_and_enter(relay, ana, f"n{n}")
        assert shown(new, "zo") == [ev.Knocked(zo.peer, "zo")]
        (seen,) = new.endpoint.knocking
        assert seen.asked_to_wait
        told = body_of(zo, knocks_by(relay, zo)[-1]).told
        assert len(told) == 10  # ana and those still in the room, not who left
        new.send(cmd.NotNow(zo.peer))
        relay.pump()
    assert len(zo.endpoint.entry.asked_to_wait) == 14
    assert zo.peer in ana.endpoint.knocks


def test_every_knock_said_again_is_one_size_to_the_relay() -> None:
    """Defence: the relay cannot tell from a repeat's size how many "not now"s it carries."""
    relay, seats = open_room(6)
    ana = seats[0]
    cy = knocking(relay, ana, "cy")
    di = knocking(relay, ana, "di")
    for seat in seats[:5]:
        seat.send(cmd.NotNow(cy.peer))
    relay.pump()
    bo = seats[5]
    bo.send(cmd.Leave())
    relay.pump()
    relay.disconnect(bo.peer)
    knock_and_enter(relay, ana, "ed")
    (cy_first, cy_again), (di_first, di_again) = knocks_by(relay, cy), knocks_by(relay, di)
    assert len(body_of(cy, cy_again).told) == 5 and body_of(di, di_again).told == ()
    assert len(cy_first.d) == len(di_first.d)
    assert len(cy_again.d) == len(di_again.d)


def test_the_largest_knock_said_again_fits_its_size_class() -> None:
    told_frame = len(set_aside_frame_example())
    knock = KnockBody("\U0001f600" * NICK_CHARS, b"\x01" * 32, b"\x02" * 32, b"\x03" * 32)
    smallest = replace(knock, nick="a", answers=b"\x04" * 32, since=0, peer=0)
    largest = replace(
        knock, answers=b"\x04" * 32, since=2**63 - 1, told=(b"\x05" * told_frame,) * MAX_TOLD
    )
    largest = replace(largest, peer=2**63 - 1, wait=1800)
    sizes = {len(pad_bucket(k.encode())) for k in (smallest, largest)}
    assert sizes == {len(pad_bucket(bytes(REPEAT_BYTES)))}
    assert KnockBody.decode(largest.encode()) == largest


def set_aside_frame_example() -> bytes:
    """A "not now" frame as a member sends it: all are one size."""
    relay, (ana,) = open_room(1)
    cy = knocking(relay, ana, "cy")
    ana.send(cmd.NotNow(cy.peer))
    relay.pump()
    (msg,) = set_asides_by(relay, ana)
    return msg.d


def test_a_carried_not_now_counts_only_for_the_knock_that_carries_it() -> None:
    """Defence: cy's knock said again carries ana's "not now" to di (never brought to
    di by the relay); bo, seated late, does not count it for di."""
    relay, (ana,) = open_room(1)
    cy = knocking(relay, ana, "cy")
    di = knocking(relay, ana, "di")
    bo = knocking(relay, ana, "bo")

    def tamper(peer: int, msg: wire.Msg) -> list[bytes]:
        frame = parse(msg.d, ana.endpoint.room)
        kind = frame.kind if isinstance(frame, RoomFrame) else None
        if peer == di.peer and kind is Kind.SET_ASIDE:
            return []
        if peer == bo.peer and msg.sender == cy.peer and kind is Kind.KNOCK:
            return []
        return [wire.encode(msg)]

    relay.tamper = tamper
    ana.send(cmd.NotNow(di.peer))
    relay.pump()
    ana.send(cmd.Admit(bo.peer))
    relay.pump()
    relay.tamper = None
    assert {k.knock: k.asked_to_wait for k in bo.endpoint.knocking} == {di.peer: False}
    (for_di,) = set_asides_by(relay, ana)
    knock = cy.endpoint.entry.knock
    assert knock is not None
    since = knocks_by(relay, cy)[0].ts
    lie = replace(knock, answers=answering(bo), since=since, told=(for_di.d,), peer=cy.peer)
    publish_as(relay, cy, roomwide(cy.endpoint, Kind.KNOCK, lie.encode(), cy.endpoint.identity))
    assert {k.knock: k.asked_to_wait for k in bo.endpoint.knocking} == {
        cy.peer: False,
        di.peer: False,
    }
    assert not bo.endpoint.door.set_aside
