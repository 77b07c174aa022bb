"""A member seated after someone knocked sees that knock: the knocker says it again.

Real endpoints and real crypto behind the in-memory hostile relay. The relay
brings a knock to whoever is connected when it goes out; the knocker says it
again when a Commit it follows seats someone, carrying the relay's ``ts`` of its
first knock and the "not now"s it was told (``membership.door``).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from nacl.signing import SigningKey

from protocol import commands as cmd
from protocol import events as ev
from protocol import wire
from protocol.bodies import BodyError
from protocol.bodies.codec import fields, unpack
from protocol.bodies.door import KnockBody, SetAside
from protocol.frames import Kind, RoomFrame, parse
from protocol.membership.roomwide import open_roomwide
from protocol.snapshot import snapshot
from tests.protocol.harness import HostileRelay, Seat
from tests.protocol.rooms import (
    answering,
    body_of,
    drop_knocks_to,
    knocking,
    knocks_by,
    of,
    open_room,
    publish_as,
    roomwide,
    shown,
)

# The keys a knock had before it could be said again: what every client reads.
FIRST_KNOCK_KEYS = ("nick", "id", "kx", "agreed", "was", "vouch", "answers", "evicted", "wait")


def door_of(seat: Seat) -> object:
    return snapshot(seat.endpoint.door)


def late_room(wait_s: int = 600) -> tuple[HostileRelay, Seat, Seat, Seat]:
    """ana opens; bo knocks, then cy; ana lets bo in, after cy knocked."""
    relay, (ana,) = open_room(1)
    bo = knocking(relay, ana, "bo")
    cy = knocking(relay, ana, "cy", wait_s=wait_s)
    ana.send(cmd.Admit(bo.peer))
    relay.pump()
    assert bo.endpoint.my_slot is not None
    return relay, ana, bo, cy


# --- the late member sees the knock ----------------------------------------------


def test_a_member_seated_after_a_knock_sees_it_and_can_let_them_in() -> None:
    relay, ana, bo, cy = late_room()
    assert shown(bo, "cy") == [ev.Knocked(cy.peer, "cy")]
    assert [k.nick for k in bo.endpoint.knocking] == ["cy"]
    first, again = knocks_by(relay, cy)
    assert again.ts > first.ts
    # It waits for bo exactly as long as for ana, and for cy itself.
    assert bo.endpoint.door.expires[cy.peer] == ana.endpoint.door.expires[cy.peer]
    assert (
        cy.endpoint.entry.knock_expires == first.ts + 600_000 == ana.endpoint.door.expires[cy.peer]
    )
    bo.send(cmd.Admit(cy.peer))
    relay.pump()
    assert cy.endpoint.my_slot is not None
    assert ev.Admitted("cy", "bo") in of(ana, ev.Admitted)


def test_the_knock_said_again_names_what_the_newcomer_holds_and_when_it_began() -> None:
    relay, _ana, bo, cy = late_room()
    first, again = (body_of(cy, m) for m in knocks_by(relay, cy))
    assert first.since is None and first.told == ()
    assert again.since == knocks_by(relay, cy)[0].ts
    assert again.answers == answering(bo) != first.answers
    assert again.peer == cy.peer and first.peer is None  # from the knocker's own connection
    assert replace(again, answers=first.answers, since=None, peer=None) == first  # the same knock


def test_the_knock_said_again_changes_nothing_for_members_who_hold_it() -> None:
    relay, (ana,) = open_room(1)
    cy = knocking(relay, ana, "cy")
    held = ana.endpoint.door.knocks[cy.peer]
    expires = ana.endpoint.door.expires[cy.peer]
    bo = knocking(relay, ana, "bo")
    ana.send(cmd.Admit(bo.peer))
    relay.pump()
    assert len(knocks_by(relay, cy)) == 2
    assert shown(ana, "cy") == [ev.Knocked(cy.peer, "cy")]  # no second knock for ana
    assert ana.endpoint.door.knocks[cy.peer] == held
    assert ana.endpoint.door.expires[cy.peer] == expires  # its wait did not start again
    before = door_of(ana), door_of(bo)
    again = knocks_by(relay, cy)[-1]
    for _ in range(3):  # nor does the relay saying it again and again
        publish_as(relay, cy, again.d)
    assert (door_of(ana), door_of(bo)) == before
    assert len(shown(ana, "cy")) == len(shown(bo, "cy")) == 1


def test_the_knock_expires_for_the_late_member_when_it_does_for_everyone() -> None:
    relay, ana, bo, cy = late_room(wait_s=10)
    offset = ana.endpoint.relay_offset
    assert offset is not None and bo.endpoint.relay_offset is not None
    due = ana.endpoint.door.expires[cy.peer] + offset
    relay.tick(due - 1)
    assert not of(bo, ev.KnockExpired) and cy.peer in bo.endpoint.knocks
    relay.tick(due)
    for member in (ana, bo):
        assert of(member, ev.KnockExpired) == [ev.KnockExpired(cy.peer, "cy")]
        assert member.endpoint.knocking == ()


def test_a_knock_still_on_its_way_when_someone_is_seated_is_said_again_once_back() -> None:
    """The relay stamps the Commit seating bo before cy's first knock: bo, seated by
    then, drops that knock (it answers a lobby from before bo); cy says it again."""
    relay, (ana,) = open_room(1)
    bo = knocking(relay, ana, "bo")
    cy = relay.connect(ana.endpoint.__class__.joining(ana.endpoint.invite, "cy"))
    relay.hold = True
    ana.send(cmd.Admit(bo.peer))
    cy.send(cmd.Agree())
    relay.pump()
    assert [parse(d, ana.endpoint.room).kind for _, d in relay.held] == [Kind.COMMIT, Kind.KNOCK]  # type: ignore[union-attr]
    relay.release()
    first, _again = knocks_by(relay, cy)
    assert shown(bo, "cy") == [ev.Knocked(cy.peer, "cy")]
    assert shown(ana, "cy") == [ev.Knocked(cy.peer, "cy")]
    assert bo.endpoint.door.expires[cy.peer] == ana.endpoint.door.expires[cy.peer]
    assert ana.endpoint.door.expires[cy.peer] == first.ts + 600_000


def test_each_newcomer_is_told_and_the_first_is_not_told_twice() -> None:
    relay, ana, bo, cy = late_room()
    di = knocking(relay, ana, "di")
    ana.send(cmd.Admit(di.peer))
    relay.pump()
    assert len(knocks_by(relay, cy)) == 3  # first, for bo, for di
    assert shown(di, "cy") == [ev.Knocked(cy.peer, "cy")]
    assert len(shown(bo, "cy")) == len(shown(ana, "cy")) == 1
    assert di.endpoint.door.expires[cy.peer] == ana.endpoint.door.expires[cy.peer]


# --- "not now" said before the member came in -------------------------------------


def test_a_not_now_said_before_the_member_came_in_shows_for_them() -> None:
    relay, (ana,) = open_room(1)
    bo = knocking(relay, ana, "bo")
    cy = knocking(relay, ana, "cy")
    ana.send(cmd.NotNow(cy.peer))
    relay.pump()
    ana.send(cmd.Admit(bo.peer))
    relay.pump()
    (knock,) = bo.endpoint.knocking
    assert knock.knock == cy.peer and knock.asked_to_wait
    assert bo.endpoint.door.asked_by(cy.peer, bytes(ana.endpoint.identity.verify_key))
    bo.send(cmd.Admit(cy.peer))  # no refusal: bo may still let cy in
    relay.pump()
    assert cy.endpoint.my_slot is not None


def test_a_knock_said_again_cannot_carry_a_not_now_nobody_in_the_room_said() -> None:
    """Defence: each "not now" a knock carries is checked like one that came now."""
    relay, (ana,) = open_room(1)
    cy = knocking(relay, ana, "cy")
    di = knocking(relay, ana, "di")
    bo = knocking(relay, ana, "bo")
    drop_knocks_to(relay, cy, bo)  # the relay keeps cy's own saying from bo
    ana.send(cmd.Admit(bo.peer))
    relay.pump()
    relay.tamper = None
    knock = cy.endpoint.entry.knock
    assert knock is not None
    stranger = SigningKey.generate()
    ana_key = bytes(ana.endpoint.identity.verify_key)
    di_key = di.endpoint.identity
    told = tuple(
        roomwide(cy.endpoint, Kind.SET_ASIDE, SetAside(said_by, names).encode(), signer)
        for said_by, names, signer in (
            (bytes(stranger.verify_key), knock.identity, stranger),  # a stranger
            (bytes(di_key.verify_key), knock.identity, di_key),  # another knocker
            (ana_key, knock.identity, stranger),  # a stranger naming ana
            (ana_key, knock.identity, cy.endpoint.identity),  # the knocker naming ana
        )
    )
    since = knocks_by(relay, cy)[0].ts
    lie = replace(
        knock, answers=answering(bo), since=since, told=(*told, b"\x00" * 40), peer=cy.peer
    )
    publish_as(relay, cy, roomwide(cy.endpoint, Kind.KNOCK, lie.encode(), cy.endpoint.identity))
    seen = {k.knock: k.asked_to_wait for k in bo.endpoint.knocking}
    assert seen == {cy.peer: False, di.peer: False}
    assert not bo.endpoint.door.set_aside


def test_a_not_now_carried_from_someone_who_left_is_dropped() -> None:
    relay, (ana, ed) = open_room(2)
    cy = knocking(relay, ana, "cy")
    ed.send(cmd.NotNow(cy.peer))
    relay.pump()
    ed.send(cmd.Leave())
    relay.pump()
    relay.disconnect(ed.peer)
    bo = knocking(relay, ana, "bo")
    ana.send(cmd.Admit(bo.peer))
    relay.pump()
    assert len(cy.endpoint.entry.asked_to_wait) == 1  # cy was told
    assert body_of(cy, knocks_by(relay, cy)[-1]).told == ()  # and carries it no more
    (seen,) = bo.endpoint.knocking
    assert not seen.asked_to_wait  # ed is no longer in the room to stand by it


# --- the clock: never longer for the newcomer ---------------------------------------


def test_a_knocker_claiming_a_later_start_waits_no_longer_for_the_newcomer() -> None:
    """Defence: the newcomer takes the earlier of the claimed start and the repeat's own ts."""
    relay, (ana,) = open_room(1)
    cy = knocking(relay, ana, "cy")
    bo = knocking(relay, ana, "bo")
    drop_knocks_to(relay, cy, bo)
    ana.send(cmd.Admit(bo.peer))
    relay.pump()
    relay.tamper = None
    knock = cy.endpoint.entry.knock
    assert knock is not None and not bo.endpoint.knocking
    lie = replace(knock, answers=answering(bo), since=10**15, peer=cy.peer)
    msg = relay.publish(
        cy.peer, roomwide(cy.endpoint, Kind.KNOCK, lie.encode(), cy.endpoint.identity)
    )
    relay.pump()
    assert bo.endpoint.door.expires[cy.peer] == msg.ts + 600_000


def test_a_knock_said_again_after_it_ran_out_is_dropped() -> None:
    """Defence: a repeat whose first saying has run out of waiting shows nothing."""
    relay, (ana,) = open_room(1)
    cy = knocking(relay, ana, "cy", wait_s=10)
    bo = knocking(relay, ana, "bo")
    drop_knocks_to(relay, cy, bo)
    ana.send(cmd.Admit(bo.peer))
    relay.pump()
    relay.tamper = None
    knock = cy.endpoint.entry.knock
    assert knock is not None
    since = knocks_by(relay, cy)[0].ts
    relay.clock = since + 10_000  # the relay stamps it as the wait runs out
    late = replace(knock, answers=answering(bo), since=since, peer=cy.peer)
    publish_as(relay, cy, roomwide(cy.endpoint, Kind.KNOCK, late.encode(), cy.endpoint.identity))
    assert bo.endpoint.knocking == () and shown(bo, "cy") == []


def test_a_knock_that_ran_out_is_not_shown_again_even_said_anew() -> None:
    """Defence: a member lets a knock go once; a new saying does not bring it back."""
    relay, (ana, bo) = open_room(2)
    cy = knocking(relay, ana, "cy", wait_s=10)
    offset = ana.endpoint.relay_offset
    assert offset is not None
    relay.tick(ana.endpoint.door.expires[cy.peer] + offset)
    assert of(ana, ev.KnockExpired) == [ev.KnockExpired(cy.peer, "cy")]
    knock = cy.endpoint.entry.knock
    assert knock is not None
    # cy's connection stays (as the relay tells it), and it claims its wait began now.
    anew = replace(knock, answers=answering(ana), since=relay.clock + 7, peer=cy.peer)
    before = door_of(ana), door_of(bo)
    publish_as(relay, cy, roomwide(ana.endpoint, Kind.KNOCK, anew.encode(), cy.endpoint.identity))
    publish_as(relay, cy, knocks_by(relay, cy)[0].d)  # and the first knock, replayed
    assert (door_of(ana), door_of(bo)) == before
    assert len(shown(ana, "cy")) == len(shown(bo, "cy")) == 1


# --- replays to the newcomer ---------------------------------------------------------


def test_the_first_knock_replayed_to_the_newcomer_is_dropped() -> None:
    """Defence: the first knock answers a lobby from before the newcomer came in; only
    the knocker's own saying, naming the newcomer's Commit, shows it."""
    relay, (ana,) = open_room(1)
    cy = knocking(relay, ana, "cy")
    bo = knocking(relay, ana, "bo")
    drop_knocks_to(relay, cy, bo)
    ana.send(cmd.Admit(bo.peer))
    relay.pump()
    relay.tamper = None
    first, again = knocks_by(relay, cy)
    publish_as(relay, cy, first.d)  # replayed with a fresh ts: it would wait longer
    assert bo.endpoint.knocking == ()
    publish_as(relay, cy, again.d)
    assert shown(bo, "cy") == [ev.Knocked(cy.peer, "cy")]


def test_a_repeat_meant_for_one_newcomer_is_dropped_by_the_next() -> None:
    relay, ana, _bo, cy = late_room()
    for_bo = knocks_by(relay, cy)[-1]
    di = knocking(relay, ana, "di")
    drop_knocks_to(relay, cy, di)
    ana.send(cmd.Admit(di.peer))
    relay.pump()
    relay.tamper = None
    publish_as(relay, cy, for_bo.d)
    assert di.endpoint.knocking == ()
    publish_as(relay, cy, knocks_by(relay, cy)[-2].d)  # cy's own saying for di
    assert shown(di, "cy") == [ev.Knocked(cy.peer, "cy")]


def test_a_knock_replayed_to_the_newcomer_after_it_was_answered_is_dropped() -> None:
    relay, ana, bo, cy = late_room()
    bo.send(cmd.Admit(cy.peer))
    relay.pump()
    assert cy.endpoint.my_slot is not None
    di = knocking(relay, ana, "di")
    ana.send(cmd.Admit(di.peer))
    relay.pump()
    before = [door_of(s) for s in (ana, bo, di)]
    for msg in knocks_by(relay, cy):
        publish_as(relay, cy, msg.d)
    assert [door_of(s) for s in (ana, bo, di)] == before
    assert shown(di, "cy") == [] and len(shown(bo, "cy")) == 1


def test_a_knock_replayed_to_the_newcomer_after_the_knocker_left_is_dropped() -> None:
    relay, ana, bo, cy = late_room()
    frames = knocks_by(relay, cy)
    relay.disconnect(cy.peer)
    for member in (ana, bo):
        assert of(member, ev.KnockWithdrawn) == [ev.KnockWithdrawn(cy.peer, "cy")]
        assert member.endpoint.knocking == ()
    di = knocking(relay, ana, "di")
    ana.send(cmd.Admit(di.peer))
    relay.pump()
    for msg in frames:  # the relay says them again, under cy's old connection
        relay.inject(bo.peer, wire.encode_msg(relay.seq + 1, msg.ts, cy.peer, msg.d))
        relay.inject(di.peer, wire.encode_msg(relay.seq + 1, msg.ts, cy.peer, msg.d))
    assert bo.endpoint.knocking == di.endpoint.knocking == ()
    assert shown(di, "cy") == [] and len(shown(bo, "cy")) == 1


# --- beside clients that know only the first knock ----------------------------------


def test_the_first_knock_keeps_the_keys_every_client_reads() -> None:
    relay, _ana, _bo, cy = late_room()
    first, again = (m.d for m in knocks_by(relay, cy))
    bodies = []
    for d in (first, again):
        frame = parse(d, cy.endpoint.room)
        assert isinstance(frame, RoomFrame)
        body = open_roomwide(frame, cy.endpoint.join_key)
        assert body is not None
        bodies.append(body)
    assert set(fields(unpack(bodies[0]), *FIRST_KNOCK_KEYS)) == set(FIRST_KNOCK_KEYS)
    with pytest.raises(BodyError):  # a client that knows only those drops the repeat
        fields(unpack(bodies[1]), *FIRST_KNOCK_KEYS)


def test_a_knock_said_again_decodes_strictly() -> None:
    knock = KnockBody("cy", b"\x01" * 32, b"\x02" * 32, b"\x03" * 32, answers=b"\x04" * 32)
    again = replace(knock, since=1_700_000_000_000, told=(b"\x05" * 700,), peer=7)
    assert KnockBody.decode(again.encode()) == again
    assert KnockBody.decode(knock.encode()) == knock
    for bad in (
        replace(again, told=(b"\x05" * 1025,)),  # no "not now" frame is that long
        replace(again, told=(b"\x05" * 10,) * 12),  # more than a room holds beside cy
    ):
        with pytest.raises(BodyError):
            KnockBody.decode(bad.encode())
