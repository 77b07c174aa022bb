"""A comparable picture of a part's whole state, for "nothing changed" checks.

Every part of an endpoint is a dataclass that owns its fields; ``snapshot``
walks all of them (nested parts, chains, collections) into plain tuples, so a
test that compares two snapshots compares everything a frame could have
changed, not a hand-picked list that new fields slip past.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any

from nacl.signing import SigningKey

from protocol.crypto import ExchangeKey, PairKeys


def snapshot(value: Any) -> Any:
    """``value`` as nested tuples of plain values, in a stable order."""
    if value is None or isinstance(value, bool | int | str | bytes | Enum):
        return value
    pictured = getattr(value, "snapshot", None)
    if pictured is not None and not is_dataclass(value):
        return pictured()
    if is_dataclass(value) and not isinstance(value, type):
        parts = ((f.name, snapshot(getattr(value, f.name))) for f in fields(value))
        return (type(value).__name__, *parts)
    if isinstance(value, Mapping):
        return tuple(sorted(((snapshot(k), snapshot(v)) for k, v in value.items()), key=repr))
    if isinstance(value, set | frozenset):
        return tuple(sorted((snapshot(v) for v in value), key=repr))
    if isinstance(value, list | tuple | deque):
        return tuple(snapshot(v) for v in value)
    if isinstance(value, SigningKey):
        return ("SigningKey", bytes(value.verify_key))
    if isinstance(value, ExchangeKey):
        return ("ExchangeKey", value.public)
    if isinstance(value, PairKeys):
        return ("PairKeys", value.rx, value.tx)
    raise TypeError(f"no snapshot for {type(value).__name__}")
