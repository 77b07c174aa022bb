"""Any bit flip or truncation of any frame is refused and leaves the receiver unchanged.

Each example seals a fresh frame of one kind, damages it, and hands it to a
member who would accept the original. Afterwards the original goes through, so
the refusal cannot have been a side effect of an already-used key.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import msgpack
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey

from protocol import events as ev
from protocol import wire
from protocol.bodies import BodyError, decode_content
from protocol.bodies.commit import ChangeKind, CommitBody
from protocol.bodies.door import KnockBody, Lobby
from protocol.crypto import ExchangeKey
from protocol.endpoint import agreements_hash
from protocol.frames import Kind
from tests.protocol.harness import HostileRelay, Seat
from tests.protocol.rooms import (
    answering,
    departure,
    fingerprint,
    goodbye,
    new_chain,
    open_room,
    roomwide,
)

Room = tuple[HostileRelay, list[Seat]]


def fresh(kind: str, room: Room) -> tuple[bytes, Seat, Seat]:
    """(payload, sender, receiver) for a new, valid, not yet delivered frame."""
    _, (ana, bo, cy) = room
    if kind == "say":
        bo.say("a message that must not change")
    elif kind == "keys":
        new_chain(bo)
    elif kind == "knock":
        identity = SigningKey.generate()
        body = KnockBody(
            "di",
            bytes(identity.verify_key),
            ExchangeKey().public,
            agreements_hash("Be kind."),
            answers=answering(ana),
        )
        return roomwide(ana.endpoint, Kind.KNOCK, body.encode(), identity), cy, ana
    else:
        roster = ana.endpoint.roster
        assert roster is not None
        body = departure(ana, 2, ChangeKind.LEFT, 0, goodbye(cy))
        return roomwide(ana.endpoint, Kind.COMMIT, body.encode(), ana.endpoint.identity), ana, bo
    (frame,) = bo.endpoint.data_to_send()
    return wire.decode_client(frame).d, bo, ana


def to_everyone(relay: HostileRelay, sender: Seat, d: bytes) -> None:
    """Stamp ``d`` and hand it to every member, as a relay keeping its numbering must.

    Members check that the relay's numbers rise by one, so a frame shown to one
    member alone would be reported by the others as a skip.
    """
    relay.seq += 1
    frame = wire.encode_msg(relay.seq, relay.clock, sender.peer, d)
    for seat in relay.seats.values():
        if seat is not sender:
            seat.endpoint.receive_frame(frame, relay.now)
    sender.endpoint.receive_frame(frame, relay.now)


def damage_and_deliver(kind: str, damage: Callable[[bytes], bytes]) -> None:
    """Every example gets a room of its own: nothing carries over between examples."""
    room = open_room(3)
    relay, seats = room
    d, sender, receiver = fresh(kind, room)
    damaged = damage(d)
    if damaged == d:
        return
    before = fingerprint(receiver.endpoint)
    to_everyone(relay, sender, damaged)
    for seat in seats:
        if seat is not receiver:
            assert seat.endpoint.events_received() == []
            seat.endpoint.data_to_send()  # the sender may resend its own Commit later
    assert fingerprint(receiver.endpoint) == before
    assert receiver.endpoint.events_received() == []
    assert receiver.endpoint.data_to_send() == []
    if kind in ("say", "keys"):
        # The undamaged frame still goes through for everyone.
        relay.publish(sender.peer, d)
        relay.pump()
        if kind == "say":
            assert isinstance(receiver.events[-1], ev.Said)


KINDS = st.sampled_from(["say", "keys", "knock", "commit"])


@settings(max_examples=150)
@given(KINDS, st.data())
def test_any_bit_flip_is_refused(kind: str, data: st.DataObject) -> None:
    def flip(d: bytes) -> bytes:
        bit = data.draw(st.integers(0, len(d) * 8 - 1))
        out = bytearray(d)
        out[bit // 8] ^= 1 << (bit % 8)
        return bytes(out)

    damage_and_deliver(kind, flip)


@settings(max_examples=100)
@given(KINDS, st.data())
def test_any_truncation_is_refused(kind: str, data: st.DataObject) -> None:
    def cut(d: bytes) -> bytes:
        return d[: data.draw(st.integers(0, len(d) - 1))]

    damage_and_deliver(kind, cut)


@settings(max_examples=100)
@given(KINDS, st.binary(min_size=1, max_size=64))
def test_appended_bytes_are_refused(kind: str, tail: bytes) -> None:
    damage_and_deliver(kind, lambda d: d + tail)


def test_the_undamaged_frames_are_accepted() -> None:
    """Guard for the properties above: without damage, each kind is taken."""
    room = open_room(3)
    relay, _ = room
    d, sender, receiver = fresh("knock", room)
    to_everyone(relay, sender, d)
    assert any(isinstance(e, ev.Knocked) for e in receiver.endpoint.events_received())
    d, sender, receiver = fresh("commit", room)
    to_everyone(relay, sender, d)
    assert receiver.endpoint.epoch == 4


@settings(max_examples=300)
@given(st.binary(max_size=600))
def test_random_payloads_are_refused_and_change_nothing(d: bytes) -> None:
    relay, (ana, bo, _) = open_room(3)
    before = fingerprint(ana.endpoint)
    to_everyone(relay, bo, d)
    assert fingerprint(ana.endpoint) == before
    assert ana.endpoint.events_received() == [] and ana.endpoint.data_to_send() == []


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_random_relay_frames_never_raise(data: bytes) -> None:
    relay, (ana, _, _) = open_room(3)
    before = fingerprint(ana.endpoint)
    ana.endpoint.receive_frame(data, relay.now)
    assert fingerprint(ana.endpoint) == before


BODY_DECODERS = [decode_content, CommitBody.decode, KnockBody.decode, Lobby.decode]


@settings(max_examples=200)
@given(
    st.sampled_from(BODY_DECODERS),
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(2**63), 2**64 - 1)
        | st.floats()
        | st.text(max_size=20)
        | st.binary(max_size=40),
        lambda inner: (
            st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=10), inner, max_size=8)
        ),
        max_leaves=30,
    ),
)
def test_any_msgpack_value_decodes_or_is_a_body_error(decode: object, value: object) -> None:
    with contextlib.suppress(BodyError):
        decode(msgpack.packb(value, use_bin_type=True))  # type: ignore[operator]
