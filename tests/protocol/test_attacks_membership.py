"""Attacks on the door and on membership, each driven through the hostile relay harness.

Real endpoints, real crypto; the relay, and sometimes a member, is hostile.
Every test names the defence it holds; each was checked to fail without it.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from nacl.signing import SigningKey

from protocol import commands as cmd
from protocol import events as ev
from protocol import wire
from protocol.bodies.commit import Change, ChangeKind, CommitBody, Member
from protocol.bodies.door import KnockBody, Lobby, Vouch
from protocol.crypto import ExchangeKey, random_bytes, sign
from protocol.endpoint import Endpoint, ReturnTicket, agreements_hash
from protocol.events import Alarm, Note
from protocol.frames import Kind, RoomFrame, parse
from protocol.membership.evidence import return_statement, tickets_after
from protocol.membership.roster import admitting, genesis
from protocol.names import key_mark
from tests.protocol.harness import HostileRelay, Seat
from tests.protocol.rooms import (
    admission,
    alarms,
    answering,
    departure,
    fake_member,
    goodbye,
    knock_and_enter,
    notes,
    of,
    open_room,
    publish_as,
    raised,
    roomwide,
    said,
)


def commit_frames(relay: HostileRelay, room: bytes) -> list[wire.Msg]:
    return [
        m
        for m in relay.log
        if isinstance(f := parse(m.d, room), RoomFrame) and f.kind is Kind.COMMIT
    ]


def copy_of_the_room(bo: Seat, newcomer: Endpoint, newcomer_peer: int) -> CommitBody:
    """A room only bo runs: bo, two puppets under the real members' names, and the newcomer."""
    knock = newcomer.entry.knock
    assert knock is not None
    puppets = [(SigningKey.generate(), ExchangeKey()) for _ in range(2)]
    me = bo.endpoint
    roster = (
        Member(0, "ana", bytes(puppets[0][0].verify_key), puppets[0][1].public, 101),
        Member(1, "bo", bytes(me.identity.verify_key), me.pairs.public, bo.peer),
        Member(2, "cy", bytes(puppets[1][0].verify_key), puppets[1][1].public, 102),
        Member(3, "di", knock.identity, knock.exchange, newcomer_peer),
    )
    return CommitBody(
        epoch=99,
        prev=bytes(32),
        roster=roster,
        agreed=knock.agreed,
        sequencer=1,
        successor=0,
        changes=(Change(ChangeKind.ADMIT, 3, 1),),
        nonce=random_bytes(16),
    )


def forged_takeover(bo: Seat, agreements: str = "Anything goes.") -> bytes:
    """A lobby for a copy of ``bo``'s room in which bo, the named successor, took over."""
    named_bo = bo.endpoint.chain.last_frame
    roster = bo.endpoint.roster
    assert named_bo is not None and roster is not None and bo.endpoint.my_slot is not None
    took = departure(bo, 0, ChangeKind.DISCONNECTED, bo.endpoint.my_slot)
    took_frame = roomwide(bo.endpoint, Kind.COMMIT, took.encode(), bo.endpoint.identity)
    tickets = tickets_after(bo.endpoint.chain.tickets, roster.members, took)
    lure = Lobby(agreements, "bo", took.epoch, (named_bo, took_frame), took_frame, tickets)
    return roomwide(bo.endpoint, Kind.LOBBY, lure.encode(), bo.endpoint.identity)


def first_key_lure(seat: Seat, first_key: SigningKey, epoch: int | None = None) -> bytes:
    """A lobby for a room of its own that only the invite's key runs, at ``epoch``."""
    ep = seat.endpoint
    assert ep.roster is not None
    puppet = Member(0, "ana", bytes(first_key.verify_key), ExchangeKey().public, 77)
    room = genesis(puppet, ep.roster.commit.agreed)
    if epoch is not None:
        room = replace(room, epoch=epoch)
    fake = roomwide(ep, Kind.COMMIT, room.encode(), first_key)
    lure = Lobby("Be kind.", "ana", room.epoch, (), fake)
    return roomwide(ep, Kind.LOBBY, lure.encode(), first_key)


# --- H1: one lobby, one lineage, one room ------------------------------------------


def test_a_once_named_successor_cannot_lead_a_newcomer_into_a_copy_of_the_room() -> None:
    """Defence: the first lobby that proves itself is the newcomer's anchor; the
    lineage is handover pairs, not any Commit that names a successor; the welcome
    must extend the room the lobby showed."""
    relay, (ana, bo, cy) = open_room(3)
    assert ana.endpoint.roster is not None and ana.endpoint.roster.successor is not None
    assert ana.endpoint.roster.successor.nick == "bo"
    named_bo = bo.endpoint.chain.last_frame  # signed by ana, names bo successor
    assert named_bo is not None
    di = Endpoint.joining(ana.endpoint.invite, "di")
    seat = relay.connect(di)  # ana's real lobby comes first
    lure = Lobby("Be kind.", "ana", bo.endpoint.epoch, (named_bo,), named_bo)
    publish_as(relay, bo, roomwide(bo.endpoint, Kind.LOBBY, lure.encode(), bo.endpoint.identity))
    assert di.chain.trusted_sequencer == bytes(ana.endpoint.identity.verify_key)
    di.send(cmd.Agree(), relay.now)
    relay.pump()
    fake = copy_of_the_room(bo, di, seat.peer)
    publish_as(relay, bo, roomwide(bo.endpoint, Kind.COMMIT, fake.encode(), bo.endpoint.identity))
    assert di.roster is None and of(seat, ev.Entered) == []
    ana.send(cmd.Admit(seat.peer))
    relay.pump()
    assert di.roster is not None and di.room_code == ana.endpoint.room_code
    assert [s.nick for s in di.seats] == ["ana", "bo", "cy", "di"]
    di.send(cmd.Say("for the real room"), relay.now)
    relay.pump()
    assert ("di", "for the real room") in said(cy)
    for member in (ana, cy):  # the lure is seen for what it is
        assert raised(member, Alarm.LURE_BY_MEMBER, "bo"), alarms(member)


def test_a_forged_handover_in_a_second_lobby_warns_the_newcomer_and_moves_nothing() -> None:
    """Defence: a later lobby never moves the anchor, even one whose lineage holds;
    naming a room the newcomer did not follow is told as tampering."""
    relay, (ana, bo, cy) = open_room(3)
    # bo forges the takeover the room never saw: ana removed, bo sequencing.
    lure = forged_takeover(bo, "Be kind.")
    di = Endpoint.joining(ana.endpoint.invite, "di")
    seat = relay.connect(di)
    relay.publish(bo.peer, lure)
    relay.pump()
    assert di.chain.trusted_sequencer == bytes(ana.endpoint.identity.verify_key)
    assert raised(seat, Alarm.LOBBY_OF_ANOTHER_ROOM), alarms(seat)
    di.send(cmd.Agree(), relay.now)
    relay.pump()
    ana.send(cmd.Admit(seat.peer))
    relay.pump()
    assert di.roster is not None and di.room_code == cy.endpoint.room_code


def test_the_first_key_cannot_greet_newcomers_after_the_handover() -> None:
    """Defence: whoever still holds the invite's host key after a handover cannot
    anchor a newcomer who met the real sequencer first, and members see the lure."""
    relay, (ana, bo, cy) = open_room(3, grace_ms=1_000)
    first_key = ana.endpoint.identity
    relay.disconnect(ana.peer)
    relay.tick(2_000)
    assert bo.endpoint.is_sequencer
    di = Endpoint.joining(bo.endpoint.invite, "di")
    seat = relay.connect(di)
    assert di.chain.trusted_sequencer == bytes(bo.endpoint.identity.verify_key)
    # a genesis of a room that only the first key runs
    relay.publish(cy.peer, first_key_lure(bo, first_key, bo.endpoint.epoch))
    relay.pump()
    assert di.chain.trusted_sequencer == bytes(bo.endpoint.identity.verify_key)
    assert raised(seat, Alarm.LOBBY_OF_ANOTHER_ROOM), alarms(seat)
    assert raised(cy, Alarm.LURE_BY_FIRST_KEY), alarms(cy)
    di.send(cmd.Agree(), relay.now)
    relay.pump()
    bo.send(cmd.Admit(seat.peer))
    relay.pump()
    assert di.roster is not None and di.room_code == cy.endpoint.room_code


def test_a_newcomer_follows_commits_from_its_lobby_and_those_just_before_it() -> None:
    """Feature: a Commit stamped between the newcomer's arrival and its lobby is
    followed once the lobby anchors it, so its welcome still extends the room."""
    relay, (ana, _) = open_room(2)
    cy = Endpoint.joining(ana.endpoint.invite, "cy")
    cy_seat = relay.connect(cy)
    cy.send(cmd.Agree(), relay.now)
    relay.pump()
    di = Endpoint.joining(ana.endpoint.invite, "di")
    relay.hold = True  # di arrives; ana's lobby and cy's Commit queue up
    di_seat = relay.connect(di)
    ana.send(cmd.Admit(cy_seat.peer))
    relay.pump()
    lobbies = [h for h in relay.held if parse(h[1], di.room).kind is Kind.LOBBY]  # type: ignore[union-attr]
    others = [h for h in relay.held if h not in lobbies]
    relay.held = others + lobbies  # the Commit overtakes the lobby
    relay.release()
    assert of(di_seat, ev.AgreementsOffered) and di.chain.watching is not None
    assert di.chain.watching.epoch == ana.endpoint.epoch == 3
    di.send(cmd.Agree(), relay.now)
    relay.pump()
    ana.send(cmd.Admit(di_seat.peer))
    relay.pump()
    assert di.roster is not None and di.room_code == cy.room_code


def test_the_room_code_is_five_groups_of_four_digits() -> None:
    """Defence: 10^20 codes, so a forger choosing Commit nonces cannot match one."""
    _, (ana, bo) = open_room(2)
    groups = ana.endpoint.room_code.split(" ")
    assert len(groups) == 5 and all(len(g) == 4 and g.isdigit() for g in groups)
    assert bo.endpoint.room_code == ana.endpoint.room_code


# --- H2: one Commit per epoch -------------------------------------------------------


def test_a_withheld_commit_is_sent_again_byte_for_byte_never_rebuilt() -> None:
    """Defence: the sequencer signs one Commit per epoch and resends that frame;
    a relay withholding it cannot get a second, different Commit for the epoch."""
    relay, (ana, bo, cy) = open_room(3)
    room = ana.endpoint.room
    di = Endpoint.joining(ana.endpoint.invite, "di")
    di_seat = relay.connect(di)
    di.send(cmd.Agree(), relay.now)
    relay.pump()
    epoch = ana.endpoint.epoch

    def only_bo_and_di(peer: int, msg: wire.Msg) -> list[bytes]:
        frame = parse(msg.d, room)
        is_commit = isinstance(frame, RoomFrame) and frame.kind is Kind.COMMIT
        if is_commit and peer not in (bo.peer, di_seat.peer):
            return []
        return [wire.encode(msg)]

    relay.tamper = only_bo_and_di
    before = len(commit_frames(relay, room))
    ana.send(cmd.Admit(di_seat.peer))
    relay.pump()
    assert bo.endpoint.epoch == epoch + 1 and ana.endpoint.epoch == epoch
    cy.send(cmd.Leave())  # something else now waits to be committed
    relay.pump()
    for now in (6_000, 12_000):
        relay.tick(now)
    sent = [m.d for m in commit_frames(relay, room)[before:]]
    assert len(sent) == 3 and len(set(sent)) == 1  # the same bytes, three times
    assert ana.endpoint.epoch == epoch and bo.endpoint.epoch == epoch + 1
    relay.tamper = None
    relay.tick(18_000)
    relay.tick(24_000)
    assert ana.endpoint.epoch == bo.endpoint.epoch == di.epoch == epoch + 2
    assert ana.endpoint.room_code == bo.endpoint.room_code == di.room_code
    assert [s.nick for s in bo.endpoint.seats] == ["ana", "bo", "di"]


# --- M3: knocks that no Commit could hold -----------------------------------------


def test_a_knock_reusing_a_members_exchange_key_is_not_shown() -> None:
    """Defence: a knock naming a key (or connection) already in the room, or in
    another knock, is dropped: anyone with the invite reads the roster's keys."""
    relay, (ana, bo, cy) = open_room(3)
    mallory = Endpoint.joining(ana.endpoint.invite, "mal")
    seat = relay.connect(mallory)
    roster = ana.endpoint.roster
    assert roster is not None
    bo_member = roster.by_identity(bytes(bo.endpoint.identity.verify_key))
    assert bo_member is not None
    identity = SigningKey.generate()
    agreed = roster.commit.agreed
    knock = KnockBody(
        "mal", bytes(identity.verify_key), bo_member.exchange, agreed, answers=answering(ana)
    )
    publish_as(relay, seat, roomwide(ana.endpoint, Kind.KNOCK, knock.encode(), identity))
    for member in (ana, bo, cy):
        assert seat.peer not in member.endpoint.knocks
        assert not [k for k in of(member, ev.Knocked) if k.nick == "mal"]  # type: ignore[attr-defined]
    fi = knock_and_enter(relay, ana, "fi")
    assert fi.endpoint.roster is not None and len(ana.endpoint.seats) == 4


def test_the_sequencer_drops_an_admission_no_member_could_accept() -> None:
    """Defence: the sequencer holds its own Commit to check_next before signing;
    one that fails is dropped with a sentence, and later admissions go on."""
    relay, (ana, bo, cy) = open_room(3)
    roster = ana.endpoint.roster
    assert roster is not None
    bo_next = bo.endpoint.pairs.next  # the key bo announced: the next Commit lists it
    assert bo_next is not None
    bad = KnockBody(
        "mal",
        bytes(SigningKey.generate().verify_key),
        bo_next.public,
        roster.commit.agreed,
        answers=answering(ana),
    )
    ana.endpoint.door.knocks[999] = bad  # past the door's own check, as a modified client could
    ana.send(cmd.Admit(999))
    relay.pump()
    relay.tick(6_000)
    relay.tick(12_000)
    assert ana.endpoint.epoch == bo.endpoint.epoch == 3
    assert ana.endpoint.sequencer.in_flight is None
    assert (Note.CANNOT_ADMIT_KEYS, "mal") in notes(ana)
    fi = knock_and_enter(relay, ana, "fi")
    assert fi.endpoint.roster is not None and cy.endpoint.epoch == 4


# --- M4: a leave the relay invents ------------------------------------------------


def fake_leave(relay: HostileRelay, to: Seat, peer: int) -> None:
    relay.seq += 1
    relay.deliver(to, wire.encode_leave(relay.seq, relay.clock, peer))


def test_a_host_who_keeps_talking_is_not_removed_by_a_leave_told_to_one_member() -> None:
    """Defence: a verified frame from a member whose leave was announced cancels
    the pending departure, and the relay's lie is told."""
    relay, (ana, bo, cy) = open_room(3)
    fake_leave(relay, bo, ana.peer)  # only the successor hears it
    for now in (3_000, 6_000, 9_000):
        ana.say(f"still here at {now}")
        relay.pump()
        relay.tick(now)
    relay.tick(11_000)
    relay.tick(20_000)
    for seat in (ana, bo, cy):
        assert [s.nick for s in seat.endpoint.seats] == ["ana", "bo", "cy"]
        assert seat.endpoint.roster is not None and seat.endpoint.roster.sequencer is not None
        assert seat.endpoint.roster.sequencer.nick == "ana"
    assert not of(ana, ev.Closed)
    assert raised(bo, Alarm.SPEAKS_AFTER_LEAVE, "ana"), alarms(bo)


def test_members_refuse_a_takeover_while_they_still_see_the_host() -> None:
    """Defence: a successor's Commit removing the sequencer is refused by every
    member who saw no leave and no goodbye from it, the sequencer included."""
    relay, (ana, bo, cy) = open_room(3)
    fake_leave(relay, bo, ana.peer)
    relay.tick(11_000)  # ana is quiet: bo commits the takeover
    assert bo.endpoint.is_sequencer
    for seat in (ana, cy):
        roster = seat.endpoint.roster
        assert roster is not None and roster.sequencer is not None
        assert roster.sequencer.nick == "ana" and len(roster.members) == 3
        assert raised(seat, Alarm.TAKEOVER_WHILE_HERE, "bo", "ana") or raised(
            seat, Alarm.TAKEOVER_WHILE_YOU_ARE_HERE, "bo"
        ), alarms(seat)
    assert not of(ana, ev.Closed)
    cy.say("ana is still our host")
    relay.pump()
    assert ("cy", "ana is still our host") in said(ana)


def test_a_takeover_after_a_goodbye_or_a_real_drop_still_holds() -> None:
    """Feature: the successor still takes over when the sequencer said goodbye."""
    relay, (ana, bo, cy) = open_room(3)
    ana.send(cmd.Leave())
    relay.pump()  # the goodbye is committed at once, before the relay's leave
    assert bo.endpoint.is_sequencer and [s.nick for s in cy.endpoint.seats] == ["bo", "cy"]
    assert not alarms(cy)


def test_a_member_the_relay_evicts_while_connected_comes_back_and_the_room_is_told() -> None:
    """Defence: a member who sees its own seat go as "disconnected" while it is here comes
    back with its return ticket, and says so; it does not stop for good.

    The relay tells everyone but bo that bo dropped, and withholds bo's frames
    from them; after the grace period ana commits bo's departure.
    """
    relay, (ana, bo, cy) = open_room(3, grace_ms=1_000)
    for seat in (ana, cy):
        fake_leave(relay, seat, bo.peer)
    relay.tamper = lambda peer, msg: (
        [] if msg.sender == bo.peer and peer != bo.peer else [wire.encode(msg)]
    )
    relay.tick(relay.now + 2_000)
    assert [s.nick for s in ana.endpoint.seats] == ["ana", "cy"]
    assert bo.endpoint.evicted and bo.endpoint.must_rejoin and not bo.endpoint.closed
    assert (Note.EVICTED, "") in notes(bo) and not of(bo, ev.Closed)
    relay.tamper = None
    relay.disconnect(bo.peer)  # the client notices, and comes back on a new connection
    back = relay.connect(bo.endpoint.fresh(relay.now))
    relay.pump()
    assert back.endpoint.roster is not None and not of(back, ev.AgreementsOffered)
    assert [s.nick for s in cy.endpoint.seats] == ["ana", "bo", "cy"]
    for seat in (ana, cy):
        assert raised(seat, Alarm.EVICTED_WHILE_HERE, "bo"), alarms(seat)


# --- M5: a return ticket is used once -----------------------------------------------


def test_an_old_key_brings_back_one_person_once_and_vouches_for_no_stranger() -> None:
    """Defence: the old key's entry goes when its holder is back in; a later
    knock on it, or one under another name, is a stranger's and waits for consent."""
    relay, (ana, bo, cy) = open_room(3, grace_ms=1_000)
    old_bo = bo.endpoint.identity
    agreed = agreements_hash("Be kind.")
    relay.disconnect(bo.peer)
    relay.tick(5_000)
    back = relay.connect(bo.endpoint.fresh(bo.endpoint.now))
    relay.pump()
    assert [s.nick for s in cy.endpoint.seats] == ["ana", "bo", "cy"]
    assert ev.Admitted("bo", "bo", returning=True) in cy.events
    strangers = []
    for nick in ("bo", "zed"):
        stranger = Endpoint.joining(
            ana.endpoint.invite, nick, returning=ReturnTicket(old_bo, agreed)
        )
        strangers.append(stranger)
        relay.connect(stranger)
        relay.pump()
        relay.tick(relay.clock)
        assert stranger.roster is None
    assert [s.nick for s in cy.endpoint.seats] == ["ana", "bo", "cy"]
    # The stranger named bo is told apart from the bo who is seated, by a mark of their key.
    marked = f"bo (key {key_mark(bytes(strangers[0].identity.verify_key))})"
    assert [k.nick for k in of(cy, ev.Knocked)] == [marked, "zed"]  # type: ignore[attr-defined]
    assert back.endpoint.roster is not None


def test_an_old_key_cannot_bring_someone_back_under_another_name() -> None:
    """Defence: a return keeps the nickname the old key had."""
    relay, (ana, bo, cy) = open_room(3, grace_ms=1_000)
    old_bo = bo.endpoint.identity
    relay.disconnect(bo.peer)
    relay.tick(5_000)
    stranger = Endpoint.joining(
        ana.endpoint.invite, "zed", returning=ReturnTicket(old_bo, agreements_hash("Be kind."))
    )
    seat = relay.connect(stranger)
    relay.pump()
    relay.tick(relay.clock)
    assert stranger.roster is None and [s.nick for s in cy.endpoint.seats] == ["ana", "cy"]
    assert ev.Knocked(seat.peer, "zed") in cy.events


def test_a_stranger_naming_a_members_old_key_cannot_hold_up_their_return() -> None:
    """Defence: only a knock whose vouch holds can stand in the way of a return.

    Anyone with the invite reads the roster, so a stranger can knock as "bo",
    naming bo's old key with a vouch that does not check out. bo's real return
    still comes in without asking; the stranger waits like any stranger.
    """
    relay, (ana, bo, cy) = open_room(3, grace_ms=1_000)
    old_bo = bo.endpoint.identity
    relay.disconnect(bo.peer)
    relay.tick(5_000)  # bo's seat goes; bo holds a return ticket
    stranger = SigningKey.generate()
    lie = KnockBody(
        "bo",
        bytes(stranger.verify_key),
        ExchangeKey().public,
        agreements_hash("Be kind."),
        was=bytes(old_bo.verify_key),
        vouch=random_bytes(64),
        answers=answering(ana),
    )
    liar = relay.connect(Endpoint.joining(ana.endpoint.invite, "x"))
    publish_as(relay, liar, roomwide(ana.endpoint, Kind.KNOCK, lie.encode(), stranger))
    assert ev.Knocked(liar.peer, "bo") in cy.events  # shown, and waiting for consent
    back = relay.connect(bo.endpoint.fresh(bo.endpoint.now))
    relay.pump()
    assert back.endpoint.roster is not None and of(back, ev.Entered)
    # The stranger still knocks as "bo": the bo who is back is named with their seat.
    seat = (back.endpoint.my_slot or 0) + 1
    assert ev.Admitted(f"bo (seat {seat})", "bo", returning=True) in cy.events
    assert liar.peer in ana.endpoint.knocks and [s.nick for s in cy.endpoint.seats] == [
        "ana",
        "bo",
        "cy",
    ]


# --- M7: connection churn ---------------------------------------------------------


def lobbies_in(frames: list[bytes], room: bytes) -> int:
    count = 0
    for data in frames:
        frame = parse(wire.decode_client(data).d, room)
        count += isinstance(frame, RoomFrame) and frame.kind is Kind.LOBBY
    return count


def test_connection_churn_cannot_make_the_sequencer_flood_the_relay() -> None:
    """Defence: lobbies are rationed (a burst, then one per half second) and
    greeted connections are forgotten when they go; a real newcomer still gets in."""
    relay, (ana, bo) = open_room(2)
    host = ana.endpoint
    host.data_to_send()
    lobbies = 0
    for peer in range(1_000, 1_300):
        relay.seq += 1
        host.receive_frame(wire.encode_join(relay.seq, relay.clock, peer), relay.now)
        relay.seq += 1
        host.receive_frame(wire.encode_leave(relay.seq, relay.clock, peer), relay.now)
        lobbies += lobbies_in(host.data_to_send(), host.room)
    assert lobbies <= 16  # the relay closes a connection past a burst of 100
    assert len(host.sequencer.greeted) <= len(host.presence.present) <= 3
    di = Endpoint.joining(host.invite, "di")
    seat = relay.connect(di)
    relay.tick(1_000)  # the ration refills; the lobby held back goes out
    assert of(seat, ev.AgreementsOffered)
    di.send(cmd.Agree(), relay.now)
    relay.pump()
    host.send(cmd.Admit(seat.peer), relay.now)
    relay.pump()
    assert di.roster is not None and di.room_code == bo.endpoint.room_code


# --- L1: one knock, replayed under invented connections -----------------------------


def test_a_knock_replayed_under_invented_connections_is_shown_once() -> None:
    """Defence: knocks are merged by identity, the relay's connection count is
    capped far above what it can hold, and a knock builds no kept channel."""
    relay, (ana, bo) = open_room(2)
    di = Endpoint.joining(ana.endpoint.invite, "di")
    seat = relay.connect(di)
    di.send(cmd.Agree(), relay.now)
    relay.pump()
    knock = [m for m in relay.log if m.sender == seat.peer][-1].d
    member = bo.endpoint
    pairs = len(member.pairs.built)
    shown = len(of(bo, ev.Knocked))
    for peer in range(10_000, 12_000):
        relay.seq += 1
        member.receive_frame(wire.encode_join(relay.seq, relay.clock, peer), relay.now)
        relay.seq += 1
        member.receive_frame(wire.encode_msg(relay.seq, relay.clock, peer, knock), relay.now)
    knocked = [e for e in member.events_received() if isinstance(e, ev.Knocked)]
    assert knocked == [] and len(of(bo, ev.Knocked)) == shown
    assert list(member.knocks) == [seat.peer]
    assert len(member.presence.present) <= 24 and len(member.pairs.built) == pairs


def test_a_newcomer_refuses_a_seat_bound_to_another_connection() -> None:
    """Defence: the Commit that admits a newcomer must name its own connection,
    so a knock the relay replayed under an invented one cannot seat it."""
    relay, (ana,) = open_room(1)
    di = Endpoint.joining(ana.endpoint.invite, "di")
    seat = relay.connect(di)
    relay.hold = True  # di's knock is held; the relay replays it as peer 77 first
    di.send(cmd.Agree(), relay.now)
    relay.pump()
    (_, knock), *_ = relay.held
    relay.held.clear()
    relay.hold = False
    relay.seq += 1
    relay.clock += 7
    for s in list(relay.seats.values()):
        relay.deliver(s, wire.encode_join(relay.seq, relay.clock, 77))
    relay.publish(77, knock)
    relay.pump()
    ana.send(cmd.Admit(77))
    relay.pump()
    assert di.roster is None and of(seat, ev.Entered) == []


def test_a_knock_replayed_after_its_knocker_left_raises_no_ghost() -> None:
    """Defence: a session's key enters the roster once; a knock naming a former member's
    key is a replay, however fresh it looks."""
    relay, (ana, bo, cy) = open_room(3)
    (knock,) = [
        m
        for m in relay.log
        if m.sender == bo.peer
        and isinstance(frame := parse(m.d, ana.endpoint.room), RoomFrame)
        and frame.kind is Kind.KNOCK
    ]
    bo.send(cmd.Leave())
    relay.pump()
    relay.disconnect(bo.peer)
    shown = {seat.peer: len(of(seat, ev.Knocked)) for seat in (ana, cy)}
    relay.seq += 1
    for seat in relay.seats.values():  # the relay invents a connection for the ghost
        relay.deliver(seat, wire.encode_join(relay.seq, relay.clock, 77))
    relay.publish(77, knock.d)
    relay.pump()
    for member in (ana, cy):
        assert len(of(member, ev.Knocked)) == shown[member.peer]
        assert 77 not in member.endpoint.knocks


def test_a_knock_answering_no_recent_lobby_of_this_room_is_not_shown() -> None:
    """Defence: a knock names the Commit its lobby showed, one of the room's latest."""
    relay, (ana, bo) = open_room(2)
    seat = relay.connect(Endpoint.joining(ana.endpoint.invite, "x"))
    for answers in (random_bytes(32), answering(ana)):
        identity = SigningKey.generate()
        knock = KnockBody(
            "di",
            bytes(identity.verify_key),
            ExchangeKey().public,
            agreements_hash("Be kind."),
            answers=answers,
        )
        publish_as(relay, seat, roomwide(ana.endpoint, Kind.KNOCK, knock.encode(), identity))
        if answers != answering(ana):
            assert seat.peer not in ana.endpoint.knocks  # answers no lobby of this room
    assert seat.peer in bo.endpoint.knocks  # the same knock, answering the room, is shown


@pytest.mark.parametrize("lookalike", ["ana", "ana\u034f", "\u0430na", "Ana"])
def test_a_look_alike_name_is_flagged_at_the_door_and_told_apart_inside(lookalike: str) -> None:
    """Defence: a knock whose name looks like a member's says so, and once both are in,
    every screen names each with their seat."""
    relay, (ana, bo) = open_room(2)
    twin = Endpoint.joining(ana.endpoint.invite, lookalike)
    seat = relay.connect(twin)
    seat.send(cmd.Agree())
    relay.pump()
    marked = f"{lookalike} (key {key_mark(bytes(twin.identity.verify_key))})"
    assert ev.Knocked(seat.peer, marked, "ana") in bo.events
    bo.send(cmd.Admit(seat.peer))
    relay.pump()
    for member in (ana, bo, seat):
        names = [s.nick for s in member.endpoint.seats]
        assert names == ["ana (seat 1)", "bo", f"{lookalike} (seat 3)"], names
    seat.say("trust me")
    relay.pump()
    assert said(bo)[-1] == (f"{lookalike} (seat 3)", "trust me")


def test_a_name_that_draws_as_nothing_is_refused() -> None:
    """Defence: a blank-looking name is refused here and, from a modified client, at the door."""
    relay, (ana,) = open_room(1)
    for blank in ("\u3164", "\u115f\u200b", "\u2003"):
        with pytest.raises(ValueError, match="show as nothing on a screen"):
            Endpoint.joining(ana.endpoint.invite, blank)
    seat = relay.connect(Endpoint.joining(ana.endpoint.invite, "x"))
    identity = SigningKey.generate()
    knock = KnockBody(
        "\u3164",
        bytes(identity.verify_key),
        ExchangeKey().public,
        agreements_hash("Be kind."),
        answers=answering(ana),
    )
    publish_as(relay, seat, roomwide(ana.endpoint, Kind.KNOCK, knock.encode(), identity))
    assert seat.peer not in ana.endpoint.knocks and not of(ana, ev.Knocked)


# --- no one writes the story of who came and went alone --------------------------


def forged_by_ana(relay: HostileRelay, ana: Seat, body: CommitBody) -> None:
    publish_as(
        relay, ana, roomwide(ana.endpoint, Kind.COMMIT, body.encode(), ana.endpoint.identity)
    )


def test_the_sequencer_cannot_say_someone_admitted_who_did_not() -> None:
    """Defence: an admission carries the admitting member's signed consent, checked by all."""
    relay, (ana, bo, cy) = open_room(3)
    roster, tickets = ana.endpoint.roster, ana.endpoint.chain.tickets
    assert roster is not None
    mallory = fake_member(3)
    cy_slot = cy.endpoint.my_slot or 0
    for evidence in (b"", random_bytes(64), goodbye(cy)):
        body = admitting(
            roster, "mallory", mallory.identity, mallory.exchange, 77, cy_slot, evidence, tickets
        )
        forged_by_ana(relay, ana, body)
    for seat in (bo, cy):
        assert seat.endpoint.epoch == roster.epoch
        assert not [e for e in of(seat, ev.Admitted) if e.nick == "mallory"]  # type: ignore[attr-defined]


def test_the_sequencer_cannot_dress_an_admission_as_a_return() -> None:
    """Defence: a return needs a ticket of the room and the ticket's vouch."""
    relay, (ana, bo, cy) = open_room(3)
    roster, tickets = ana.endpoint.roster, ana.endpoint.chain.tickets
    assert roster is not None
    mallory = fake_member(3)
    made_up = SigningKey.generate()
    vouch = sign(
        made_up, return_statement(ana.endpoint.room, mallory.identity, mallory.exchange, "bo")
    )
    body = admitting(
        roster, "bo", mallory.identity, mallory.exchange, 77, None,
        bytes(made_up.verify_key) + vouch, tickets,
    )  # fmt: skip
    forged_by_ana(relay, ana, body)
    assert bo.endpoint.epoch == cy.endpoint.epoch == roster.epoch


def test_the_sequencer_cannot_hide_an_admission() -> None:
    """Defence: every newcomer on the roster has its admission, and every admission a newcomer."""
    relay, (ana, bo) = open_room(2)
    mallory = fake_member(2)
    honest = admission(ana, ana, "mallory", mallory.identity, mallory.exchange, 77)
    for forged in (
        replace(honest, changes=()),
        replace(honest, changes=honest.changes * 2),
        replace(honest, tickets=random_bytes(32)),  # tickets a lobby would then hand out
    ):
        forged_by_ana(relay, ana, forged)
    assert bo.endpoint.epoch == 2 and [s.nick for s in bo.endpoint.seats] == ["ana", "bo"]


def test_the_sequencer_cannot_say_someone_left_who_stayed() -> None:
    """Defence: a departure carries the leaver's goodbye, or is a drop everyone saw; a drop
    of someone still connected is refused and named."""
    relay, (ana, bo, _cy) = open_room(3)
    roster = ana.endpoint.roster
    assert roster is not None
    for evidence in (b"", random_bytes(64), goodbye(bo)):
        forged_by_ana(relay, ana, departure(ana, 2, ChangeKind.LEFT, 0, evidence))
    forged_by_ana(relay, ana, departure(ana, 2, ChangeKind.DISCONNECTED, 0))
    assert bo.endpoint.epoch == roster.epoch and len(bo.endpoint.seats) == 3
    assert raised(bo, Alarm.DROP_WHILE_HERE, "ana", "cy"), alarms(bo)


# --- L2: the successor is the longest-seated ------------------------------------------


def test_the_successor_is_the_longest_seated_not_the_lowest_free_seat() -> None:
    """Defence: the roster keeps join order, the successor is the eldest other
    member, and members refuse a Commit that reorders it or names another."""
    relay, (ana, bo, cy, di) = open_room(4, grace_ms=1_000)
    bo.send(cmd.Leave())
    relay.pump()
    relay.disconnect(bo.peer)
    eve = knock_and_enter(relay, ana, "eve", grace_ms=1_000)
    assert eve.endpoint.my_slot == 1  # bo's old seat, the lowest free one
    cy.send(cmd.Leave())
    relay.pump()
    relay.disconnect(cy.peer)
    roster = ana.endpoint.roster
    assert roster is not None and roster.successor is not None
    assert roster.successor.nick == "di"  # seated before eve, in a higher seat
    assert [s.nick for s in eve.endpoint.seats] == ["ana", "eve", "di"]
    # Commits promoting eve over di, reordered or merely named, are refused by all.
    ana_m, di_m, eve_m = roster.members
    assert (di_m.nick, eve_m.nick) == ("di", "eve")
    newcomer = Member(2, "fi", bytes(SigningKey.generate().verify_key), ExchangeKey().public, 88)
    honest = admission(ana, ana, "fi", newcomer.identity, newcomer.exchange, 88)
    reordered = replace(honest, roster=(ana_m, eve_m, di_m, honest.roster[3]), successor=1)
    named = replace(honest, successor=eve_m.slot)
    before = di.endpoint.epoch
    for forged in (reordered, named):
        frame = roomwide(ana.endpoint, Kind.COMMIT, forged.encode(), ana.endpoint.identity)
        publish_as(relay, ana, frame)
        assert di.endpoint.epoch == eve.endpoint.epoch == before


# --- H5: a former member lures newcomers ---------------------------------------------


def test_a_successor_who_left_and_outruns_the_ration_is_reported_and_the_newcomer_told() -> None:
    """Defence: members report every lobby not from their sequencer, a former member's
    too, and vouch for their room; their sequencer greets again at once, ration or not;
    a newcomer shown two rooms is told who vouches for each."""
    relay, (ana, bo, cy) = open_room(3)
    lure = forged_takeover(bo)  # made while bo was the named successor
    bo.send(cmd.Leave())
    relay.pump()
    assert [s.nick for s in ana.endpoint.seats] == ["ana", "cy"]
    invite = ana.endpoint.invite
    # Connections use up the sequencer's lobby ration (the clock stands still).
    crowd: list[Seat] = []
    while len(crowd) < 20 and all(of(s, ev.AgreementsOffered) for s in crowd):
        crowd.append(relay.connect(Endpoint.joining(invite, f"x{len(crowd)}")))
    assert 10 < len(crowd) <= 17, len(crowd)
    di = Endpoint.joining(invite, "di")
    seat = relay.connect(di)
    assert of(seat, ev.AgreementsOffered) == []  # the ration holds ana's lobby back
    lobbies = len(sent_by_kind(relay, ana, Kind.LOBBY))
    publish_as(relay, crowd[0], lure)
    assert di.chain.trusted_sequencer == bytes(bo.endpoint.identity.verify_key)  # lured first
    for member in (ana, cy):
        assert raised(member, Alarm.LURE_BY_FORMER, "bo"), alarms(member)
    assert [e.text for e in of(seat, ev.AgreementsOffered)] == ["Anything goes."]
    assert len(sent_by_kind(relay, ana, Kind.LOBBY)) == lobbies + 1  # greeted again at once
    assert raised(seat, Alarm.LOBBY_OF_ANOTHER_ROOM), alarms(seat)
    told = of(seat, ev.TwoRooms)
    assert told and told[-1] == ev.TwoRooms("bo", (), "ana", ("ana", "cy")), told


def test_the_first_key_is_reported_whatever_epoch_its_lobby_claims() -> None:
    """Defence: a lobby signed by the invite's key after it handed over is a lure even
    when it claims an epoch long gone, and the members' vouches reach the newcomer."""
    relay, (ana, bo, cy) = open_room(3, grace_ms=1_000)
    first_key = ana.endpoint.identity
    relay.disconnect(ana.peer)
    relay.tick(2_000)
    assert bo.endpoint.is_sequencer
    di = Endpoint.joining(bo.endpoint.invite, "di")
    seat = relay.connect(di)
    assert bo.endpoint.epoch > 1  # the lure claims the room's first epoch, long gone
    relay.publish(cy.peer, first_key_lure(bo, first_key))
    relay.pump()
    for member in (bo, cy):
        assert raised(member, Alarm.LURE_BY_FIRST_KEY), alarms(member)
    assert raised(seat, Alarm.LOBBY_OF_ANOTHER_ROOM), alarms(seat)
    told = of(seat, ev.TwoRooms)
    assert told and told[-1] == ev.TwoRooms("bo", ("bo", "cy"), "ana", ()), told


def test_a_vouch_with_a_borrowed_name_counts_for_nothing() -> None:
    """Defence: a vouch counts only when signed by the key it names."""
    relay, (ana, bo, cy) = open_room(3)
    lure = forged_takeover(bo)
    di = Endpoint.joining(ana.endpoint.invite, "di")
    seat = relay.connect(di)  # ana's lobby first: di believes the real room
    publish_as(relay, bo, lure)
    [fake] = di.rivals.others
    cy_key = bytes(cy.endpoint.identity.verify_key)
    borrowed = Vouch(cy_key, fake.commit_hash).encode()
    publish_as(relay, bo, roomwide(bo.endpoint, Kind.VOUCH, borrowed, bo.endpoint.identity))
    told = of(seat, ev.TwoRooms)
    assert told and told[-1] == ev.TwoRooms("ana", ("ana", "bo", "cy"), "bo", ()), told


def test_a_lobby_that_proves_nothing_raises_no_alarm() -> None:
    """Defence, the other way: anyone holding the invite can sign a lobby with a key of
    their own, which leads no newcomer anywhere; members are not alarmed by it."""
    relay, (ana, bo, cy) = open_room(3)
    stranger = SigningKey.generate()
    commit = bo.endpoint.chain.last_frame or b""
    lobby = Lobby("Anything goes.", "ana", bo.endpoint.epoch, (), commit)
    publish_as(relay, bo, roomwide(bo.endpoint, Kind.LOBBY, lobby.encode(), stranger))
    assert alarms(ana) == [] and alarms(cy) == []
    assert not sent_by_kind(relay, ana, Kind.VOUCH)


def sent_by_kind(relay: HostileRelay, seat: Seat, kind: Kind) -> list[bytes]:
    """The room-wide frames of ``kind`` that ``seat`` published."""
    out = []
    for msg in relay.log:
        if msg.sender != seat.peer:
            continue
        frame = parse(msg.d, seat.endpoint.room)
        if isinstance(frame, RoomFrame) and frame.kind is kind:
            out.append(msg.d)
    return out
