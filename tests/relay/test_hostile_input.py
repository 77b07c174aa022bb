"""Bad input gets a clear err frame and a close, and never touches anyone else."""

from __future__ import annotations

import asyncio
import threading
import urllib.error
import urllib.request

import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from relay_peers import closed_with, join, new_room_id, send_then_err
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect as connect_sync

from protocol import wire
from relay.server import PUB_HEAD, payload

BAD_FRAMES = {
    "text frame": ("hello", "bad_frame", 4000),
    "garbage bytes": (b"\xc1\xff\x00garbage", "bad_frame", 4000),
    "truncated msgpack": (wire.encode_pub(b"abcdef")[:-3], "bad_frame", 4000),
    "two values": (wire.encode_pub(b"a") + wire.encode_pub(b"b"), "bad_frame", 4000),
    "not a map": (msgpack.packb([1, 2, 3]), "bad_frame", 4000),
    "a bare integer": (msgpack.packb(7), "bad_frame", 4000),
    "unknown t": (msgpack.packb({"t": "shout", "d": b"x"}), "bad_frame", 4000),
    "no t": (msgpack.packb({"d": b"x"}), "bad_frame", 4000),
    "t not a string": (msgpack.packb({"t": 1, "d": b"x"}), "bad_frame", 4000),
    "d as str": (msgpack.packb({"t": "pub", "d": "text"}), "bad_frame", 4000),
    "d as int": (msgpack.packb({"t": "pub", "d": 5}), "bad_frame", 4000),
    "extra key": (msgpack.packb({"t": "pub", "d": b"x", "to": 3}), "bad_frame", 4000),
    "server frame from client": (wire.encode_msg(1, 1, 1, b"x"), "bad_frame", 4000),
    "ExtType payload": (
        msgpack.packb({"t": "pub", "d": msgpack.ExtType(5, b"boom")}),
        "bad_frame",
        4000,
    ),
    "timestamp ext": (
        msgpack.packb({"t": "pub", "d": msgpack.Timestamp(1, 0)}),
        "bad_frame",
        4000,
    ),
    "just over the payload limit": (
        msgpack.packb({"t": "pub", "d": b"x" * (wire.MAX_PAYLOAD + 1)}),
        "too_large",
        4002,
    ),
}


@pytest.mark.parametrize("name", list(BAD_FRAMES))
async def test_bad_frame_is_refused_and_the_room_carries_on(relay, name):
    payload, code, close_code = BAD_FRAMES[name]
    room = relay.room_url(new_room_id())
    bystander = await join(room)
    err, got_close = await send_then_err(room, payload)
    assert (err.code, got_close) == (code, close_code)
    assert err.msg and err.msg[0].isupper(), "errors are sentences"
    await bystander.pub(b"still here")
    assert (await bystander.next_msg()).d == b"still here"
    await bystander.close()


async def test_a_frame_far_over_the_limit_is_closed_by_the_websocket_layer(relay):
    peer = await join(relay.room_url(new_room_id()))
    await peer.conn.send(b"\x00" * (wire.MAX_PAYLOAD * 4))
    assert await closed_with(peer.conn) in (1009, 4002)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/v1/rooms/",
        "/v1/rooms/" + "A" * 32,
        "/v1/rooms/" + "a" * 31,
        "/v2/rooms/" + "a" * 32,
        "/v1/rooms/" + "a" * 32 + "/x",
        "/v1/rooms/" + "g" * 32,
        "/healthz/x",
    ],
)
async def test_any_other_path_is_404_at_the_handshake(relay, path):
    with pytest.raises(InvalidStatus) as caught:
        await connect(relay.url + path, open_timeout=5)
    assert caught.value.response.status_code == 404


def test_healthz_answers_ok_without_room_ids(relay):
    room = new_room_id()
    with connect_sync(relay.room_url(room)) as ws:
        ws.recv(timeout=5)
        with urllib.request.urlopen(f"http://127.0.0.1:{relay.port}/healthz", timeout=5) as r:
            assert r.status == 200
            body = r.read().decode()
    assert body.startswith("ok\n")
    assert room not in body
    assert "connections 1" in body
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"http://127.0.0.1:{relay.port}/rooms", timeout=5)
    assert caught.value.code == 404


async def test_a_flood_is_rate_limited(start_relay):
    relay = start_relay("--rate", "20", "--burst", "30")
    room = relay.room_url(new_room_id())
    flooder, calm = await join(room), await join(room)
    for _ in range(200):
        try:
            await flooder.conn.send(wire.encode_pub(b"spam"))
        except ConnectionClosed:
            break
    frames = []
    try:
        async with asyncio.timeout(5):
            while True:
                frames.append(wire.decode_server(await flooder.conn.recv()))
    except ConnectionClosed as exc:
        close_code = exc.rcvd.code if exc.rcvd else None
    errs = [f for f in frames if isinstance(f, wire.Err)]
    assert [e.code for e in errs] == ["rate_limited"]
    assert close_code == 4003
    relayed = [f for f in frames if isinstance(f, wire.Msg)]
    assert 30 <= len(relayed) < 200, "the burst passes, the flood does not"
    await calm.pub(b"unaffected")
    assert (await calm.next_msg()).d == b"spam"  # the burst that was relayed, in order
    await calm.close()


async def test_connections_per_address_and_in_total_are_capped(start_relay):
    relay = start_relay("--per-ip", "3")
    room = relay.room_url(new_room_id())
    held = [await join(room) for _ in range(3)]
    conn = await connect(room, open_timeout=5)
    err = wire.decode_server(await conn.recv())
    assert isinstance(err, wire.Err) and err.code == "server_full"
    assert await closed_with(conn) == 4004
    # Another loopback address is another address.
    other = await connect(
        relay.room_url(new_room_id()).replace("127.0.0.1", "127.0.0.1"), open_timeout=5
    )
    await closed_with(other)
    for p in held:
        await p.close()

    total = start_relay("--max-connections", "2", "--per-ip", "100")
    url = total.room_url(new_room_id())
    a, b = await join(url), await join(total.room_url(new_room_id()))
    conn = await connect(url, open_timeout=5)
    err = wire.decode_server(await conn.recv())
    assert isinstance(err, wire.Err) and err.code == "server_full"
    assert await closed_with(conn) == 4004
    await a.close()
    await b.close()


# --- fuzzing ----------------------------------------------------------------------

VALID = [wire.encode_pub(b""), wire.encode_pub(b"hello"), wire.encode_pub(bytes(300))]

mutated = st.tuples(st.sampled_from(VALID), st.integers(0, 400), st.integers(0, 255)).map(
    lambda t: t[0][: t[1] % (len(t[0]) + 1)] + bytes([t[2]]) + t[0][t[1] % (len(t[0]) + 1) + 1 :]
)
msgpack_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats()
    | st.text(max_size=20)
    | st.binary(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=10,
)
frames = st.one_of(
    st.binary(max_size=200),
    mutated,
    msgpack_values.map(lambda v: msgpack.packb(v)),
    st.dictionaries(
        st.sampled_from(["t", "d", "seq", "from", "x"]), msgpack_values, max_size=3
    ).map(lambda m: msgpack.packb(m)),
    st.text(max_size=50),
)


class HealthyRoom:
    """Two members trading numbered messages in a thread, checking order and loss."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.stop = threading.Event()
        self.exchanged = 0
        self.problems: list[str] = []
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        with connect_sync(self.url) as a, connect_sync(self.url) as b:
            a.recv(timeout=5)
            for _ in range(3):  # a's join, b's welcome and join
                (b if _ else a).recv(timeout=5)
            a.recv(timeout=5)
            n = 0
            while not self.stop.is_set() and n < 100_000:
                a.send(wire.encode_pub(str(n).encode()))
                got = wire.decode_server(b.recv(timeout=5))
                if not (isinstance(got, wire.Msg) and got.d == str(n).encode()):
                    self.problems.append(f"expected message {n}, got {got!r}")
                    return
                a.recv(timeout=5)
                n += 1
                self.exchanged = n
                self.stop.wait(0.02)


def test_fuzzed_frames_never_disturb_a_healthy_room(relay):
    healthy = HealthyRoom(relay.room_url(new_room_id()))
    healthy.thread.start()
    fuzz_room = relay.room_url(new_room_id())
    outcomes: dict[str, int] = {}

    @settings(max_examples=600, suppress_health_check=list(HealthCheck))
    @given(frames)
    def one_frame(frame: bytes | str) -> None:
        with connect_sync(fuzz_room, open_timeout=5) as ws:
            ws.recv(timeout=5)  # welcome
            ws.recv(timeout=5)  # own join
            ws.send(frame)
            try:
                reply = wire.decode_server(ws.recv(timeout=5))
            except ConnectionClosed:
                reply = None
            match reply:
                case wire.Msg(d=d):
                    assert wire.decode_client(frame) == wire.Pub(d)
                    outcomes["relayed"] = outcomes.get("relayed", 0) + 1
                case wire.Err(code=code):
                    assert code in wire.CLOSE_CODES
                    with pytest.raises(ConnectionClosed) as closed:
                        ws.recv(timeout=5)
                    assert closed.value.rcvd is not None
                    assert closed.value.rcvd.code == wire.CLOSE_CODES[code]
                    outcomes[code] = outcomes.get(code, 0) + 1
                case _:
                    pytest.fail(f"no clear answer to {frame!r}: {reply!r}")

    try:
        one_frame()
    finally:
        healthy.stop.set()
        healthy.thread.join(10)
    assert healthy.problems == []
    assert healthy.exchanged > 10, "the healthy room kept talking throughout"
    assert outcomes.get("bad_frame", 0) > 100


pub_like = st.one_of(
    st.binary(max_size=300).map(lambda d: wire.encode_pub(d)),
    st.binary(min_size=256, max_size=70_000).map(
        lambda d: msgpack.packb({"t": "pub", "d": d}, use_bin_type=True)
    ),
    st.binary(max_size=40).map(lambda tail: PUB_HEAD + tail),
    st.tuples(st.sampled_from([b"\xc4", b"\xc5", b"\xc6"]), st.binary(max_size=40)).map(
        lambda parts: PUB_HEAD + parts[0] + parts[1]
    ),
)


@settings(max_examples=400, suppress_health_check=list(HealthCheck))
@given(pub_like, st.sampled_from([16, 255, 256, wire.MAX_PAYLOAD]))
def test_the_relays_quick_read_of_a_pub_agrees_with_the_strict_decoder(
    message: bytes, max_payload: int
) -> None:
    try:
        expected: bytes | str = wire.decode_client(message, max_payload).d
    except wire.WireError as exc:
        expected = exc.code
    try:
        got: bytes | str = payload(message, max_payload)
    except wire.WireError as exc:
        got = exc.code
    assert got == expected
