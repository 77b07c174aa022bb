"""Relay wire protocol v1: the contract between a Porch relay and its clients.

Every frame is one binary WebSocket message holding one msgpack map with a
string ``t`` naming its kind. The relay is blind: the only payload it carries,
``d``, is opaque bytes that clients encrypt end to end.

Client -> relay::

    {"t": "pub", "d": BYTES}                      at most MAX_PAYLOAD bytes of d

Relay -> client::

    {"t": "welcome", "v": 1, "you": PEER, "peers": [PEER, ...], "cap": 12}
    {"t": "msg",   "seq": N, "ts": MS, "from": PEER, "d": BYTES}
    {"t": "join",  "seq": N, "ts": MS, "peer": PEER}
    {"t": "leave", "seq": N, "ts": MS, "peer": PEER}
    {"t": "err",   "code": CODE, "msg": TEXT}     followed by a close

Decoding is strict, because both ends face hostile input: a frame must be a map
with exactly the keys of its kind, each of exactly its type (a bool is not an
int, a str is not bytes), no ExtType anywhere, and msgpack's own container and
length limits are bounded by the frame size. Anything else raises ``WireError``
with the code the relay should answer with.

``welcome.peers`` lists the members present before the newcomer; the newcomer
then sees its own ``join`` with the room's next ``seq`` like everyone else.

This module is sans-I/O: bytes in, typed frames out, and back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

import msgpack

VERSION: Final = 1
ROOM_CAP: Final = 12
MAX_PAYLOAD: Final = 64 * 1024
# A pub frame is the payload plus a few bytes of map and key overhead.
MAX_FRAME: Final = MAX_PAYLOAD + 64

PATH_PREFIX: Final = f"/v{VERSION}/rooms/"
ROOM_ID_RE: Final = re.compile(r"[0-9a-f]{32}")

# Error codes and the WebSocket close code that follows each.
BAD_FRAME: Final = "bad_frame"
ROOM_FULL: Final = "room_full"
TOO_LARGE: Final = "too_large"
RATE_LIMITED: Final = "rate_limited"
SERVER_FULL: Final = "server_full"
SLOW_CONSUMER: Final = "slow_consumer"

CLOSE_CODES: Final[dict[str, int]] = {
    BAD_FRAME: 4000,
    ROOM_FULL: 4001,
    TOO_LARGE: 4002,
    RATE_LIMITED: 4003,
    SERVER_FULL: 4004,
    SLOW_CONSUMER: 4005,
}
CLOSE_GOING_AWAY: Final = 1001


class WireError(ValueError):
    """A frame that breaks the v1 contract; ``code`` is the error code to answer with."""

    def __init__(self, code: str, msg: str) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg


@dataclass(frozen=True, slots=True)
class Pub:
    d: bytes


@dataclass(frozen=True, slots=True)
class Welcome:
    you: int
    peers: tuple[int, ...]
    cap: int
    v: int = VERSION


@dataclass(frozen=True, slots=True)
class Msg:
    seq: int
    ts: int
    sender: int  # "from" on the wire
    d: bytes


@dataclass(frozen=True, slots=True)
class Join:
    seq: int
    ts: int
    peer: int


@dataclass(frozen=True, slots=True)
class Leave:
    seq: int
    ts: int
    peer: int


@dataclass(frozen=True, slots=True)
class Err:
    code: str
    msg: str


ServerFrame = Welcome | Msg | Join | Leave | Err
RoomEvent = Msg | Join | Leave


def is_room_id(text: str) -> bool:
    return ROOM_ID_RE.fullmatch(text) is not None


def room_path(room_id: str) -> str:
    if not is_room_id(room_id):
        raise ValueError("a room id is 32 lowercase hex characters")
    return PATH_PREFIX + room_id


def room_id_from_path(path: str) -> str | None:
    """The room id in a request path, or None when the path is not a v1 room path."""
    if not path.startswith(PATH_PREFIX):
        return None
    room_id = path[len(PATH_PREFIX) :]
    return room_id if is_room_id(room_id) else None


# --- encoding -----------------------------------------------------------------


def _pack(obj: dict[str, Any]) -> bytes:
    return msgpack.packb(obj, use_bin_type=True)  # type: ignore[no-any-return]


def encode_pub(d: bytes) -> bytes:
    if len(d) > MAX_PAYLOAD:
        raise WireError(TOO_LARGE, f"A payload holds at most {MAX_PAYLOAD} bytes.")
    return _pack({"t": "pub", "d": d})


def encode_welcome(you: int, peers: list[int] | tuple[int, ...], cap: int = ROOM_CAP) -> bytes:
    return _pack({"t": "welcome", "v": VERSION, "you": you, "peers": list(peers), "cap": cap})


def encode_msg(seq: int, ts: int, sender: int, d: bytes) -> bytes:
    return _pack({"t": "msg", "seq": seq, "ts": ts, "from": sender, "d": d})


def encode_join(seq: int, ts: int, peer: int) -> bytes:
    return _pack({"t": "join", "seq": seq, "ts": ts, "peer": peer})


def encode_leave(seq: int, ts: int, peer: int) -> bytes:
    return _pack({"t": "leave", "seq": seq, "ts": ts, "peer": peer})


def encode_err(code: str, msg: str) -> bytes:
    return _pack({"t": "err", "code": code, "msg": msg})


def encode(frame: ServerFrame | Pub) -> bytes:
    match frame:
        case Pub(d):
            return encode_pub(d)
        case Welcome(you, peers, cap):
            return encode_welcome(you, peers, cap)
        case Msg(seq, ts, sender, d):
            return encode_msg(seq, ts, sender, d)
        case Join(seq, ts, peer):
            return encode_join(seq, ts, peer)
        case Leave(seq, ts, peer):
            return encode_leave(seq, ts, peer)
        case Err(code, msg):
            return encode_err(code, msg)
    raise TypeError(f"not a wire frame: {frame!r}")


# --- decoding -----------------------------------------------------------------


def _refuse_ext(code: int, data: bytes) -> Any:
    raise WireError(BAD_FRAME, "Extension types are not allowed in frames.")


def _unpack(data: bytes, max_size: int) -> dict[str, Any]:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise WireError(BAD_FRAME, "Frames must be binary msgpack, not text.")
    if len(data) > max_size:
        raise WireError(TOO_LARGE, f"Frames are at most {max_size} bytes.")
    try:
        obj = msgpack.unpackb(
            data,
            raw=False,
            strict_map_key=True,
            use_list=True,
            ext_hook=_refuse_ext,
            timestamp=0,
            max_str_len=max_size,
            max_bin_len=max_size,
            max_array_len=ROOM_CAP * 4,
            max_map_len=16,
            max_ext_len=0,
        )
    except WireError:
        raise
    except Exception as exc:  # msgpack raises a zoo of types for malformed input
        raise WireError(BAD_FRAME, "The frame is not one valid msgpack value.") from exc
    if not isinstance(obj, dict):
        raise WireError(BAD_FRAME, "A frame must be a msgpack map.")
    return obj


def _kind(obj: dict[str, Any]) -> str:
    t = obj.get("t")
    if type(t) is not str:
        raise WireError(BAD_FRAME, "A frame needs a string 't' naming its type.")
    return t


def _keys(obj: dict[str, Any], *names: str) -> None:
    if set(obj) != {"t", *names}:
        keys = ", ".join(names)
        raise WireError(BAD_FRAME, f"A '{obj['t']}' frame takes exactly the keys t, {keys}.")


def _uint(obj: dict[str, Any], name: str) -> int:
    value = obj[name]
    if type(value) is not int or value < 0 or value >= 2**63:
        raise WireError(BAD_FRAME, f"The '{name}' field must be a non-negative integer.")
    return value


def _bytes(obj: dict[str, Any], name: str, limit: int) -> bytes:
    value = obj[name]
    if type(value) is not bytes:
        raise WireError(BAD_FRAME, f"The '{name}' field must be binary.")
    if len(value) > limit:
        raise WireError(TOO_LARGE, f"The '{name}' field holds at most {limit} bytes.")
    return value


def _str(obj: dict[str, Any], name: str, limit: int = 1024) -> str:
    value = obj[name]
    if type(value) is not str or len(value) > limit:
        raise WireError(
            BAD_FRAME, f"The '{name}' field must be a string of at most {limit} characters."
        )
    return value


def decode_client(data: bytes, max_payload: int = MAX_PAYLOAD) -> Pub:
    """Decode a frame a client sent to the relay."""
    obj = _unpack(data, max_payload + 64)
    t = _kind(obj)
    if t != "pub":
        raise WireError(BAD_FRAME, f"Unknown frame type {t[:32]!r}: clients send only 'pub'.")
    _keys(obj, "d")
    return Pub(_bytes(obj, "d", max_payload))


def decode_server(data: bytes, max_payload: int = MAX_PAYLOAD) -> ServerFrame:
    """Decode a frame the relay sent to a client."""
    obj = _unpack(data, max_payload + 128)
    match _kind(obj):
        case "msg":
            _keys(obj, "seq", "ts", "from", "d")
            seq, ts, sender = _uint(obj, "seq"), _uint(obj, "ts"), _uint(obj, "from")
            return Msg(seq, ts, sender, _bytes(obj, "d", max_payload))
        case "join":
            _keys(obj, "seq", "ts", "peer")
            return Join(_uint(obj, "seq"), _uint(obj, "ts"), _uint(obj, "peer"))
        case "leave":
            _keys(obj, "seq", "ts", "peer")
            return Leave(_uint(obj, "seq"), _uint(obj, "ts"), _uint(obj, "peer"))
        case "welcome":
            _keys(obj, "v", "you", "peers", "cap")
            if obj["v"] != VERSION or type(obj["v"]) is not int:
                raise WireError(BAD_FRAME, f"This client speaks relay protocol v{VERSION}.")
            peers = obj["peers"]
            if type(peers) is not list or len(peers) > ROOM_CAP:
                raise WireError(BAD_FRAME, "The 'peers' field must be a list of at most 12 peers.")
            if any(type(p) is not int or p < 0 or p >= 2**63 for p in peers):
                raise WireError(BAD_FRAME, "The 'peers' field must hold non-negative integers.")
            return Welcome(_uint(obj, "you"), tuple(peers), _uint(obj, "cap"))
        case "err":
            _keys(obj, "code", "msg")
            return Err(_str(obj, "code", 64), _str(obj, "msg"))
        case t:
            raise WireError(BAD_FRAME, f"Unknown frame type {t[:32]!r}.")
