"""A relay that lost the room: the sequencer opens it again, and only when nobody holds it."""

from __future__ import annotations

from nacl.signing import SigningKey

from protocol import commands as cmd
from protocol import events as ev
from protocol import wire
from protocol.bodies.door import Vouch
from protocol.endpoint import Endpoint
from protocol.events import Note
from protocol.frames import Kind
from protocol.membership.entry import WAITING_VOUCH_EVERY_MS
from protocol.membership.reopen import REOPEN_AFTER_MS, WAITING_NOTICE_MS
from tests.protocol.harness import HostileRelay, Seat
from tests.protocol.rooms import knock_and_enter, notes, of, open_room, roomwide, said

T0 = 5_000_000  # the clock when the relay goes away
T1 = T0 + 800  # everyone is back on the new relay, well within the grace period


def reopened(seat: Seat) -> bool:
    return (Note.REOPENED, "") in notes(seat)


def test_after_a_restart_the_sequencer_opens_the_room_again_and_everyone_comes_back() -> None:
    relay, (ana, bo, cy) = open_room(3)
    relay.tick(T0)
    before = ana.endpoint.epoch
    restarted = HostileRelay(now=relay.now)  # keeps nothing: new numbers, new order
    bo2 = restarted.connect(bo.endpoint.fresh(bo.endpoint.now))  # the first back waits for a lobby
    ana2 = restarted.connect(ana.endpoint.fresh(ana.endpoint.now))  # no member's connection is here
    restarted.tick(T1)
    assert reopened(ana2) and ana2.endpoint.is_sequencer
    assert ana2.endpoint.identity == ana.endpoint.identity  # the key the invite names
    cy2 = restarted.connect(cy.endpoint.fresh(cy.endpoint.now))
    for seat in (ana2, bo2, cy2):
        assert sorted(s.nick for s in seat.endpoint.seats) == ["ana", "bo", "cy"]
        assert seat.endpoint.epoch == before + 3  # reopened, then two returns
        assert not of(seat, ev.Knocked) and not of(seat, ev.AgreementsOffered)
    assert len({s.endpoint.room_code for s in (ana2, bo2, cy2)}) == 1
    # Nobody was asked: they came back on their old keys.
    assert ev.Admitted("bo", "bo", returning=True) in ana2.events
    assert ev.Admitted("cy", "cy", returning=True) in bo2.events
    cy2.say("back")
    restarted.pump()
    assert said(ana2)[-1] == said(bo2)[-1] == ("cy", "back")


def test_the_reopened_room_holds_no_one_else_and_a_newcomer_still_asks() -> None:
    relay, (ana, _bo) = open_room(2)
    relay.tick(T0)
    restarted = HostileRelay(now=relay.now)
    ana2 = restarted.connect(ana.endpoint.fresh(ana.endpoint.now))
    restarted.tick(T1)
    roster = ana2.endpoint.roster
    assert roster is not None and [m.nick for m in roster.members] == ["ana"]
    assert roster.commit.prev == ana.endpoint.roster.commit_hash  # type: ignore[union-attr]
    di = Endpoint.joining(ana.endpoint.invite, "di")
    di_seat = restarted.connect(di)
    di.send(cmd.Agree(), relay.now)
    restarted.pump()
    assert of(ana2, ev.Knocked) and di.roster is None  # a stranger waits for consent
    knock_and_enter(restarted, ana2, "ed")  # anyone admitted still follows the invite
    assert [s.nick for s in ana2.endpoint.seats] == ["ana", "ed"]
    assert di_seat.endpoint.roster is None


def test_a_relay_that_numbers_the_room_from_the_start_again_lost_it() -> None:
    relay, (ana, bo, cy) = open_room(3)  # ana 1, bo 2, cy 3
    relay.tick(T0)
    restarted = HostileRelay(now=relay.now)
    restarted.connect(bo.endpoint.fresh(bo.endpoint.now))  # 1
    restarted.connect(cy.endpoint.fresh(cy.endpoint.now))  # 2: the number bo had
    ana2 = restarted.connect(
        ana.endpoint.fresh(ana.endpoint.now)
    )  # but seq 3: far below what ana saw
    restarted.tick(T1)
    assert reopened(ana2)


def test_a_familiar_connection_number_delays_the_reopening_and_everyone_is_told() -> None:
    relay, (ana, bo, cy) = open_room(3)  # ana 1, bo 2, cy 3
    relay.tick(T0)
    restarted = HostileRelay(now=relay.now)
    restarted.seq = 10_000  # a busy relay: its numbers give nothing away
    bo2 = restarted.connect(bo.endpoint.fresh(bo.endpoint.now))  # 1
    cy2 = restarted.connect(cy.endpoint.fresh(cy.endpoint.now))  # 2: the number bo had
    ana2 = restarted.connect(ana.endpoint.fresh(ana.endpoint.now))
    restarted.tick(T1)
    assert not reopened(ana2)  # someone holding the room may be there
    restarted.tick(T1 + WAITING_NOTICE_MS)
    for seat in (bo2, cy2):
        assert (Note.WAITING_FOR, "ana") in notes(seat)
    assert (Note.WAITING_FOR_HOLDERS, "") in notes(ana2)
    restarted.tick(T1 + REOPEN_AFTER_MS - 1)
    assert not reopened(ana2) and bo2.endpoint.roster is None
    restarted.tick(T1 + REOPEN_AFTER_MS)
    assert reopened(ana2)
    assert all(len(s.endpoint.seats) == 3 for s in (ana2, bo2, cy2))


def test_a_sequencer_dropped_alone_waits_for_the_room_the_others_hold() -> None:
    relay, (ana, bo, cy) = open_room(3)
    relay.tick(T0)
    relay.disconnect(ana.peer)
    back = relay.connect(ana.endpoint.fresh(ana.endpoint.now))  # bo and cy are still on the relay
    for now in range(T1, T1 + 3 * REOPEN_AFTER_MS, 500):
        relay.tick(now)
    assert not reopened(back)
    assert bo.endpoint.is_sequencer and not back.endpoint.is_sequencer
    assert sorted(s.nick for s in back.endpoint.seats) == ["ana", "bo", "cy"]
    assert len({s.endpoint.room_code for s in (back, bo, cy)}) == 1


def test_a_successor_that_took_over_reopens_through_the_lineage() -> None:
    relay, (ana, bo, cy) = open_room(3, grace_ms=1_000)
    relay.tick(T0)
    relay.disconnect(ana.peer)
    relay.tick(T0 + 2_000)
    assert bo.endpoint.is_sequencer and bo.endpoint.chain.lineage
    restarted = HostileRelay(now=relay.now)
    bo2 = restarted.connect(bo.endpoint.fresh(bo.endpoint.now))
    restarted.tick(T0 + 2_100)
    assert reopened(bo2) and not bo2.endpoint.is_host
    cy2 = restarted.connect(cy.endpoint.fresh(cy.endpoint.now))
    assert cy2.endpoint.my_slot is not None
    # The host, whose seat went when its connection dropped, comes back without asking:
    # back long after its drop, it waits, and the room it finds is bo's.
    ana2 = restarted.connect(ana.endpoint.fresh(ana.endpoint.now))
    restarted.tick(T0 + 2_600)
    assert not reopened(ana2)
    assert ana2.endpoint.my_slot is not None and not of(bo2, ev.Knocked)
    # A newcomer follows the invite's key through the handover to bo's reopened room.
    di = knock_and_enter(restarted, bo2, "di")
    assert sorted(s.nick for s in di.endpoint.seats) == ["ana", "bo", "cy", "di"]


def test_a_commit_still_in_flight_is_built_on_never_signed_again() -> None:
    relay, (ana, bo) = open_room(2)
    cy = Endpoint.joining(ana.endpoint.invite, "cy")
    seat = relay.connect(cy)
    cy.send(cmd.Agree(), relay.now)
    relay.pump()
    relay.hold = True  # the relay dies with ana's Commit for the next epoch
    ana.send(cmd.Admit(seat.peer))
    relay.pump()
    assert ana.endpoint.sequencer.in_flight is not None
    epoch = ana.endpoint.epoch
    relay.tick(T0)
    restarted = HostileRelay(now=relay.now)
    ana2 = restarted.connect(ana.endpoint.fresh(ana.endpoint.now))
    restarted.tick(T1)
    assert ana2.endpoint.epoch == epoch + 2  # one Commit per epoch, ever
    bo2 = restarted.connect(bo.endpoint.fresh(bo.endpoint.now))
    assert [s.nick for s in ana2.endpoint.seats] == ["ana", "bo"]
    # cy never saw the Commit that let them in: they knock again, and are asked about.
    cy2 = knock_and_enter(restarted, ana2, "cy")
    assert of(ana2, ev.Knocked) and of(bo2, ev.Knocked)
    assert len({s.endpoint.room_code for s in (ana2, bo2, cy2)}) == 1


def test_a_member_left_on_the_old_room_comes_back_when_its_sequencer_reopened() -> None:
    relay, (ana, bo, cy) = open_room(3)
    relay.tick(T0)
    relay.disconnect(ana.peer)
    relay.disconnect(bo.peer)  # the successor too: nobody on the relay can sequence
    back = relay.connect(ana.endpoint.fresh(ana.endpoint.now))
    relay.tick(T1)
    relay.tick(T1 + REOPEN_AFTER_MS)
    assert reopened(back)
    assert cy.endpoint.left_behind
    assert (Note.LEFT_BEHIND, "ana") in notes(cy)
    relay.disconnect(cy.peer)
    cy2 = relay.connect(cy.endpoint.fresh(cy.endpoint.now))
    assert sorted(s.nick for s in cy2.endpoint.seats) == ["ana", "cy"]


def test_a_sequencer_back_late_lets_its_successor_open_the_room_first() -> None:
    """ana's connection died unnoticed long enough for bo to take over; then the relay went."""
    relay, (ana, bo, cy) = open_room(3, grace_ms=1_000)
    relay.tick(T0)
    relay.disconnect(ana.peer)
    relay.tick(T0 + 2_000)  # bo takes over; ana's client has not noticed anything yet
    assert bo.endpoint.is_sequencer and ana.endpoint.is_sequencer  # each thinks so
    restarted = HostileRelay(now=relay.now)
    ana2 = restarted.connect(
        ana.endpoint.fresh(ana.endpoint.now)
    )  # first on the new relay, which is empty
    restarted.tick(T0 + 2_100)
    assert not reopened(ana2)  # back after the grace period: it may have been succeeded
    bo2 = restarted.connect(bo.endpoint.fresh(bo.endpoint.now))
    restarted.tick(T0 + 2_200)
    assert reopened(bo2)
    cy2 = restarted.connect(cy.endpoint.fresh(cy.endpoint.now))
    restarted.tick(T0 + 2_100 + 3 * REOPEN_AFTER_MS)
    assert not reopened(ana2) and not ana2.endpoint.is_sequencer  # one room, bo's
    assert len({s.endpoint.room_code for s in (ana2, bo2, cy2)}) == 1
    assert sorted(s.nick for s in ana2.endpoint.seats) == ["ana", "bo", "cy"]


def test_the_drop_is_timed_by_the_clock_when_the_connection_went() -> None:
    """A sequencer back within the grace period of its own drop reopens at once."""
    relay, (ana, bo) = open_room(2)  # never ticked: the drop happens at the clock's start
    restarted = HostileRelay(now=relay.now + 800)
    ana2 = restarted.connect(ana.endpoint.fresh(relay.now))
    bo2 = restarted.connect(bo.endpoint.fresh(relay.now))
    restarted.tick(restarted.now)
    assert reopened(ana2) and bo2.endpoint.my_slot is not None


def test_the_reopening_decision_waits_for_our_own_join() -> None:
    """Whether the relay lost the room shows in the number it gives our own join, which
    comes just after the welcome: a client ticking as soon as asked still sees it."""
    relay, (ana, bo, cy) = open_room(3)  # ana 1, bo 2, cy 3
    relay.tick(T0)
    restarted = HostileRelay(now=relay.now + 800)
    restarted.connect(bo.endpoint.fresh(bo.endpoint.now))  # 1
    restarted.connect(cy.endpoint.fresh(cy.endpoint.now))  # 2: the number bo had
    back = ana.endpoint.fresh(ana.endpoint.now)
    peer, now = restarted.next_peer, restarted.now
    back.receive_frame(wire.encode_welcome(peer, list(restarted.seats)), now)
    due = back.next_deadline()
    assert due is not None and due > now  # nothing to decide before our join
    back.tick(now + 1)
    back.receive_frame(wire.encode_join(restarted.seq + 1, 0, peer), now + 5)  # seq 3: lost
    due = back.next_deadline()
    assert due == now + 5
    back.tick(due)
    assert ev.Notice(Note.REOPENED) in back.events_received()


def test_a_sequencer_back_late_opens_at_once_on_its_successors_word() -> None:
    """The relay was down for longer than the grace period, so everyone is back late: the
    successor, waiting for a lobby too, vouches under its old key for the Commit it holds,
    which shows that it never took over. Nobody waits half a minute on anybody."""
    relay, (ana, bo, cy) = open_room(3, grace_ms=1_000)
    relay.tick(T0)
    late = T0 + 5_000
    restarted = HostileRelay(now=late)
    bo2 = restarted.connect(bo.endpoint.fresh(T0))
    cy2 = restarted.connect(cy.endpoint.fresh(T0))
    ana2 = restarted.connect(ana.endpoint.fresh(T0))
    restarted.tick(late + 1)
    restarted.tick(late + WAITING_VOUCH_EVERY_MS)  # bo's word for the last to arrive
    assert ana2.endpoint.next_deadline() == late + 1  # due already: the next tick opens it
    restarted.tick(late + WAITING_VOUCH_EVERY_MS + 1)
    assert reopened(ana2) and ana2.endpoint.is_sequencer
    for seat in (ana2, bo2, cy2):
        assert sorted(s.nick for s in seat.endpoint.seats) == ["ana", "bo", "cy"]
    assert len({s.endpoint.room_code for s in (ana2, bo2, cy2)}) == 1
    assert not [n for s in (bo2, cy2) for n in notes(s) if n[0] is Note.WAITING_FOR]


def test_only_the_successors_word_for_our_commit_hastens_a_late_sequencer() -> None:
    """cy could not have taken the room over, so cy's word proves nothing: with bo not
    back, ana waits as long as before, in case bo took over and opens its own room."""
    relay, (ana, _bo, cy) = open_room(3, grace_ms=1_000)
    relay.tick(T0)
    late = T0 + 5_000
    restarted = HostileRelay(now=late)
    restarted.connect(cy.endpoint.fresh(T0))
    ana2 = restarted.connect(ana.endpoint.fresh(T0))
    for now in range(late, late + 2 * REOPEN_AFTER_MS - 1_000, 500):
        restarted.tick(now)
    assert not reopened(ana2)
    restarted.tick(late + 2 * REOPEN_AFTER_MS + 500)
    assert reopened(ana2)


def test_a_forged_or_stale_word_from_the_successor_does_not_hasten_the_reopening() -> None:
    relay, (ana, bo, _cy) = open_room(3, grace_ms=1_000)
    old_bo = bo.endpoint.identity
    stale = bo.endpoint.roster.commit_hash  # type: ignore[union-attr]
    di = knock_and_enter(relay, ana, "di", grace_ms=1_000)  # the room moves on: that Commit is old
    relay.tick(T0)
    late = T0 + 5_000
    restarted = HostileRelay(now=late)
    di2 = restarted.connect(di.endpoint.fresh(T0))
    ana2 = restarted.connect(ana.endpoint.fresh(T0))
    current = ana.endpoint.roster.commit_hash  # type: ignore[union-attr]
    stranger = SigningKey.generate()
    for signer, commit in ((stranger, current), (old_bo, stale)):
        body = Vouch(bytes(old_bo.verify_key), commit).encode()
        restarted.publish(di2.peer, roomwide(ana2.endpoint, Kind.VOUCH, body, signer))
    for now in range(late, late + 2 * REOPEN_AFTER_MS - 1_000, 500):
        restarted.tick(now)
    assert not reopened(ana2)
