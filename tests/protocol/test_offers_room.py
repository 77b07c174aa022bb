"""Every share is an offer: real endpoints and crypto behind the hostile relay harness.

A file goes only to those who accept it, paced, in chunks only they can open,
and is checked whole before it can be saved; a link or a long text the same
way. From the attacker's side: a chunk with a broken seal, a chunk of someone
else's offer, more than was offered, a link that goes elsewhere than its note,
and a relay dropping chunks (asked for again).
"""

from __future__ import annotations

import hashlib

from protocol import commands as cmd
from protocol import events as ev
from protocol import wire
from protocol.bodies.offer import CHUNK, ChunkBody, OfferKind
from protocol.crypto import random_bytes, seal
from protocol.events import Alarm, OfferStage
from protocol.frames import GroupFrame, parse
from protocol.room import offers as of
from tests.protocol.harness import HostileRelay, Seat
from tests.protocol.rooms import alarms, later, open_room, raised, slot_of
from tests.protocol.rooms import of as events_of


def offers(seat: Seat) -> list[ev.OfferEvent]:
    return [e for e in events_of(seat, ev.OfferEvent)]  # type: ignore[misc]


def stage(seat: Seat, what: OfferStage) -> list[ev.OfferEvent]:
    return [e for e in offers(seat) if e.stage is what]


def number(seat: Seat) -> int:
    return stage(seat, OfferStage.OFFERED)[-1].number


def until_quiet(relay: HostileRelay, rounds: int = 400) -> None:
    """Time passes in small steps, so the pace lets every chunk go."""
    later(relay, 50, rounds)


def test_a_file_reaches_only_those_who_accept_intact_and_the_relay_sees_none_of_it() -> None:
    relay, seats = open_room(4)
    ana, bo, cy, di = seats
    content = random_bytes(5 * CHUNK + 1234)
    ana.send(cmd.Offer(OfferKind.FILE, "../../etc/report\u202egpj.pdf", content, "application/pdf"))
    relay.pump()
    shown = stage(bo, OfferStage.OFFERED)
    assert [(e.sender, e.note, e.size, e.to) for e in shown] == [
        ("ana", "reportgpj.pdf", len(content), ("you", "cy", "di"))
    ]
    assert bo.endpoint.offer_content(number(bo)) is None  # nothing before accepting
    sent_before = len(relay.log)
    di.send(cmd.Decline(number(di)))
    relay.pump()
    assert not any(m.sender == di.peer for m in relay.log[sent_before:])  # a decline says nothing
    bo.send(cmd.Accept(number(bo)))
    cy.send(cmd.Accept(number(cy)))
    relay.pump()
    assert sorted(e.by for e in stage(ana, OfferStage.ACCEPTED)) == ["bo", "cy"]
    until_quiet(relay)
    for seat in (bo, cy):
        got = seat.endpoint.offer_content(number(seat))
        assert got is not None
        assert got[0] == "reportgpj.pdf"
        assert hashlib.sha256(got[1]).digest() == hashlib.sha256(content).digest()
    assert di.endpoint.offer_content(number(di)) is None
    assert not stage(di, OfferStage.ARRIVED) and not stage(di, OfferStage.PROGRESS)
    assert sorted(e.by for e in stage(ana, OfferStage.DELIVERED)) == ["bo", "cy"]
    # The relay carried every chunk, and holds no byte of the content nor its name.
    carried = b"".join(m.d for m in relay.log)
    for at in range(0, len(content) - 16, 997):
        assert content[at : at + 16] not in carried
    assert b"report" not in carried
    assert not any(alarms(s) for s in seats)


def test_a_link_shows_only_its_domain_until_accepted_and_a_long_text_its_first_words() -> None:
    relay, (ana, bo) = open_room(2)
    url = "https://example.org/a/long/path?with=secrets"
    ana.send(cmd.Offer(OfferKind.LINK, "example.org", url.encode()))
    relay.pump()
    [link] = stage(bo, OfferStage.OFFERED)
    assert (link.kind, link.note) == ("link", "example.org")
    bo.send(cmd.Accept(link.number))
    until_quiet(relay, 20)
    assert [e.text for e in stage(bo, OfferStage.ARRIVED)] == [url]
    text = "word " * 2000
    ana.send(cmd.Offer(OfferKind.TEXT, of.preview(text), text.encode()))
    relay.pump()
    offered = stage(bo, OfferStage.OFFERED)[-1]
    assert offered.note.startswith("word word") and offered.size == len(text)
    bo.send(cmd.Accept(offered.number))
    until_quiet(relay, 20)
    assert stage(bo, OfferStage.ARRIVED)[-1].text == text


def test_a_link_that_goes_elsewhere_than_its_note_is_named() -> None:
    relay, (ana, bo) = open_room(2)
    ana.send(cmd.Offer(OfferKind.LINK, "example.org", b"https://elsewhere.example/x"))
    relay.pump()
    bo.send(cmd.Accept(number(bo)))
    until_quiet(relay, 20)
    assert raised(bo, Alarm.LINK_NOT_AS_SHOWN, "ana"), alarms(bo)


def test_a_relay_dropping_chunks_is_noticed_and_they_are_sent_again() -> None:
    relay, (ana, bo) = open_room(2)
    content = random_bytes(8 * CHUNK)
    dropped: list[int] = []

    def drop_some(peer: int, msg: wire.Msg) -> list[bytes]:
        frame = parse(msg.d, ana.endpoint.room)
        to_bo = peer == bo.peer and msg.sender == ana.peer and isinstance(frame, GroupFrame)
        if to_bo and len(dropped) < 3 and frame.index % 3 == 2:  # type: ignore[union-attr]
            dropped.append(frame.index)  # type: ignore[union-attr]
            return []
        return [wire.encode(msg)]

    ana.send(cmd.Offer(OfferKind.FILE, "data.bin", content))
    relay.pump()
    bo.send(cmd.Accept(number(bo)))
    relay.pump()
    relay.tamper = drop_some
    until_quiet(relay, 300)
    relay.tamper = None
    until_quiet(relay, 200)
    assert dropped
    got = bo.endpoint.offer_content(number(bo))
    assert got is not None and got[1] == content


def test_a_broken_chunk_another_members_chunk_or_more_than_offered_is_refused_and_named() -> None:
    relay, (ana, bo, cy) = open_room(3)
    content = random_bytes(40 * CHUNK)  # long enough to be still on its way
    ana.send(cmd.Offer(OfferKind.FILE, "data.bin", content))
    relay.pump()
    bo.send(cmd.Accept(number(bo)))
    relay.pump()
    later(relay, 10)  # the key, and the first chunks
    offer = next(iter(ana.endpoint.offers.mine.values()))
    # cy sends a piece of ana's offer
    cy.endpoint._speak(ChunkBody(offer.offer, 0, random_bytes(CHUNK + 40)))
    relay.pump()
    assert raised(bo, Alarm.OFFER_NOT_THEIRS, "cy"), alarms(bo)
    # ana's modified client: a chunk under the wrong key
    ana.endpoint._speak(ChunkBody(offer.offer, 0, seal(random_bytes(32), bytes(CHUNK), b"")))
    relay.pump()
    assert raised(bo, Alarm.CHUNK_BROKEN, "ana"), alarms(bo)
    assert bo.endpoint.offers.theirs[offer.offer].stage is of.Stage.ACCEPTED  # asked again
    # and a chunk past the end it announced
    ana.endpoint._speak(ChunkBody(offer.offer, offer.chunks, random_bytes(CHUNK + 40)))
    relay.pump()
    assert raised(bo, Alarm.LARGER_THAN_OFFERED, "ana"), alarms(bo)
    assert bo.endpoint.offer_content(number(bo)) is None
    assert stage(bo, OfferStage.FAILED)


def test_an_offer_larger_than_the_limit_is_declined_without_fetching_and_cancel_stops_it() -> None:
    relay, (ana, bo) = open_room(2)
    bo.endpoint.offers.limit = CHUNK
    ana.send(cmd.Offer(OfferKind.FILE, "big.bin", random_bytes(3 * CHUNK)))
    relay.pump()
    assert stage(bo, OfferStage.TOO_LARGE) and not stage(bo, OfferStage.OFFERED)
    bo.endpoint.offers.limit = of.MAX_OFFER_BYTES
    ana.send(cmd.Offer(OfferKind.FILE, "big.bin", random_bytes(40 * CHUNK)))
    relay.pump()
    bo.send(cmd.Accept(number(bo)))
    later(relay, 50, 5)
    mine = next(o for o in ana.endpoint.offers.mine.values() if o.chunks > 40)
    assert 0 < mine.cursor < mine.chunks
    ana.send(cmd.CancelOffer(mine.number))
    relay.pump()
    sent = mine.cursor
    later(relay, 50, 40)
    assert mine.cursor == sent and stage(bo, OfferStage.CANCELLED)
    assert bo.endpoint.offer_content(number(bo)) is None


def test_people_who_join_later_never_see_earlier_offers() -> None:
    relay, seats = open_room(2)
    ana, _bo = seats
    ana.send(cmd.Offer(OfferKind.TEXT, "hello", b"hello there"))
    relay.pump()
    from tests.protocol.rooms import knock_and_enter

    cy = knock_and_enter(relay, ana, "cy")
    assert not offers(cy)
    ana.send(cmd.Offer(OfferKind.TEXT, "again", b"again, for everyone"))
    relay.pump()
    assert [e.note for e in offers(cy)] == ["again"]  # the control: cy sees new ones


def back_again(relay: HostileRelay, seat: Seat) -> Seat:
    """``seat``'s connection drops; its client comes back on a new one, on its ticket."""
    relay.disconnect(seat.peer)
    back = relay.connect(seat.endpoint.fresh(relay.now))
    back.send(cmd.Agree())
    relay.pump()
    later(relay, 50, 4)
    assert back.endpoint.my_slot is not None
    return back


def test_an_accepter_whose_connection_drops_resumes_from_the_chunks_it_holds() -> None:
    relay, (ana, bo, cy) = open_room(3, grace_ms=1_000)
    content = random_bytes(60 * CHUNK)
    ana.send(cmd.Offer(OfferKind.FILE, "data.bin", content))
    relay.pump()
    bo.send(cmd.Accept(number(bo)))
    relay.pump()
    later(relay, 50, 20)  # about half way
    inc = next(iter(bo.endpoint.offers.theirs.values()))
    held = len(inc.pieces)
    assert 0 < held < inc.chunks
    bo = back_again(relay, bo)
    out = next(iter(ana.endpoint.offers.mine.values()))
    assert out.cursor >= held - 1  # it went on from what bo held, not from zero
    until_quiet(relay, 200)
    got = bo.endpoint.offer_content(inc.number)
    assert got is not None and got[1] == content
    assert not cy.endpoint.offers.theirs[out.offer].pieces  # cy never accepted
    chunks_sent = sum(1 for m in relay.log if m.sender == ana.peer and len(m.d) > CHUNK)
    assert held > 10 and chunks_sent < inc.chunks + held // 2  # not all over again


def test_a_sender_whose_connection_drops_goes_on_from_where_the_accepter_is() -> None:
    relay, (ana, bo, _cy) = open_room(3, grace_ms=1_000)
    content = random_bytes(60 * CHUNK)
    bo.send(cmd.Offer(OfferKind.FILE, "data.bin", content))
    relay.pump()
    ana.send(cmd.Accept(number(ana)))
    relay.pump()
    later(relay, 50, 20)
    inc = next(iter(ana.endpoint.offers.theirs.values()))
    held = len(inc.pieces)
    assert 0 < held < inc.chunks
    bo = back_again(relay, bo)
    later(relay, 1_000, 6)  # ana asks again, wherever bo is now, showing the key
    out = next(iter(bo.endpoint.offers.mine.values()))
    assert out.accepted and out.cursor >= held
    until_quiet(relay, 200)
    got = ana.endpoint.offer_content(inc.number)
    assert got is not None and got[1] == content


def test_someone_new_in_an_old_seat_cannot_take_an_offer_they_were_never_given() -> None:
    relay, (ana, _bo, cy) = open_room(3, grace_ms=1_000)
    ana.send(cmd.Offer(OfferKind.FILE, "data.bin", random_bytes(3 * CHUNK)))
    relay.pump()
    offer = next(iter(ana.endpoint.offers.mine.values()))
    cy.send(cmd.Leave())
    relay.pump()
    later(relay, 50, 4)
    from tests.protocol.rooms import knock_and_enter

    di = knock_and_enter(relay, ana, "di")  # into cy's old seat, most likely
    from protocol.bodies.offer import OfferNote, Say

    di.endpoint._tell(slot_of(ana), OfferNote(offer.offer, Say.ACCEPT, 0))
    relay.pump()
    until_quiet(relay, 20)
    assert slot_of(di) not in offer.accepted
    assert not offers(di)


def test_contact_details_are_shown_only_once_both_chose_and_a_card_cannot_change_after() -> None:
    relay, (ana, bo, cy) = open_room(3)
    ana.send(cmd.Reveal(slot_of(bo), "ana@example.org"))
    relay.pump()
    reveals = lambda seat: [e for e in seat.events if isinstance(e, ev.RevealEvent)]  # noqa: E731
    assert [e.stage for e in reveals(bo)] == [ev.RevealStage.ASKED]
    assert not any("ana@example.org" in str(e) for e in bo.events)  # nothing before bo chooses
    assert not reveals(cy)
    bo.send(cmd.Reveal(slot_of(ana), "bo on the phone: 555 0100"))
    relay.pump()
    assert [e.card for e in reveals(bo) if e.stage is ev.RevealStage.REVEALED] == [
        "ana@example.org"
    ]
    assert [e.card for e in reveals(ana) if e.stage is ev.RevealStage.REVEALED] == [
        "bo on the phone: 555 0100"
    ]
    assert not any("555 0100" in str(e) or "ana@example" in str(e) for e in cy.events)
    # A card opened that is not the one committed to shows nothing.
    from protocol.bodies.offer import CardNote
    from protocol.room.reveal import commitment

    ana.send(cmd.Reveal(slot_of(cy), "first card"))
    relay.pump()
    cy.endpoint.reveals.choose(ana.endpoint.me.key, "cy", relay.now)
    cy.endpoint._tell(slot_of(ana), CardNote(commitment(bytes(16), "cy")))
    relay.pump()
    before = len(reveals(ana))
    cy.endpoint._tell(slot_of(ana), CardNote(b"", bytes(16), "a different card"))
    relay.pump()
    assert not [e for e in reveals(ana)[before:] if e.stage is ev.RevealStage.REVEALED]


def test_an_ask_nobody_answers_expires_quietly() -> None:
    relay, (ana, bo) = open_room(2)
    ana.send(cmd.Reveal(slot_of(bo), "ana@example.org"))
    relay.pump()
    from protocol.room.reveal import EXPIRES_MS

    later(relay, EXPIRES_MS + 1)
    assert not ana.endpoint.reveals.pairs
    bo.send(cmd.Reveal(slot_of(ana), "bo"))
    relay.pump()
    assert not [e for e in bo.events if isinstance(e, ev.RevealEvent) and e.card]


def test_an_accepter_who_cancels_stops_receiving_and_the_sender_stops_sending() -> None:
    relay, (ana, bo) = open_room(2)
    ana.send(cmd.Offer(OfferKind.FILE, "big.bin", random_bytes(60 * CHUNK)))
    relay.pump()
    bo.send(cmd.Accept(number(bo)))
    relay.pump()
    later(relay, 50, 10)
    out = next(iter(ana.endpoint.offers.mine.values()))
    assert 0 < out.cursor < out.chunks
    bo.send(cmd.CancelOffer(number(bo)))
    relay.pump()
    later(relay, 50, 2)
    sent = out.cursor
    later(relay, 50, 40)
    assert out.cursor == sent and not out.sending  # nobody left to send to
    assert bo.endpoint.offer_content(number(bo)) is None
    assert not next(iter(bo.endpoint.offers.theirs.values())).pieces  # nothing kept
