"""Every change of the roster carries its evidence, so nobody changes it alone.

The sequencer writes the Commit, but it cannot write its story: each change
says who made it happen and carries their signature, and every member checks
it before applying the Commit (``check_evidence``, from ``roster.check_next``):

    admitted by a member     the member's signed consent to exactly these keys
                             and this name (``consent_statement``)
    back after a drop        a return ticket of the room (below), and the
                             ticket's old key vouching for the new keys and the
                             same name (``return_statement``)
    left                     the leaver's signed goodbye (``goodbye_statement``)
    disconnected             nothing a member can sign: the drop is observed. A
                             member who still sees that connection refuses the
                             Commit (``membership.chain``) unless the evidence
                             is the member's own vouch for a new connection
                             (they came back before their old seat went)
    agreements amended       every member's signed consent to exactly the new
                             agreements, and nothing else in the Commit
    removed by vote          the mover's signed motion naming them, another
                             voter's signed second, and signed yes votes from a
                             strict majority of the voters the motion names (at
                             least three); a member who saw the motion also
                             holds it to its own count (``membership.chain``)

Return tickets are part of the chain. Every Commit names the hash of the
room's tickets after it (``tickets_after``): a member dropped by the grace
period gets a ticket under the name they had; a ticket brings one person
back once, and is gone; the latest ``MAX_TICKETS`` are kept. Every member
computes the same list from the Commits it applied, a newcomer takes it from
its lobby (checked against the hash), and so a returning member is
recognised by everyone, including those who came in after the drop.
"""

from __future__ import annotations

from typing import Final

from protocol.bodies.codec import BodyError, pack
from protocol.bodies.commit import Change, ChangeKind, CommitBody, Member, Ticket
from protocol.bodies.vote import (
    Amended,
    Motion,
    Removal,
    amend_statement,
    ballot_statement,
    motion_id,
    motion_statement,
    second_statement,
)
from protocol.crypto import KEY_SIZE, SIG_SIZE, digest, verify
from protocol.limits import SEATS
from protocol.room.votes import MIN_VOTERS

MAX_TICKETS: Final = 2 * SEATS
DEPARTURES: Final = frozenset((ChangeKind.LEFT, ChangeKind.DISCONNECTED, ChangeKind.REMOVED))
NO_TICKETS: Final = bytes(32)


class EvidenceRefused(ValueError):
    """A change without the evidence that allows it."""


def consent_statement(room: bytes, identity: bytes, exchange: bytes, nick: str) -> bytes:
    """What a member signs to admit someone: these keys, under this name, in this room."""
    return b"porch-consent" + room + identity + exchange + nick.encode()


def return_statement(room: bytes, identity: bytes, exchange: bytes, nick: str) -> bytes:
    """What a returning member's old identity signs: these new keys, and my name, are mine."""
    return b"porch-return" + room + identity + exchange + nick.encode()


def goodbye_statement(room: bytes, identity: bytes) -> bytes:
    return b"porch-goodbye" + room + identity


def tickets_hash(tickets: tuple[Ticket, ...]) -> bytes:
    if not tickets:
        return NO_TICKETS
    return digest(pack([[t.identity, t.nick] for t in tickets]), b"porch-tickets")


def tickets_after(
    tickets: tuple[Ticket, ...], old: tuple[Member, ...], body: CommitBody
) -> tuple[Ticket, ...]:
    """The room's return tickets once ``body`` is applied to a roster of ``old``."""
    seats = {m.slot: m for m in old}
    used = {c.evidence[:KEY_SIZE] for c in body.changes if _is_return(c.what, c.slot, c.by)}
    kept = [t for t in tickets if t.identity not in used]
    for change in body.changes:
        gone = seats.get(change.slot)
        if change.what is ChangeKind.DISCONNECTED and gone is not None:
            kept = [t for t in kept if t.identity != gone.identity]
            kept.append(Ticket(gone.identity, gone.nick))
    return tuple(kept[-MAX_TICKETS:])


def _is_return(what: ChangeKind, slot: int, by: int) -> bool:
    return what is ChangeKind.ADMIT and by == slot


def check_evidence(
    old: tuple[Member, ...],
    tickets: tuple[Ticket, ...] | None,
    body: CommitBody,
    room: bytes,
    former: frozenset[bytes] | None = None,
    old_agreed: bytes | None = None,
) -> None:
    """Raise EvidenceRefused unless every change of ``body`` carries what allows it.

    ``tickets`` None: the room's tickets are not known here (a newcomer proving a
    lobby's lineage), so returns and the tickets' hash cannot be checked.
    """
    before = {m.identity: m for m in old}
    after = {m.identity: m for m in body.roster}
    added = [m for m in body.roster if m.identity not in before]
    removed = [m for m in old if m.identity not in after]
    admits = {c.slot: c for c in body.changes if c.what is ChangeKind.ADMIT}
    departures = {c.slot: c for c in body.changes if c.what in DEPARTURES}
    amends = [c for c in body.changes if c.what is ChangeKind.AMENDED]
    if len(admits) + len(departures) + len(amends) != len(body.changes):
        raise EvidenceRefused("a change that is neither an admission nor a departure")
    if amends or (old_agreed is not None and body.agreed != old_agreed):
        _check_amendment(amends, old, body, room, old_agreed)
    if sorted(admits) != sorted(m.slot for m in added):
        raise EvidenceRefused("admissions and newcomers do not match")
    if sorted(departures) != sorted(m.slot for m in removed):
        raise EvidenceRefused("departures and those who went do not match")
    seats = {m.slot: m for m in old}
    for newcomer in added:
        if tickets is None:
            raise EvidenceRefused("an admission we cannot check")
        _check_admission(admits[newcomer.slot], newcomer, seats, tickets, room)
    # Who a removal's voters may be: the members, and those who left since (None: not
    # known here, for a newcomer reading a lobby's lineage).
    members = None if former is None else frozenset(m.identity for m in old) | former
    for gone in removed:
        _check_departure(departures[gone.slot], gone, room, members)
    if tickets is not None and body.tickets != tickets_hash(tickets_after(tickets, old, body)):
        raise EvidenceRefused("the return tickets do not follow from the changes")


def _check_amendment(
    amends: list[Change],
    old: tuple[Member, ...],
    body: CommitBody,
    room: bytes,
    old_agreed: bytes | None,
) -> None:
    """New agreements only with every member's consent to exactly them, and nothing else
    changing in the same Commit."""
    if len(amends) != 1 or len(body.changes) != 1 or old_agreed is None:
        raise EvidenceRefused("it changes the agreements without consent")
    if old_agreed == body.agreed:
        raise EvidenceRefused("an amendment that changes nothing")
    if [m.identity for m in body.roster] != [m.identity for m in old]:
        raise EvidenceRefused("an amendment that changes who is in the room")
    try:
        amended = Amended.decode(amends[0].evidence)
    except (BodyError, ValueError, TypeError) as exc:
        raise EvidenceRefused("an amendment without its consents") from exc
    statement = amend_statement(room, amended.key, old_agreed, body.agreed)
    signed = set()
    for at, sig in amended.consents:
        if at >= len(old) or at in signed or not verify(old[at].identity, statement, sig):
            raise EvidenceRefused("an amendment with a consent that is not its member's")
        signed.add(at)
    if len(signed) != len(old):
        raise EvidenceRefused("an amendment not everyone consented to")


def amended_key(evidence: bytes) -> bytes | None:
    try:
        return Amended.decode(evidence).key
    except (BodyError, ValueError, TypeError):
        return None


def _check_admission(
    change: Change,
    newcomer: Member,
    seats: dict[int, Member],
    tickets: tuple[Ticket, ...],
    room: bytes,
) -> None:
    if change.by == change.slot:  # back after a drop, on a ticket
        was, vouch = change.evidence[:KEY_SIZE], change.evidence[KEY_SIZE:]
        ticket = next((t for t in tickets if t.identity == was), None)
        if ticket is None or ticket.nick != newcomer.nick or len(vouch) != SIG_SIZE:
            raise EvidenceRefused("a return without a ticket of this room")
        statement = return_statement(room, newcomer.identity, newcomer.exchange, newcomer.nick)
        if not verify(was, statement, vouch):
            raise EvidenceRefused("a return the old key did not vouch for")
        return
    admitter = seats.get(change.by)
    statement = consent_statement(room, newcomer.identity, newcomer.exchange, newcomer.nick)
    if admitter is None or not verify(admitter.identity, statement, change.evidence):
        raise EvidenceRefused("an admission without the admitting member's consent")


def _check_departure(
    change: Change, gone: Member, room: bytes, members: frozenset[bytes] | None
) -> None:
    if change.what is ChangeKind.REMOVED:
        check_removal(change.evidence, gone, room, members)
        return
    if change.what is ChangeKind.LEFT:
        if not verify(gone.identity, goodbye_statement(room, gone.identity), change.evidence):
            raise EvidenceRefused("a departure without the leaver's goodbye")
        return
    if change.evidence and not vouched_elsewhere(change.evidence, gone, room):
        raise EvidenceRefused("a drop with a vouch its key did not make")


def vouched_elsewhere(evidence: bytes, gone: Member, room: bytes) -> bool:
    """Whether ``evidence`` is ``gone``'s own vouch for the new keys it came back with."""
    if len(evidence) != 2 * KEY_SIZE + SIG_SIZE:
        return False
    identity, exchange, vouch = evidence[:32], evidence[32:64], evidence[64:]
    return verify(gone.identity, return_statement(room, identity, exchange, gone.nick), vouch)


def check_removal(
    evidence: bytes, gone: Member, room: bytes, on_roster: frozenset[bytes] | None
) -> bytes:
    """The motion's id, if ``evidence`` is a passed vote to remove ``gone``; else
    EvidenceRefused. Each signature is checked, each voter counts once, and every
    voter is a member (``on_roster``: those seated before the Commit, and any who
    left since the motion, as far as this member knows). A member also holds the
    Commit to its own count of the vote (``membership.chain``)."""
    try:
        removal = Removal.decode(evidence)
        motion = Motion.decode(removal.motion)
    except (BodyError, ValueError, TypeError) as exc:
        raise EvidenceRefused("a removal without its motion") from exc
    if motion.named != gone.identity:
        raise EvidenceRefused("a removal by a motion about someone else")
    voters = motion.eligible
    if len(voters) < MIN_VOTERS:
        raise EvidenceRefused("a removal with fewer than three others present")
    if on_roster is not None and not set(voters) <= on_roster:
        raise EvidenceRefused("a removal whose voters were not all members")

    def voter(index: int) -> bytes | None:
        return voters[index] if index < len(voters) else None

    mover, seconder = voter(removal.mover), voter(removal.seconder)
    statement = motion_statement(room, removal.motion)
    if mover is None or not verify(mover, statement, removal.mover_sig):
        raise EvidenceRefused("a removal without its mover's signed motion")
    key = motion_id(room, removal.motion)
    if (
        seconder is None
        or seconder == mover
        or not verify(seconder, second_statement(room, key), removal.second_sig)
    ):
        raise EvidenceRefused("a removal nobody seconded")
    yes = ballot_statement(room, key, True)
    counted = set()
    for index, sig in removal.yes:
        who = voter(index)
        if who is None or who in counted or not verify(who, yes, sig):
            raise EvidenceRefused("a removal with votes that are not its voters' own")
        counted.add(who)
    if 2 * len(counted) <= len(voters):
        raise EvidenceRefused("a removal without a majority of the voters")
    return key


def removal_motion(evidence: bytes) -> bytes | None:
    """The raw motion a removal's evidence carries, if it decodes."""
    try:
        return Removal.decode(evidence).motion
    except (BodyError, ValueError, TypeError):
        return None
