"""The door's bodies: the lobby a newcomer is greeted with, its knock, a member's
vouch for the room it is in, a member's "not now" to a knock, a member's consent to a
knock, a goodbye, and the word that the room ends with a member whose relay closes.

Lobbies, knocks, vouches, "not now" and closings travel room-wide under the join key
(the knocker, not yet in, must read a "not now" and a closing); ``Admit`` and ``Bye``
are group content, sealed under the sender's chain like a message.

A knock said again, for members seated since it was first said, carries four
keys more (``since``, ``told``, ``peer``, ``pad``); the first knock has exactly the
keys it always had, so every client reads it, and a client that knows only those
drops the second saying as it drops any body it does not read (``membership.door``).
Every knock said again is padded to one size (``REPEAT_BYTES``), so its size
does not tell the relay how many "not now"s the knock was told.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from protocol.bodies.codec import (
    MAX_BODY,
    BodyError,
    array,
    exactly,
    fields,
    key,
    nick,
    pack,
    text,
    uint,
    unpack,
)
from protocol.bodies.commit import Ticket
from protocol.limits import (
    AGREEMENTS_CHARS,
    KNOCK_WAIT_MAX_S,
    KNOCK_WAIT_MIN_S,
    KNOCK_WAIT_S,
    SEATS,
)

MAX_LINEAGE = 8  # Commit frames in a lobby's lineage: four handovers
MAX_TICKETS = 2 * SEATS
MAX_TOLD_FRAME = 1024  # a "not now" frame a knock carries: its body pads to 512 bytes
# "Not now"s a knock said again carries: from members on the roster the knocker
# follows, who share the relay's SEATS connections with the knocker.
MAX_TOLD = SEATS - 1
# The body of every knock said again, padded: room for MAX_TOLD "not now" frames
# (634 bytes each) and the longest nickname, just inside one size class (8 KiB),
# so the relay sees one size whatever the knock was told.
REPEAT_BYTES = 8 * 1024 - 64


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
    # The room's return tickets, whose hash that Commit names.
    tickets: tuple[Ticket, ...] = ()

    def encode(self) -> bytes:
        return pack(
            {
                "agreements": self.agreements,
                "host": self.host_nick,
                "epoch": self.epoch,
                "lineage": list(self.lineage),
                "commit": self.commit,
                "tickets": [[t.identity, t.nick] for t in self.tickets],
            }
        )

    @staticmethod
    def decode(data: bytes) -> Lobby:
        obj = fields(unpack(data), "agreements", "host", "epoch", "lineage", "commit", "tickets")
        lineage = array(obj["lineage"], MAX_LINEAGE)
        frames = [*lineage, obj["commit"]]
        if any(type(d) is not bytes or len(d) > MAX_BODY // (MAX_LINEAGE + 1) for d in frames):
            raise BodyError("a lineage holds Commit frames")
        tickets = []
        for row in array(obj["tickets"], MAX_TICKETS):
            identity, name = exactly(row, 2)
            tickets.append(Ticket(key(identity), nick(name)))
        return Lobby(
            text(obj["agreements"], AGREEMENTS_CHARS),
            nick(obj["host"]),
            uint(obj["epoch"]),
            tuple(lineage),
            obj["commit"],
            tuple(tickets),
        )


_KNOCK_KEYS = ("nick", "id", "kx", "agreed", "was", "vouch", "answers", "evicted", "wait")
_SAID_AGAIN_KEYS = ("since", "told", "peer", "pad")


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
    # The hash of the Commit the lobby showed: the knock answers that lobby, so
    # a knock replayed long after cannot knock again.
    answers: bytes = b""
    # A member whose seat went while it was connected says so as it comes back.
    evicted: bool = False
    # How long, in seconds, the knocker waits for an answer: from the relay's
    # ``ts`` of this knock, every member and the knocker let it expire then.
    wait: int = KNOCK_WAIT_S
    # Said again for members seated since the first knock: the relay's ``ts``
    # of the first, from which the knock waits for them as for everyone, and
    # the "not now" frames the knocker was told, as their signers sent them.
    # None and () in the first knock, which names the Commit of its lobby in
    # ``answers``; said again, ``answers`` names the Commit the knocker follows now.
    since: int | None = None
    told: tuple[bytes, ...] = ()
    # Said again: the knocker's connection number, as the relay's welcome gave it.
    # Members show the repeat only from that connection, so nobody can say it
    # from another one once the knocker's is gone.
    peer: int | None = None

    def encode(self) -> bytes:
        body: dict[str, object] = {
            "nick": self.nick,
            "id": self.identity,
            "kx": self.exchange,
            "agreed": self.agreed,
            "was": self.was,
            "vouch": self.vouch,
            "answers": self.answers,
            "evicted": self.evicted,
            "wait": self.wait,
        }
        if self.since is None:
            return pack(body)
        body |= {"since": self.since, "told": list(self.told), "peer": self.peer, "pad": b""}
        # A bin of 256 bytes or more has a header one byte longer: the body ends
        # at REPEAT_BYTES or one byte short of it, in the same size class.
        fill = REPEAT_BYTES - len(pack(body))
        body["pad"] = bytes(max(0, fill - (fill >= 256)))
        return pack(body)

    @staticmethod
    def decode(data: bytes) -> KnockBody:
        obj = unpack(data)
        again = type(obj) is dict and "since" in obj
        obj = fields(obj, *_KNOCK_KEYS, *(_SAID_AGAIN_KEYS if again else ()))
        since, told, peer = None, [], None
        if again:
            since, peer = uint(obj["since"], 2**63), uint(obj["peer"], 2**63)
            told = array(obj["told"], MAX_TOLD)
            if any(type(d) is not bytes or len(d) > MAX_TOLD_FRAME for d in told):
                raise BodyError('a knock said again carries "not now" frames')
            if type(obj["pad"]) is not bytes:
                raise BodyError("a knock said again is padded with bytes")
        if type(obj["evicted"]) is not bool:
            raise BodyError("evicted is true or false")
        wait = uint(obj["wait"])
        if not KNOCK_WAIT_MIN_S <= wait <= KNOCK_WAIT_MAX_S:
            raise BodyError("a knock waits between ten seconds and half an hour")
        was, vouch = obj["was"], obj["vouch"]
        if (was, vouch) != (b"", b""):
            was, vouch = key(was), key(vouch, 64)
        return KnockBody(
            nick(obj["nick"]),
            key(obj["id"]),
            key(obj["kx"]),
            key(obj["agreed"]),
            was,
            vouch,
            key(obj["answers"]),
            obj["evicted"],
            wait,
            since,
            tuple(told),
            peer,
        )


@dataclass(frozen=True, slots=True)
class Vouch:
    """A member's word, signed, that the room it is in stands at this Commit.

    Members send one when a lobby comes from anyone but their sequencer, so a
    newcomer shown two rooms can tell which one the people in it are in. A
    member back after a dropped connection, waiting for a lobby, sends one under
    its old key for the Commit it last held, so that a sequencer waiting to open
    the room again learns that its successor never took the room over
    (``membership.reopen``).
    """

    identity: bytes  # the member's identity key, which signs the frame
    commit: bytes  # the hash of the member's current Commit

    def encode(self) -> bytes:
        return pack({"id": self.identity, "commit": self.commit})

    @staticmethod
    def decode(data: bytes) -> Vouch:
        obj = fields(unpack(data), "id", "commit")
        return Vouch(key(obj["id"]), key(obj["commit"]))


@dataclass(frozen=True, slots=True)
class Closing:
    """A member's word, signed, that it is leaving and the relay closes with it.

    ``porch new`` without a relay runs one inside the opener's process; when the
    opener leaves, the relay goes too. It says so just before its goodbye, so the
    others end at once, told why, instead of trying to reconnect to a relay that
    is gone. It names the Commit the room is at, so it means nothing in another
    epoch. Room-wide, under the join key, so that a knocker waiting at the door
    is told as well.
    """

    identity: bytes  # the member's identity key, which signs the frame
    commit: bytes  # the hash of the member's current Commit

    def encode(self) -> bytes:
        return pack({"id": self.identity, "commit": self.commit})

    @staticmethod
    def decode(data: bytes) -> Closing:
        obj = fields(unpack(data), "id", "commit")
        return Closing(key(obj["id"]), key(obj["commit"]))


@dataclass(frozen=True, slots=True)
class SetAside:
    """A member's "not now" to one knock, signed, for the room and the knocker to see.

    It names the knock by the knocker's identity key, which is new with every
    knock, so it binds to that knock alone and means nothing for any other.
    """

    identity: bytes  # the member's identity key, which signs the frame
    knock: bytes  # the identity key of the knock set aside

    def encode(self) -> bytes:
        return pack({"id": self.identity, "knock": self.knock})

    @staticmethod
    def decode(data: bytes) -> SetAside:
        obj = fields(unpack(data), "id", "knock")
        return SetAside(key(obj["id"]), key(obj["knock"]))


@dataclass(frozen=True, slots=True)
class Admit:
    """A member's consent to a knock, signed so that the Commit can carry it."""

    KIND: ClassVar[str] = "admit"
    peer: int
    identity: bytes
    consent: bytes  # the member's signature over ``evidence.consent_statement``

    def encode(self) -> list[Any]:
        return [self.peer, self.identity, self.consent]

    @staticmethod
    def decode(args: list[Any]) -> Admit:
        peer, identity, consent = args
        return Admit(uint(peer, 2**63), key(identity), key(consent, 64))


@dataclass(frozen=True, slots=True)
class Bye:
    """The sender is leaving on purpose: commit it now, no grace period. The goodbye is
    signed so that the Commit can carry it (``evidence.goodbye_statement``)."""

    KIND: ClassVar[str] = "bye"
    goodbye: bytes

    def encode(self) -> list[Any]:
        return [self.goodbye]

    @staticmethod
    def decode(args: list[Any]) -> Bye:
        (goodbye,) = args
        return Bye(key(goodbye, 64))
