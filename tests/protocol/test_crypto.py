"""The cryptographic building blocks, on their own."""

from __future__ import annotations

import pytest
from nacl.secret import Aead

from protocol.crypto import (
    CryptoFailure,
    ExchangeKey,
    kdf,
    pad,
    random_bytes,
    seal,
    unpad,
    unseal,
    verify,
)
from protocol.keys.chains import SendingChain

# Curve25519 points of small order (from the libsodium blacklist); as public keys
# they would make every shared secret predictable.
SMALL_ORDER = [
    bytes(32),
    b"\x01" + bytes(31),
    bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
    bytes.fromhex("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
    bytes.fromhex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
]


def test_kdf_is_raw_bytes_and_separates_purposes() -> None:
    key = random_bytes(32)
    a, b = kdf(key, b"porch-msg"), kdf(key, b"porch-chain")
    assert len(a) == 32 and a != b
    assert not all(chr(c) in "0123456789abcdef" for c in a)  # not hex text


@pytest.mark.parametrize("point", SMALL_ORDER)
def test_small_order_exchange_keys_are_refused(point: bytes) -> None:
    with pytest.raises(CryptoFailure):
        ExchangeKey().pair(point)


@pytest.mark.parametrize("point", SMALL_ORDER[:2])
def test_small_order_identity_keys_verify_nothing(point: bytes) -> None:
    assert not verify(point, b"anything", bytes(64))


def test_a_pairwise_seal_cannot_be_reflected_to_its_sender() -> None:
    """What ana seals for bo opens for bo and never for ana herself (unlike Box(a, B))."""
    ana, bo = ExchangeKey(), ExchangeKey()
    ana_bo, bo_ana = ana.pair(bo.public), bo.pair(ana.public)
    sealed = seal(ana_bo.sending(b"ctx"), b"chain key", b"aad")
    assert unseal(bo_ana.receiving(b"ctx"), sealed, b"aad") == b"chain key"
    with pytest.raises(CryptoFailure):
        unseal(ana_bo.receiving(b"ctx"), sealed, b"aad")


def test_no_key_or_key_nonce_pair_repeats_over_100k_messages() -> None:
    chain = SendingChain(1, 0, random_bytes(32))
    keys: set[bytes] = set()
    pairs: set[tuple[bytes, bytes]] = set()
    for _ in range(100_000):
        _, key = chain.next_key()
        keys.add(key)
        nonce = seal(key, b"", b"")[:24]
        pairs.add((key, nonce))
    assert len(keys) == 100_000
    assert len(pairs) == 100_000


def test_seal_is_exactly_nacl_secret_aead() -> None:
    key, aad = random_bytes(32), b"header"
    assert Aead(key).decrypt(seal(key, b"text", aad), aad) == b"text"
    assert unseal(key, bytes(Aead(key).encrypt(b"text", aad)), aad) == b"text"
    with pytest.raises(CryptoFailure):
        unseal(key, seal(key, b"text", aad), b"other header")


@pytest.mark.parametrize("size", [0, 1, 31, 32, 33, 100])
def test_padding_round_trips_and_hides_exact_sizes(size: int) -> None:
    body = bytes(range(256))[:size] if size <= 256 else b""
    padded = pad(body)
    assert len(padded) % 32 == 0 and unpad(padded) == body


def test_bad_padding_is_refused() -> None:
    for padded in (b"", bytes(32), b"abc" + bytes(29), b"\x80" + bytes(40)):
        with pytest.raises(CryptoFailure):
            unpad(padded)


@pytest.mark.parametrize("size", [1, 31, 33, 63])
def test_a_padded_body_of_the_wrong_length_is_refused(size: int) -> None:
    """Only what ``pad`` makes opens: a multiple of the block, marker, zeros."""
    odd = b"hi\x80" + bytes(size - 3) if size >= 3 else b"\x80"[:size]
    assert len(odd) == size
    with pytest.raises(CryptoFailure):
        unpad(odd)
