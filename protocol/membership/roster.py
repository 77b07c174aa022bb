"""Membership: a chain of signed Commits, each naming the whole roster of an epoch.

The rules a Commit must keep before anyone applies it (``check_next``):

1. Its epoch is exactly the current epoch plus one: no replays, no skips.
2. It names the hash of the current Commit: no forks, no splicing.
3. It is signed by the current sequencer; or by the named successor, and then
   only if it removes the sequencer (the host left, and the room goes on).
4. The roster holds at most twelve seats, slots and keys unique, and everyone
   who stays keeps their slot, nickname and keys: a Commit cannot swap a
   member's keys under their name.
5. The agreements hash stays the same unless the Commit is an amendment every
   member consented to (``evidence``); admissions only add, departures only remove.
6. The roster lists members in the order they joined and keeps that order;
   the successor is the longest-seated member other than the sequencer.

The relay never holds a signing key, so it cannot add anyone, and a Commit it
replays or invents fails rule 1, 2 or 3. A newcomer cannot check the chain
before its own admission; it accepts the first Commit that names it with the
keys it knocked with, signed by the sequencer it met in the lobby.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Final

from protocol.bodies.codec import NO_SLOT, pack
from protocol.bodies.commit import Change, ChangeKind, CommitBody, Member, Ticket
from protocol.crypto import digest, random_bytes
from protocol.limits import SEATS
from protocol.membership.evidence import (
    EvidenceRefused,
    check_evidence,
    tickets_after,
    tickets_hash,
)

GENESIS_PREV: Final = bytes(32)
ROOM_CODE_GROUPS: Final = 5


class CommitRefused(ValueError):
    """A Commit that breaks the rules; the reason is for tests and tampering notices."""


@dataclass(frozen=True, slots=True)
class Roster:
    """One epoch's membership, as its Commit set it."""

    commit: CommitBody
    commit_hash: bytes

    @property
    def epoch(self) -> int:
        return self.commit.epoch

    @property
    def members(self) -> tuple[Member, ...]:
        return self.commit.roster

    def seat(self, slot: int) -> Member | None:
        for member in self.commit.roster:
            if member.slot == slot:
                return member
        return None

    def by_identity(self, identity: bytes) -> Member | None:
        for member in self.commit.roster:
            if member.identity == identity:
                return member
        return None

    def by_peer(self, peer: int) -> Member | None:
        for member in self.commit.roster:
            if member.peer == peer:
                return member
        return None

    @property
    def sequencer(self) -> Member | None:
        return self.seat(self.commit.sequencer)

    @property
    def successor(self) -> Member | None:
        return self.seat(self.commit.successor)

    @property
    def roster_hash(self) -> bytes:
        return roster_hash(self.commit.roster)

    def room_code(self, room: bytes) -> str:
        return room_code(room, self)


def roster_hash(members: Iterable[Member]) -> bytes:
    rows = [[m.slot, m.nick, m.identity, m.exchange, m.peer] for m in members]
    return digest(pack(rows), b"porch-roster")


def commit_hash(signed_body: bytes) -> bytes:
    return digest(signed_body, b"porch-commit")


def room_code(room: bytes, roster: Roster) -> str:
    """Five groups of four digits, easy to read aloud, the same for everyone.

    It binds the room, the epoch, the roster, the agreements and the Commit
    itself, so two people reading the same code hold the same room state.
    Whoever signs a Commit picks its nonce, so a sequencer forging a copy of
    the room could try nonces until the copy's code matched the real one:
    10^20 codes (66 bits) put that out of reach, where 10^12 did not.
    """
    body = roster.commit
    seed = digest(
        room
        + body.epoch.to_bytes(4, "big")
        + roster.roster_hash
        + body.agreed
        + roster.commit_hash,
        b"porch-room-code",
        16,
    )
    number = int.from_bytes(seed, "big")
    groups = []
    for _ in range(ROOM_CODE_GROUPS):
        number, group = divmod(number, 10_000)
        groups.append(f"{group:04d}")
    return " ".join(groups)


def check_roster(members: tuple[Member, ...]) -> None:
    if not members:
        raise CommitRefused("an empty roster")
    if len(members) > SEATS:
        raise CommitRefused(f"a roster of {len(members)}, more than {SEATS}")
    slots = [m.slot for m in members]
    if any(s >= SEATS for s in slots) or len(set(slots)) != len(slots):
        raise CommitRefused("seats out of range or taken twice")
    identities = {m.identity for m in members}
    exchanges = {m.exchange for m in members}
    peers = {m.peer for m in members}
    if (
        len(identities) != len(members)
        or len(exchanges) != len(members)
        or len(peers) != len(members)
    ):
        raise CommitRefused("a key or connection appears twice")


def check_first(body: CommitBody) -> None:
    """What every Commit must satisfy on its own."""
    check_roster(body.roster)
    seats = {m.slot for m in body.roster}
    if body.sequencer not in seats:
        raise CommitRefused("the sequencer is not on the roster")
    if body.successor != NO_SLOT and (
        body.successor not in seats or body.successor == body.sequencer
    ):
        raise CommitRefused("the successor is not another member")


def check_next(
    current: Roster,
    body: CommitBody,
    signer: Member,
    room: bytes,
    tickets: tuple[Ticket, ...] | None,
    exchanges: Mapping[bytes, bytes] | None = None,
    former: frozenset[bytes] | None = None,
) -> None:
    """Raise CommitRefused unless ``body``, signed by ``signer``, may follow ``current``
    (with the room's return ``tickets``, if known: see ``membership.evidence``).

    ``exchanges``: the exchange key each member announced, signed, for the next
    epoch, by identity (``keys.pairs``). A member's key may change only to the one
    they announced. None for a newcomer, who did not see the announcements and
    takes the room's keys from its sequencer, as it takes the roster.
    """
    old = current.commit
    if body.epoch != old.epoch + 1:
        raise CommitRefused(f"epoch {body.epoch} does not follow epoch {old.epoch}")
    if body.prev != current.commit_hash:
        raise CommitRefused("it does not follow the current Commit")
    check_first(body)
    stays = {m.identity: m for m in body.roster}
    was = {m.identity: m for m in old.roster}
    for identity, member in stays.items():
        before = was.get(identity)
        if before is None:
            continue
        if exchanges is not None and member.exchange != before.exchange:
            if exchanges.get(identity) != member.exchange:
                raise CommitRefused(
                    "it changes a member's exchange key to one they never announced"
                )
            before = replace(before, exchange=member.exchange)
        elif exchanges is None:
            before = replace(before, exchange=member.exchange)
        if before != member:
            raise CommitRefused("it changes a member's seat, name or identity")
    removed = [m for m in old.roster if m.identity not in stays]
    added = [m for m in body.roster if m.identity not in was]
    if added and removed:
        raise CommitRefused("it adds and removes in one step")
    # The roster lists members in the order they joined, so the successor is
    # the longest-seated: no Commit can reorder it to promote a newcomer.
    kept = [m.identity for m in old.roster if m.identity in stays]
    if [m.identity for m in body.roster[: len(kept)]] != kept:
        raise CommitRefused("it changes the order in which members joined")
    if body.successor != eldest_other(body.roster, body.sequencer):
        raise CommitRefused("its successor is not the longest-seated member")
    try:
        check_evidence(old.roster, tickets, body, room, former, old.agreed)
    except EvidenceRefused as exc:
        raise CommitRefused(str(exc)) from exc
    sequencer = current.sequencer
    if sequencer is not None and signer.identity == sequencer.identity:
        return
    successor = current.successor
    if (
        successor is not None
        and signer.identity == successor.identity
        and sequencer is not None
        and sequencer in removed
        and not added
    ):
        return
    raise CommitRefused("it is not signed by the room's sequencer")


def rekeyed(current: Roster, body: CommitBody, exchanges: Mapping[bytes, bytes]) -> CommitBody:
    """``body`` with each staying member's exchange key turned to the one they announced."""
    was = {m.identity for m in current.members}
    roster = tuple(
        replace(m, exchange=exchanges[m.identity])
        if m.identity in was and m.identity in exchanges
        else m
        for m in body.roster
    )
    return replace(body, roster=roster)


def genesis(host: Member, agreed: bytes) -> CommitBody:
    return CommitBody(
        epoch=1,
        prev=GENESIS_PREV,
        roster=(host,),
        agreed=agreed,
        sequencer=host.slot,
        successor=NO_SLOT,
        changes=(Change(ChangeKind.OPEN, host.slot, host.slot),),
        nonce=random_bytes(16),
    )


def _next(
    current: Roster,
    roster: tuple[Member, ...],
    sequencer: int,
    change: Change,
    tickets: tuple[Ticket, ...],
) -> CommitBody:
    """The next Commit; ``roster`` is in the order members joined, the eldest first."""
    body = replace(
        current.commit,
        epoch=current.epoch + 1,
        prev=current.commit_hash,
        roster=roster,
        sequencer=sequencer,
        successor=eldest_other(roster, sequencer),
        changes=(change,),
        nonce=random_bytes(16),
    )
    return replace(body, tickets=tickets_hash(tickets_after(tickets, current.members, body)))


def eldest_other(roster: tuple[Member, ...], sequencer: int) -> int:
    """The successor: the longest-seated member other than the sequencer."""
    return next((m.slot for m in roster if m.slot != sequencer), NO_SLOT)


def admitting(
    current: Roster,
    nick: str,
    identity: bytes,
    exchange: bytes,
    peer: int,
    by: int | None,
    evidence: bytes,
    tickets: tuple[Ticket, ...],
) -> CommitBody:
    """The next Commit with a newcomer in the lowest free seat; CommitRefused when full.

    ``by`` is the admitting member's seat, and ``evidence`` its signed consent;
    None for a member coming back after a dropped connection, whom nobody
    admitted: the Commit names their own seat, and ``evidence`` is their ticket's
    old key and its vouch.
    """
    taken = {m.slot for m in current.members}
    free = [s for s in range(SEATS) if s not in taken]
    if not free:
        raise CommitRefused("the room is full")
    newcomer = Member(free[0], nick, identity, exchange, peer)
    roster = (*current.members, newcomer)  # the newest joins the end of the order
    admitted_by = newcomer.slot if by is None else by
    return _next(
        current,
        roster,
        current.commit.sequencer,
        Change(ChangeKind.ADMIT, newcomer.slot, admitted_by, evidence),
        tickets,
    )


def removing(
    current: Roster,
    slot: int,
    reason: ChangeKind,
    me: int,
    evidence: bytes,
    tickets: tuple[Ticket, ...],
) -> CommitBody:
    """The next Commit without ``slot``; ``me`` signs it and sequences from then on.

    ``evidence``: the leaver's goodbye, or for a drop nothing (it is observed) or
    the member's own vouch for the connection it came back on.
    """
    gone = current.seat(slot)
    if gone is None:
        raise CommitRefused("no such seat")
    roster = tuple(m for m in current.members if m.slot != slot)
    sequencer = current.commit.sequencer if slot != current.commit.sequencer else me
    return _next(current, roster, sequencer, Change(reason, slot, me, evidence), tickets)


def amending(
    current: Roster, agreed: bytes, evidence: bytes, me: int, tickets: tuple[Ticket, ...]
) -> CommitBody:
    """The next Commit with the agreements everyone consented to, and no one else changed."""
    body = _next(
        current, current.members, current.commit.sequencer,
        Change(ChangeKind.AMENDED, me, me, evidence), tickets,
    )  # fmt: skip
    return replace(body, agreed=agreed)
