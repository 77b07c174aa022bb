"""A Commit this version cannot read: said plainly, never blamed on the relay.

Porch's rules for what a Commit may hold change between versions (names that end
like a status, for one, were allowed once). When the sequencer's client seats a
name this version refuses, this member cannot read the next epoch's Commit. It
is signed by who may make it and sealed for this room, so the relay did nothing
wrong: the member is told that, and what to do, instead of an alarm about a
withheld Commit, and says nothing someone the Commit removed could read.
"""

from __future__ import annotations

from typing import Any

import msgpack

from protocol import commands as cmd
from protocol import wire
from protocol.events import Alarm, Note
from protocol.frames import Kind, RoomFrame, parse
from protocol.keys.chains import SendingChain
from protocol.membership.roomwide import open_roomwide
from tests.protocol.harness import HostileRelay, Seat, restamp
from tests.protocol.rooms import (
    alarms,
    group_frame,
    knocking,
    notes,
    open_room,
    publish_as,
    raised,
    roomwide,
    said,
)


def as_an_older_porch_seats(relay: HostileRelay, host: Seat, reader: Seat, rename: Any) -> None:
    """Every Commit ``host`` signs reaches ``reader`` with its roster's names passed through
    ``rename``, sealed and signed by ``host`` again: what an older client admitting a name
    this version refuses sends."""
    room, join_key = host.endpoint.room, host.endpoint.join_key

    def reseal(peer: int, msg: wire.Msg) -> list[bytes]:
        frame = parse(msg.d, room)
        if peer != reader.peer or not isinstance(frame, RoomFrame) or frame.kind is not Kind.COMMIT:
            return [wire.encode(msg)]
        body_bytes = open_roomwide(frame, join_key)
        assert body_bytes is not None
        body = msgpack.unpackb(body_bytes)
        body["roster"] = [[s, rename(n), *rest] for s, n, *rest in body["roster"]]
        forged = roomwide(
            host.endpoint, Kind.COMMIT, msgpack.packb(body), host.endpoint.me.identity
        )
        return [restamp(msg, msg.seq, d=forged)]

    relay.tamper = reseal


def test_a_commit_seating_a_name_this_version_refuses_is_explained_not_alarmed() -> None:
    relay, (ana, bo, cy) = open_room(3)
    as_an_older_porch_seats(relay, ana, cy, lambda n: "jo (she/her)" if n == "jo" else n)
    jo = knocking(relay, ana, "jo")
    ana.send(cmd.Admit(jo.peer))
    relay.pump()
    assert bo.endpoint.epoch == ana.endpoint.epoch == cy.endpoint.epoch + 1

    assert (Note.CHANGE_UNREADABLE, "ana") in notes(cy), notes(cy)
    assert notes(cy).count((Note.CHANGE_UNREADABLE, "ana")) == 1

    # The room goes on in the epoch cy cannot read: cy learns it is behind, as when a
    # Commit is withheld, but nothing was, and cy is told so rather than alarmed.
    ana.say("welcome, jo")
    bo.say("hi jo")
    relay.pump()
    relay.tick(15_000)
    assert ("ana", "welcome, jo") in said(jo) and ("bo", "hi jo") in said(jo)
    assert not raised(cy, Alarm.COMMIT_WITHHELD), alarms(cy)
    assert not alarms(cy), alarms(cy)

    # What cy types is held back, with the same reason, never sent in the old epoch.
    cy.say("can anyone read me?")
    relay.pump()
    assert (Note.NOT_SENT_UNREADABLE, "ana") in notes(cy), notes(cy)
    assert (Note.HELD_BACK, "") not in notes(cy)
    for seat in (ana, bo, jo):
        assert ("cy", "can anyone read me?") not in said(seat)


def test_a_stale_commit_this_version_cannot_read_says_nothing() -> None:
    """Only the next epoch's Commit counts: an unreadable one for another epoch is a replay
    or a fork, dropped as every stale Commit is."""
    relay, (ana, bo, cy) = open_room(3)
    room, join_key = ana.endpoint.room, ana.endpoint.join_key
    commit = next(
        m
        for m in relay.log
        if isinstance(f := parse(m.d, room), RoomFrame) and f.kind is Kind.COMMIT
    )
    frame = parse(commit.d, room)
    assert isinstance(frame, RoomFrame)
    body_bytes = open_roomwide(frame, join_key)
    assert body_bytes is not None
    body = msgpack.unpackb(body_bytes)  # the room's first Commit: epoch 1, long past
    body["roster"] = [[s, "ana (host)", *rest] for s, _n, *rest in body["roster"]]
    relay.publish(ana.peer, roomwide(ana.endpoint, Kind.COMMIT, msgpack.packb(body),
                                     ana.endpoint.me.identity))  # fmt: skip
    relay.pump()
    assert not [n for n in notes(cy) if n[0] is Note.CHANGE_UNREADABLE]
    assert not [n for n in notes(bo) if n[0] is Note.CHANGE_UNREADABLE]
    bo.say("still here")
    relay.pump()
    assert ("bo", "still here") in said(cy)


# --- from the attacker's side: an unreadable Commit is no way to hush the room -------


def junk_commit(signer: Seat, epoch: int) -> bytes:
    """What a modified client can sign: a body no version reads, claiming ``epoch``."""
    ep = signer.endpoint
    return roomwide(ep, Kind.COMMIT, msgpack.packb({"epoch": epoch}), ep.me.identity)


def withhold_next_commit_from(relay: HostileRelay, seat: Seat, instead: bytes | None) -> None:
    """The relay keeps the next Commit from ``seat`` alone, handing it ``instead``, if any."""
    done: list[int] = []
    room = seat.endpoint.room

    def tamper(peer: int, msg: wire.Msg) -> list[bytes]:
        frame = parse(msg.d, room)
        is_commit = isinstance(frame, RoomFrame) and frame.kind is Kind.COMMIT
        if peer != seat.peer or not is_commit or done:
            return [wire.encode(msg)]
        done.append(1)
        return [] if instead is None else [restamp(msg, msg.seq, d=instead)]

    relay.tamper = tamper


def test_the_successors_unreadable_commit_is_dropped_and_hushes_nobody() -> None:
    """Only the sequencer makes a Commit while it is here: the successor's counts as a
    takeover or not at all, and a body nobody can read is not one."""
    relay, (ana, bo, cy) = open_room(3)
    publish_as(relay, bo, junk_commit(bo, ana.endpoint.epoch + 1))
    ana.say("ana speaks")
    cy.say("cy speaks")
    relay.pump()
    relay.tick(15_000)
    assert ("ana", "ana speaks") in said(cy) and ("cy", "cy speaks") in said(ana)
    for seat in (ana, cy):
        assert not [n for n in notes(seat) if n[0] is Note.CHANGE_UNREADABLE], notes(seat)
        assert not seat.endpoint.sender.held_back


def test_the_sequencers_unreadable_commit_that_nobody_follows_only_holds_back_until_the_next() -> (
    None
):
    """It may remove someone, so nothing is sent meanwhile; but it is no version story
    until another member is seen in its epoch, and the next Commit read ends it."""
    relay, (ana, bo, cy) = open_room(3)
    publish_as(relay, ana, junk_commit(ana, ana.endpoint.epoch + 1))
    publish_as(relay, ana, junk_commit(ana, ana.endpoint.epoch + 1))  # its own "keys" for it
    relay.tick(60_000)
    for seat in (bo, cy):
        assert seat.endpoint.sender.held_back and not alarms(seat)
        assert not [n for n in notes(seat) if n[0] is Note.CHANGE_UNREADABLE], notes(seat)
    bo.say("bo speaks")
    relay.pump()
    assert (Note.HELD_BACK, "") in notes(bo) and ("bo", "bo speaks") not in said(cy)
    assert not ana.endpoint.sender.held_back  # its own junk is not a Commit it signed

    jo = knocking(relay, ana, "jo")
    ana.send(cmd.Admit(jo.peer))
    relay.pump()
    bo.say("bo again")
    cy.say("cy again")
    relay.pump()
    assert ("bo", "bo again") in said(cy) and ("cy", "cy again") in said(bo)


def test_its_signer_alone_speaking_in_its_epoch_is_not_the_room_following_it() -> None:
    """A modified sequencer's junk Commit and a frame of its own in that epoch: nobody
    else is there, so nobody is told a version story; they wait, held back."""
    relay, (ana, bo, cy) = open_room(3)
    epoch = ana.endpoint.epoch + 1
    publish_as(relay, ana, junk_commit(ana, epoch))
    ep = ana.endpoint
    slot = ep.my_slot or 0
    publish_as(relay, ana, group_frame(ep, SendingChain(epoch, 0, bytes(32)), slot, "x",
                                       ep.me.identity))  # fmt: skip
    relay.tick(15_000)
    for seat in (bo, cy):
        assert not [n for n in notes(seat) if n[0] is Note.CHANGE_UNREADABLE], notes(seat)
        assert seat.endpoint.sender.held_back


def test_replays_of_an_unreadable_commit_say_it_once() -> None:
    relay, (ana, _bo, cy) = open_room(3)
    as_an_older_porch_seats(relay, ana, cy, lambda n: "jo (she/her)" if n == "jo" else n)
    jo = knocking(relay, ana, "jo")
    ana.send(cmd.Admit(jo.peer))
    relay.pump()
    commit = [m for m in relay.log if isinstance(f := parse(m.d, cy.endpoint.room), RoomFrame)
              and f.kind is Kind.COMMIT][-1]  # fmt: skip
    for _ in range(20):
        relay.seq += 1
        relay.deliver(cy, restamp(commit, relay.seq))
    ana.say("welcome, jo")
    relay.pump()
    assert notes(cy).count((Note.CHANGE_UNREADABLE, "ana")) == 1, notes(cy)


def test_once_a_readable_commit_moves_the_room_on_a_withheld_one_is_alarmed_again() -> None:
    relay, (ana, _bo, cy) = open_room(3)
    publish_as(relay, ana, junk_commit(ana, cy.endpoint.epoch + 1))  # nobody follows it
    assert cy.endpoint.chain.unreadable is not None
    jo = knocking(relay, ana, "jo")
    ana.send(cmd.Admit(jo.peer))  # the Commit the room follows, readable
    relay.pump()
    assert cy.endpoint.epoch == ana.endpoint.epoch and cy.endpoint.chain.unreadable is None
    cy.say("heard again")
    relay.pump()
    assert ("cy", "heard again") in said(ana)

    withhold_next_commit_from(relay, cy, None)  # later, the relay alone withholds one
    di = knocking(relay, ana, "di")
    ana.send(cmd.Admit(di.peer))
    relay.pump()
    ana.say("hello, di")
    relay.pump()
    assert raised(cy, Alarm.COMMIT_WITHHELD, "ana"), alarms(cy)
    cy.say("anyone?")
    relay.pump()
    assert (Note.HELD_BACK, "") in notes(cy)


def test_a_room_gone_on_past_a_commit_this_version_cannot_read_raises_no_alarm() -> None:
    """Once a member cannot follow, every later epoch is out of its reach too: the note
    said why, and no alarm blames the relay or a takeover for the rest."""
    relay, (ana, bo, cy) = open_room(3)
    as_an_older_porch_seats(relay, ana, cy, lambda n: "jo (she/her)" if n == "jo" else n)
    jo = knocking(relay, ana, "jo")
    ana.send(cmd.Admit(jo.peer))
    relay.pump()
    ana.say("welcome, jo")
    relay.pump()
    jo.send(cmd.Leave())
    relay.pump()
    bo.say("bye, jo")
    relay.pump()
    relay.tick(15_000)
    assert bo.endpoint.epoch == cy.endpoint.epoch + 2
    assert not alarms(cy), alarms(cy)
    assert notes(cy).count((Note.CHANGE_UNREADABLE, "ana")) == 1, notes(cy)
