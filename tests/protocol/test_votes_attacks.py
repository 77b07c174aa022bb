"""Removal by vote from the attacker's side, beyond the Commit's evidence.

A sequencer with made-up voters; a full room's removal Commit in a lobby; the
relay stamping a ballot differently for some members; a false leave shrinking
the voters; a sequencer sitting on a passed vote; a newcomer during a motion;
the person named dropping to escape; a pause called before the second.
"""

from __future__ import annotations

from nacl.signing import SigningKey

from protocol import commands as cmd
from protocol.bodies.commit import ChangeKind
from protocol.bodies.vote import (
    Motion,
    Removal,
    ballot_statement,
    motion_id,
    motion_statement,
    reason_digest,
    second_statement,
)
from protocol.crypto import random_bytes
from protocol.events import Alarm
from protocol.frames import Kind
from protocol.membership.roster import rekeyed
from tests.protocol.rooms import alarms, departure, later, open_room, publish_as, raised
from tests.protocol.rooms import slot_of as _slot

REASON = "keeps shouting at people"


def _forged_removal(room: bytes, epoch: int, named: bytes, keys: list[SigningKey]) -> bytes:
    ids = tuple(bytes(k.verify_key) for k in keys)
    raw = Motion(epoch, named, reason_digest(REASON), ids, nonce=random_bytes(16)).encode()
    key = motion_id(room, raw)
    s = lambda k, m: k.sign(m).signature  # noqa: E731
    return Removal(
        raw,
        0,
        s(keys[0], motion_statement(room, raw)),
        1,
        s(keys[1], second_statement(room, key)),
        tuple((i, s(k, ballot_statement(room, key, True))) for i, k in enumerate(keys)),
    ).encode()


def test_sequencer_alone_removes_anyone_with_three_invented_voters() -> None:
    """ana (sequencer) never sends a motion: she makes three fresh keys, names them the
    voters, signs motion, second and three yeses, and commits cy's removal."""
    relay, seats = open_room(5)
    ana, bo, cy, di, ed = seats
    room = ana.endpoint.room
    roster = ana.endpoint.roster
    assert roster is not None
    cy_slot = cy.endpoint.my_slot
    assert cy_slot is not None
    named = roster.seat(cy_slot)
    assert named is not None
    keys = [SigningKey.generate() for _ in range(3)]
    evidence = _forged_removal(room, roster.epoch, named.identity, keys)
    body = departure(ana, cy_slot, ChangeKind.REMOVED, ana.endpoint.my_slot, evidence)  # type: ignore[arg-type]
    body = rekeyed(roster, body, ana.endpoint._exchanges())
    publish_as(relay, ana, ana.endpoint._roomwide(Kind.COMMIT, body.encode()))
    for seat in (bo, di, ed):
        r = seat.endpoint.roster
        # What the docs promise: nobody applies it, and ana is named.
        assert r is not None and len(r.members) == 5, "cy was removed by the sequencer alone"
        assert raised(seat, Alarm.REMOVAL_WITHOUT_VOTES, "ana", "cy"), alarms(seat)


# --- the relay's ts, per recipient: a split the room-state log cannot see ----------

from protocol import wire  # noqa: E402
from protocol.room.floor import Act, FloorAct  # noqa: E402


def test_a_relay_stamping_the_deciding_ballot_late_for_some_is_caught_by_the_acks() -> None:
    """di's yes is the deciding one. The relay stamps the copies for ana and bo inside the
    window and those for cy, di and ed just after it. The relay's time is in the room-state
    log, so the logs differ, and the acks say so."""
    relay, seats = open_room(5)
    ana, bo, cy, di, ed = seats
    bo.send(cmd.Motion(_slot(cy), REASON))
    relay.pump()
    di.send(cmd.Second())
    relay.pump()
    cy.send(cmd.Floor(FloorAct(Act.DONE)))
    relay.pump()
    m = ana.endpoint.state.votes.motions[0]
    end = m.vote_end()
    assert end is not None
    for s in (ana, bo):
        s.send(cmd.Vote(True))
        relay.pump()
    later(relay, end - relay.clock - 500)  # half a second before the close
    late_for = {cy.peer, di.peer, ed.peer}

    def stamp(peer: int, msg: wire.Msg) -> list[bytes]:
        if msg.sender == di.peer and peer in late_for:
            return [wire.encode_msg(msg.seq, end + 10, msg.sender, msg.d)]
        return [wire.encode(msg)]

    relay.tamper = stamp
    di.send(cmd.Vote(True))
    relay.pump()
    relay.tamper = None
    logs = {(s.endpoint.state.log_count, s.endpoint.state.log_hash) for s in seats}
    assert len(logs) == 2  # the same rows, stamped differently: the logs tell
    later(relay, 5_000)  # acks go round
    assert any(raised(s, Alarm.STATE_DIFFERS) for s in seats), [alarms(s) for s in seats]


def test_after_a_removal_in_a_full_room_no_newcomer_can_read_the_lobby() -> None:
    """A removal Commit carries the motion and the votes; in a room of twelve it is padded
    to 4096 bytes, over the 3640 bytes a lobby allows per Commit frame."""
    from protocol.endpoint import Endpoint

    relay, seats = open_room(12)
    ana, bo, cy, di, *rest = seats
    reason = "keeps talking over everyone and will not stop when asked, " * 3
    bo.send(cmd.Motion(_slot(cy), reason[:200]))
    relay.pump()
    di.send(cmd.Second())
    relay.pump()
    cy.send(cmd.Floor(FloorAct(Act.DONE)))
    relay.pump()
    for s in [ana, bo, di, *rest]:
        s.send(cmd.Vote(True))
        relay.pump()
    later(relay, 2_000)
    assert len(ana.endpoint.roster.members) == 11  # type: ignore[union-attr]
    frame = ana.endpoint.chain.last_frame
    assert frame is not None
    eve = relay.connect(Endpoint.joining(ana.endpoint.invite, "eve"))
    later(relay, 1_000)
    assert eve.endpoint.entry.lobby is not None, "the lobby no newcomer can decode"


def test_a_relay_leave_proved_false_still_keeps_the_member_out_of_every_later_vote() -> None:
    """The relay claims di and flo dropped; both go on speaking (the claim is called off
    and named). Yet the floor keeps them 'away' for good, so a later motion by bo about ed
    has three voters: bo and cy, two of six others present, remove ed."""
    relay, seats = open_room(6)
    ana, bo, cy, di, ed, flo = seats
    for gone in (di, flo):
        relay.seq += 1
        relay.clock += 7
        leave = wire.encode_leave(relay.seq, relay.clock, gone.peer)
        for s in seats:
            relay.deliver(s, leave)
    relay.pump()
    di.say("I'm still here")
    flo.say("me too")
    relay.pump()
    later(relay, 30_000)  # past the grace period: nobody is committed away
    assert len(ana.endpoint.roster.members) == 6  # type: ignore[union-attr]
    bo.send(cmd.Motion(_slot(ed), REASON))
    relay.pump()
    cy.send(cmd.Second())
    relay.pump()
    ed.send(cmd.Floor(FloorAct(Act.DONE)))
    relay.pump()

    for s in (bo, cy):
        s.send(cmd.Vote(True))
        relay.pump()
    later(relay, 62_000)
    assert len(ana.endpoint.roster.members) == 6, "two of five others present removed ed"  # type: ignore[union-attr]


def test_a_newcomer_waits_at_the_door_while_a_motion_is_open_even_before_its_second() -> None:
    from protocol.endpoint import Endpoint

    relay, seats = open_room(4)
    ana, bo, cy, di = seats
    bo.send(cmd.Motion(_slot(cy), REASON))
    relay.pump()
    eve = relay.connect(Endpoint.joining(ana.endpoint.invite, "eve"))
    eve.send(cmd.Agree())
    relay.pump()
    ana.send(cmd.Admit(eve.peer))
    relay.pump()
    assert eve.endpoint.my_slot is None  # the voters are fixed from the motion on
    di.send(cmd.Second())
    relay.pump()
    cy.send(cmd.Floor(FloorAct(Act.DONE)))
    relay.pump()
    for s in (ana, bo, di):
        s.send(cmd.Vote(False))
        relay.pump()
    later(relay, 1_000)  # it failed and closed: the door opens
    assert eve.endpoint.my_slot is not None
    holds = {s.endpoint.state.holds_floor(relay.clock) for s in [*seats, eve]}
    assert holds == {False}


def test_a_sequencer_that_sits_on_a_passed_removal_is_named_to_the_room() -> None:
    """ana sequences and is cy's friend: her client never commits the removal the room
    passed. Nobody else may commit it, but everyone is told it is overdue, and by whom."""
    from protocol.membership import motions as mo

    relay, seats = open_room(5)
    ana, bo, cy, di, ed = seats
    bo.send(cmd.Motion(_slot(cy), REASON))
    relay.pump()
    di.send(cmd.Second())
    relay.pump()
    cy.send(cmd.Floor(FloorAct(Act.DONE)))
    relay.pump()
    for s in (bo, di, ed, ana):
        s.send(cmd.Vote(True))
        relay.pump()
    real = mo.removals_due
    import protocol.endpoint as endpoint_mod

    def sits_on_it(votes, roster, my_slot, relay_now):  # type: ignore[no-untyped-def]
        return [] if my_slot == _slot(ana) else real(votes, roster, my_slot, relay_now)

    endpoint_mod.removals_due = sits_on_it  # ana's modified client (and only hers acts)
    try:
        later(relay, 10_000)
        assert not raised(bo, Alarm.REMOVAL_WITHHELD, "ana", "cy")  # not overdue yet
        later(relay, 10_000)
    finally:
        endpoint_mod.removals_due = real
    for s in (bo, di, ed):
        assert raised(s, Alarm.REMOVAL_WITHHELD, "ana", "cy"), alarms(s)


def test_sound_one_wild_relay_ts_on_a_second_is_refused_and_shuts_nothing() -> None:
    from protocol.endpoint import Endpoint

    relay, seats = open_room(4)
    ana, bo, cy, di = seats
    bo.send(cmd.Motion(_slot(cy), REASON))
    relay.pump()

    def wild(peer: int, msg: wire.Msg) -> list[bytes]:
        if msg.sender == di.peer:
            return [wire.encode_msg(msg.seq, msg.ts + 10**12, msg.sender, msg.d)]
        return [wire.encode(msg)]

    relay.tamper = wild
    di.send(cmd.Second())
    relay.pump()
    relay.tamper = None
    later(relay, 3_600_000)  # an hour of honest stamps
    eve = relay.connect(Endpoint.joining(ana.endpoint.invite, "eve"))
    eve.send(cmd.Agree())
    relay.pump()
    ana.send(cmd.Admit(eve.peer))
    relay.pump()
    assert eve.endpoint.my_slot is not None


def test_the_person_named_cannot_escape_a_vote_by_dropping_and_coming_back_on_a_ticket() -> None:
    from protocol import events as ev

    relay, seats = open_room(5, grace_ms=1_000)
    ana, bo, cy, di, _ed = seats
    bo.send(cmd.Motion(_slot(cy), REASON))
    relay.pump()
    di.send(cmd.Second())
    relay.pump()
    cy.send(cmd.Floor(FloorAct(Act.DONE)))
    relay.pump()
    for s in (ana, bo):
        s.send(cmd.Vote(True))
        relay.pump()
    relay.disconnect(cy.peer)  # cy sees where it is going, and drops
    later(relay, 2_000)
    assert len(ana.endpoint.state.votes.motions) == 1  # the vote goes on without the seat
    back = relay.connect(cy.endpoint.fresh(relay.now))
    back.send(cmd.Agree())
    relay.pump()
    later(relay, 1_000)
    assert back.endpoint.my_slot is None  # the door waits while the vote is open
    di.send(cmd.Vote(True))
    relay.pump()
    later(relay, 120_000)
    assert back.endpoint.my_slot is None  # voted out: the ticket brings no one back
    assert any(isinstance(e, ev.Knocked) and e.nick == "cy" for e in ana.events)


def test_sound_a_majority_resume_does_not_end_the_rooms_hold() -> None:
    from protocol.bodies.floor import FloorBody
    from protocol.room import floor as fl

    relay, seats = open_room(5)
    ana, bo, cy, di, _ed = seats
    ana.send(cmd.Floor(FloorAct(Act.ROUND)))
    relay.pump()
    bo.send(cmd.Motion(_slot(cy), REASON))
    relay.pump()
    di.send(cmd.Second())
    relay.pump()
    for s in (ana, bo, di):
        s.endpoint._speak(FloorBody(FloorAct(Act.RESUME)))
        relay.pump()
    assert all(fl.held(s.endpoint.state.floor) for s in seats)


def test_a_pause_called_before_the_second_lets_its_caller_run_the_floor_mid_vote() -> None:

    relay, seats = open_room(5)
    ana, bo, cy, di, ed = seats
    ana.send(cmd.Floor(FloorAct(Act.ROUND)))
    relay.pump()
    ed.send(cmd.Floor(FloorAct(Act.PAUSE)))
    relay.pump()
    bo.send(cmd.Motion(_slot(cy), REASON))
    relay.pump()
    di.send(cmd.Second())
    relay.pump()
    ed.send(cmd.Floor(FloorAct(Act.RESUME)))  # ed's own pause: ed alone resumes it
    relay.pump()

    assert ana.endpoint.state.floor.paused is not None, "the floor runs while the room votes"


def test_sound_the_sequencer_dropping_mid_vote_does_not_stop_a_passed_removal() -> None:
    from tests.protocol.rooms import said

    relay, seats = open_room(6, grace_ms=1_000)
    ana, bo, cy, di, ed, _flo = seats
    bo.send(cmd.Motion(_slot(cy), REASON))
    relay.pump()
    di.send(cmd.Second())
    relay.pump()
    cy.send(cmd.Floor(FloorAct(Act.DONE)))
    relay.pump()
    for s in (ana, bo, di):
        s.send(cmd.Vote(True))
        relay.pump()
    relay.disconnect(ana.peer)
    later(relay, 2_000)
    assert bo.endpoint.chain.is_sequencer
    later(relay, 61_000)
    assert [m.nick for m in bo.endpoint.roster.members] == ["bo", "di", "ed", "flo"]  # type: ignore[union-attr]
    bo.say("after")
    relay.pump()
    assert ("bo", "after") in said(ed) and ("bo", "after") not in said(cy)
