"""The floor in a room: real endpoints and crypto through the hostile relay harness.

Every member holds the same floor after every step (``floor_line`` in the same
words for all); and from the attacker's side: a modified client's done for
someone else, its out-of-turn message, its pause after pause, a relay that
shows members the raises in different orders, and an act from the epoch before.
"""

from __future__ import annotations

from dataclasses import replace

from protocol import commands as cmd
from protocol import events as ev
from protocol import wire
from protocol.bodies import FloorBody, FloorState, Say
from protocol.bodies.floor import floor_fields
from protocol.endpoint import Endpoint
from protocol.events import Alarm, Note
from protocol.room import floor as fl
from protocol.room.floor import Act, FloorAct, HandKind, Mode
from tests.protocol.harness import Seat
from tests.protocol.rooms import (
    alarms,
    careful_room,
    knock_and_enter,
    notes,
    of,
    open_room,
    raised,
    two_in_turn_swapped_for,
)
from tui.floor_sentences import floor_line


def act(seat: Seat, what: Act, arg: str | int | bool = "") -> None:
    seat.send(cmd.Floor(FloorAct(what, arg)))
    seat.relay.pump()


def lines(seats: list[Seat]) -> set[str]:
    """Each member's ``/floor`` line: one line if they all hold the same floor."""
    return {floor_line(s.endpoint.floor, s.endpoint.seat_label) for s in seats}


def forged(seat: Seat, what: Act, arg: str | int | bool = "") -> None:
    """A floor act sent by a modified client, past its own client's checks."""
    seat.endpoint._speak(FloorBody(FloorAct(what, arg)))
    seat.relay.pump()


def test_three_members_run_a_go_round_and_a_stack_and_see_the_same_floor() -> None:
    _relay, seats = open_room(3)
    ana, bo, cy = seats
    act(bo, Act.ROUND)
    assert lines(seats) == {
        "floor: go-round; speaking: bo; next: cy, ana; timer: off; progressive order: off."
    }
    assert [e.change for e in of(bo, ev.FloorChanged)][-1] == fl.Turn(1, 1)
    act(bo, Act.DONE)
    act(cy, Act.LATER)
    assert {s.endpoint.floor.speaker for s in seats} == {0}
    act(ana, Act.STACK)  # while ana speaks: it waits for her done
    assert len(lines(seats)) == 1 and "waiting: a stack (from ana)" in lines(seats).pop()
    act(ana, Act.DONE)  # the stack starts now, before cy's turn came back: a setting is final
    assert {s.endpoint.floor.mode for s in seats} == {Mode.STACK}
    assert {s.endpoint.floor.speaker for s in seats} == {None} and len(lines(seats)) == 1
    act(bo, Act.HAND, HandKind.HAND)
    act(ana, Act.HAND, HandKind.HAND)
    act(cy, Act.HAND, HandKind.REPLY)
    assert lines(seats) == {
        "floor: stack; speaking: bo; hands: cy (reply), ana; timer: off; progressive order: off."
    }
    act(bo, Act.DONE)
    assert {s.endpoint.floor.speaker for s in seats} == {2}


def test_an_honest_client_sends_no_message_out_of_turn_and_offers_an_aside() -> None:
    relay, (ana, bo, cy) = open_room(3)
    act(ana, Act.ROUND)
    sent = len(relay.log)
    bo.say("can I say something")
    assert (Note.NOT_YOUR_TURN, "ana") in notes(bo) and len(relay.log) == sent
    bo.send(cmd.Aside("quietly: the window is open"))
    relay.pump()
    [aside] = [e for e in of(cy, ev.Said) if e.text.startswith("quietly")]
    assert aside.aside and aside.nick == "bo"
    assert not alarms(cy)
    act(bo, Act.DONE)  # not bo's to give
    assert {s.endpoint.floor.speaker for s in (ana, bo, cy)} == {0}
    declined = of(bo, ev.FloorDeclined)
    assert declined and declined[-1].why is fl.Why.NOT_THE_SPEAKER


def test_a_modified_clients_done_for_someone_else_changes_nothing_and_is_named() -> None:
    _relay, seats = open_room(3)
    ana, bo, cy = seats
    act(ana, Act.ROUND)
    before = lines(seats)
    forged(bo, Act.DONE)
    assert lines(seats) == before
    assert raised(ana, Alarm.FLOOR_OUT_OF_RULES, "bo") and raised(
        cy, Alarm.FLOOR_OUT_OF_RULES, "bo"
    )


def test_a_modified_clients_message_out_of_turn_shows_as_an_aside_and_is_named() -> None:
    relay, (ana, bo, cy) = open_room(3)
    act(ana, Act.ROUND)
    bo.endpoint._speak(Say("I talk whenever I like"))
    relay.pump()
    [said] = [e for e in of(cy, ev.Said) if e.nick == "bo"]
    assert said.aside
    assert raised(cy, Alarm.OUT_OF_TURN, "bo") and raised(ana, Alarm.OUT_OF_TURN, "bo")


def test_pause_after_pause_is_refused_and_named() -> None:
    _relay, seats = open_room(3)
    ana, bo, _cy = seats
    for _ in range(fl.PAUSES_PER_HOUR):
        forged(bo, Act.PAUSE)
        forged(bo, Act.RESUME)
    assert not alarms(ana)
    forged(bo, Act.PAUSE)
    assert {s.endpoint.floor.paused for s in seats} == {None}
    assert raised(ana, Alarm.FLOOR_OUT_OF_RULES, "bo")
    act(bo, Act.PAUSE)  # an honest client does not even send it
    assert of(bo, ev.FloorDeclined)[-1].why is fl.Why.TOO_MANY_PAUSES


def test_raises_shown_in_different_orders_are_caught_by_acks() -> None:
    relay, (ana, bo, cy, di) = careful_room(4)
    act(ana, Act.STACK)
    act(ana, Act.HAND, HandKind.HAND)  # ana speaks
    relay.hold = True
    bo.send(cmd.Floor(FloorAct(Act.HAND, HandKind.HAND)))
    cy.send(cmd.Floor(FloorAct(Act.HAND, HandKind.HAND)))
    relay.pump()
    two_in_turn_swapped_for(relay, di)  # cy's raise first, for di alone
    assert [h.slot for h in cy.endpoint.floor.next_hands()] == [1, 2]
    assert [h.slot for h in di.endpoint.floor.next_hands()] == [2, 1]
    relay.tick(10_000)
    assert raised(di, Alarm.STATE_DIFFERS), alarms(di)
    assert raised(cy, Alarm.STATE_DIFFERS), alarms(cy)


def test_a_floor_act_from_the_epoch_before_is_applied_by_no_one_and_sent_again() -> None:
    """Sealed before a Commit that a newcomer came in with, bo's raise would be one the
    newcomer cannot open: nobody applies it, and bo's client sends it again."""
    relay, (ana, bo, cy) = open_room(3)
    act(ana, Act.STACK)
    act(ana, Act.HAND, HandKind.HAND)
    di_ep = Endpoint.joining(ana.endpoint.invite, "di")
    di = relay.connect(di_ep)
    di_ep.send(cmd.Agree(), relay.now)
    relay.pump()
    relay.hold = True
    bo.send(cmd.Floor(FloorAct(Act.HAND, HandKind.HAND)))  # sealed in epoch 3
    relay.pump()
    late, relay.held = relay.held, []
    relay.hold = False
    ana.send(cmd.Admit(di.peer))
    commit_seq = relay.seq + 1
    for frame in ana.endpoint.data_to_send():
        relay.publish(ana.peer, wire.decode_client(frame).d)
    for sender, payload in late:
        relay.publish(sender, payload)
    relay.pump()
    assert di_ep.roster is not None
    everyone = [ana, bo, cy, di]
    hands = {s.endpoint.floor.hands for s in everyone}
    assert len(hands) == 1, hands  # the same hand, raised at the same number, for all
    [(hand,)] = hands
    assert hand.slot == 1 and hand.seq > commit_seq  # sent again, in the new epoch


def test_the_soft_timer_cues_at_80_and_100_percent_from_the_relays_clock() -> None:
    relay, (ana, bo, cy) = open_room(3)
    act(ana, Act.TIMER, 10)
    act(bo, Act.ROUND)
    assert all(not of(s, ev.TimerCue) for s in (ana, bo, cy))
    deadline = bo.endpoint.next_deadline()
    assert deadline is not None
    relay.tick(relay.now + 8_000)
    assert [(c.percent, c.mine) for c in of(bo, ev.TimerCue)] == [(80, True)]
    assert [(c.percent, c.nick) for c in of(cy, ev.TimerCue)] == [(80, "bo")]
    relay.tick(relay.now + 2_000)
    assert [c.percent for c in of(bo, ev.TimerCue)] == [80, 100]
    relay.tick(relay.now + 60_000)
    assert [c.percent for c in of(bo, ev.TimerCue)] == [80, 100]  # never a cut-off, nor a nag
    assert {s.endpoint.floor.speaker for s in (ana, bo, cy)} == {1}


def test_a_newcomer_holds_the_same_floor_as_everyone() -> None:
    relay, (ana, bo, cy) = open_room(3)
    act(bo, Act.ROUND)
    di = knock_and_enter(relay, ana, "di")
    seats = [ana, bo, cy, di]
    assert len(lines(seats)) == 1, lines(seats)
    act(bo, Act.DONE)
    assert len(lines(seats)) == 1, lines(seats)


def test_a_sequencer_that_shows_a_newcomer_another_floor_is_caught_by_acks(monkeypatch) -> None:
    """Defence: everyone logs the hash of the floor the newcomer was shown beside their own."""
    relay, (ana, bo, cy) = open_room(3)
    act(bo, Act.ROUND)
    assert cy.endpoint.floor.speaker == 1

    def another_floor(self: FloorState) -> list[object]:
        return [self.at, floor_fields(replace(self.floor, speaker=0, queue=()))]  # "ana's turn"

    monkeypatch.setattr(FloorState, "encode", another_floor)
    di = knock_and_enter(relay, ana, "di")
    monkeypatch.undo()
    assert di.endpoint.floor.speaker == 0 and bo.endpoint.floor.speaker == 1
    bo.say("welcome, di")  # the room talks on; acks follow
    relay.pump()
    relay.tick(relay.now + 10_000)
    assert raised(di, Alarm.STATE_DIFFERS), alarms(di)
    assert raised(bo, Alarm.STATE_DIFFERS), alarms(bo)


def test_a_hand_survives_a_dropped_connection_and_is_skipped_while_away() -> None:
    relay, (ana, bo, cy) = open_room(3)
    act(ana, Act.STACK)
    act(ana, Act.HAND, HandKind.HAND)  # ana speaks
    act(cy, Act.HAND, HandKind.HAND)
    act(bo, Act.HAND, HandKind.HAND)
    raised_at = {h.slot: h.seq for h in ana.endpoint.floor.hands}
    relay.disconnect(cy.peer)  # cy's connection drops: away, her place kept
    assert 2 in ana.endpoint.floor.away
    act(ana, Act.DONE)
    assert ana.endpoint.floor.speaker == 1  # cy is skipped while away
    assert [h.slot for h in ana.endpoint.floor.hands] == [2]
    back = cy.endpoint.fresh(cy.endpoint.now)
    seat = relay.connect(back)  # back on a new connection, with her return ticket
    relay.pump()
    assert back.roster is not None and back.my_slot is not None
    everyone = [ana, bo, seat]
    hands = {s.endpoint.floor.hands for s in everyone}
    assert len(hands) == 1, hands  # the newcomer too, from the floor it was shown
    [(hand,)] = hands
    assert hand.slot == back.my_slot and hand.seq == raised_at[2]  # the same place in line
    act(bo, Act.DONE)
    assert {s.endpoint.floor.speaker for s in everyone} == {back.my_slot}
