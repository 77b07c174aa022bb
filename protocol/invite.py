"""Invites: one string that carries everything needed to knock on a room.

    ws://relay.example.org:8765#porch1.<base64url(secret | host key | check)>

- The relay address comes first, so a person can see where the room lives.
- After ``#`` sits what the relay must never receive, like a URL fragment: the
  32-byte room secret and the host's Ed25519 public key (the first sequencer of
  the room's membership). The client never sends the fragment anywhere; it only
  derives the room id (``kdf(secret, "porch-room-id")``) for the URL path.
- A 4-byte check over address, secret and key turns any mistyped character into
  a sentence instead of a silent knock on the wrong door.

There is no short human code: without a PAKE a short code can be guessed
offline from one captured frame. The secret is 256 bits; the invite is long.
Parsing never raises anything but ``InviteError``, whose text says what is
wrong and what to do.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from protocol import wire
from protocol.crypto import KEY_SIZE, digest, kdf, random_bytes

MARK: Final = "porch1."
CHECK_SIZE: Final = 4
BLOB_SIZE: Final = KEY_SIZE * 2 + CHECK_SIZE
BLOB_CHARS: Final = len(base64.urlsafe_b64encode(bytes(BLOB_SIZE)).rstrip(b"="))
_B64_CHAR: Final = re.compile(r"[A-Za-z0-9_-]")
# Whitespace and box-drawing borders: what a terminal copy of a wrapped invite adds.
_WRAPPING: Final = re.compile(r"[\s\u2500-\u257f]+")


class InviteError(ValueError):
    """An invite that cannot be used; ``str()`` is a sentence for the person holding it."""


@dataclass(frozen=True, slots=True)
class Invite:
    relay_url: str
    secret: bytes
    host_key: bytes

    @property
    def room_id(self) -> str:
        return kdf(self.secret, b"porch-room-id", size=16).hex()

    @property
    def join_key(self) -> bytes:
        return kdf(self.secret, b"porch-join")

    @property
    def room_url(self) -> str:
        return self.relay_url.rstrip("/") + wire.room_path(self.room_id)

    @property
    def text(self) -> str:
        check = _check(self.relay_url, self.secret, self.host_key)
        blob = base64.urlsafe_b64encode(self.secret + self.host_key + check).rstrip(b"=")
        return f"{self.relay_url}#{MARK}{blob.decode()}"

    def __repr__(self) -> str:
        # The secret must never land in a traceback or a log line.
        return f"Invite(relay_url={self.relay_url!r}, room_id={self.room_id!r})"


def new_invite(relay_url: str, host_key: bytes) -> Invite:
    """A fresh room's invite; InviteError when the relay address cannot be used."""
    try:
        address = _relay_url(relay_url)
    except InviteError:
        raise InviteError(
            f"The relay address {relay_url[:60]!r} cannot be used. Give a ws:// or wss:// "
            "address with a host, like ws://127.0.0.1:8765."
        ) from None
    return Invite(address, random_bytes(KEY_SIZE), host_key)


def parse_invite(text: str) -> Invite:
    """The invite in ``text``, or InviteError with a sentence saying what to do."""
    if not isinstance(text, str):
        raise InviteError("An invite is text. Paste the invite the facilitator sent you.")
    # Mail, chat and terminals wrap long lines (a terminal copy can even bring the
    # borders of the box the invite was shown in); an invite holds neither.
    text = _WRAPPING.sub("", text)
    if not text:
        raise InviteError("The invite is empty. Paste the whole invite the facilitator sent you.")
    if not text.startswith(("ws://", "wss://")):
        raise InviteError(
            f"An invite starts with ws:// or wss://, but this one starts with {text[:8]!r}. "
            "Copy the whole invite again, from its very first character."
        )
    address, sep, fragment = text.partition("#")
    if not sep or not fragment:
        raise InviteError(
            "This invite ends after the relay address: the part after '#', which holds "
            "the room's secret, is missing. Copy the whole invite again."
        )
    relay_url = _relay_url(address)
    if not fragment.startswith(MARK):
        if re.match(r"porch\d+\.", fragment):
            raise InviteError(
                "This invite was made by a newer version of Porch. "
                "Update Porch, then try the invite again."
            )
        raise InviteError(
            f"The part after '#' should start with {MARK!r}; this is not a Porch invite, "
            "or its middle was cut. Copy the whole invite again."
        )
    blob = fragment[len(MARK) :]
    for char in blob:
        if not _B64_CHAR.fullmatch(char):
            raise InviteError(
                f"The invite contains {char!r}, which never appears in an invite, so it was "
                "probably mistyped. Copy and paste the invite instead of typing it."
            )
    if len(blob) < BLOB_CHARS:
        missing = BLOB_CHARS - len(blob)
        raise InviteError(
            f"This invite is {missing} character{'s' if missing != 1 else ''} too short; "
            "it was cut off when it was copied. Copy the whole invite again."
        )
    if len(blob) > BLOB_CHARS:
        extra = len(blob) - BLOB_CHARS
        raise InviteError(
            f"This invite has {extra} character{'s' if extra != 1 else ''} too many at the end. "
            "Copy the invite again, and nothing after it."
        )
    try:
        raw = base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InviteError(
            "This invite does not check out: a character was changed somewhere. "
            "Copy and paste the original invite again."
        ) from exc
    secret, host_key, check = raw[:KEY_SIZE], raw[KEY_SIZE:-CHECK_SIZE], raw[-CHECK_SIZE:]
    if len(raw) != BLOB_SIZE or check != _check(relay_url, secret, host_key):
        raise InviteError(
            "This invite does not check out: a character was changed or mistyped somewhere. "
            "Copy and paste the original invite again."
        )
    return Invite(relay_url, secret, host_key)


def _check(relay_url: str, secret: bytes, host_key: bytes) -> bytes:
    return digest(relay_url.encode() + secret + host_key, b"porch-invite", CHECK_SIZE)


def _relay_url(address: str) -> str:
    """The relay's base address, normalised, or InviteError."""
    address = address.strip().rstrip("/")
    if not all("!" <= ch <= "~" for ch in address):
        # The address is shown on screens and printed by the plain mode, and anyone can
        # make an invite that checks out: a control character here would reach the
        # person's terminal as an escape sequence.
        raise InviteError(
            f"The relay address {address[:60]!r} in this invite holds a character no relay "
            "address has (a space, a control character, or a letter outside ASCII; an "
            "international host name is written in its xn-- form). Copy the whole invite again."
        )
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError as exc:
        raise InviteError(
            f"The relay address {address[:60]!r} in this invite has a broken port number. "
            "Copy the whole invite again."
        ) from exc
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise InviteError(
            f"The relay address {address[:60]!r} is not a ws:// or wss:// address with a host. "
            "Copy the whole invite again."
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InviteError(
            f"The relay address {address[:60]!r} carries extra parts an invite never has. "
            "Copy the whole invite again."
        )
    del port
    return address
