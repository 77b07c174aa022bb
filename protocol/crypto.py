"""The few cryptographic moves Porch makes, each in one place, all through PyNaCl.

- ``kdf``: keyed BLAKE2b with a personalisation label per purpose, so no two
  derivations can ever collide across purposes, always as raw bytes (the
  ``nacl.hash`` default encoder is hex, and a hex key is a weaker key).
- ``seal`` / ``unseal``: XChaCha20-Poly1305, byte for byte what ``nacl.secret.Aead``
  makes (a random 24-byte nonce, then ciphertext and tag), with the caller's
  associated data.
- ``PairKeys``: ``crypto_kx`` session keys between two members, so what one
  member sends another can never be reflected back and read as its own.
- Signatures are detached Ed25519; ``verify`` returns a bool and never raises.

Keys live in memory only. Python cannot promise to wipe them; Porch drops its
references as soon as a key is used, which is the best the language allows.
"""

from __future__ import annotations

from typing import Final

import nacl.bindings as sodium
import nacl.exceptions
import nacl.utils
from nacl.signing import SigningKey

KEY_SIZE: Final = 32
SIG_SIZE: Final = 64
NONCE_SIZE: Final = 24
TAG_SIZE: Final = 16
SEAL_OVERHEAD: Final = NONCE_SIZE + TAG_SIZE
PAD_BLOCK: Final = 32
BUCKET: Final = 512
BUCKET_STEP: Final = 1024


class CryptoFailure(Exception):
    """A check failed: the frame is dropped and nothing changes."""


def random_bytes(size: int) -> bytes:
    return nacl.utils.random(size)


# ``kdf``, ``digest``, ``seal``, ``unseal``, ``sign`` and ``verify`` call the
# bindings under ``nacl.hash``, ``nacl.secret.Aead`` and ``nacl.signing``
# directly: the same libsodium functions, without a wrapper and an encoder per
# call on the hot path (three hashes per message). The bindings return raw
# bytes, so the hex-encoder mistake cannot happen here.


def kdf(key: bytes, label: bytes, context: bytes = b"", size: int = KEY_SIZE) -> bytes:
    """A subkey of ``key`` for one purpose (``label``, at most 16 bytes)."""
    return _blake2b(context, digest_size=size, key=key, person=label)


def digest(data: bytes, label: bytes = b"porch-digest", size: int = KEY_SIZE) -> bytes:
    """An unkeyed hash with a purpose label (roster hashes, running hashes)."""
    return _blake2b(data, digest_size=size, person=label)


_blake2b = sodium.crypto_generichash_blake2b_salt_personal


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Nonce followed by ciphertext and tag (what ``Aead(key).encrypt`` returns)."""
    nonce = nacl.utils.random(NONCE_SIZE)
    return nonce + sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, aad, nonce, key)


def unseal(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    if len(sealed) < SEAL_OVERHEAD:
        raise CryptoFailure("too short to be sealed")
    try:
        return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
            sealed[NONCE_SIZE:], aad, sealed[:NONCE_SIZE], key
        )
    except nacl.exceptions.CryptoError as exc:
        raise CryptoFailure("the seal does not open") from exc


def sign(key: SigningKey, message: bytes) -> bytes:
    return bytes(key.sign(message)[:SIG_SIZE])  # a SignedMessage is signature + message


def verify(public: bytes, message: bytes, signature: bytes) -> bool:
    if len(public) != KEY_SIZE or len(signature) != SIG_SIZE:
        return False
    try:
        # libsodium refuses small-order public keys and non-canonical signatures.
        sodium.crypto_sign_open(signature + message, public)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.CryptoError, ValueError):
        return False
    return True


def pad(body: bytes) -> bytes:
    """ISO/IEC 7816-4 padding to a multiple of PAD_BLOCK, so sizes leak less."""
    padded = body + b"\x80"
    return padded + bytes(-len(padded) % PAD_BLOCK)


def unpad(padded: bytes) -> bytes:
    """The body inside ``pad``'s output; anything ``pad`` could not have made is refused."""
    end = padded.rstrip(b"\x00")
    if len(padded) % PAD_BLOCK or not end or end[-1] != 0x80 or len(padded) - len(end) >= PAD_BLOCK:
        raise CryptoFailure("bad padding")
    return end[:-1]


def pad_bucket(body: bytes) -> bytes:
    """ISO/IEC 7816-4 padding to a size class: a power of two from ``BUCKET`` bytes up
    to ``BUCKET_STEP``, then a multiple of ``BUCKET_STEP``.

    For room-wide bodies (lobby, knock, Commit): their sizes would otherwise tell
    the relay the length of a nickname or of the agreements, or that a knock
    comes from someone returning. Now it learns only a size class. (Above a few
    KiB the classes step evenly, so a Commit that carries a vote's signatures is
    not doubled past what a lobby can hold.)
    """
    size = BUCKET
    while size < len(body) + 1 and size < BUCKET_STEP:
        size *= 2
    if size < len(body) + 1:
        size = -(-(len(body) + 1) // BUCKET_STEP) * BUCKET_STEP
    return body + b"\x80" + bytes(size - len(body) - 1)


def unpad_bucket(padded: bytes) -> bytes:
    end = padded.rstrip(b"\x00")
    if not end or end[-1] != 0x80 or len(pad_bucket(end[:-1])) != len(padded):
        raise CryptoFailure("bad padding")
    return end[:-1]


class ExchangeKey:
    """A member's X25519 key for the pairwise channel; one per membership."""

    __slots__ = ("_secret", "public")

    def __init__(self) -> None:
        self.public, self._secret = sodium.crypto_kx_keypair()

    def pair(self, their_public: bytes) -> PairKeys:
        """Session keys with one other member, or CryptoFailure for a bad key.

        Both sides must agree who plays client; the lower public key does.
        """
        if len(their_public) != KEY_SIZE or their_public == self.public:
            raise CryptoFailure("not a usable exchange key")
        try:
            if self.public < their_public:
                rx, tx = sodium.crypto_kx_client_session_keys(
                    self.public, self._secret, their_public
                )
            else:
                rx, tx = sodium.crypto_kx_server_session_keys(
                    self.public, self._secret, their_public
                )
        except (nacl.exceptions.CryptoError, nacl.exceptions.RuntimeError) as exc:
            # libsodium refuses keys whose shared point is all zero (low order).
            raise CryptoFailure("the exchange key is of low order") from exc
        return PairKeys(rx, tx)


class PairKeys:
    """One direction to send with, one to receive with: a reflected frame cannot open."""

    __slots__ = ("rx", "tx")

    def __init__(self, rx: bytes, tx: bytes) -> None:
        self.rx = rx
        self.tx = tx

    def sending(self, context: bytes) -> bytes:
        return kdf(self.tx, b"porch-pair", context)

    def receiving(self, context: bytes) -> bytes:
        return kdf(self.rx, b"porch-pair", context)
