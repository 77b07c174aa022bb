"""What someone left behind keeps their name: an offer cancelled by their going, their seat.

Before, an offer whose sender had left was cancelled "from seat 0", and the time a
removed member had spoken was shown under "seat 3".
"""

from __future__ import annotations

from protocol import commands as cmd
from protocol import events as ev
from protocol.bodies.offer import OfferKind
from protocol.events import OfferStage
from tests.protocol.rooms import knock_and_enter, later, open_room, slot_of
from tests.protocol.rooms import of as events_of


def cancelled(seat: object) -> list[ev.OfferEvent]:
    return [e for e in events_of(seat, ev.OfferEvent) if e.stage is OfferStage.CANCELLED]  # type: ignore[arg-type, attr-defined]


def test_an_offer_ended_by_its_sender_leaving_names_them() -> None:
    relay, (ana, bo, cy) = open_room(3)
    bo.send(cmd.Offer(OfferKind.TEXT, "notes", b"what we said we would bring"))
    relay.pump()
    bo.send(cmd.Leave())
    relay.pump()
    for seat in (ana, cy):
        assert [e.sender for e in cancelled(seat)] == ["bo"], cancelled(seat)


def test_an_offer_ended_by_its_sender_dropping_names_them() -> None:
    relay, (ana, bo, _cy) = open_room(3, grace_ms=1_000)
    bo.send(cmd.Offer(OfferKind.LINK, "example.org", b"https://example.org/agenda"))
    relay.pump()
    relay.disconnect(bo.peer)
    later(relay, 1_000, 5)
    assert [e.sender for e in cancelled(ana)] == ["bo"], cancelled(ana)


def test_an_empty_seat_is_named_after_who_sat_there_until_someone_else_does() -> None:
    relay, (ana, bo, _cy) = open_room(3)
    seat = slot_of(bo)
    assert ana.endpoint.seat_label(seat) == "bo"
    bo.send(cmd.Leave())
    relay.pump()
    assert ana.endpoint.seat_label(seat) == "bo"  # their talk time, say, is still theirs
    di = knock_and_enter(relay, ana, "di")
    assert slot_of(di) == seat  # the first free seat
    assert ana.endpoint.seat_label(seat) == "di"
    assert ana.endpoint.seat_label(200) == "seat 201"  # nobody ever sat there
