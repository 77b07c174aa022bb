"""What sealed frames hold: one codec module per family, decoded strictly.

    codec     strict msgpack: exact keys, exact types, bounded sizes, no ExtType
    door      Lobby and KnockBody (room-wide), Admit and Bye (group content)
    commit    CommitBody: one epoch's roster and why it began
    talk      Say, React and Aside
    floor     FloorBody: one act on the floor; FloorState: the floor, for a newcomer
    ack       Ack: what a member holds, for the others to compare
    vote      MotionBody, SecondBody, AnswerBody, BallotBody; Removal, in a Commit
    repair    OuchBody and RepairBody: a harm flag and the repair round's steps
    offer     OfferBody (the note), PrivateBody (pairwise), ChunkBody (sealed pieces)

Group content travels as a msgpack list that starts with its kind. Adding a
kind of content is one frozen dataclass with a ``KIND``, ``encode()`` and
``decode(args)``, and one row in ``CONTENT`` below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from protocol.bodies.ack import Ack, Heard, Lacking
from protocol.bodies.codec import BodyError, pack, unpack
from protocol.bodies.door import Admit, Bye
from protocol.bodies.floor import FloorBody, FloorState
from protocol.bodies.offer import ChunkBody, OfferBody, PrivateBody
from protocol.bodies.repair import OuchBody, RepairBody
from protocol.bodies.talk import Aside, React, Say
from protocol.bodies.vote import (
    AmendBody,
    AnswerBody,
    BallotBody,
    ConsentBody,
    MotionBody,
    SecondBody,
)

Content = (
    Say
    | Aside
    | React
    | FloorBody
    | FloorState
    | Admit
    | Bye
    | Ack
    | MotionBody
    | SecondBody
    | AnswerBody
    | BallotBody
    | OuchBody
    | RepairBody
    | OfferBody
    | PrivateBody
    | ChunkBody
    | AmendBody
    | ConsentBody
)

CONTENT: Final[dict[str, Callable[[list[Any]], Content]]] = {
    Say.KIND: Say.decode,
    Aside.KIND: Aside.decode,
    React.KIND: React.decode,
    FloorBody.KIND: FloorBody.decode,
    FloorState.KIND: FloorState.decode,
    Admit.KIND: Admit.decode,
    Bye.KIND: Bye.decode,
    Ack.KIND: Ack.decode,
    MotionBody.KIND: MotionBody.decode,
    SecondBody.KIND: SecondBody.decode,
    AnswerBody.KIND: AnswerBody.decode,
    BallotBody.KIND: BallotBody.decode,
    OuchBody.KIND: OuchBody.decode,
    RepairBody.KIND: RepairBody.decode,
    OfferBody.KIND: OfferBody.decode,
    PrivateBody.KIND: PrivateBody.decode,
    ChunkBody.KIND: ChunkBody.decode,
    AmendBody.KIND: AmendBody.decode,
    ConsentBody.KIND: ConsentBody.decode,
}

__all__ = [
    "CONTENT", "Ack", "Admit", "Aside", "BodyError", "Bye", "Content", "FloorBody", "FloorState",
    "Heard",
    "Lacking", "React", "Say",
]  # fmt: skip


def encode_content(content: Content) -> bytes:
    return pack([content.KIND, *content.encode()])


def decode_content(data: bytes) -> Content:
    obj = unpack(data)
    if type(obj) is not list or not obj or type(obj[0]) is not str:
        raise BodyError("content is a list that starts with its kind")
    decoder = CONTENT.get(obj[0])
    if decoder is None:
        raise BodyError("unknown content")
    try:
        return decoder(obj[1:])
    except BodyError:
        raise
    except (ValueError, TypeError) as exc:  # the wrong number of fields for its kind
        raise BodyError("content of the wrong shape") from exc
