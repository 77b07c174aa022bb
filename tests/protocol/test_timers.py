"""An endpoint says when it next needs the clock (``next_deadline``), and means it.

The asyncio client sleeps until that time, so a deadline that comes too late
stalls the room, and one that never moves on spins a core. These tests drive
rooms by their deadlines alone and check both.
"""

from __future__ import annotations

from protocol import commands as cmd
from protocol import events as ev
from protocol import wire
from protocol.bodies.commit import ChangeKind
from protocol.endpoint import Endpoint
from protocol.frames import Kind, RoomFrame, parse
from protocol.keys.acks import ACK_EVERY_MS
from protocol.membership.reopen import REOPEN_AFTER_MS, WAITING_NOTICE_MS
from protocol.membership.sequencer import RESEND_AFTER_MS
from tests.protocol.harness import HostileRelay
from tests.protocol.rooms import knock_and_enter, notes, of, open_room, said

GRACE = 2_000


def next_due(relay: HostileRelay) -> int | None:
    due = [d for seat in relay.seats.values() if (d := seat.endpoint.next_deadline()) is not None]
    return min(due, default=None)


def run_by_deadlines(relay: HostileRelay, until: int, steps: int = 200) -> list[int]:
    """Tick the room at each deadline up to ``until``; the times ticked, in order."""
    ticked = []
    for _ in range(steps):
        due = next_due(relay)
        if due is None or due > until:
            return ticked
        now = max(due, relay.now)
        relay.tick(now)
        ticked.append(now)
        after = next_due(relay)
        assert after is None or after > now, f"the deadline {after} did not move past {now}"
    raise AssertionError(f"still due after {steps} ticks: {ticked[-5:]}")


def test_a_dropped_member_is_committed_away_at_the_grace_period_not_before() -> None:
    relay, (ana, bo, cy) = open_room(3, grace_ms=GRACE)
    run_by_deadlines(relay, 1_000)
    relay.tick(1_000)
    relay.disconnect(cy.peer)
    assert ana.endpoint.next_deadline() == 1_000 + GRACE
    relay.tick(1_000 + GRACE - 1)
    assert [s.nick for s in bo.endpoint.seats] == ["ana", "bo", "cy"]
    run_by_deadlines(relay, 1_000 + GRACE)
    assert ev.Departed("cy", ChangeKind.DISCONNECTED) in bo.events
    assert [s.nick for s in bo.endpoint.seats] == ["ana", "bo"]


def test_the_successor_takes_over_by_its_deadline_alone() -> None:
    relay, (ana, bo, cy) = open_room(3, grace_ms=GRACE)
    relay.disconnect(ana.peer)
    assert bo.endpoint.next_deadline() == relay.now + GRACE
    assert cy.endpoint.next_deadline() is None  # nothing for cy to do
    run_by_deadlines(relay, 10 * GRACE)
    assert bo.endpoint.is_sequencer and [s.nick for s in cy.endpoint.seats] == ["bo", "cy"]


def test_an_ack_is_due_once_something_was_heard_and_a_quiet_room_needs_no_clock() -> None:
    relay, (_ana, bo) = open_room(2)
    run_by_deadlines(relay, 60_000)
    quiet = len(relay.log)
    assert next_due(relay) is None
    relay.tick(60_000)
    bo.say("anyone there?")
    relay.pump()
    ticked = run_by_deadlines(relay, 120_000)
    assert ticked and ticked[0] == 60_000  # the first ack goes out at once
    acks = len(relay.log) - quiet - 1
    assert acks == 2  # one from each, then the room is quiet again
    assert next_due(relay) is None
    bo.say("still here")
    relay.pump()
    assert bo.endpoint.next_deadline() == ticked[0] + ACK_EVERY_MS  # not sooner


def test_a_withheld_commit_is_sent_again_at_its_deadline() -> None:
    relay, (ana, _bo) = open_room(2)
    cy = Endpoint.joining(ana.endpoint.invite, "cy")
    seat = relay.connect(cy)
    seat.send(cmd.Agree())
    relay.pump()

    def no_commits(peer: int, msg: wire.Msg) -> list[bytes]:
        frame = parse(msg.d, ana.endpoint.room)
        if isinstance(frame, RoomFrame) and frame.kind is Kind.COMMIT:
            return []
        return [wire.encode(msg)]

    relay.tamper = no_commits
    ana.send(cmd.Admit(seat.peer))
    relay.pump()
    sent_at = relay.now
    assert ana.endpoint.next_deadline() == sent_at + RESEND_AFTER_MS
    relay.tamper = None
    run_by_deadlines(relay, sent_at + RESEND_AFTER_MS)
    assert cy.roster is not None and cy.room_code == ana.endpoint.room_code


def test_a_newcomer_with_no_lobby_is_told_at_its_deadline() -> None:
    relay = HostileRelay(now=7_000)
    lonely = relay.connect(Endpoint.joining(open_room(1)[1][0].endpoint.invite, "bo"))
    assert lonely.endpoint.next_deadline() == 7_000  # the wait starts at the next tick
    run_by_deadlines(relay, 7_000 + WAITING_NOTICE_MS)
    assert (ev.Note.WAITING_FOR_HOST, "") in notes(lonely)
    assert lonely.endpoint.next_deadline() is None


def test_a_sequencer_back_on_an_empty_relay_reopens_at_its_deadline() -> None:
    relay, (ana, _bo) = open_room(2)
    relay.tick(50_000)
    late = 50_000 + 12_000  # back after the grace period: a successor may have taken over
    restarted = HostileRelay(now=late)
    back = restarted.connect(ana.endpoint.fresh(50_000))
    run_by_deadlines(restarted, late + 2 * REOPEN_AFTER_MS)
    assert (ev.Note.REOPENED, "") in notes(back)
    assert back.endpoint.is_sequencer
    assert restarted.now == late + 2 * REOPEN_AFTER_MS  # it gave a successor time to go first


def test_a_long_life_driven_by_deadlines_never_spins() -> None:
    """Joins, talk, a drop and a return, a goodbye: every deadline moves on after its tick."""
    relay, seats = open_room(4, grace_ms=GRACE)
    ana, bo, cy, di = seats
    for n in range(6):
        seats[n % 4].say(f"message {n}")
        relay.pump()
        run_by_deadlines(relay, relay.now + 1_500)
        relay.tick(relay.now + 1_500)
    relay.disconnect(cy.peer)
    run_by_deadlines(relay, relay.now + 3 * GRACE)
    relay.connect(cy.endpoint.fresh(cy.endpoint.now))
    run_by_deadlines(relay, relay.now + 3 * GRACE)
    di.send(cmd.Leave())
    relay.pump()
    relay.disconnect(di.peer)
    ed = knock_and_enter(relay, ana, "ed", GRACE)
    ed.say("hello")
    relay.pump()
    run_by_deadlines(relay, relay.now + 60_000)
    assert [s.nick for s in ana.endpoint.seats] == ["ana", "bo", "cy", "ed"]
    assert ("ed", "hello") in said(bo)
    assert not of(ana, ev.Tampering) and next_due(relay) is None
