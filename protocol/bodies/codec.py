"""Strict msgpack for sealed bodies: decoded as strictly as the wire itself.

A body has exactly its keys, each of exactly its type (a bool is not an int,
a str is not bytes), bounded lengths, no ExtType, and integers in range. A body
that breaks any of this is dropped like a forged one.
"""

from __future__ import annotations

from typing import Any, Final

import msgpack

from protocol.crypto import KEY_SIZE
from protocol.limits import NICK_CHARS
from protocol.names import carries_mark, carries_status, looks_blank, tidy

MAX_BODY: Final = 32 * 1024
U32: Final = 2**32
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
    name = text(value, NICK_CHARS)
    if not name.strip() or not name.isprintable() or looks_blank(name) or carries_mark(name):
        raise BodyError("a nickname is printable, not blank, and carries no seat or key mark")
    if carries_status(name):
        raise BodyError("a nickname does not end like a status shown beside names")
    if name != tidy(name):
        # Drawn alike, "ana " would pass for "ana": every sender tidies its name.
        raise BodyError("a nickname has no space at either end and no run of spaces")
    return name


def key(value: Any, size: int = KEY_SIZE) -> bytes:
    if type(value) is not bytes or len(value) != size:
        raise BodyError("expected a key")
    return value


def array(value: Any, limit: int) -> list[Any]:
    if type(value) is not list or len(value) > limit:
        raise BodyError("expected a bounded list")
    return value


def exactly(value: Any, length: int) -> list[Any]:
    """A list of exactly ``length`` items."""
    items = array(value, length)
    if len(items) != length:
        raise BodyError(f"expected {length} items")
    return items
