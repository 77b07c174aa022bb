"""The attack list from DESIGN.md, each driven through the hostile relay harness.

Every test names the defence it holds in its docstring; removing that defence
makes the test fail (each was checked that way once).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from nacl.signing import SigningKey

from protocol import commands as cmd
from protocol import events as ev
from protocol import wire
from protocol.bodies.commit import ChangeKind
from protocol.bodies.door import KnockBody, Lobby
from protocol.crypto import ExchangeKey, pad, random_bytes, seal, sign
from protocol.endpoint import Endpoint, agreements_hash
from protocol.frames import (
    FrameError,
    GroupFrame,
    KeysFrame,
    Kind,
    RoomFrame,
    group_header,
    keys_body,
    keys_header,
    parse,
)
from protocol.keys.chains import SendingChain
from tests.protocol.harness import restamp
from tests.protocol.rooms import (
    admission,
    alarms,
    answering,
    departure,
    fake_member,
    fingerprint,
    goodbye,
    group_frame,
    knock_and_enter,
    of,
    open_room,
    publish_as,
    raised,
    roomwide,
    said,
    sent_by,
)


def said_by(ep: Endpoint) -> list[ev.Event]:
    return [e for e in ep.events_received() if isinstance(e, ev.Said)]


# --- membership -------------------------------------------------------------------


def test_a_commit_signed_by_an_ordinary_member_is_refused() -> None:
    """Defence: only the sequencer's (or, to remove it, the successor's) signature counts."""
    relay, (ana, bo, cy) = open_room(3)
    before = [fingerprint(s.endpoint) for s in (ana, bo)]
    roster = cy.endpoint.roster
    assert roster is not None
    intruder = fake_member(3)
    body = admission(cy, cy, "mallory", intruder.identity, intruder.exchange, 77)
    publish_as(relay, cy, roomwide(cy.endpoint, Kind.COMMIT, body.encode(), cy.endpoint.identity))
    assert [fingerprint(s.endpoint) for s in (ana, bo)] == before
    assert all("mallory" not in [s.nick for s in x.endpoint.seats] for x in (ana, bo, cy))


def test_the_successor_cannot_admit_while_the_host_is_there() -> None:
    """Defence: a successor's Commit is valid only when it removes the sequencer."""
    relay, (ana, bo, cy) = open_room(3)
    roster = bo.endpoint.roster
    assert roster is not None and roster.commit.successor == bo.endpoint.my_slot
    intruder = fake_member(3)
    body = admission(bo, bo, "mallory", intruder.identity, intruder.exchange, 77)
    publish_as(relay, bo, roomwide(bo.endpoint, Kind.COMMIT, body.encode(), bo.endpoint.identity))
    assert {s.endpoint.epoch for s in (ana, bo, cy)} == {3}


def test_a_replayed_commit_is_refused() -> None:
    """Defence: a Commit's epoch must be exactly the current one plus one, and it
    must name the current Commit.

    The relay replays the Commit that admitted cy once cy has left. It withheld
    ana's and bo's keys frames in between, so their exchange keys did not turn:
    the old Commit fits the room in every other way, its consent included, and
    only its place in the chain gives it away.
    """
    relay, (ana, bo) = open_room(2)
    quiet = {ana.peer, bo.peer}

    def withhold_keys(peer: int, msg: wire.Msg) -> list[bytes]:
        frame = parse(msg.d, ana.endpoint.room)
        return [] if msg.sender in quiet and isinstance(frame, KeysFrame) else [wire.encode(msg)]

    relay.tamper = withhold_keys
    cy = knock_and_enter(relay, ana, "cy")
    assert bo.endpoint.epoch == 3
    admitted_cy = [m for m in sent_by(relay, ana, RoomFrame) if m.d[1] == Kind.COMMIT][-1]
    assert bo.endpoint.roster is not None
    keys = [(m.nick, m.exchange) for m in bo.endpoint.roster.members]
    cy.send(cmd.Leave())
    relay.pump()
    assert bo.endpoint.epoch == 4 and bo.endpoint.roster is not None
    assert [(m.nick, m.exchange) for m in bo.endpoint.roster.members] == keys[:2]
    before = fingerprint(bo.endpoint)
    relay.inject(bo.peer, restamp(admitted_cy, relay.seq + 1))
    assert fingerprint(bo.endpoint) == before


def test_a_commit_of_thirteen_is_refused_even_from_the_sequencer() -> None:
    """Defence: a roster holds at most twelve seats."""
    relay, (ana, bo) = open_room(2)
    roster = ana.endpoint.roster
    assert roster is not None
    crowd = tuple(fake_member(slot) for slot in range(2, 13))
    # Every newcomer comes with ana's real consent, so only the count is wrong.
    welcomes = [admission(ana, ana, m.nick, m.identity, m.exchange, m.peer) for m in crowd]
    body = replace(
        welcomes[0],
        roster=(*roster.members, *crowd),
        changes=tuple(
            replace(w.changes[0], slot=m.slot) for w, m in zip(welcomes, crowd, strict=True)
        ),
    )
    assert len(body.roster) == 13
    publish_as(
        relay, ana, roomwide(ana.endpoint, Kind.COMMIT, body.encode(), ana.endpoint.identity)
    )
    assert bo.endpoint.epoch == 2
    assert len(bo.endpoint.seats) == 2


def test_a_commit_that_skips_an_epoch_is_refused() -> None:
    """Defence: epochs advance one at a time."""
    relay, (ana, bo) = open_room(2)
    roster = ana.endpoint.roster
    assert roster is not None
    newcomer = fake_member(2)
    body = admission(ana, ana, "x", newcomer.identity, newcomer.exchange, 55)
    skipped = replace(body, epoch=body.epoch + 1)
    publish_as(
        relay, ana, roomwide(ana.endpoint, Kind.COMMIT, skipped.encode(), ana.endpoint.identity)
    )
    assert bo.endpoint.epoch == 2


def test_a_commit_that_swaps_a_members_keys_is_refused() -> None:
    """Defence: everyone who stays keeps their seat, name and keys."""
    relay, (ana, bo, cy) = open_room(3)
    roster = ana.endpoint.roster
    assert roster is not None
    body = departure(ana, 2, ChangeKind.LEFT, 0, goodbye(cy))
    swapped = tuple(
        replace(m, exchange=ExchangeKey().public) if m.slot == 1 else m for m in body.roster
    )
    forged = replace(body, roster=swapped)
    publish_as(
        relay, ana, roomwide(ana.endpoint, Kind.COMMIT, forged.encode(), ana.endpoint.identity)
    )
    assert bo.endpoint.epoch == 3 and cy.endpoint.epoch == 3


def test_a_forged_lobby_shows_no_agreements() -> None:
    """Defence: a lobby counts only when signed by the sequencer the invite names."""
    relay, (ana, bo) = open_room(2)
    joiner = Endpoint.joining(ana.endpoint.invite, "di")
    relay.hold = True  # the real lobby never arrives
    seat = relay.connect(joiner)
    relay.held.clear()
    relay.hold = False
    commit = bo.endpoint.chain.last_frame or b""  # the room's real Commit, signed by ana
    lobby = Lobby("Anything goes.", "ana", 2, (), commit)
    publish_as(relay, bo, roomwide(bo.endpoint, Kind.LOBBY, lobby.encode(), bo.endpoint.identity))
    offered = [e.text for e in of(seat, ev.AgreementsOffered)]
    assert offered == [ana.endpoint.agreements]  # the real lobby, sent again after the lure


def test_a_newcomer_refuses_a_welcome_not_signed_by_the_sequencer() -> None:
    """Defence: a newcomer's first Commit must carry the trusted sequencer's signature."""
    relay, (ana, bo) = open_room(2)
    joiner = Endpoint.joining(ana.endpoint.invite, "di")
    seat = relay.connect(joiner)
    seat.send(cmd.Agree())
    relay.pump()
    knock = joiner.entry.knock
    assert knock is not None
    roster = bo.endpoint.roster
    assert roster is not None
    body = admission(bo, bo, "di", knock.identity, knock.exchange, seat.peer)
    publish_as(relay, bo, roomwide(bo.endpoint, Kind.COMMIT, body.encode(), bo.endpoint.identity))
    assert joiner.roster is None and of(seat, ev.Entered) == []


def test_a_replayed_knock_is_not_shown_again() -> None:
    """Defence: a knock from someone already on the roster is stale."""
    relay, (ana, bo) = open_room(2)
    knock = next(m for m in relay.log if m.sender == bo.peer)
    count = len(of(ana, ev.Knocked))
    relay.inject(ana.peer, restamp(knock, relay.seq + 1))
    assert len(of(ana, ev.Knocked)) == count


def test_a_knock_with_a_low_order_exchange_key_is_not_shown() -> None:
    """Defence: a knock whose exchange key yields no pairwise channel is dropped."""
    relay, (ana,) = open_room(1)
    joiner = Endpoint.joining(ana.endpoint.invite, "di")
    seat = relay.connect(joiner)
    identity = SigningKey.generate()
    for bad in (bytes(32), b"\x01" + bytes(31)):
        agreed = agreements_hash("Be kind.")
        body = KnockBody("di", bytes(identity.verify_key), bad, agreed, answers=answering(ana))
        publish_as(relay, seat, roomwide(ana.endpoint, Kind.KNOCK, body.encode(), identity))
    assert of(ana, ev.Knocked) == []


# --- messages ---------------------------------------------------------------------


def test_a_replayed_message_is_shown_once() -> None:
    """Defence: a chain only moves forward; an index at or below the last is refused."""
    relay, (ana, bo) = open_room(2)
    bo.say("only once")
    relay.pump()
    msg = relay.log[-1]
    before = fingerprint(ana.endpoint)
    relay.inject(ana.peer, restamp(msg, relay.seq + 1))
    relay.inject(bo.peer, restamp(msg, relay.seq + 2))
    assert said(ana).count(("bo", "only once")) == 1
    assert said(bo).count(("bo", "only once")) == 1
    assert fingerprint(ana.endpoint) == before


def test_duplicated_frames_change_nothing() -> None:
    """Defence: indices, key generations and epochs refuse every second copy."""
    relay, (ana, bo) = open_room(2)
    relay.tamper = lambda peer, msg: [wire.encode(msg), wire.encode(msg)]
    cy = knock_and_enter(relay, ana, "cy")
    for seat in (ana, bo, cy):
        seat.say(f"from {seat.endpoint.nick}")
    relay.pump()
    expected = [("ana", "from ana"), ("bo", "from bo"), ("cy", "from cy")]
    for seat in (ana, bo, cy):
        assert said(seat) == expected
        assert of(seat, ev.Gap) == []


def test_reordered_messages_show_a_gap_and_refuse_the_late_one() -> None:
    """Defence: strictly increasing indices; a jump is a visible gap."""
    relay, (ana, bo) = open_room(2)
    relay.hold = True
    bo.say("first")
    bo.say("second")
    relay.pump()
    (_, first), (_, second) = relay.held
    relay.held = [(bo.peer, second), (bo.peer, first)]
    relay.release()
    assert said(ana) == [("bo", "second")]
    assert [(g.nick, g.missing) for g in of(ana, ev.Gap)] == [("bo", 1)]


def test_a_dropped_message_shows_a_gap() -> None:
    """Defence: the gap is reported, not hidden."""
    relay, (ana, bo) = open_room(2)
    drop = {"n": 0}

    def drop_first_to_ana(peer: int, msg: wire.Msg) -> list[bytes]:
        if peer == ana.peer and msg.sender == bo.peer and drop["n"] < 2:
            drop["n"] += 1
            return []
        return [wire.encode(msg)]

    relay.tamper = drop_first_to_ana
    for text in ("one", "two", "three"):
        bo.say(text)
    relay.pump()
    assert said(ana) == [("bo", "three")]
    assert [(g.nick, g.missing) for g in of(ana, ev.Gap)] == [("bo", 2)]


def test_a_frame_from_another_room_is_refused() -> None:
    """Defence: the room id is in every header, bound by the signature and the seal."""
    relay, (ana, bo) = open_room(2)
    other, (_xa, xb) = open_room(2)
    xb.say("wrong room")
    other.pump()
    stolen = other.log[-1]
    patched = stolen.d[:2] + ana.endpoint.room + stolen.d[18:]
    before = fingerprint(ana.endpoint)
    relay.inject(ana.peer, restamp(stolen, relay.seq + 1, sender=bo.peer))
    relay.inject(ana.peer, restamp(stolen, relay.seq + 2, d=patched, sender=bo.peer))
    assert fingerprint(ana.endpoint) == before
    assert said(ana) == []
    with pytest.raises(FrameError):
        parse(stolen.d, ana.endpoint.room)


def test_a_message_moved_to_another_epoch_seat_or_generation_is_refused() -> None:
    """Defence: the header names the chain, and the signature and the seal bind the header.

    The relay withholds the original from ana and shows her moved copies; none
    opens, nothing changes, and the original still opens afterwards.
    """
    relay, (ana, bo, cy) = open_room(3)
    relay.tamper = lambda peer, msg: [] if peer == ana.peer else [wire.encode(msg)]
    bo.say("in its place")
    relay.pump()
    relay.tamper = None
    msg = relay.log[-1]
    d = msg.d
    moved_epoch = d[:18] + (ana.endpoint.epoch - 1).to_bytes(4, "big") + d[22:]
    moved_seat = d[:22] + bytes((cy.endpoint.my_slot or 0,)) + d[23:]
    moved_gen = d[:23] + (1).to_bytes(4, "big") + d[27:]
    before = fingerprint(ana.endpoint)
    for n, variant in enumerate((moved_epoch, moved_seat, moved_gen), start=1):
        relay.inject(ana.peer, restamp(msg, relay.seq + n, d=variant))
    assert fingerprint(ana.endpoint) == before
    assert said(ana) == []
    relay.inject(ana.peer, restamp(msg, relay.seq + 4))
    assert said(ana) == [("bo", "in its place")]


def test_a_late_message_from_the_previous_epoch_is_refused_once_its_sender_rekeyed() -> None:
    """Defence: a member's previous-epoch chain is dropped when their new keys arrive.

    bo sealed the message before rekeying, so in the relay's honest order it
    comes before bo's new keys; shown after them, it was moved across epochs.
    """
    relay, (ana, bo) = open_room(2)
    relay.tamper = lambda peer, msg: [] if peer == ana.peer else [wire.encode(msg)]
    bo.say("said in epoch 2")
    relay.pump()
    relay.tamper = None
    late = relay.log[-1]
    knock_and_enter(relay, ana, "cy")
    assert ana.endpoint.receiver.chains[bo.endpoint.my_slot or 0].epoch == 3
    relay.inject(ana.peer, restamp(late, relay.seq + 1))
    assert ("bo", "said in epoch 2") not in said(ana)


def test_a_member_cannot_speak_in_anothers_seat() -> None:
    """Defence: the seat's identity signature is checked before anything is opened.

    Every member holds every other member's chain, so without the signature cy
    could seal a message under bo's chain and it would open.
    """
    relay, (ana, bo, cy) = open_room(3)
    bo_slot = bo.endpoint.my_slot or 0
    held = cy.endpoint.receiver.chains[bo_slot]
    stolen = SendingChain(held.epoch, held.gen, held._chain_key)
    frame = group_frame(cy.endpoint, stolen, bo_slot, "I am bo", cy.endpoint.identity)
    publish_as(relay, cy, frame)
    relay.inject(ana.peer, restamp(relay.log[-1], relay.seq + 1, sender=bo.peer))
    assert ("bo", "I am bo") not in said(ana)


def test_a_reflected_or_forwarded_chain_key_does_not_open() -> None:
    """Defence: crypto_kx keys per direction and the recipient in the seal's associated data."""
    relay, (ana, bo, cy) = open_room(3)
    ana_keys = sent_by(relay, ana, KeysFrame)[-1]
    frame = parse(ana_keys.d, ana.endpoint.room)
    assert isinstance(frame, KeysFrame)
    for_bo = frame.sealed[bo.endpoint.my_slot or 0]
    epoch = bo.endpoint.epoch
    before_ana, before_cy = fingerprint(ana.endpoint), fingerprint(cy.endpoint)
    # bo reflects ana's entry back to ana, and forwards it to cy, as bo's own next
    # chain, announcing the key's public check as ana did.
    for target in (ana.endpoint.my_slot or 0, cy.endpoint.my_slot or 0):
        header = keys_header(bo.endpoint.room, epoch, bo.endpoint.my_slot or 0, 5, frame.check)
        signed = header + keys_body({target: for_bo})
        publish_as(relay, bo, signed + sign(bo.endpoint.identity, signed))
    # Each frame is bo's signed word, so whoever it holds no entry for notes what it
    # announced; nothing else changes, and no chain moves.
    for seat, before in ((ana, before_ana), (cy, before_cy)):
        after = fingerprint(seat.endpoint)
        chains = dict(after["receiver"][1:])["chains"]  # type: ignore[call-overload]
        assert chains == dict(before["receiver"][1:])["chains"]  # type: ignore[call-overload]
        assert {k: v for k, v in after.items() if k != "receiver"} == {
            k: v for k, v in before.items() if k != "receiver"
        }


def test_a_replayed_key_distribution_cannot_rewind_a_chain() -> None:
    """Defence: a chain generation is taken once; an older or equal one is refused."""
    relay, (ana, bo) = open_room(2)
    keys = next(
        m
        for m in reversed(relay.log)
        if m.sender == bo.peer and parse(m.d, ana.endpoint.room).__class__.__name__ == "KeysFrame"
    )
    bo.say("once")
    relay.pump()
    said_frame = relay.log[-1]
    relay.inject(ana.peer, restamp(keys, relay.seq + 1))
    relay.inject(ana.peer, restamp(said_frame, relay.seq + 2))
    assert said(ana) == [("bo", "once")]


def test_different_messages_to_different_members_are_caught_by_acks() -> None:
    """Defence: acks carry a running hash per chain; members compare them."""
    relay, (ana, bo, cy) = open_room(3)
    chain = bo.endpoint.sender.chain
    assert chain is not None
    twin = SendingChain(chain.epoch, chain.gen, chain._chain_key)
    twin.index = chain.index
    to_cy = group_frame(
        bo.endpoint, twin, bo.endpoint.my_slot or 0, "lunch is at two", bo.endpoint.identity
    )

    def fork(peer: int, msg: wire.Msg) -> list[bytes]:
        if (
            peer == cy.peer
            and msg.sender == bo.peer
            and isinstance(parse(msg.d, ana.endpoint.room), GroupFrame)
        ):
            return [restamp(msg, msg.seq, d=to_cy)]
        return [wire.encode(msg)]

    relay.tamper = fork
    bo.say("lunch is at noon")
    relay.pump()
    relay.tamper = None
    assert ("bo", "lunch is at noon") in said(ana) and ("bo", "lunch is at two") in said(cy)
    relay.tick(10_000)
    assert raised(ana, ev.Alarm.DIFFERENT_MESSAGES, "cy", "bo"), alarms(ana)
    assert raised(cy, ev.Alarm.DIFFERENT_MESSAGES, "ana", "bo"), alarms(cy)


def test_withheld_messages_are_caught_by_acks() -> None:
    """Defence: an ack naming an index we never got means the relay held it back."""
    relay, (_ana, bo, cy) = open_room(3)
    relay.tamper = lambda peer, msg: (
        [] if peer == cy.peer and msg.sender == bo.peer else [wire.encode(msg)]
    )
    bo.say("cy never hears this")
    relay.pump()
    relay.tick(10_000)  # bo's own ack is withheld from cy too
    assert of(cy, ev.Gap) == []  # nothing from bo reaches cy, so there is no gap to see
    assert raised(cy, ev.Alarm.WITHHELD, "ana", "bo"), alarms(cy)


def test_a_removed_members_keys_stop_working() -> None:
    """Defence: new chains every epoch, handed only to the new roster."""
    relay, (ana, bo, cy) = open_room(3, grace_ms=1_000)
    spy = cy.endpoint
    held = {slot: (c.epoch, c.gen, c._chain_key) for slot, c in spy.receiver.chains.items()}
    chain = spy.sender.chain
    assert chain is not None
    late = SendingChain(chain.epoch, chain.gen, chain._chain_key)
    late.index = chain.index
    relay.disconnect(cy.peer)
    relay.tick(5_000)
    assert [s.nick for s in ana.endpoint.seats] == ["ana", "bo"]
    # cy's old chain speaks no more: its previous-epoch chain is gone from everyone.
    d = group_frame(spy, late, 2, "still here", spy.identity)
    relay.publish(cy.peer, d)
    relay.pump()
    assert ("cy", "still here") not in said(ana) + said(bo)
    # And what ana says now opens under none of the keys cy held.
    ana.say("cy cannot read this")
    relay.pump()
    frame = parse(relay.log[-1].d, ana.endpoint.room)
    assert isinstance(frame, GroupFrame)
    assert ("ana", "cy cannot read this") in said(bo)
    assert all((epoch, gen) != (frame.epoch, frame.gen) for epoch, gen, _ in held.values())
    before = fingerprint(spy)
    spy.receive_frame(wire.encode(relay.log[-1]), relay.now)
    after = fingerprint(spy)  # cy is told a later epoch exists, and reads nothing of it
    assert (after["receiver"], after["state"]) == (before["receiver"], before["state"])
    assert said_by(spy) == []


def test_huge_counters_are_refused_and_change_nothing() -> None:
    """Defence: a jump past MAX_SKIP is refused rather than ground through."""
    relay, (ana, bo) = open_room(2)
    chain = bo.endpoint.sender.chain
    assert chain is not None
    far = SendingChain(chain.epoch, chain.gen, chain._chain_key)
    far.index = 2**32 - 1
    header = group_header(
        ana.endpoint.room, chain.epoch, bo.endpoint.my_slot or 0, chain.gen, far.index
    )
    signed = header + seal(random_bytes(32), pad(b"\x91\xa3say"), header)
    before = fingerprint(ana.endpoint)
    publish_as(relay, bo, signed + sign(bo.endpoint.identity, signed))
    assert fingerprint(ana.endpoint) == before


def test_the_lineage_carries_a_room_past_its_hosts_departure() -> None:
    """Defence and feature: the successor commits the host's departure and newcomers follow."""
    relay, (ana, bo, cy) = open_room(3)
    ana.send(cmd.Leave())
    relay.pump()
    relay.disconnect(ana.peer)
    assert [s.nick for s in bo.endpoint.seats] == ["bo", "cy"]
    assert bo.endpoint.is_sequencer
    di = knock_and_enter(relay, bo, "di")
    assert di.endpoint.roster is not None
    assert sorted(s.nick for s in di.endpoint.seats) == ["bo", "cy", "di"]
    assert di.endpoint.chain.trusted_sequencer == bytes(bo.endpoint.identity.verify_key)
    di.say("hello")
    relay.pump()
    assert ("di", "hello") in said(cy)
