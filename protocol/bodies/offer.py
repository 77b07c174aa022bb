"""Offers: a share that arrives held back, and what only its accepters can open.

    OfferBody    the note everyone is shown: the kind, a short description (a
                 file's sanitised name, size and type; a link's domain; a
                 text's length and first words), the size, the chunk count and
                 who is asked. The content itself is not in it.
    PrivateBody  sealed under the pair key of two members (``keys.pairs``):
                 an accept (to the sender), the content key and digest (to one
                 accepter), a "have it all", a cancel, or where to resume
    ChunkBody    one fixed-size piece of the content, sealed under the offer's
                 own key, which only accepters get

A decline sends nothing: to the sender it looks the same as no answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Final

from protocol.bodies.codec import BodyError, array, exactly, key, pack, text, uint, unpack
from protocol.crypto import digest
from protocol.limits import SEATS

OFFER_ID_SIZE: Final = 16
CHUNK: Final = 24 * 1024  # the plaintext of one chunk, padded to exactly this
MAX_CHUNKS: Final = (1 << 32) // CHUNK  # 4 GiB at most: limits are the receiver's own
NOTE_CHARS: Final = 120
MIME_CHARS: Final = 80
DIGEST_SIZE: Final = 32
FILE_KEY_SIZE: Final = 32
CARD_CHARS: Final = 200


class OfferKind(StrEnum):
    FILE = "file"
    LINK = "link"
    TEXT = "text"


_KINDS = {k.value: k for k in OfferKind}


def _offer_id(value: Any) -> bytes:
    return key(value, OFFER_ID_SIZE)


@dataclass(frozen=True, slots=True)
class OfferBody:
    KIND: ClassVar[str] = "offer"
    offer: bytes
    kind: OfferKind
    note: str  # a file's name, a link's domain, a text's first words
    mime: str  # a file's type ("" otherwise)
    size: int  # bytes of content
    chunks: int
    to: tuple[int, ...]  # the seats asked

    def encode(self) -> list[Any]:
        return [
            self.offer, str(self.kind), self.note, self.mime, self.size, self.chunks,
            list(self.to),
        ]  # fmt: skip

    @staticmethod
    def decode(args: list[Any]) -> OfferBody:
        offer, kind, note, mime, size, chunks, to = args
        if type(kind) is not str or kind not in _KINDS:
            raise BodyError("no such kind of offer")
        count = uint(chunks, MAX_CHUNKS + 1)
        length = uint(size, 2**63)
        if count != length // CHUNK + 1:  # the last chunk holds the end mark
            raise BodyError("the chunks do not match the size")
        seats = tuple(uint(s, SEATS) for s in array(to, SEATS))
        if not seats or len(set(seats)) != len(seats):
            raise BodyError("an offer asks someone, each once")
        return OfferBody(
            _offer_id(offer),
            _KINDS[kind],
            text(note, NOTE_CHARS),
            text(mime, MIME_CHARS),
            length,
            count,
            seats,
        )


class Say(StrEnum):
    """What a private offer message says."""

    # to the sender: send it to me (``at``: the first chunk I lack; ``digest``, when
    # coming back on a new connection: proof we were given the key, ``resume_proof``)
    ACCEPT = "accept"
    KEY = "key"  # to an accepter: the offer's key and the whole content's digest
    HAVE = "have"  # to the sender: I have it all, and it checked out
    CANCEL = "cancel"  # either way: stop (the sender's cancel goes to each it asked)
    # to the sender: you have as many offers open with me as one sender may; this one
    # is not shown (``room.offers.OPEN_PER_SENDER``)
    CROWDED = "crowded"


_SAYS = {s.value: s for s in Say}


@dataclass(frozen=True, slots=True)
class OfferNote:
    """The inside of a private message about an offer."""

    offer: bytes
    say: Say
    at: int = 0  # ACCEPT: resume from this chunk
    file_key: bytes = b""  # KEY
    digest: bytes = b""  # KEY

    def encode(self) -> bytes:
        return pack([self.offer, str(self.say), self.at, self.file_key, self.digest])

    @staticmethod
    def decode(data: bytes) -> OfferNote:
        offer, say, at, file_key, digest = exactly(unpack(data), 5)
        if type(say) is not str or say not in _SAYS:
            raise BodyError("no such offer message")
        said = _SAYS[say]
        if said is Say.KEY:
            return OfferNote(
                _offer_id(offer), said, 0, key(file_key, FILE_KEY_SIZE), key(digest, DIGEST_SIZE)
            )
        if file_key != b"":
            raise BodyError("only a key message carries a key")
        if said is Say.ACCEPT and digest != b"":  # a resume: proof we were given the key
            return OfferNote(
                _offer_id(offer), said, uint(at, MAX_CHUNKS + 1), digest=key(digest, DIGEST_SIZE)
            )
        if digest != b"":
            raise BodyError("only a key message or a resume carries a digest")
        return OfferNote(_offer_id(offer), said, uint(at, MAX_CHUNKS + 1))


@dataclass(frozen=True, slots=True)
class CardNote:
    """A contact card's commitment, or its opening (``room.reveal``)."""

    commitment: bytes = b""
    nonce: bytes = b""
    card: str = ""

    def encode(self) -> bytes:
        return pack(["card", self.commitment, self.nonce, self.card])

    @staticmethod
    def decode(data: bytes) -> CardNote:
        tag, commitment, nonce, card = exactly(unpack(data), 4)
        if tag != "card":
            raise BodyError("not a card")
        if commitment != b"":
            if nonce != b"" or card != "":
                raise BodyError("a commitment, or an opening")
            return CardNote(key(commitment, DIGEST_SIZE))
        said = text(card, CARD_CHARS)
        if not said.strip() or not said.isprintable():
            raise BodyError("a card is printable text")
        return CardNote(b"", key(nonce, 16), said)


@dataclass(frozen=True, slots=True)
class PrivateBody:
    """A message for one member only, sealed under the pair key the two of them hold."""

    KIND: ClassVar[str] = "private"
    to: int
    sealed: bytes

    def encode(self) -> list[Any]:
        return [self.to, self.sealed]

    @staticmethod
    def decode(args: list[Any]) -> PrivateBody:
        to, sealed = args
        if type(sealed) is not bytes or len(sealed) > 1024:
            raise BodyError("a private message is short")
        return PrivateBody(uint(to, SEATS), sealed)


@dataclass(frozen=True, slots=True)
class ChunkBody:
    KIND: ClassVar[str] = "chunk"
    offer: bytes
    index: int
    sealed: bytes  # CHUNK bytes under the offer's key, bound to the offer and the index

    def encode(self) -> list[Any]:
        return [self.offer, self.index, self.sealed]

    @staticmethod
    def decode(args: list[Any]) -> ChunkBody:
        offer, index, sealed = args
        if type(sealed) is not bytes or len(sealed) > CHUNK + 64:
            raise BodyError("a chunk is one fixed-size piece")
        return ChunkBody(_offer_id(offer), uint(index, MAX_CHUNKS), sealed)


def chunk_aad(room: bytes, offer: bytes, index: int) -> bytes:
    return b"porch-chunk" + room + offer + index.to_bytes(4, "big")


def private_aad(room: bytes, epoch: int, sender: int, to: int) -> bytes:
    return b"porch-private" + room + epoch.to_bytes(4, "big") + bytes([sender, to])


def resume_proof(file_key: bytes, offer: bytes, asker: bytes) -> bytes:
    """What an accepter back on a new connection shows the sender: it holds the key. It
    binds the asker's identity key, so a proof that reached anyone else proves nothing
    for them."""
    return digest(file_key + offer + asker, b"porch-resume")
