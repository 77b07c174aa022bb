"""The v1 wire codec: exact round trips, and strict refusal of everything else."""

from __future__ import annotations

import msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol import wire

uints = st.integers(0, 2**63 - 1)
payloads = st.binary(max_size=512)
server_frames = st.one_of(
    st.builds(wire.Welcome, uints, st.lists(uints, max_size=11).map(tuple), st.just(12)),
    st.builds(wire.Msg, uints, uints, uints, payloads),
    st.builds(wire.Join, uints, uints, uints),
    st.builds(wire.Leave, uints, uints, uints),
    st.builds(wire.Err, st.sampled_from(sorted(wire.CLOSE_CODES)), st.text(max_size=200)),
)


@given(server_frames)
def test_server_frames_round_trip(frame):
    assert wire.decode_server(wire.encode(frame)) == frame


@given(payloads)
def test_pub_round_trips(d):
    assert wire.decode_client(wire.encode_pub(d)) == wire.Pub(d)


def test_the_wire_spells_from_and_exact_keys():
    raw = msgpack.unpackb(wire.encode_msg(7, 1000, 3, b"x"))
    assert raw == {"t": "msg", "seq": 7, "ts": 1000, "from": 3, "d": b"x"}
    assert msgpack.unpackb(wire.encode_welcome(2, [1], 12)) == {
        "t": "welcome",
        "v": 1,
        "you": 2,
        "peers": [1],
        "cap": 12,
    }


def test_payload_limit_is_exact():
    assert wire.decode_client(wire.encode_pub(b"x" * wire.MAX_PAYLOAD)).d == b"x" * wire.MAX_PAYLOAD
    with pytest.raises(wire.WireError) as caught:
        wire.encode_pub(b"x" * (wire.MAX_PAYLOAD + 1))
    assert caught.value.code == "too_large"


@pytest.mark.parametrize(
    "frame",
    [
        {"t": "msg", "seq": True, "ts": 1, "from": 1, "d": b""},  # a bool is not an int
        {"t": "msg", "seq": -1, "ts": 1, "from": 1, "d": b""},
        {"t": "msg", "seq": 1.0, "ts": 1, "from": 1, "d": b""},
        {"t": "msg", "seq": 1, "ts": 1, "from": 1, "d": "text"},
        {"t": "msg", "seq": 1, "ts": 1, "from": 1},
        {"t": "join", "seq": 1, "ts": 1, "peer": 1, "extra": 0},
        {"t": "welcome", "v": 2, "you": 1, "peers": [], "cap": 12},
        {"t": "welcome", "v": 1, "you": 1, "peers": list(range(13)), "cap": 12},
        {"t": "welcome", "v": 1, "you": 1, "peers": ["1"], "cap": 12},
        {"t": "err", "code": 4001, "msg": "x"},
        {"t": "nope"},
        {"t": "msg", "seq": msgpack.ExtType(1, b"x"), "ts": 1, "from": 1, "d": b""},
    ],
)
def test_malformed_server_frames_are_refused(frame):
    with pytest.raises(wire.WireError) as caught:
        wire.decode_server(msgpack.packb(frame))
    assert caught.value.code == "bad_frame"


def test_huge_counters_are_refused():
    huge = msgpack.packb({"t": "join", "seq": 2**64 - 1, "ts": 1, "peer": 1})
    with pytest.raises(wire.WireError):
        wire.decode_server(huge)


def test_deep_nesting_is_refused_without_a_crash():
    deep = b"\x91" * 100_000 + b"\xc0"  # 100,000 nested one-element arrays
    with pytest.raises(wire.WireError):
        wire.decode_client(deep)


@given(st.binary(max_size=300))
def test_any_bytes_decode_or_raise_wire_error_only(data):
    for decode in (wire.decode_client, wire.decode_server):
        try:
            decode(data)
        except wire.WireError as exc:
            assert exc.code in wire.CLOSE_CODES
            assert exc.msg.endswith(".")


@given(st.sampled_from([wire.encode_pub(b"hello"), wire.encode_msg(1, 2, 3, b"abc")]), st.data())
def test_every_truncation_is_refused(frame, data):
    cut = data.draw(st.integers(0, len(frame) - 1))
    with pytest.raises(wire.WireError):
        wire.decode_client(frame[:cut]) if frame[3:6] == b"pub" else wire.decode_server(frame[:cut])


def test_room_paths():
    rid = "0123456789abcdef" * 2
    assert wire.room_path(rid) == f"/v1/rooms/{rid}"
    assert wire.room_id_from_path(f"/v1/rooms/{rid}") == rid
    for bad in (rid.upper(), rid[:-1], rid + "0", "g" * 32):
        assert wire.room_id_from_path(f"/v1/rooms/{bad}") is None
    with pytest.raises(ValueError):
        wire.room_path("nope")
