"""Twelve real clients through the real relay: one order, every message, no thirteenth."""

from __future__ import annotations

import asyncio
import copy

from protocol import commands as cmd
from protocol import events as ev
from protocol import wire
from protocol.bodies.commit import ChangeKind
from protocol.crypto import CryptoFailure, unseal
from protocol.endpoint import Endpoint
from protocol.frames import GroupFrame, parse
from protocol.keys.chains import ReceivingChain
from tests.conftest import RelayProcess
from tests.e2e.conftest import Person, RecordingProxy, Room
from tui.sentences import sentence

NICKS = ("ana", "bo", "cy", "di", "ed", "flo", "gus", "hal", "ivy", "jo", "kit", "lu")


def opens_with(held: list[ReceivingChain], d: bytes, room: bytes) -> bool:
    """Whether any chain in ``held`` opens the group frame ``d``."""
    frame = parse(d, room)
    assert isinstance(frame, GroupFrame)
    for chain in held:
        try:
            key, _ = chain.key_for(frame.index)
            unseal(key, frame.sealed, frame.header)
        except (CryptoFailure, ValueError):
            continue
        return True
    return False


async def test_twelve_hear_everything_in_one_order_and_the_thirteenth_is_refused(
    proxy: RecordingProxy, room: Room
) -> None:
    people = [await room.host(proxy.url, NICKS[0])]
    for nick in NICKS[1:]:
        # Any member may open the door; spread it around the room.
        people.append(await room.join(people[0], nick, admitter=people[len(people) // 2]))
    assert {p.endpoint.room_code for p in people} == {people[0].endpoint.room_code}
    assert all(len(p.endpoint.seats) == 12 for p in people)

    for person in people:
        person.client.send(cmd.Say(f"hello from {person.endpoint.nick}"))
    for person in people:
        for nick in NICKS:
            await person.expect(ev.Said, lambda s, nick=nick: s.text == f"hello from {nick}")
    orders = {tuple(p.said()) for p in people}
    assert len(orders) == 1
    assert sorted(orders.pop()) == sorted((n, f"hello from {n}") for n in NICKS)

    late = room.start(Endpoint.joining(people[0].endpoint.invite, "mo"), reconnect=False)
    refused = await late.expect(ev.Refused)
    assert refused.code == wire.ROOM_FULL
    assert sentence(refused) == (
        "This room already has 12 people. Ask the facilitator for another room."
    )
    await asyncio.wait_for(late.task, 10)
    closed = await late.expect(ev.Closed)
    assert sentence(closed) == sentence(refused)  # the ending says why, not just that it ended
    assert all(len(p.endpoint.seats) == 12 for p in people)

    # lu leaves; what is said next opens under none of the keys lu held.
    lu = people.pop()
    held = copy.deepcopy(list(lu.endpoint.receiver.chains.values()))
    mark = len(proxy.downstreams[0])
    people[3].client.send(cmd.Say("before lu left"))
    await lu.expect(ev.Said, lambda s: s.text == "before lu left")
    await people[0].expect(ev.Said, lambda s: s.text == "before lu left")  # link 0 has it too
    before = _group_frames(bytes(proxy.downstreams[0][mark:]), lu.endpoint.room)
    assert any(opens_with(held, d, lu.endpoint.room) for d in before)  # the keys did work
    lu.client.send(cmd.Leave())
    await asyncio.wait_for(lu.task, 10)
    for person in people:
        await person.expect(ev.Departed, lambda d: d.nick == "lu")
    mark = len(proxy.downstreams[0])
    people[3].client.send(cmd.Say("after lu left"))
    for person in people:
        await person.expect(ev.Said, lambda s: s.text == "after lu left")
    frames = _group_frames(bytes(proxy.downstreams[0][mark:]), people[0].endpoint.room)
    frames = [d for d in frames if _epoch(d, people[0].endpoint.room) == people[0].endpoint.epoch]
    assert frames and not any(opens_with(held, d, people[0].endpoint.room) for d in frames)
    # An honest relay, eleven epochs, acks all along: nobody was warned of anything.
    for person in people:
        person._drain()
        assert not [e for e in person.seen if isinstance(e, ev.Tampering)], person.seen


async def test_a_removed_members_keys_stop_working(
    relay: RelayProcess, proxy: RecordingProxy, room: Room
) -> None:
    ana = await room.host(proxy.url, "ana")
    bo = await room.join(ana, "bo")
    cy = await room.join(ana, "cy")
    bo.client.send(cmd.Say("hello cy"))  # by now cy holds bo's chain
    await cy.expect(ev.Said, lambda s: s.text == "hello cy")
    held = copy.deepcopy(list(cy.endpoint.receiver.chains.values()))
    mark = len(proxy.downstreams[0])
    bo.client.send(cmd.Say("before cy leaves"))
    await cy.expect(ev.Said, lambda s: s.text == "before cy leaves")
    await ana.expect(ev.Said, lambda s: s.text == "before cy leaves")  # link 0 has it too
    before = _group_frames(bytes(proxy.downstreams[0][mark:]), ana.endpoint.room)
    assert any(opens_with(held, d, ana.endpoint.room) for d in before)  # the keys did work
    old_frames = len(proxy.downstreams[0])
    cy.client.send(cmd.Leave())
    await asyncio.wait_for(cy.task, 10)
    await ana.expect(ev.Departed, lambda d: d.nick == "cy")
    await bo.expect(ev.RosterChanged, lambda r: r.epoch == 4)

    bo.client.send(cmd.Say("after cy left"))
    await ana.expect(ev.Said, lambda s: s.text == "after cy left")
    # Find bo's new frame in what the relay sent, and try every key cy ever held.
    frames = _group_frames(bytes(proxy.downstreams[0][old_frames:]), ana.endpoint.room)
    frames = [d for d in frames if _epoch(d, ana.endpoint.room) == ana.endpoint.epoch]
    assert frames, "the relay carried bo's message"
    assert not any(opens_with(held, d, ana.endpoint.room) for d in frames)
    assert [s.nick for s in bo.endpoint.seats] == ["ana", "bo"]


def _group_frames(stream: bytes, room: bytes) -> list[bytes]:
    """Group-message payloads in a recorded relay-to-client byte stream."""
    found = []
    marker = b"\xa1t\xa3msg"
    at = stream.find(marker)
    while at >= 0:
        end = stream.find(marker, at + 1)
        chunk = stream[at - 1 : end if end > 0 else len(stream)]
        try:
            msg = wire.decode_server(chunk[: _frame_len(chunk)])
        except (wire.WireError, ValueError):
            msg = None
        if isinstance(msg, wire.Msg):
            try:
                if isinstance(parse(msg.d, room), GroupFrame):
                    found.append(msg.d)
            except ValueError:
                pass
        at = end
    return found


def _epoch(d: bytes, room: bytes) -> int:
    frame = parse(d, room)
    assert isinstance(frame, GroupFrame)
    return frame.epoch


def _frame_len(chunk: bytes) -> int:
    import msgpack

    unpacker = msgpack.Unpacker(raw=False)
    unpacker.feed(chunk)
    unpacker.unpack()
    return unpacker.tell()


async def test_a_dropped_connection_comes_back_as_a_new_member(
    proxy: RecordingProxy, room: Room
) -> None:
    ana = await room.host(proxy.url, "ana")
    bo = await room.join(ana, "bo")
    old_key = bo.endpoint.identity
    proxy.cut(1)
    dropped = await bo.expect(ev.Reconnecting)
    assert dropped.attempt == 1 and "new member" in (sentence(dropped) or "")
    await bo.expect(ev.Rejoining)
    await bo.expect(ev.Entered)
    assert (await bo.expect(ev.BackInRoom)).sent == 0
    assert bo.endpoint.identity != old_key
    await ana.expect(ev.Departed, lambda d: (d.nick, d.reason) == ("bo", ChangeKind.DISCONNECTED))
    await ana.expect(ev.Admitted, lambda a: a.nick == "bo")
    bo.client.send(cmd.Say("back again"))
    await ana.expect(ev.Said, lambda s: s.text == "back again")
    assert [s.nick for s in ana.endpoint.seats] == ["ana", "bo"]


async def test_an_unreachable_relay_is_a_sentence(room: Room) -> None:
    person = room.start(Endpoint.host("ws://127.0.0.1:9", "ana", "x"))
    closed = await person.expect(ev.Closed)
    assert sentence(closed) == (
        "Cannot reach the relay at ws://127.0.0.1:9. Check the address or try again later."
    )


async def test_leaving_ends_the_client(relay: RelayProcess, room: Room) -> None:
    ana = await room.host(relay.url, "ana")
    bo: Person = await room.join(ana, "bo")
    bo.client.send(cmd.Leave())
    await asyncio.wait_for(bo.task, 10)
    await ana.expect(ev.Departed, lambda d: d.reason is ChangeKind.LEFT)
    assert any(isinstance(e, ev.Closed) for e in bo.seen) or bo.endpoint.closed


async def test_the_room_outlives_its_hosts_dropped_connection(
    proxy: RecordingProxy, room: Room
) -> None:
    ana = room.start(Endpoint.host(proxy.url, "ana", "Be kind.", grace_ms=500))
    await ana.expect(ev.Entered)
    bo = await room.join(ana, "bo", grace_ms=500)  # the successor waits this long
    cy = await room.join(ana, "cy", grace_ms=500)
    proxy.cut(0)  # the host's connection
    await bo.expect(ev.Departed, lambda d: d.nick == "ana")
    await ana.expect(ev.Entered)  # back, as a member, without asking
    await cy.expect(ev.Admitted, lambda a: a.nick == "ana")
    assert bo.endpoint.is_sequencer
    ana.client.send(cmd.Say("I'm back"))
    await cy.expect(ev.Said, lambda s: s.text == "I'm back")
    di = await room.join(bo, "di")  # newcomers follow the lineage to bo
    assert sorted(s.nick for s in di.endpoint.seats) == ["ana", "bo", "cy", "di"]


async def test_acks_through_a_real_relay_raise_no_alarm(relay: RelayProcess, room: Room) -> None:
    """Guard: acks, key checks, chain lengths and the numbering hold with an honest relay."""
    ana = await room.host(relay.url, "ana")
    bo = await room.join(ana, "bo")
    cy = await room.join(ana, "cy", admitter=bo)
    people = (ana, bo, cy)
    for person in people:
        person.client.send(cmd.Say(f"hello from {person.endpoint.nick}"))
        person.client.send(cmd.React("+"))
    for person in people:
        for nick in ("ana", "bo", "cy"):
            await person.expect(ev.Said, lambda s, nick=nick: s.text == f"hello from {nick}")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while any(p.endpoint.acks.heard_since for p in people):  # each acks what it heard
        assert loop.time() < deadline, "no acks within 20 s"
        await asyncio.sleep(0.2)
    for person in people:  # each one's ack went out before this, so arrives before it
        person.client.send(cmd.Say(f"after the acks, {person.endpoint.nick}"))
    for person in people:
        for nick in ("ana", "bo", "cy"):
            await person.expect(ev.Said, lambda s, nick=nick: s.text == f"after the acks, {nick}")
        person._drain()
        assert not [e for e in person.seen if isinstance(e, (ev.Tampering, ev.Gap))], person.seen
