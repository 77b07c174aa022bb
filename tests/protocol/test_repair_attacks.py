"""Repair rounds from a modified member's side: a round held open, and the door meanwhile."""

from __future__ import annotations

from protocol import commands as cmd
from protocol.room.repair import MORE_S, ROUND_S, Step
from tests.protocol.rooms import later, open_room


def test_one_flagger_pressing_more_holds_the_floor_and_the_door_for_hours() -> None:
    relay, seats = open_room(4)
    ana, _bo, cy, _di = seats
    ana.say("something")
    relay.pump()
    cy.send(cmd.Ouch("that hurt"))
    relay.pump()
    for _ in range(24):  # every 4 minutes for over an hour and a half: no limit anywhere
        later(relay, (MORE_S - 60) * 1000)
        cy.send(cmd.Repair(Step.MORE))
        relay.pump()
    held_ms = 24 * (MORE_S - 60) * 1000
    assert held_ms > 6 * ROUND_S * 1000
    holds = [s.endpoint.state.holds_floor(relay.clock) for s in seats]
    assert not all(holds), "one member held the floor (and the door) for 96 minutes"


def test_a_knock_admitted_while_a_round_holds_the_door_expires_as_if_nobody_answered() -> None:
    from protocol import events as ev
    from protocol.endpoint import Endpoint

    relay, seats = open_room(3)
    ana, bo, cy = seats
    ana.say("something")
    relay.pump()
    cy.send(cmd.Ouch("that hurt"))
    relay.pump()
    eve = relay.connect(Endpoint.joining(ana.endpoint.invite, "eve"))
    eve.send(cmd.Agree())
    relay.pump()
    bo.send(cmd.Admit(eve.peer))  # bo lets eve in at once
    relay.pump()
    for _ in range(3):
        later(relay, 4 * 60_000)
        cy.send(cmd.Repair(Step.MORE))
        relay.pump()
    closed = [e for e in eve.events if isinstance(e, ev.Closed)]
    assert eve.endpoint.my_slot is not None or not closed, (
        "eve was admitted, the door held, and she was told nobody answered"
    )


def test_sound_a_modified_client_past_its_own_check_gets_no_fourth_round_in_an_hour() -> None:
    from protocol.bodies.repair import OuchBody, RepairBody
    from protocol.events import Alarm
    from tests.protocol.rooms import alarms, raised

    relay, seats = open_room(3)
    ana, bo, _cy = seats
    from protocol.bodies.repair import NO_MESSAGE

    for _ in range(3):
        bo.endpoint._speak(OuchBody("again", NO_MESSAGE))
        relay.pump()
        bo.endpoint._speak(RepairBody(Step.CONTINUE))
        relay.pump()
    assert alarms(ana) == []
    bo.endpoint._speak(OuchBody("again", NO_MESSAGE))
    relay.pump()
    assert raised(ana, Alarm.FLOOR_OUT_OF_RULES, "bo")
    assert ana.endpoint.state.repair.round is None
