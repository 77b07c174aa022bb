"""What sealed frames hold, as msgpack, decoded as strictly as the wire itself.

A body has exactly its keys, each of exactly its type (a bool is not an int,
a str is not bytes), bounded lengths, no ExtType, and integers in range. A body
that breaks any of this is dropped like a forged one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import msgpack

from protocol.crypto import KEY_SIZE
from protocol.frames import CHECK_SIZE, MAX_SLOTS

MAX_NICK: Final = 32
MAX_TEXT: Final = 4000
MAX_AGREEMENTS: Final = 4000
MAX_EMOJI: Final = 16
MAX_BODY: Final = 32 * 1024
U32: Final = 2**32
MAX_LINEAGE: Final = 8
NO_SLOT: Final = 255


class BodyError(ValueError):
    """A sealed body that opened but is not well formed."""


def pack(obj: Any) -> bytes:
    return msgpack.packb(obj, use_bin_type=True)  # type: ignore[no-any-return]


def _refuse_ext(code: int, data: bytes) -> Any:
    raise BodyError("extension types are not allowed")


def unpack(data: bytes) -> Any:
    if len(data) > MAX_BODY:
        raise BodyError("too large")
    try:
        return msgpack.unpackb(
            data,
            raw=False,
            strict_map_key=True,
            ext_hook=_refuse_ext,
            timestamp=0,
            max_str_len=MAX_BODY,
            max_bin_len=MAX_BODY,
            max_array_len=64,
            max_map_len=16,
            max_ext_len=0,
        )
    except BodyError:
        raise
    except Exception as exc:  # msgpack raises many types for malformed input
        raise BodyError("not one msgpack value") from exc


def fields(obj: Any, *names: str) -> dict[str, Any]:
    if type(obj) is not dict or set(obj) != set(names):
        raise BodyError(f"expected exactly {', '.join(names)}")
    return obj


def uint(value: Any, limit: int = U32) -> int:
    if type(value) is not int or not 0 <= value < limit:
        raise BodyError("expected a bounded non-negative integer")
    return value


def text(value: Any, limit: int) -> str:
    if type(value) is not str or len(value) > limit:
        raise BodyError("expected bounded text")
    return value


def nick(value: Any) -> str:
    name = text(value, MAX_NICK)
    if not name.strip() or not name.isprintable():
        raise BodyError("a nickname is printable and not blank")
    return name


def key(value: Any, size: int = KEY_SIZE) -> bytes:
    if type(value) is not bytes or len(value) != size:
        raise BodyError("expected a key")
    return value


def array(value: Any, limit: int) -> list[Any]:
    if type(value) is not list or len(value) > limit:
        raise BodyError("expected a bounded list")
    return value


# --- lobby and knock ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lobby:
    """The sequencer's answer to a newcomer: the agreements, before any knock."""

    agreements: str
    host_nick: str
    epoch: int
    # Handovers, oldest first, two Commit frames each: the one that named the
    # successor, signed by the sequencer of the day, and the one with which the
    # successor removed that sequencer. The first is signed by the invite's key.
    lineage: tuple[bytes, ...] = ()
    # The sequencer's current Commit frame: the newcomer follows the room from it.
    commit: bytes = b""

    def encode(self) -> bytes:
        return pack(
            {
                "agreements": self.agreements,
                "host": self.host_nick,
                "epoch": self.epoch,
                "lineage": list(self.lineage),
                "commit": self.commit,
            }
        )

    @staticmethod
    def decode(data: bytes) -> Lobby:
        obj = fields(unpack(data), "agreements", "host", "epoch", "lineage", "commit")
        lineage = array(obj["lineage"], MAX_LINEAGE)
        frames = [*lineage, obj["commit"]]
        if any(type(d) is not bytes or len(d) > MAX_BODY // (MAX_LINEAGE + 1) for d in frames):
            raise BodyError("a lineage holds Commit frames")
        return Lobby(
            text(obj["agreements"], MAX_AGREEMENTS),
            nick(obj["host"]),
            uint(obj["epoch"]),
            tuple(lineage),
            obj["commit"],
        )


@dataclass(frozen=True, slots=True)
class KnockBody:
    nick: str
    identity: bytes
    exchange: bytes
    agreed: bytes  # hash of the agreements the joiner accepted
    # A member whose connection dropped knocks again with new keys; ``was`` is
    # their previous identity and ``vouch`` its signature over the new keys.
    was: bytes = b""
    vouch: bytes = b""

    def encode(self) -> bytes:
        return pack(
            {
                "nick": self.nick,
                "id": self.identity,
                "kx": self.exchange,
                "agreed": self.agreed,
                "was": self.was,
                "vouch": self.vouch,
            }
        )

    @staticmethod
    def decode(data: bytes) -> KnockBody:
        obj = fields(unpack(data), "nick", "id", "kx", "agreed", "was", "vouch")
        was, vouch = obj["was"], obj["vouch"]
        if (was, vouch) != (b"", b""):
            was, vouch = key(was), key(vouch, 64)
        return KnockBody(
            nick(obj["nick"]), key(obj["id"]), key(obj["kx"]), key(obj["agreed"]), was, vouch
        )


# --- commit -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Member:
    slot: int
    nick: str
    identity: bytes
    exchange: bytes
    peer: int  # the relay's connection number, so a relay leave maps to a seat


@dataclass(frozen=True, slots=True)
class Change:
    """Why an epoch began: 'open', 'admit', 'left' or 'disconnected'."""

    what: str
    slot: int
    by: int


CHANGES: Final = ("open", "admit", "left", "disconnected")


@dataclass(frozen=True, slots=True)
class CommitBody:
    epoch: int
    prev: bytes
    roster: tuple[Member, ...]
    agreed: bytes
    sequencer: int
    successor: int
    changes: tuple[Change, ...]
    nonce: bytes

    def encode(self) -> bytes:
        return pack(
            {
                "epoch": self.epoch,
                "prev": self.prev,
                "roster": [[m.slot, m.nick, m.identity, m.exchange, m.peer] for m in self.roster],
                "agreed": self.agreed,
                "sequencer": self.sequencer,
                "successor": self.successor,
                "changes": [[c.what, c.slot, c.by] for c in self.changes],
                "nonce": self.nonce,
            }
        )

    @staticmethod
    def decode(data: bytes) -> CommitBody:
        obj = fields(
            unpack(data),
            "epoch", "prev", "roster", "agreed", "sequencer", "successor", "changes", "nonce",
        )  # fmt: skip
        roster = []
        # The cap is checked by the roster's own rules; here only the shape is bounded.
        for entry in array(obj["roster"], MAX_SLOTS * 2):
            slot, name, identity, exchange, peer = array(entry, 5) + [None] * (5 - len(entry))
            roster.append(
                Member(uint(slot, 256), nick(name), key(identity), key(exchange), uint(peer, 2**63))
            )
        changes = []
        for entry in array(obj["changes"], MAX_SLOTS * 2):
            if len(array(entry, 3)) != 3 or entry[0] not in CHANGES or type(entry[0]) is not str:
                raise BodyError("bad change")
            changes.append(Change(entry[0], uint(entry[1], 256), uint(entry[2], 256)))
        return CommitBody(
            uint(obj["epoch"]),
            key(obj["prev"]),
            tuple(roster),
            key(obj["agreed"]),
            uint(obj["sequencer"], 256),
            uint(obj["successor"], 256),
            tuple(changes),
            key(obj["nonce"], 16),
        )


# --- group messages -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Say:
    text: str


@dataclass(frozen=True, slots=True)
class React:
    emoji: str


@dataclass(frozen=True, slots=True)
class Admit:
    """A member's consent to a knock, for the sequencer to commit."""

    peer: int
    identity: bytes


@dataclass(frozen=True, slots=True)
class Bye:
    """The sender is leaving on purpose: commit it now, no grace period."""


@dataclass(frozen=True, slots=True)
class Heard:
    """One chain as an ack's sender saw it: last index, running hash, the key's check."""

    slot: int
    gen: int
    index: int
    running: bytes
    check: bytes


@dataclass(frozen=True, slots=True)
class Ack:
    """What the sender holds: its Commit, its room-state log, and every chain it heard.

    The Commit hash, not only the roster, so that two Commits for one epoch (a
    split room) show; the room-state log (events applied since that Commit, and
    their running hash) so that a relay cannot feed members different states.
    """

    epoch: int
    commit_hash: bytes
    state_count: int
    state_hash: bytes
    heard: tuple[Heard, ...]


Content = Say | React | Admit | Bye | Ack
RUNNING_SIZE: Final = 16


def encode_content(content: Content) -> bytes:
    match content:
        case Say(said):
            return pack(["say", said])
        case React(emoji):
            return pack(["react", emoji])
        case Admit(peer, identity):
            return pack(["admit", peer, identity])
        case Bye():
            return pack(["bye"])
        case Ack(epoch, commit_hash, state_count, state_hash, heard):
            rows = [[h.slot, h.gen, h.index, h.running, h.check] for h in heard]
            return pack(["ack", epoch, commit_hash, state_count, state_hash, rows])
    raise TypeError(f"not content: {content!r}")


def decode_content(data: bytes) -> Content:
    obj = unpack(data)
    if type(obj) is not list or not obj or type(obj[0]) is not str:
        raise BodyError("content is a list that starts with its kind")
    match obj:
        case ["say", said]:
            return Say(text(said, MAX_TEXT))
        case ["react", emoji]:
            value = text(emoji, MAX_EMOJI)
            if not value or not value.isprintable():
                raise BodyError("a reaction is a short printable string")
            return React(value)
        case ["admit", peer, identity]:
            return Admit(uint(peer, 2**63), key(identity))
        case ["bye"]:
            return Bye()
        case ["ack", epoch, commit_hash, state_count, state_hash, rows]:
            heard = []
            for row in array(rows, MAX_SLOTS * 2):
                if len(array(row, 5)) != 5:
                    raise BodyError("bad ack row")
                heard.append(
                    Heard(
                        uint(row[0], MAX_SLOTS),
                        uint(row[1]),
                        uint(row[2]),
                        key(row[3], RUNNING_SIZE),
                        key(row[4], CHECK_SIZE),
                    )
                )
            return Ack(
                uint(epoch),
                key(commit_hash),
                uint(state_count),
                key(state_hash, RUNNING_SIZE),
                tuple(heard),
            )
    raise BodyError("unknown content")
