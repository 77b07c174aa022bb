"""Harm and repair, through real endpoints and crypto behind the hostile relay harness.

An ouch holds the floor on every screen and opens a repair round: who flagged
speaks first, then the author of the message it points at, then anyone; it
closes when both choose to go on, or by itself. It never removes anyone, keeps
nothing once closed, and a modified client cannot take someone else's turn.
"""

from __future__ import annotations

from protocol import commands as cmd
from protocol import events as ev
from protocol.bodies.repair import RepairBody
from protocol.events import Alarm, RepairStage
from protocol.room.floor import Act, FloorAct
from protocol.room.repair import OUCHES_PER_HOUR, ROUND_S, TURN_S, Step
from tests.protocol.harness import Seat
from tests.protocol.rooms import alarms, later, of, open_room, raised, said
from tui.floor_sentences import floor_line


def repair_events(seat: Seat) -> list[ev.RepairEvent]:
    return [e for e in of(seat, ev.RepairEvent)]  # type: ignore[misc]


def floors(seats: list[Seat]) -> set[str]:
    return {floor_line(s.endpoint.floor, s.endpoint.seat_label) for s in seats}


def done(seat: Seat) -> None:
    seat.send(cmd.Floor(FloorAct(Act.DONE)))
    seat.relay.pump()


def test_an_ouch_runs_flagger_then_the_author_then_anyone_and_closes_when_both_go_on() -> None:
    relay, seats = open_room(3, agreements="We repair harm by listening first.\nBe kind.")
    ana, bo, cy = seats
    ana.send(cmd.Floor(FloorAct(Act.ROUND)))  # a go-round: ana speaks
    relay.pump()
    ana.say("I think we should stop meeting")
    relay.pump()
    cy.send(cmd.Ouch("that landed hard"))
    relay.pump()
    opened = [e for e in repair_events(bo) if e.stage is RepairStage.OPENED]
    assert [(e.flagger, e.concerned, e.text, e.speaker) for e in opened] == [
        ("cy", "ana", "that landed hard", "cy")
    ]
    assert "We repair harm by listening first." in opened[0].agreements
    held = floors(seats)
    assert len(held) == 1 and "held by the room" in held.pop()
    bo.say("but")  # not bo's turn in the round: not sent
    assert (ev.Note.NOT_YOUR_TURN, "cy") in [(n.note, n.who) for n in of(bo, ev.Notice)]  # type: ignore[attr-defined]
    cy.say("it felt like my time here did not matter")
    relay.pump()
    done(cy)
    assert repair_events(bo)[-1].speaker == "ana"
    done(ana)
    assert repair_events(bo)[-1].speaker == ""  # anyone now
    bo.say("thank you both")
    relay.pump()
    assert ("bo", "thank you both") in said(ana)
    cy.send(cmd.Repair(Step.CONTINUE))
    relay.pump()
    assert ana.endpoint.state.repair.round is not None  # ana has not chosen yet
    ana.send(cmd.Repair(Step.CONTINUE))
    relay.pump()
    for seat in seats:
        assert repair_events(seat)[-1].stage is RepairStage.CLOSED
        assert seat.endpoint.state.repair.round is None  # nothing of it is kept
        assert seat.endpoint.roster is not None and len(seat.endpoint.roster.members) == 3
    after = floors(seats)
    assert len(after) == 1 and "held" not in after.pop()
    assert "speaking: ana" in floor_line(ana.endpoint.floor, ana.endpoint.seat_label)


def test_turns_and_the_round_end_by_themselves_for_everyone_at_once() -> None:
    relay, seats = open_room(3)
    ana, bo, _cy = seats
    ana.say("something")
    relay.pump()
    bo.send(cmd.Ouch())
    relay.pump()
    later(relay, TURN_S * 1000 + 10)
    assert {repair_events(s)[-1].speaker for s in seats} == {"ana"}
    later(relay, TURN_S * 1000 + 10)
    assert {repair_events(s)[-1].speaker for s in seats} == {""}
    later(relay, ROUND_S * 1000)
    assert {repair_events(s)[-1].stage for s in seats} == {RepairStage.CLOSED}
    ana.say("the floor goes on")
    relay.pump()
    assert ana.endpoint.state.repair.round is None
    after = floors(seats)
    assert len(after) == 1 and "held" not in after.pop()


def test_a_modified_client_cannot_end_someone_elses_turn_nor_choose_for_them() -> None:
    relay, seats = open_room(3)
    ana, bo, cy = seats
    ana.say("something")
    relay.pump()
    cy.send(cmd.Ouch("ouch"))
    relay.pump()
    bo.endpoint._speak(RepairBody(Step.DONE))  # cy's turn, not bo's
    bo.endpoint._speak(RepairBody(Step.CONTINUE))  # bo is not affected
    relay.pump()
    assert repair_events(ana)[-1].speaker == "cy"
    assert ana.endpoint.state.repair.round is not None
    assert ana.endpoint.state.repair.round.choices == ()
    assert raised(ana, Alarm.FLOOR_OUT_OF_RULES, "bo"), alarms(ana)


def test_ouches_are_limited_and_one_round_is_open_at_a_time() -> None:
    relay, seats = open_room(3)
    ana, bo, cy = seats
    bo.send(cmd.Ouch("one"))
    relay.pump()
    cy.send(cmd.Ouch("two"))
    assert (ev.Note.REPAIR_OPEN, "") in [(n.note, n.who) for n in of(cy, ev.Notice)]  # type: ignore[attr-defined]
    for _ in range(OUCHES_PER_HOUR):
        bo.send(cmd.Repair(Step.CONTINUE))  # no one it concerns: bo alone closes it
        relay.pump()
        bo.send(cmd.Ouch("again"))
        relay.pump()
    notes = [(n.note, n.who) for n in of(bo, ev.Notice)]  # type: ignore[attr-defined]
    assert (ev.Note.TOO_MANY_OUCHES, "") in notes
    opened = [e for e in repair_events(ana) if e.stage is RepairStage.OPENED]
    assert len(opened) == OUCHES_PER_HOUR  # the fourth never went out


def test_stepping_out_leaves_gently_and_the_seat_goes_with_a_return_ticket() -> None:
    relay, seats = open_room(3, grace_ms=1_000)
    ana, bo, cy = seats
    bo.say("something sharp")
    relay.pump()
    cy.send(cmd.Ouch())
    relay.pump()
    cy.send(cmd.Repair(Step.STEP_OUT))
    relay.pump()
    assert cy.endpoint.stepped_out
    assert ev.Closed(ev.Ending.STEPPED_OUT) in cy.events
    assert not any(isinstance(e, ev.Closed) for e in ana.events)
    relay.disconnect(cy.peer)  # the client closes the connection, without a goodbye
    later(relay, 2_000)
    roster = ana.endpoint.roster
    assert roster is not None and len(roster.members) == 2
    assert ev.Departed("cy", ev.ChangeKind.DISCONNECTED) in ana.events  # type: ignore[attr-defined]
    assert [t.nick for t in ana.endpoint.chain.tickets] == ["cy"]
    back = relay.connect(cy.endpoint.fresh(relay.now))
    back.send(cmd.Agree())
    relay.pump()
    assert back.endpoint.my_slot is None  # the door waits while bo is still in the round
    bo.send(cmd.Repair(Step.CONTINUE))
    relay.pump()
    assert back.endpoint.my_slot is not None
    assert ev.Admitted("cy", "cy", returning=True) in ana.events
