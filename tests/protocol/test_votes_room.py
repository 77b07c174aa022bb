"""Removal by vote, through real endpoints and crypto behind the hostile relay harness.

The honest path (raised, seconded, answered, voted, committed) and, from the
attacker's side: a sequencer's removal without a valid quorum, with votes from
another motion, with forged votes, or before the vote closed; a member voting
twice; a relay withholding a ballot from one member; a motion listing only some
of those present; and the windows running out on everyone's screen at once.
"""

from __future__ import annotations

from dataclasses import replace

from nacl.signing import SigningKey

from protocol import commands as cmd
from protocol import events as ev
from protocol import wire
from protocol.bodies.commit import ChangeKind
from protocol.bodies.vote import (
    BallotBody,
    Motion,
    MotionBody,
    Removal,
    ballot_statement,
    motion_id,
    motion_statement,
    reason_digest,
    second_statement,
)
from protocol.crypto import random_bytes, sign
from protocol.events import Alarm, MotionStage
from protocol.frames import GroupFrame, Kind, parse
from protocol.membership.roster import rekeyed
from protocol.room.floor import Act, FloorAct
from protocol.room.votes import Phase
from tests.protocol.harness import HostileRelay, Seat
from tests.protocol.rooms import (
    alarms,
    departure,
    later,
    of,
    open_room,
    publish_as,
    raised,
    readable_by_a_kept_chain,
    said,
)
from tests.protocol.rooms import slot_of as slot
from tui.floor_sentences import floor_line

REASON = "keeps shouting at people"


def stages(seat: Seat) -> list[MotionStage]:
    return [e.stage for e in of(seat, ev.MotionEvent)]  # type: ignore[attr-defined]


def to_the_vote(relay: HostileRelay, mover: Seat, named: Seat, second: Seat) -> bytes:
    """``mover`` moves to remove ``named``, ``second`` seconds, ``named`` is done answering."""
    mover.send(cmd.Motion(slot(named), REASON))
    relay.pump()
    second.send(cmd.Second())
    relay.pump()
    named.send(cmd.Floor(FloorAct(Act.DONE)))
    relay.pump()
    motions = mover.endpoint.state.votes.motions
    assert [m.phase(relay.clock) for m in motions] == [Phase.VOTING]
    return motions[0].key


def vote(relay: HostileRelay, seats: list[Seat], yes: bool) -> None:
    for seat in seats:
        seat.send(cmd.Vote(yes))
        relay.pump()


def test_a_motion_passed_by_a_majority_removes_the_person_and_their_keys_read_nothing() -> None:
    relay, seats = open_room(5)
    ana, bo, cy, di, ed = seats
    bo_slot = slot(bo)
    held = cy.endpoint.receiver.chains[bo_slot]
    kept = (held._chain_key, (bo_slot, held.epoch, held.gen), held.next_index)
    to_the_vote(relay, bo, cy, di)
    assert lines(seats) == {lines([ana]).pop()} and "held by the room" in lines([ana]).pop()
    vote(relay, [ana, bo, di], True)  # 3 of 4: a strict majority; ed does not vote
    assert cy.endpoint.roster is not None and len(cy.endpoint.roster.members) == 5
    later(relay, 61_000)  # the window closes; the sequencer commits
    for seat in (ana, bo, di, ed):
        assert seat.endpoint.roster is not None and len(seat.endpoint.roster.members) == 4
        assert ev.Departed("cy", ChangeKind.REMOVED) in seat.events
        assert stages(seat)[-1] is MotionStage.PASSED
    assert ev.Closed(ev.Ending.VOTED_OUT, REASON) in cy.events
    passed = [e for e in of(cy, ev.MotionEvent) if e.stage is MotionStage.PASSED]  # type: ignore[attr-defined]
    assert [(e.yes, e.of, e.named_is_me) for e in passed] == [(3, 4, True)]  # type: ignore[attr-defined]
    bo.say("after the vote")
    relay.pump()
    assert ("bo", "after the vote") in said(ana)
    assert ("bo", "after the vote") not in said(cy)
    assert readable_by_a_kept_chain(relay, cy, kept) == []  # the old chain reads nothing new
    assert not any(alarms(s) for s in (ana, bo, di, ed))


def lines(seats: list[Seat]) -> set[str]:
    return {floor_line(s.endpoint.floor, s.endpoint.seat_label) for s in seats}


def test_a_motion_short_of_a_majority_or_unseconded_removes_no_one_and_the_floor_goes_on() -> None:
    relay, seats = open_room(5)
    ana, bo, cy, di, ed = seats
    to_the_vote(relay, bo, cy, di)
    vote(relay, [ana, bo], True)
    vote(relay, [di, ed], False)  # 2 of 4 is no majority; everyone voted: it closes now
    for seat in seats:
        assert stages(seat)[-1] is MotionStage.FAILED
        assert "held" not in floor_line(seat.endpoint.floor, seat.endpoint.seat_label)
    later(relay, 61_000)
    assert all(len(s.endpoint.roster.members) == 5 for s in seats if s.endpoint.roster)
    # An unseconded motion lapses on every screen at the same moment.
    di.send(cmd.Motion(slot(ed), "another reason"))
    relay.pump()
    later(relay, 61_000)
    assert all(stages(s)[-1] is MotionStage.LAPSED for s in seats)
    ana.send(cmd.Vote(True))
    assert (ev.Note.NO_VOTE_OPEN, "") in [(n.note, n.who) for n in of(ana, ev.Notice)]  # type: ignore[attr-defined]


def test_the_answer_ends_by_itself_and_the_vote_opens_for_everyone_at_once() -> None:
    relay, seats = open_room(4)
    ana, bo, cy, _di = seats
    bo.send(cmd.Motion(slot(cy), REASON))
    relay.pump()
    ana.send(cmd.Second())
    relay.pump()
    assert all(stages(s)[-1] is MotionStage.SECONDED for s in seats)
    later(relay, 119_000)
    assert all(stages(s)[-1] is MotionStage.SECONDED for s in seats)
    later(relay, 2_000)  # the answer's 120 s ran out: nobody had to say done
    assert all(stages(s)[-1] is MotionStage.VOTING for s in seats)


def test_a_member_voting_twice_counts_once_and_is_named() -> None:
    relay, seats = open_room(5)
    ana, bo, cy, di, _ed = seats
    key = to_the_vote(relay, bo, cy, di)
    bo.send(cmd.Vote(True))
    relay.pump()
    again = sign(bo.endpoint.me.identity, ballot_statement(bo.endpoint.room, key, True))
    bo.endpoint._speak(BallotBody(key, True, again))  # a modified client, past its own checks
    relay.pump()
    m = ana.endpoint.state.votes.get(key)
    assert m is not None and (m.yes, len(m.ballots)) == (1, 1)
    assert raised(ana, Alarm.VOTE_OUT_OF_RULES, "bo"), alarms(ana)


def test_a_sequencers_removal_without_a_quorum_is_refused_by_every_member_and_named() -> None:
    """ana sequences; her modified client commits cy's removal: with only her own vote,
    a vote from another motion, a vote she signed as bo, one voter twice, and a motion
    nobody saw whose three voters are keys she made up."""
    relay, seats = open_room(5)
    ana, bo, cy, di, ed = seats
    room = ana.endpoint.room
    key = to_the_vote(relay, bo, cy, di)  # a real motion: bo moved, di seconded
    m = ana.endpoint.state.votes.get(key)
    assert m is not None
    place = {identity: at for at, identity in enumerate(m.voter_ids)}

    def signed(seat: Seat, what: bytes) -> bytes:
        return sign(seat.endpoint.me.identity, what)

    def yes(seat: Seat, motion_key: bytes = key) -> tuple[int, bytes]:
        return place[seat.endpoint.me.key], signed(seat, ballot_statement(room, motion_key, True))

    base = Removal(m.raw, place[m.mover_id], m.sig, place[m.seconder_id], m.second_sig, ())
    other = motion_id(room, replace(Motion.decode(m.raw), nonce=random_bytes(16)).encode())
    as_bo = (place[bo.endpoint.me.key], signed(ana, ballot_statement(room, key, True)))
    made_up = [SigningKey.generate() for _ in range(3)]
    fake = Motion(
        ana.endpoint.epoch,
        m.named_id,
        reason_digest(REASON),
        tuple(bytes(k.verify_key) for k in made_up),
        nonce=random_bytes(16),
    ).encode()
    fake_key = motion_id(room, fake)
    invented = Removal(
        fake,
        0,
        sign(made_up[0], motion_statement(room, fake)),
        1,
        sign(made_up[1], second_statement(room, fake_key)),
        tuple((n, sign(k, ballot_statement(room, fake_key, True))) for n, k in enumerate(made_up)),
    )
    attempts = {
        "her own vote only": replace(base, yes=(yes(ana),)),
        "a vote from another motion": replace(base, yes=(yes(ana), yes(bo, other), yes(di))),
        "a forged vote": replace(base, yes=(yes(ana), as_bo, yes(di))),
        "one voter twice": replace(base, yes=(yes(ana), yes(di), yes(di))),
        "voters she made up, on a motion nobody saw": invented,
    }
    for why, removal in attempts.items():
        body = departure(ana, slot(cy), ChangeKind.REMOVED, slot(ana), removal.encode())
        body = rekeyed(ana.endpoint.roster, body, ana.endpoint._exchanges())  # type: ignore[arg-type]
        frame = ana.endpoint._roomwide(Kind.COMMIT, body.encode())
        publish_as(relay, ana, frame)
        for seat in seats:
            assert seat.endpoint.roster is not None, why
            assert len(seat.endpoint.roster.members) == 5, why
        for seat in (bo, cy, di, ed):
            assert raised(seat, Alarm.REMOVAL_WITHOUT_VOTES, "ana", "cy"), (why, alarms(seat))
            seat.endpoint.told.clear()  # told once per epoch: let the next attempt be told too
    # The control: the room really votes, and the sequencer's own Commit holds.
    vote(relay, [ana, bo, di], True)
    later(relay, 61_000)
    assert bo.endpoint.roster is not None and len(bo.endpoint.roster.members) == 4


def test_a_removal_committed_before_the_vote_closed_is_refused_by_those_who_saw_the_vote() -> None:
    relay, seats = open_room(5)
    ana, bo, cy, di, ed = seats
    key = to_the_vote(relay, bo, cy, di)
    vote(relay, [ana, bo, di], True)  # a majority already, but ed may still vote
    m = ana.endpoint.state.votes.get(key)
    assert m is not None and m.phase(relay.clock) is Phase.VOTING
    from protocol.membership.motions import removal_evidence

    body = departure(ana, slot(cy), ChangeKind.REMOVED, slot(ana), removal_evidence(m))
    body = rekeyed(ana.endpoint.roster, body, ana.endpoint._exchanges())  # type: ignore[arg-type]
    publish_as(relay, ana, ana.endpoint._roomwide(Kind.COMMIT, body.encode()))
    for seat in (bo, cy, di, ed):
        assert seat.endpoint.roster is not None and len(seat.endpoint.roster.members) == 5
        assert raised(seat, Alarm.REMOVAL_WITHOUT_VOTES, "ana", "cy"), alarms(seat)


def test_a_relay_withholding_a_ballot_from_one_member_is_caught_by_acks() -> None:
    relay, seats = open_room(5)
    ana, bo, cy, di, ed = seats
    to_the_vote(relay, bo, cy, di)

    def withhold_bos_ballot(peer: int, msg: wire.Msg) -> list[bytes]:
        frame = parse(msg.d, ana.endpoint.room)
        if peer == ed.peer and msg.sender == bo.peer and isinstance(frame, GroupFrame):
            return []
        return [wire.encode(msg)]

    relay.tamper = withhold_bos_ballot
    bo.send(cmd.Vote(True))
    relay.pump()
    relay.tamper = None
    later(relay, 10_000)  # acks go round
    assert raised(ed, Alarm.WITHHELD, "ana", "bo") or raised(ed, Alarm.WITHHELD, "cy", "bo"), (
        alarms(ed)
    )


def test_a_motion_listing_only_some_of_those_present_as_voters_is_refused_everywhere() -> None:
    relay, seats = open_room(6)
    _ana, bo, cy, di, ed, _flo = seats
    room = bo.endpoint.room
    named = bo.endpoint.roster.seat(slot(cy))  # type: ignore[union-attr]
    clique = tuple(s.endpoint.me.key for s in (bo, di, ed))  # three friends, not everyone
    raw = Motion(
        bo.endpoint.epoch, named.identity, reason_digest(REASON), clique, nonce=random_bytes(16)
    ).encode()
    sig = sign(bo.endpoint.me.identity, motion_statement(room, raw))
    bo.endpoint._speak(MotionBody(raw, sig, REASON))
    relay.pump()
    for seat in seats:
        assert seat.endpoint.state.votes.motions == ()
        assert MotionStage.RAISED not in stages(seat)


def test_a_motion_naming_the_sequencer_is_committed_by_its_successor() -> None:
    relay, seats = open_room(5)
    ana, bo, cy, di, ed = seats
    to_the_vote(relay, cy, ana, di)
    vote(relay, [bo, cy, di, ed], True)  # everyone voted: it closes now
    later(relay, 2_000)
    for seat in (bo, cy, di, ed):
        roster = seat.endpoint.roster
        assert roster is not None and len(roster.members) == 4
        assert roster.commit.sequencer == slot(bo)  # the successor sequences now
    assert ev.Closed(ev.Ending.VOTED_OUT, REASON) in ana.events
    assert not any(alarms(s) for s in (bo, cy, di, ed))


def test_while_the_room_votes_the_door_waits_and_opens_after() -> None:
    relay, seats = open_room(4)
    ana, bo, cy, di = seats
    from protocol.endpoint import Endpoint

    to_the_vote(relay, bo, cy, di)
    joiner = Endpoint.joining(ana.endpoint.invite, "eve")
    eve = relay.connect(joiner)
    eve.send(cmd.Agree())
    relay.pump()
    ana.send(cmd.Admit(eve.peer))
    relay.pump()
    assert ana.endpoint.roster is not None and len(ana.endpoint.roster.members) == 4
    vote(relay, [ana, bo, di], False)  # it fails, and closes: the door opens
    later(relay, 1_000)
    assert len(ana.endpoint.roster.members) == 5
    assert eve.endpoint.my_slot is not None


def test_after_a_removal_in_a_full_room_a_newcomer_still_reads_the_lobby() -> None:
    """The removal Commit carries eleven signatures; a lobby holding it still fits."""
    relay, seats = open_room(12)
    ana, bo, cy, di = seats[:4]
    long_reason = "é" * 200
    bo.send(cmd.Motion(slot(cy), long_reason))
    relay.pump()
    di.send(cmd.Second())
    relay.pump()
    cy.send(cmd.Floor(FloorAct(Act.DONE)))
    relay.pump()
    vote(relay, [s for s in seats if s is not cy], True)
    later(relay, 2_000)
    assert ana.endpoint.roster is not None and len(ana.endpoint.roster.members) == 11
    assert ev.Closed(ev.Ending.VOTED_OUT, long_reason) in cy.events
    relay.disconnect(cy.peer)  # cy's client closes its connection, as it does when removed
    from tests.protocol.rooms import knock_and_enter

    eve = knock_and_enter(relay, ana, "eve")
    assert eve.endpoint.my_slot is not None
