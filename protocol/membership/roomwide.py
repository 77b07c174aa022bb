"""Room-wide frames (lobby, knock, Commit): sealed under the join key and signed.

Their bodies are padded to a power of two of at least 512 bytes, so their
sizes tell the relay nothing of a nickname's or the agreements' length, or
that a knock comes from someone returning (``crypto.pad_bucket``).
"""

from __future__ import annotations

from nacl.signing import SigningKey

from protocol.bodies import BodyError
from protocol.bodies.commit import CommitBody
from protocol.crypto import CryptoFailure, pad_bucket, seal, sign, unpad_bucket, unseal, verify
from protocol.frames import FrameError, Kind, RoomFrame, parse, roomwide_header
from protocol.membership.roster import CommitRefused, Roster, check_first, commit_hash


def roomwide_frame(
    kind: Kind, body: bytes, room: bytes, join_key: bytes, signer: SigningKey
) -> bytes:
    header = roomwide_header(kind, room)
    signed = header + seal(join_key, pad_bucket(body), header)
    return signed + sign(signer, signed)


def open_roomwide(frame: RoomFrame, join_key: bytes) -> bytes | None:
    try:
        return unpad_bucket(unseal(join_key, frame.sealed, frame.header))
    except CryptoFailure:
        return None


def open_commit(d: bytes, signer: bytes, room: bytes, join_key: bytes) -> Roster | None:
    """The Commit in frame ``d`` if ``signer`` signed it and it is well formed on its own."""
    try:
        frame = parse(d, room)
    except FrameError:
        return None
    if not isinstance(frame, RoomFrame) or frame.kind is not Kind.COMMIT:
        return None
    if not verify(signer, frame.signed, frame.sig):
        return None
    body_bytes = open_roomwide(frame, join_key)
    if body_bytes is None:
        return None
    try:
        body = CommitBody.decode(body_bytes)
        check_first(body)
    except (BodyError, CommitRefused):
        return None
    return Roster(body, commit_hash(body_bytes))
