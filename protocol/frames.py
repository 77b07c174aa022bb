"""Porch's end-to-end frames: what travels inside a relay ``pub``/``msg`` as ``d``.

Every frame opens with a fixed binary header and closes with a 64-byte Ed25519
signature over everything before it. The header is also the AEAD's associated
data, so a frame cannot be moved to another room, epoch, seat, generation or
index without breaking both the seal and the signature::

    room-wide, under k_join (lobby, knock, commit, vouch, set aside, closing)
        version u8 | kind u8 | room 16         | sealed(k_join)          | sig
    sender keys, pairwise (one frame carries a chain key for every seat)
        version u8 | kind u8 | room 16 | epoch u32 | slot u8 | gen u32
        | check 16 | ended: epoch u32 | gen u32 | count u32 | sealed(k_join) next
        | count u8 | (to u8 | len u16 | sealed(pair key))*count            | sig
    group message, under the sender's chain
        version u8 | kind u8 | room 16 | epoch u32 | slot u8 | gen u32 | i u32
        | sealed(message key)                                             | sig

The relay can read these headers: it learns which seat sent a message and its
index, which it could count anyway. Everything a person wrote is sealed.

A keys frame also signs, in the clear, a ``check`` of the chain key (a keyed
hash: it reveals nothing of the key) so that every recipient can tell whether
the key sealed to it is the one announced to all, and acks can compare it; and
``ended``, how many messages the sender sealed under the chain this one
replaces, so the last messages before a new chain cannot vanish unseen; and
``next``, the exchange key its sender will use from the next epoch on, which
the next Commit lists (``keys.pairs``), sealed under the join key so that the
relay sees no key.
Parsing here is purely structural; cryptographic checks live with the keys.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from protocol.crypto import SEAL_OVERHEAD, SIG_SIZE
from protocol.limits import SEATS

VERSION: Final = 1
ROOM_SIZE: Final = 16


class Kind(IntEnum):
    LOBBY = 1
    KNOCK = 2
    COMMIT = 3
    KEYS = 4
    GROUP = 5
    VOUCH = 6
    SET_ASIDE = 7  # a member's "not now" to a knock
    CLOSING = 8  # a member leaving whose relay closes with it: the room ends


class FrameError(ValueError):
    """A frame that is not well formed; it is dropped and nothing changes."""


ROOMWIDE: Final = frozenset(
    (Kind.LOBBY, Kind.KNOCK, Kind.COMMIT, Kind.VOUCH, Kind.SET_ASIDE, Kind.CLOSING)
)
_ROOMWIDE = struct.Struct(">BB16s")
NEXT_SEALED: Final = 32 + SEAL_OVERHEAD
_KEYS = struct.Struct(f">BB16sIBI16sIII{NEXT_SEALED}s")
CHECK_SIZE: Final = 16
NO_CHAIN: Final = (0, 0, 0)
NO_EXCHANGE: Final = bytes(32)
_GROUP = struct.Struct(">BB16sIBII")
_ENTRY = struct.Struct(">BH")


@dataclass(frozen=True, slots=True)
class RoomFrame:
    """A lobby, knock, Commit, vouch, "not now" or closing: sealed under the join key."""

    kind: Kind
    header: bytes
    sealed: bytes
    signed: bytes
    sig: bytes


@dataclass(frozen=True, slots=True)
class KeysFrame:
    """A member's new sender chain, sealed once per recipient seat."""

    epoch: int
    slot: int
    gen: int
    sealed: dict[int, bytes]
    signed: bytes
    sig: bytes
    header: bytes = b""
    check: bytes = b""
    # (epoch, generation, messages sealed) of the chain this one replaces.
    ended: tuple[int, int, int] = NO_CHAIN
    next_sealed: bytes = bytes(NEXT_SEALED)  # the sender's exchange key for the next epoch


@dataclass(frozen=True, slots=True)
class GroupFrame:
    epoch: int
    slot: int
    gen: int
    index: int
    header: bytes
    sealed: bytes
    signed: bytes
    sig: bytes


Frame = RoomFrame | KeysFrame | GroupFrame


def roomwide_header(kind: Kind, room: bytes) -> bytes:
    return _ROOMWIDE.pack(VERSION, kind, room)


def keys_header(
    room: bytes,
    epoch: int,
    slot: int,
    gen: int,
    check: bytes = bytes(CHECK_SIZE),
    ended: tuple[int, int, int] = NO_CHAIN,
    next_sealed: bytes = bytes(NEXT_SEALED),
) -> bytes:
    return _KEYS.pack(VERSION, Kind.KEYS, room, epoch, slot, gen, check, *ended, next_sealed)


def announcement_aad(header: bytes) -> bytes:
    """What the sealed ``next`` of a keys header is bound to: the header before it."""
    return header[:-NEXT_SEALED]


def keys_aad(header: bytes, to: int) -> bytes:
    """The pairwise seal binds room, epoch, sender, generation, recipient and type."""
    return header + bytes((to,))


def keys_body(entries: dict[int, bytes]) -> bytes:
    parts = [bytes((len(entries),))]
    for to, sealed in sorted(entries.items()):
        parts.append(_ENTRY.pack(to, len(sealed)))
        parts.append(sealed)
    return b"".join(parts)


def group_header(room: bytes, epoch: int, slot: int, gen: int, index: int) -> bytes:
    return _GROUP.pack(VERSION, Kind.GROUP, room, epoch, slot, gen, index)


def parse(d: bytes, room: bytes) -> Frame:
    """The frame's structure, or FrameError. Frames for another room are errors too."""
    if len(d) < _ROOMWIDE.size + SIG_SIZE:
        raise FrameError("too short")
    version, kind_byte, frame_room = _ROOMWIDE.unpack_from(d)
    if version != VERSION:
        raise FrameError("unknown version")
    if frame_room != room:
        raise FrameError("another room's frame")
    try:
        kind = Kind(kind_byte)
    except ValueError as exc:
        raise FrameError("unknown kind") from exc
    signed, sig = d[:-SIG_SIZE], d[-SIG_SIZE:]
    if kind in ROOMWIDE:
        sealed = signed[_ROOMWIDE.size :]
        if len(sealed) < SEAL_OVERHEAD:
            raise FrameError("too short")
        return RoomFrame(kind, signed[: _ROOMWIDE.size], sealed, signed, sig)
    if kind is Kind.KEYS:
        return _parse_keys(signed, sig)
    if len(signed) < _GROUP.size + SEAL_OVERHEAD:
        raise FrameError("too short")
    _, _, _, epoch, slot, gen, index = _GROUP.unpack_from(signed)
    if slot >= SEATS:
        raise FrameError("no such seat")
    header = signed[: _GROUP.size]
    return GroupFrame(epoch, slot, gen, index, header, signed[_GROUP.size :], signed, sig)


def _parse_keys(signed: bytes, sig: bytes) -> KeysFrame:
    if len(signed) < _KEYS.size + 1:
        raise FrameError("too short")
    _, _, _, epoch, slot, gen, check, *ended, next_sealed = _KEYS.unpack_from(signed)
    if slot >= SEATS:
        raise FrameError("no such seat")
    count = signed[_KEYS.size]
    if count > SEATS:
        raise FrameError("too many recipients")
    at = _KEYS.size + 1
    entries: dict[int, bytes] = {}
    for _ in range(count):
        if at + _ENTRY.size > len(signed):
            raise FrameError("truncated")
        to, size = _ENTRY.unpack_from(signed, at)
        at += _ENTRY.size
        if to >= SEATS or to in entries or size < SEAL_OVERHEAD or at + size > len(signed):
            raise FrameError("bad recipient entry")
        entries[to] = signed[at : at + size]
        at += size
    if at != len(signed):
        raise FrameError("trailing bytes")
    ended_epoch, ended_gen, ended_count = ended
    header = signed[: _KEYS.size]
    ended_chain = (ended_epoch, ended_gen, ended_count)
    return KeysFrame(
        epoch, slot, gen, entries, signed, sig, header, check, ended_chain, next_sealed
    )
