"""Amendments from a modified sequencer's side: a blocked amendment committed anyway.

Signatures alone do not make an amendment: each member applies only the one it saw
everyone consent to, unobjected, leading to the text it would hold itself.
"""

from __future__ import annotations

from protocol import commands as cmd
from protocol.bodies.vote import Amended
from protocol.endpoint import agreements_hash
from protocol.events import Alarm
from protocol.frames import Kind
from protocol.membership.roster import amending, rekeyed
from tests.protocol.rooms import alarms, later, open_room, publish_as, raised
from tests.protocol.test_amend_room import AGREED


def test_a_blocked_amendment_committed_anyway_is_refused_and_named() -> None:
    """cy objects and leaves; the sequencer commits the blocked amendment anyway with the
    two consents it holds. Every member applies it (both signed) but none changes its
    text: the chain's agreements hash and the text held differ from then on."""
    relay, seats = open_room(3, agreements=AGREED, grace_ms=1_000)
    ana, bo, cy = seats
    bo.send(cmd.Amend("The host decides."))
    relay.pump()
    ana.send(cmd.Consent())
    relay.pump()
    cy.send(cmd.Object("No."))
    relay.pump()
    held = ana.endpoint.state.amendment
    assert held is not None and held.objection is not None and len(held.consents) == 2
    cy.send(cmd.Leave())
    relay.pump()
    later(relay, 50, 4)
    roster = ana.endpoint.roster
    assert roster is not None and len(roster.members) == 2
    places = {m.identity: at for at, m in enumerate(roster.members)}
    ids = dict(zip(held.asked, held.asked_ids, strict=True))
    consents = tuple((places[ids[s]], sig) for s, sig in held.consents)
    body = amending(
        roster,
        held.new_agreed,
        Amended(held.key, consents).encode(),
        roster.commit.sequencer,
        ana.endpoint.chain.tickets,
    )
    body = rekeyed(roster, body, ana.endpoint._exchanges())
    publish_as(relay, ana, ana.endpoint._roomwide(Kind.COMMIT, body.encode()))
    later(relay, 50, 4)
    r = bo.endpoint.roster
    assert r is not None
    assert r.commit.agreed == agreements_hash(AGREED)  # refused
    assert bo.endpoint.agreements is not None
    assert agreements_hash(bo.endpoint.agreements) == r.commit.agreed
    assert raised(bo, Alarm.AMENDMENT_WITHOUT_CONSENT, "ana"), alarms(bo)


def test_after_a_refused_amendment_a_newcomer_still_enters() -> None:
    relay, seats = open_room(3, agreements=AGREED, grace_ms=1_000)
    ana, bo, cy = seats
    bo.send(cmd.Amend("The host decides."))
    relay.pump()
    ana.send(cmd.Consent())
    relay.pump()
    cy.send(cmd.Object("No."))
    relay.pump()
    held = ana.endpoint.state.amendment
    assert held is not None
    cy.send(cmd.Leave())
    relay.pump()
    later(relay, 50, 4)
    roster = ana.endpoint.roster
    assert roster is not None
    places = {m.identity: at for at, m in enumerate(roster.members)}
    ids = dict(zip(held.asked, held.asked_ids, strict=True))
    consents = tuple((places[ids[s]], sig) for s, sig in held.consents)
    body = amending(
        roster,
        held.new_agreed,
        Amended(held.key, consents).encode(),
        roster.commit.sequencer,
        ana.endpoint.chain.tickets,
    )
    publish_as(
        relay,
        ana,
        ana.endpoint._roomwide(
            Kind.COMMIT, rekeyed(roster, body, ana.endpoint._exchanges()).encode()
        ),
    )
    later(relay, 50, 4)
    from tests.protocol.rooms import knock_and_enter

    di = knock_and_enter(relay, bo, "di")
    later(relay, 50, 4)
    assert di.endpoint.my_slot is not None, "the lobby's text no longer matches the chain"
