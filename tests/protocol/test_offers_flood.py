"""One member offering without end, or under a note that is no domain.

A receiver shows at most ``OPEN_PER_SENDER`` open offers from one sender; a later
one is not shown, the receiver hears it once per burst and the sender is told at
once, so nobody waits on an offer nobody sees. Offers that ended are forgotten
past the last few. A link offer whose note reads as anything but a host name is
refused when it arrives, before anyone is asked to accept it.
"""

from __future__ import annotations

from protocol import commands as cmd
from protocol import events as ev
from protocol.bodies.offer import OfferKind
from protocol.events import Alarm, Note, OfferStage
from protocol.room import offers as of
from tests.protocol.harness import Seat
from tests.protocol.rooms import alarms, notes, open_room, raised


def offered(seat: Seat, stage: OfferStage) -> list[ev.OfferEvent]:
    return [e for e in seat.events if isinstance(e, ev.OfferEvent) and e.stage is stage]


def test_a_flood_of_offers_shows_a_few_says_so_once_and_tells_the_sender() -> None:
    relay, (ana, bo, _cy) = open_room(3)
    for i in range(30):
        bo.send(cmd.Offer(OfferKind.TEXT, f"words {i}", b"some words"))
    relay.pump()
    shown = offered(ana, OfferStage.OFFERED)
    assert len(shown) == of.OPEN_PER_SENDER
    assert len(ana.endpoint.offers.theirs) == of.OPEN_PER_SENDER
    crowded = [who for note, who in notes(ana) if note is Note.OFFERS_CROWDED]
    assert crowded == ["bo"], notes(ana)
    # bo hears, for each offer past the cap, that neither ana nor cy was shown it,
    # and the offer ends: nobody is left waiting on an answer that cannot come.
    not_shown = offered(bo, OfferStage.NOT_SHOWN)
    assert len(not_shown) == 2 * (30 - of.OPEN_PER_SENDER)
    assert {e.by for e in not_shown} == {"ana", "cy"}
    ended = [o for o in bo.endpoint.offers.mine.values() if o.cancelled]
    assert len(ended) == 30 - of.OPEN_PER_SENDER
    assert all(not o.to for o in ended)


def test_once_one_ends_another_shows_and_a_new_burst_is_told_again() -> None:
    relay, (ana, bo) = open_room(2)
    for i in range(of.OPEN_PER_SENDER + 2):
        bo.send(cmd.Offer(OfferKind.TEXT, f"words {i}", b"some words"))
    relay.pump()
    first = offered(ana, OfferStage.OFFERED)[0].number
    ana.send(cmd.Decline(first))
    relay.pump()
    for i in range(3):
        bo.send(cmd.Offer(OfferKind.TEXT, f"more {i}", b"more words"))
    relay.pump()
    assert len(offered(ana, OfferStage.OFFERED)) == of.OPEN_PER_SENDER + 1
    crowded = [who for note, who in notes(ana) if note is Note.OFFERS_CROWDED]
    assert crowded == ["bo", "bo"]


def test_a_withdrawn_offer_leaves_the_screens_of_those_who_did_not_answer() -> None:
    relay, (ana, bo) = open_room(2)
    bo.send(cmd.Offer(OfferKind.TEXT, "words", b"some words"))
    relay.pump()
    mine = offered(bo, OfferStage.ASKING)[0].number
    bo.send(cmd.CancelOffer(mine))
    relay.pump()
    assert offered(ana, OfferStage.CANCELLED), "ana still sees an offer bo withdrew"
    assert (
        ana.endpoint.offers.open_from(next(iter(ana.endpoint.offers.theirs.values())).sender) == 0
    )


def test_offers_that_ended_are_forgotten_past_the_last_few() -> None:
    relay, (ana, bo) = open_room(2)
    for i in range(3 * of.KEPT_ENDED):
        bo.send(cmd.Offer(OfferKind.TEXT, f"words {i}", b"some words"))
        relay.pump()
        ana.send(cmd.Decline(offered(ana, OfferStage.OFFERED)[-1].number))
        relay.pump()
    assert len(offered(ana, OfferStage.OFFERED)) == 3 * of.KEPT_ENDED
    assert len(ana.endpoint.offers.theirs) <= of.KEPT_ENDED + 1


def test_a_link_offered_under_a_note_that_is_no_domain_is_refused_on_arrival() -> None:
    relay, (ana, bo) = open_room(2)
    for note in ("example.org — checked, safe", "[bank.example]", "Example.org", "a\u202ebc.org"):
        bo.send(cmd.Offer(OfferKind.LINK, note, b"https://elsewhere.example/x"))
    bo.send(cmd.Offer(OfferKind.LINK, "example.org", b"https://example.org/x"))
    relay.pump()
    assert [e.note for e in offered(ana, OfferStage.OFFERED)] == ["example.org"]
    assert raised(ana, Alarm.LINK_NOTE_NOT_A_DOMAIN, "bo"), alarms(ana)


def test_a_host_name_is_letters_digits_and_hyphens_or_an_address() -> None:
    for host in ("example.org", "bücher.de", "xn--bcher-kva.de", "127.0.0.1", "[::1]", "a_b.io"):
        assert of.is_domain(host), host
    for host in ("", "a b.org", "Example.org", "a..b", "-a.org", "[evil]", "a\u202eb.org", "a\nb"):
        assert not of.is_domain(host), host
    assert of.link_domain("https://user@Example.ORG:8080/x") == "example.org"
    assert of.link_domain("https://exa\u200bmple.org/") is None
