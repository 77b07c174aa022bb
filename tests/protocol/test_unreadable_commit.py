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
from protocol.membership.roomwide import open_roomwide
from tests.protocol.harness import HostileRelay, Seat, restamp
from tests.protocol.rooms import alarms, knocking, notes, open_room, raised, roomwide, said


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
