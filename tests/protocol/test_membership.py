"""Membership as people live it: admission by anyone, departures, the successor, rotation."""

from __future__ import annotations

from dataclasses import replace

from nacl.signing import SigningKey

from protocol import commands as cmd
from protocol import events as ev
from protocol import wire
from protocol.bodies.commit import ChangeKind
from protocol.bodies.door import KnockBody
from protocol.crypto import ExchangeKey, sign
from protocol.endpoint import Endpoint, agreements_hash
from protocol.events import Note
from protocol.frames import GroupFrame, Kind, RoomFrame, parse
from protocol.keys.chains import ROTATE_AFTER
from protocol.keys.sender import ROTATE_EVERY_MS
from protocol.membership.door import vouch_statement
from protocol.membership.sequencer import RESEND_AFTER_MS
from protocol.names import key_mark
from tests.protocol.harness import HostileRelay
from tests.protocol.rooms import answering, knock_and_enter, notes, of, open_room, roomwide, said


def test_any_member_can_admit_and_everyone_sees_who_did() -> None:
    relay, (ana, bo) = open_room(2)
    cy = Endpoint.joining(ana.endpoint.invite, "cy")
    seat = relay.connect(cy)
    cy.send(cmd.Agree(), relay.now)
    relay.pump()
    knock = of(bo, ev.Knocked)[-1]
    assert isinstance(knock, ev.Knocked) and knock.nick == "cy"
    bo.send(cmd.Admit(knock.knock))
    relay.pump()
    assert cy.my_slot == 2
    for member in (ana, bo):
        admitted = of(member, ev.Admitted)[-1]
        assert admitted == ev.Admitted("cy", "bo")
    assert of(seat, ev.Entered)


def test_not_now_is_one_persons_answer_and_a_withdrawn_knock_is_shown() -> None:
    relay, (ana, bo) = open_room(2)
    cy = Endpoint.joining(ana.endpoint.invite, "cy")
    seat = relay.connect(cy)
    cy.send(cmd.Agree(), relay.now)
    relay.pump()
    ana.send(cmd.NotNow(seat.peer))
    relay.pump()
    assert cy.roster is None and seat.peer in ana.endpoint.door.set_aside
    bo.send(cmd.Admit(seat.peer))  # one member's consent is enough
    relay.pump()
    assert cy.my_slot is not None
    assert ev.Admitted("cy", "bo") in ana.events
    di = Endpoint.joining(ana.endpoint.invite, "di")
    other = relay.connect(di)
    di.send(cmd.Agree(), relay.now)
    relay.pump()
    relay.disconnect(other.peer)
    assert ev.KnockWithdrawn(other.peer, "di") in ana.events
    ana.send(cmd.Admit(other.peer))
    relay.pump()
    assert (Note.KNOCK_GONE, "") in notes(ana)


def test_someone_who_arrived_before_the_host_is_greeted() -> None:
    relay = HostileRelay()
    host = Endpoint.host("ws://127.0.0.1:8765", "ana", "Be kind.")
    early = Endpoint.joining(host.invite, "bo")
    seat = relay.connect(early)
    assert of(seat, ev.AgreementsOffered) == []
    relay.connect(host)
    assert of(seat, ev.AgreementsOffered) == [ev.AgreementsOffered("Be kind.", "ana")]


def test_the_thirteenth_cannot_be_admitted() -> None:
    relay, seats = open_room(12)
    late = Endpoint.joining(seats[0].endpoint.invite, "mo")
    seat = relay.connect(late)
    late.send(cmd.Agree(), relay.now)
    relay.pump()
    seats[0].send(cmd.Admit(seat.peer))
    relay.pump()
    assert late.roster is None
    assert len(seats[3].endpoint.seats) == 12
    assert (Note.CANNOT_ADMIT_FULL, "mo") in notes(seats[0])


def test_a_bye_is_committed_at_once_and_a_drop_after_the_grace_period() -> None:
    relay, (ana, bo, cy) = open_room(3, grace_ms=2_000)
    bo.send(cmd.Leave())
    relay.pump()
    relay.disconnect(bo.peer)
    assert [s.nick for s in ana.endpoint.seats] == ["ana", "cy"]
    assert ev.Departed("bo", ChangeKind.LEFT) in cy.events
    relay.tick(1_000)
    relay.disconnect(cy.peer)
    relay.tick(2_500)
    assert [s.nick for s in ana.endpoint.seats] == ["ana", "cy"]
    assert not ana.endpoint.seats[1].connected
    relay.tick(3_100)
    assert [s.nick for s in ana.endpoint.seats] == ["ana"]
    assert ev.Departed("cy", ChangeKind.DISCONNECTED) in ana.events


def test_the_successor_takes_over_when_the_host_drops() -> None:
    relay, (ana, bo, cy) = open_room(3, grace_ms=1_000)
    relay.disconnect(ana.peer)
    relay.tick(500)
    assert bo.endpoint.epoch == 3
    relay.tick(1_600)
    assert bo.endpoint.is_sequencer and bo.endpoint.epoch == 4
    assert [s.nick for s in cy.endpoint.seats] == ["bo", "cy"]
    assert cy.endpoint.seats[0].is_host
    bo.say("still here")
    relay.pump()
    assert said(cy)[-1] == ("bo", "still here")


def test_every_epoch_changes_the_room_code_and_everyone_shares_it() -> None:
    _, seats = open_room(4)
    codes = {s.endpoint.room_code for s in seats}
    assert len(codes) == 1
    history = [e.room_code for e in seats[0].events if isinstance(e, ev.RosterChanged)]
    assert len(history) == 4 and len(set(history)) == 4


def test_chains_rotate_after_a_few_hundred_messages_and_after_a_while() -> None:
    relay, (ana, bo) = open_room(2)
    for n in range(ROTATE_AFTER + 5):
        bo.say(f"m{n}")
    relay.pump()
    assert said(ana)[-1] == ("bo", f"m{ROTATE_AFTER + 4}")
    assert len(said(ana)) == ROTATE_AFTER + 5
    assert bo.endpoint.sender.chain is not None and bo.endpoint.sender.chain.gen == 1
    assert ana.endpoint.receiver.chains[1].gen == 1
    relay.tick(ROTATE_EVERY_MS + 1)
    bo.say("later")
    relay.pump()
    assert bo.endpoint.sender.chain.gen == 2 and said(ana)[-1] == ("bo", "later")


def test_reactions_reach_the_shared_state_in_order() -> None:
    relay, (ana, bo) = open_room(2)
    bo.send(cmd.React("+"))
    ana.send(cmd.React("*"))
    relay.pump()
    assert ana.endpoint.state == bo.endpoint.state
    # The relay stamped ana's first (the harness carries frames in seat order).
    assert [r.emoji for r in ana.endpoint.state.reactions] == ["*", "+"]
    assert ev.Reacted(1, "bo", "+") in ana.events


def test_a_host_alone_reconnects_as_host_and_the_invite_still_works() -> None:
    relay, (ana,) = open_room(1)
    relay.disconnect(ana.peer)
    again = ana.endpoint.fresh(ana.endpoint.now)
    assert again.is_host and again.invite == ana.endpoint.invite
    relay.connect(again)
    bo = knock_and_enter(relay, relay.seats[max(relay.seats)], "bo")
    assert bo.endpoint.roster is not None


def test_a_member_back_from_a_drop_comes_in_again_without_asking() -> None:
    relay, (ana, bo, cy) = open_room(3)
    relay.disconnect(cy.peer)
    back = cy.endpoint.fresh(cy.endpoint.now)
    assert back.my_slot is None and back.identity != cy.endpoint.identity
    seat = relay.connect(back)
    relay.pump()
    assert of(seat, ev.AgreementsOffered) == [] and of(seat, ev.Entered)
    assert [s.nick for s in ana.endpoint.seats] == ["ana", "bo", "cy"]
    assert ev.Departed("cy", ChangeKind.DISCONNECTED) in bo.events
    assert (Note.COMING_BACK, "cy") in notes(bo)
    assert not [k for k in of(bo, ev.Knocked) if k.knock == seat.peer]  # type: ignore[attr-defined]
    seat.say("I'm back")
    relay.pump()
    assert said(bo)[-1] == ("cy", "I'm back")


def test_a_stranger_cannot_claim_a_members_seat_on_return() -> None:
    relay, (ana, bo) = open_room(2)
    stranger = SigningKey.generate()
    knock = KnockBody(
        "bo",
        bytes(stranger.verify_key),
        ExchangeKey().public,
        agreements_hash("Be kind."),
        was=bytes(bo.endpoint.identity.verify_key),
        answers=answering(ana),
    )
    knock = replace(knock, vouch=sign(stranger, vouch_statement(ana.endpoint.room, knock)))
    seat = relay.connect(Endpoint.joining(ana.endpoint.invite, "x"))
    relay.publish(seat.peer, roomwide(ana.endpoint, Kind.KNOCK, knock.encode(), stranger))
    relay.pump()
    # asks, like any stranger, and says the name is taken
    marked = f"bo (key {key_mark(bytes(stranger.verify_key))})"  # told apart from the real bo
    assert of(ana, ev.Knocked)[-1] == ev.Knocked(seat.peer, marked, looks_like="bo")
    assert [s.nick for s in ana.endpoint.seats] == ["ana", "bo"] and bo.endpoint.seats[1].connected


def test_a_quiet_room_stops_acking() -> None:
    relay, (_, bo) = open_room(2)
    bo.say("one")
    relay.pump()
    sent = len(relay.log)
    relay.tick(10_000)
    after_first = len(relay.log)
    assert after_first > sent  # both acked what they heard
    relay.tick(20_000)
    relay.tick(30_000)
    assert len(relay.log) == after_first


def test_keys_and_messages_sent_just_before_a_commit_still_open() -> None:
    """bo rekeys for epoch 3 and talks, but the relay had already sequenced epoch 4."""
    relay, (ana, bo) = open_room(2)
    cy = Endpoint.joining(ana.endpoint.invite, "cy")
    cy_seat = relay.connect(cy)
    cy.send(cmd.Agree(), relay.now)
    relay.pump()
    relay.hold = True  # everyone's frames wait; we stamp them in a racing order
    ana.send(cmd.Admit(cy_seat.peer))
    relay.pump()
    held = relay.held
    relay.held = []
    commit = [h for h in held if h[0] == ana.peer]
    relay.hold = False
    di = Endpoint.joining(ana.endpoint.invite, "di")
    di_seat = relay.connect(di)  # the lobby goes out; di knocks
    di.send(cmd.Agree(), relay.now)
    relay.pump()
    for sender, payload in commit:  # epoch 3 (cy) arrives for everyone
        relay.publish(sender, payload)
    relay.hold = True
    relay.pump()  # bo and ana answer with keys for epoch 3; bo talks at once
    bo.say("sealed under epoch 3")
    relay.pump()
    epoch3 = relay.held
    relay.held = []
    relay.hold = False
    ana.send(cmd.Admit(di_seat.peer))  # the Commit for epoch 4 overtakes them
    for frame in ana.endpoint.data_to_send():
        relay.publish(ana.peer, wire.decode_client(frame).d)
    for sender, payload in epoch3:
        relay.publish(sender, payload)
    relay.pump()
    assert cy.epoch == 4 and ana.endpoint.epoch == 4
    assert ("bo", "sealed under epoch 3") in said(ana)
    assert ("bo", "sealed under epoch 3") in said(cy_seat)


def test_a_host_back_after_the_handover_comes_in_without_asking() -> None:
    relay, (ana, bo, cy) = open_room(3, grace_ms=1_000)
    relay.disconnect(ana.peer)
    relay.tick(2_000)
    assert bo.endpoint.is_sequencer
    back = ana.endpoint.fresh(ana.endpoint.now)
    assert not back.is_host
    seat = relay.connect(back)
    relay.pump()
    assert of(seat, ev.Entered) and not of(seat, ev.AgreementsOffered)
    assert sorted(s.nick for s in cy.endpoint.seats) == ["ana", "bo", "cy"]
    assert not [k for k in of(cy, ev.Knocked) if k.knock == seat.peer]  # type: ignore[attr-defined]


def test_nothing_but_the_goodbye_goes_out_after_leaving() -> None:
    """A sequencer that leaves signs, resends and greets nothing after its goodbye."""
    relay, (ana, _bo) = open_room(2)
    cy = relay.connect(Endpoint.joining(ana.endpoint.invite, "cy"))
    cy.send(cmd.Agree())
    relay.pump()

    def no_commits(peer: int, msg: wire.Msg) -> list[bytes]:
        frame = parse(msg.d, ana.endpoint.room)
        is_commit = isinstance(frame, RoomFrame) and frame.kind is Kind.COMMIT
        return [] if is_commit else [wire.encode(msg)]

    relay.tamper = no_commits
    ana.send(cmd.Admit(cy.peer))
    relay.pump()
    relay.now += RESEND_AFTER_MS  # the resend is due, but no tick has come yet
    ana.send(cmd.Leave())
    sent = [parse(wire.decode_client(f).d, ana.endpoint.room) for f in ana.endpoint.data_to_send()]
    assert len(sent) == 1 and isinstance(sent[0], GroupFrame)  # the goodbye, and only it
