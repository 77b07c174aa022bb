"""Amending the agreements: everyone present consents, or nothing changes.

    row         who may                 what it does
    Proposed    any member, when none   a new agreement (one line added to the text);
                is open                 the proposer's consent comes with it; those
                                        asked are everyone seated then
    Consented   one of those asked      a signed consent to exactly the new text's hash
    Objected    one of those asked      blocks it at once, with a reason

Silence is not consent: a proposal not consented to by everyone asked within
``OPEN_S`` lapses. Once everyone consented, the sequencer's next Commit
carries the new agreements' hash and every consent, and every member checks
that its own is among them (``membership.evidence``); the room code changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum, auto
from typing import Final

OPEN_S: Final = 5 * 60
LINE_CHARS: Final = 300


@dataclass(frozen=True, slots=True)
class Proposed:
    key: bytes
    line: str  # the agreement added, as it will read
    new_agreed: bytes  # the hash of the agreements with it (computed by each member)
    sig: bytes  # the proposer's consent
    by_id: bytes


@dataclass(frozen=True, slots=True)
class Consented:
    key: bytes
    sig: bytes
    by_id: bytes


@dataclass(frozen=True, slots=True)
class Objected:
    key: bytes
    reason: str


AmendRow = Proposed | Consented | Objected


@dataclass(frozen=True, slots=True)
class Amendment:
    key: bytes
    proposer: int
    line: str
    new_agreed: bytes
    asked: tuple[int, ...]  # every seat when proposed, in join order
    asked_ids: tuple[bytes, ...]
    opened_ts: int
    consents: tuple[tuple[int, bytes], ...] = ()  # (seat, signature)
    objection: tuple[int, str] | None = None

    def complete(self) -> bool:
        return self.objection is None and len(self.consents) == len(self.asked)

    def is_open(self, ts: int) -> bool:
        return (
            self.objection is None and not self.complete() and ts < self.opened_ts + OPEN_S * 1000
        )


class Stage(Enum):
    PROPOSED = auto()
    CONSENTED = auto()
    OBJECTED = auto()


@dataclass(frozen=True, slots=True)
class AmendChange:
    stage: Stage
    slot: int
    amendment: Amendment


@dataclass(frozen=True, slots=True)
class AmendRefused:
    slot: int


def step(
    current: Amendment | None,
    row: AmendRow,
    slot: int,
    ts: int,
    seats: tuple[int, ...],
    ids: tuple[bytes, ...],
) -> tuple[Amendment | None, tuple[AmendChange | AmendRefused, ...]]:
    """The amendment after ``slot``'s ``row`` at relay ``ts``; ``ids``: the identity key
    of each of ``seats``. Total: never raises."""
    if slot not in seats:
        return current, (AmendRefused(slot),)
    match row:
        case Proposed(key, line, new_agreed, sig, by_id):
            if current is not None and (current.is_open(ts) or current.complete()):
                return current, (AmendRefused(slot),)  # one at a time
            made = Amendment(key, slot, line, new_agreed, seats, ids, ts, ((slot, sig),))
            del by_id
            return made, (AmendChange(Stage.PROPOSED, slot, made),)
        case Consented(key, sig, by_id):
            if current is None or current.key != key or not current.is_open(ts):
                return current, (AmendRefused(slot),)
            if slot not in current.asked or current.asked_ids[current.asked.index(slot)] != by_id:
                return current, (AmendRefused(slot),)
            if any(s == slot for s, _ in current.consents):
                return current, (AmendRefused(slot),)
            made = replace(current, consents=(*current.consents, (slot, sig)))
            return made, (AmendChange(Stage.CONSENTED, slot, made),)
        case Objected(key, reason):
            if current is None or current.key != key or not current.is_open(ts):
                return current, (AmendRefused(slot),)
            if slot not in current.asked:
                return current, (AmendRefused(slot),)
            made = replace(current, objection=(slot, reason))
            return made, (AmendChange(Stage.OBJECTED, slot, made),)
    return current, ()


def numbered(agreements: str, line: str) -> str:
    """The line as it will read: numbered on, when the agreements are numbered."""
    lines = [raw.strip() for raw in agreements.split("\n") if raw.strip()]
    if lines and all(raw.split(".", 1)[0].isdigit() for raw in lines):
        return f"{len(lines) + 1}. {line.strip()}"
    return line.strip()


def with_line(agreements: str, line: str) -> str:
    """The agreements with ``line`` added: every member computes the same text."""
    return agreements.rstrip("\n") + "\n" + line
