"""A member whose relay closes with it says so before its goodbye, and nobody else can.

``porch new`` without ``--relay`` runs the relay inside the opener's process. Its
goodbye is preceded by a signed room-wide ``Closing`` naming the room's Commit;
whoever holds it ends the session when the connection closes just after
(``Endpoint.room_ended_by``) instead of reconnecting for two minutes. A word
from someone not in the room, for another point of the room, under another
signature, or long before any close, ends nothing.
"""

from __future__ import annotations

import msgpack
import pytest
from nacl.signing import SigningKey

from protocol import commands as cmd
from protocol import events as ev
from protocol.bodies import BodyError
from protocol.bodies.door import Closing
from protocol.endpoint import CLOSING_HOLDS_MS, Endpoint
from protocol.frames import GroupFrame, Kind, RoomFrame, parse
from tests.protocol.harness import HostileRelay
from tests.protocol.rooms import knock_and_enter, open_room, publish_as, roomwide


def kinds(relay: HostileRelay, room: bytes, sender: int) -> list[Kind]:
    """The kind of every frame ``sender`` published, in the relay's order."""
    out = []
    for msg in relay.log:
        if msg.sender == sender:
            frame = parse(msg.d, room)
            out.append(frame.kind if isinstance(frame, RoomFrame) else Kind.GROUP)
    return out


def test_the_member_running_the_relay_says_so_before_its_goodbye_and_everyone_holds_it() -> None:
    relay, (ana, bo, cy) = open_room(3)
    di = Endpoint.joining(ana.endpoint.invite, "di")
    di_seat = relay.connect(di)
    di_seat.send(cmd.Agree())  # knocking: not in, and told all the same
    relay.pump()
    mark = len(relay.log)
    ana.send(cmd.Leave(ends_room=True))
    relay.pump()
    sent = [k for k in kinds(relay, ana.endpoint.room, ana.peer)[-2:]]
    assert len(relay.log) > mark and sent == [Kind.CLOSING, Kind.GROUP]  # then the goodbye
    now = relay.now
    for seat in (bo, cy, di_seat):
        assert seat.endpoint.room_ended_by(now) == "ana"
    assert ana.endpoint.room_ended_by(now) is None  # our own word is not news to us
    assert any(isinstance(e, ev.Departed) and e.nick == "ana" for e in bo.events)


def test_an_ordinary_goodbye_says_nothing_about_the_relay() -> None:
    relay, (ana, bo) = open_room(2)
    ana.send(cmd.Leave())
    relay.pump()
    assert Kind.CLOSING not in kinds(relay, ana.endpoint.room, ana.peer)
    assert bo.endpoint.room_ended_by(relay.now) is None


def test_the_word_ends_the_room_only_if_the_connection_closes_soon_after() -> None:
    relay, (ana, bo) = open_room(2)
    ana.send(cmd.Leave(ends_room=True))
    relay.pump()
    said_at = relay.now
    assert bo.endpoint.room_ended_by(said_at + CLOSING_HOLDS_MS) == "ana"
    # A relay that goes on after it (a member who lied, or a hosted relay) ends nothing later.
    assert bo.endpoint.room_ended_by(said_at + CLOSING_HOLDS_MS + 1) is None


def test_someone_holding_the_invite_but_not_in_the_room_cannot_end_it() -> None:
    relay, (ana, bo) = open_room(2)
    stranger = SigningKey.generate()
    commit = bo.endpoint.roster.commit_hash  # type: ignore[union-attr]
    body = Closing(bytes(stranger.verify_key), commit).encode()
    publish_as(relay, ana, roomwide(ana.endpoint, Kind.CLOSING, body, stranger))
    assert bo.endpoint.room_ended_by(relay.now) is None


def test_a_closing_under_another_signature_ends_nothing() -> None:
    relay, (ana, bo, cy) = open_room(3)
    commit = bo.endpoint.roster.commit_hash  # type: ignore[union-attr]
    body = Closing(ana.endpoint.me.key, commit).encode()  # names ana, signed by cy
    publish_as(relay, cy, roomwide(cy.endpoint, Kind.CLOSING, body, cy.endpoint.identity))
    assert bo.endpoint.room_ended_by(relay.now) is None


def test_a_closing_replayed_from_an_earlier_point_of_the_room_ends_nothing() -> None:
    relay, (ana, bo) = open_room(2)
    old_commit = bo.endpoint.roster.commit_hash  # type: ignore[union-attr]
    body = Closing(ana.endpoint.me.key, old_commit).encode()
    recorded = roomwide(ana.endpoint, Kind.CLOSING, body, ana.endpoint.identity)
    knock_and_enter(relay, ana, "cy")
    knock_and_enter(relay, ana, "di")  # two Commits later
    publish_as(relay, ana, recorded)
    assert bo.endpoint.room_ended_by(relay.now) is None


def test_a_closing_naming_the_commit_just_before_still_counts() -> None:
    """The member may send it before a Commit reaches it that already reached us."""
    relay, (ana, bo) = open_room(2)
    before = bo.endpoint.roster.commit_hash  # type: ignore[union-attr]
    knock_and_enter(relay, ana, "cy")
    body = Closing(ana.endpoint.me.key, before).encode()
    publish_as(relay, ana, roomwide(ana.endpoint, Kind.CLOSING, body, ana.endpoint.identity))
    assert bo.endpoint.room_ended_by(relay.now) == "ana"


def test_a_malformed_closing_changes_nothing() -> None:
    relay, (ana, bo) = open_room(2)
    commit = bo.endpoint.roster.commit_hash  # type: ignore[union-attr]
    good = {"id": ana.endpoint.me.key, "commit": commit}
    for bad in (
        {**good, "relay": True},
        {"id": ana.endpoint.me.key},
        {**good, "commit": commit[:31]},
        {**good, "id": "x" * 32},
        [ana.endpoint.me.key, commit],
    ):
        body = msgpack.packb(bad, use_bin_type=True)
        with pytest.raises(BodyError):
            Closing.decode(body)
        before = bo.endpoint.snapshot()
        publish_as(relay, ana, roomwide(ana.endpoint, Kind.CLOSING, body, ana.endpoint.identity))
        assert bo.endpoint.room_ended_by(relay.now) is None
        assert bo.endpoint.snapshot()["closing"] == before["closing"]
    assert Closing.decode(Closing(good["id"], commit).encode()) == Closing(good["id"], commit)


def test_a_closing_is_sealed_under_the_join_key_like_every_room_wide_frame() -> None:
    relay, (ana, _bo) = open_room(2)
    ana.send(cmd.Leave(ends_room=True))
    relay.pump()
    frames = [parse(m.d, ana.endpoint.room) for m in relay.log if m.sender == ana.peer]
    closing = next(f for f in frames if isinstance(f, RoomFrame) and f.kind is Kind.CLOSING)
    assert ana.endpoint.me.key not in closing.sealed  # the relay reads no identity
    assert not isinstance(frames[-1], RoomFrame) and isinstance(frames[-1], GroupFrame)
