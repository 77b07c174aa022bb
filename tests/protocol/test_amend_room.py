"""Amending the agreements: everyone present consents, or nothing changes.

Through real endpoints and crypto behind the hostile relay harness: consent by
all changes the agreements on every screen and the room code; one objection
blocks it and says why; silence lapses; and a sequencer that changes the
agreements without everyone's consent changes nothing.
"""

from __future__ import annotations

from protocol import commands as cmd
from protocol import events as ev
from protocol.bodies.vote import Amended, amend_statement
from protocol.crypto import random_bytes, sign
from protocol.endpoint import agreements_hash
from protocol.frames import Kind
from protocol.membership.roster import amending, rekeyed
from protocol.room.amend import OPEN_S
from tests.protocol.harness import Seat
from tests.protocol.rooms import knock_and_enter, later, open_room, publish_as

AGREED = "1. Be kind.\n2. Speak for yourself."


def amends(seat: Seat) -> list[ev.AmendEvent]:
    return [e for e in seat.events if isinstance(e, ev.AmendEvent)]


def test_an_amendment_everyone_consents_to_changes_the_agreements_and_the_room_code() -> None:
    relay, seats = open_room(3, agreements=AGREED)
    ana, bo, cy = seats
    code = bo.endpoint.room_code
    bo.send(cmd.Amend("We start on time."))
    relay.pump()
    assert [(e.stage, e.by, e.line) for e in amends(cy)] == [
        (ev.AmendStage.PROPOSED, "bo", "3. We start on time.")
    ]
    ana.send(cmd.Consent())
    relay.pump()
    assert ana.endpoint.agreements == AGREED  # silence is not consent: cy has not spoken
    cy.send(cmd.Consent())
    relay.pump()
    text = AGREED + "\n3. We start on time."
    for seat in seats:
        assert seat.endpoint.agreements == text
        assert seat.endpoint.roster is not None
        assert seat.endpoint.roster.commit.agreed == agreements_hash(text)
        assert amends(seat)[-1].stage is ev.AmendStage.AGREED
        assert seat.endpoint.room_code != code
    di = knock_and_enter(relay, ana, "di")  # a newcomer accepts the amended agreements
    assert di.endpoint.agreements == text and di.endpoint.my_slot is not None


def test_one_objection_blocks_it_and_says_why_and_silence_lapses() -> None:
    relay, seats = open_room(3, agreements=AGREED)
    ana, bo, cy = seats
    bo.send(cmd.Amend("We meet twice a week."))
    relay.pump()
    ana.send(cmd.Consent())
    cy.send(cmd.Object("Once a week is what I can manage."))
    relay.pump()
    objected = [e for e in amends(ana) if e.stage is ev.AmendStage.OBJECTED]
    assert [(e.by, e.reason) for e in objected] == [("cy", "Once a week is what I can manage.")]
    later(relay, 1_000)
    assert all(s.endpoint.agreements == AGREED for s in seats)
    bo.send(cmd.Amend("We bring snacks."))
    relay.pump()
    ana.send(cmd.Consent())
    relay.pump()
    later(relay, OPEN_S * 1000 + 10)
    assert all(amends(s)[-1].stage is ev.AmendStage.LAPSED for s in seats)
    assert all(s.endpoint.agreements == AGREED for s in seats)


def test_a_sequencer_changing_the_agreements_without_everyones_consent_changes_nothing() -> None:
    relay, seats = open_room(3, agreements=AGREED)
    ana, bo, cy = seats
    roster = ana.endpoint.roster
    assert roster is not None
    new = agreements_hash(AGREED + "\n3. The host decides.")
    key = random_bytes(16)
    statement = amend_statement(ana.endpoint.room, key, roster.commit.agreed, new)
    only_hers = Amended(key, ((0, sign(ana.endpoint.me.identity, statement)),))
    body = amending(roster, new, only_hers.encode(), 0, ana.endpoint.chain.tickets)
    body = rekeyed(roster, body, ana.endpoint._exchanges())
    publish_as(relay, ana, ana.endpoint._roomwide(Kind.COMMIT, body.encode()))
    for seat in (bo, cy):
        assert seat.endpoint.roster is not None
        assert seat.endpoint.roster.commit.agreed == agreements_hash(AGREED)
        assert seat.endpoint.agreements == AGREED
