"""The exchange key turns with every epoch: what a key taken from memory can open.

A member's X25519 exchange key seals the chain keys sent to it. Each keys frame
announces, signed, the key its sender will use next; the next Commit lists it;
the key before is forgotten once nothing sealed under it can still arrive. So a
key taken from a member's memory opens no keys frame sealed before the last
epoch change, and with no chain key, no message.
"""

from __future__ import annotations

from protocol import commands as cmd
from protocol import wire
from protocol.crypto import CryptoFailure, ExchangeKey, unseal
from protocol.endpoint import Endpoint
from protocol.frames import KeysFrame, keys_aad, parse
from protocol.keys.pairs import pair_context
from protocol.keys.receiver import PREVIOUS_WINDOW_MS
from tests.protocol.harness import HostileRelay, Seat
from tests.protocol.rooms import knock_and_enter, new_chain, open_room, said


def sealed_to(relay: HostileRelay, seat: Seat, epoch: int) -> list[KeysFrame]:
    """Every keys frame of ``epoch`` the relay carried with a chain key for ``seat``."""
    ep = seat.endpoint
    out = []
    for msg in relay.log:
        try:
            frame = parse(msg.d, ep.room)
        except ValueError:
            continue
        if isinstance(frame, KeysFrame) and frame.epoch == epoch and ep.my_slot in frame.sealed:
            out.append(frame)
    return out


def opens(key: ExchangeKey, their: bytes, frame: KeysFrame, room: bytes, slot: int) -> bool:
    try:
        key_for_us = key.pair(their).receiving(pair_context(room, frame.epoch))
        unseal(key_for_us, frame.sealed[slot], keys_aad(frame.header, slot))
    except CryptoFailure:
        return False
    return True


def test_a_key_taken_from_memory_opens_nothing_sealed_before_the_last_epoch_change() -> None:
    relay, (ana, bo, cy) = open_room(3)
    ana.say("before")
    relay.pump()
    epoch = cy.endpoint.epoch
    roster = cy.endpoint.roster
    assert roster is not None and cy.endpoint.my_slot is not None
    slot, room = cy.endpoint.my_slot, cy.endpoint.room
    their = {m.slot: m.exchange for m in roster.members}
    then = cy.endpoint.pairs.exchange  # what memory held during the epoch
    frames = sealed_to(relay, cy, epoch)
    assert len(frames) >= 2  # from ana and from bo
    assert all(opens(then, their[f.slot], f, room, slot) for f in frames)  # the control

    knock_and_enter(relay, ana, "di")  # the epoch changes
    relay.tick(relay.now + PREVIOUS_WINDOW_MS + 1)
    assert cy.endpoint.epoch == epoch + 1
    pairs = cy.endpoint.pairs
    memory = [k for k in (pairs.exchange, pairs.previous, pairs.next) if k is not None]
    assert then.public not in {k.public for k in memory}
    now = cy.endpoint.roster
    assert now is not None
    theirs_now = {m.slot: m.exchange for m in now.members}
    for frame in frames:
        for key in memory:
            for public in {their[frame.slot], theirs_now[frame.slot]}:
                assert not opens(key, public, frame, room, slot)
    # and the room talks on under the new keys, the newcomer included
    bo.say("after")
    relay.pump()
    assert ("bo", "after") in said(cy) and ("bo", "after") in said(ana)


def test_every_member_turns_its_key_at_the_next_commit_and_the_roster_lists_it() -> None:
    relay, seats = open_room(4)
    before = {s.endpoint.my_slot: s.endpoint.pairs.public for s in seats}
    knock_and_enter(relay, seats[0], "fi")
    roster = seats[1].endpoint.roster
    assert roster is not None
    for seat in seats:
        slot = seat.endpoint.my_slot
        member = roster.seat(slot) if slot is not None else None
        assert member is not None
        assert member.exchange == seat.endpoint.pairs.public != before[slot]


def test_keys_sealed_just_before_the_commit_that_turned_the_keys_still_open() -> None:
    """bo draws a new chain for epoch 3 and talks, but the relay sequences the Commit
    that turns everyone's exchange key first: cy opens bo's keys on the key it held."""
    relay, (ana, bo, cy) = open_room(3)
    di = Endpoint.joining(ana.endpoint.invite, "di")
    di_seat = relay.connect(di)
    di.send(cmd.Agree(), relay.now)
    relay.pump()
    before = cy.endpoint.pairs.public
    relay.hold = True
    new_chain(bo)
    bo.say("sealed under the keys of epoch 3")
    relay.pump()
    late = relay.held
    relay.held = []
    relay.hold = False
    ana.send(cmd.Admit(di_seat.peer))  # the Commit for epoch 4 overtakes bo's frames
    for frame in ana.endpoint.data_to_send():
        relay.publish(ana.peer, wire.decode_client(frame).d)
    for sender, payload in late:
        relay.publish(sender, payload)
    relay.pump()
    assert cy.endpoint.epoch == 4 and cy.endpoint.pairs.public != before
    assert ("bo", "sealed under the keys of epoch 3") in said(cy)
    assert ("bo", "sealed under the keys of epoch 3") in said(ana)
