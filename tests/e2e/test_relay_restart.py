"""A relay that restarts keeps nothing; the room comes back by itself.

The member who was sequencing opens the room again with the key it holds, so
the invite keeps working; everyone else comes back as a returning member,
vouched for by their old key. A sequencer whose connection alone dropped, while
the others still hold the room, comes back into that room instead of opening a
second one.
"""

from __future__ import annotations

from collections.abc import Callable

from protocol import commands as cmd
from protocol import events as ev
from protocol.endpoint import Endpoint
from protocol.events import Note
from tests.conftest import RelayProcess
from tests.e2e.conftest import Person, RecordingProxy, Room
from tui.client import now_ms
from tui.sentences import sentence

# Long enough for a sequencer that has to wait before reopening (see docs/security.md).
BACK = 45.0
StartRelay = Callable[..., RelayProcess]


async def settle(*people: Person) -> None:
    """Once everyone sees the whole roster, ``expect`` looks only at what comes after."""
    for person in people:
        await person.expect(ev.RosterChanged, lambda r: len(r.seats) == len(people))
    seen_so_far(*people)


def seen_so_far(*people: Person) -> None:
    """From now on, ``expect`` looks only at what comes after."""
    for person in people:
        person._drain()
        person._taken |= {id(e) for e in person.seen}


def restart(start_relay: StartRelay, relay: RelayProcess) -> RelayProcess:
    """Stop the relay as an admin would (SIGTERM) and start a new one on the same port."""
    relay.stop()
    return start_relay("--per-ip", "1000", "--port", str(relay.port))


async def test_after_a_relay_restart_everyone_is_back_in_one_room(
    start_relay: StartRelay, room: Room
) -> None:
    relay = start_relay("--per-ip", "1000")
    ana = await room.host(relay.url, "ana")
    bo = await room.join(ana, "bo")
    cy = await room.join(ana, "cy", admitter=bo)
    people = (ana, bo, cy)
    invite = ana.endpoint.invite
    before = ana.endpoint.epoch
    await settle(*people)
    marks = {p.endpoint.nick: len(p.seen) for p in people}

    restart(start_relay, relay)

    reopened = await ana.expect(ev.Notice, lambda n: n.note is Note.REOPENED, BACK)
    assert "invite still works" in (sentence(reopened) or "")
    rosters = [await p.expect(ev.RosterChanged, lambda r: len(r.seats) == 3, BACK) for p in people]
    assert all(r.epoch > before for r in rosters)
    assert len({r.epoch for r in rosters}) == 1
    assert len({r.room_code for r in rosters}) == 1
    assert {p.endpoint.room_code for p in people} == {rosters[0].room_code}
    for person in people:
        assert sorted(s.nick for s in person.endpoint.seats) == ["ana", "bo", "cy"]
        assert person.endpoint.invite == invite
    assert ana.endpoint.is_sequencer
    # Everyone sees who came back: the sequencer sees both, back without anyone asked.
    for nick in ("bo", "cy"):
        await ana.expect(
            ev.Notice, lambda n, nick=nick: (n.note, n.who) == (Note.COMING_BACK, nick)
        )
        admitted = await ana.expect(ev.Admitted, lambda a, nick=nick: a.nick == nick)
        assert admitted.returning
    for person in (bo, cy):
        # Back without being asked to agree again, or anyone asked to admit them.
        person._drain()
        fresh = [e for e in person.seen[marks[person.endpoint.nick] :]]
        assert not [e for e in fresh if isinstance(e, ev.AgreementsOffered | ev.Knocked)]
        assert any(isinstance(e, ev.Entered) for e in fresh)
    # Whoever of bo and cy came back first saw the other come in after them.
    ana._drain()
    later = {
        e.nick
        for p in (bo, cy)
        for e in p.seen[marks[p.endpoint.nick] :]
        if isinstance(e, ev.Admitted)
    }
    assert later & {"bo", "cy"}

    cy.client.send(cmd.Say("we are back"))
    for person in people:
        said = await person.expect(ev.Said, lambda s: s.text == "we are back")
        assert said.nick == "cy"

    # The invite still opens the door: a newcomer follows it into the reopened room.
    di = await room.join(ana, "di", admitter=cy)
    assert sorted(s.nick for s in di.endpoint.seats) == ["ana", "bo", "cy", "di"]
    seen = await ana.expect(ev.RosterChanged, lambda r: len(r.seats) == 4)
    assert di.endpoint.room_code == seen.room_code


async def test_a_knock_nobody_answered_needs_consent_again_after_a_restart(
    start_relay: StartRelay, room: Room
) -> None:
    relay = start_relay("--per-ip", "1000")
    ana = await room.host(relay.url, "ana")
    bo = await room.join(ana, "bo")
    ed = room.start(Endpoint.joining(ana.endpoint.invite, "ed"))
    await ed.expect(ev.AgreementsOffered)
    ed.client.send(cmd.Agree())
    for member in (ana, bo):
        await member.expect(ev.Knocked, lambda k: k.nick == "ed")
    await settle(ana, bo)

    restart(start_relay, relay)

    await bo.expect(ev.RosterChanged, lambda r: len(r.seats) == 2, BACK)
    # Knocks are known by connection numbers, which a new relay hands out again:
    # the one on screen goes, so that admitting it cannot let someone else in.
    await bo.expect(ev.KnockWithdrawn, lambda k: k.nick == "ed")
    # ed was never let in: after the restart they see the agreements again and
    # knock like anyone, and stay outside until someone admits them.
    await ed.expect(ev.AgreementsOffered, timeout=BACK)
    ed.client.send(cmd.Agree())
    knock = await bo.expect(ev.Knocked, lambda k: k.nick == "ed")
    assert ed.endpoint.roster is None
    assert sorted(s.nick for s in ana.endpoint.seats) == ["ana", "bo"]
    bo.client.send(cmd.Admit(knock.knock))
    await ed.expect(ev.Entered)
    admitted = await ana.expect(ev.Admitted, lambda a: a.nick == "ed")
    assert admitted.by_nick == "bo"
    codes = [
        (await p.expect(ev.RosterChanged, lambda r: len(r.seats) == 3)).room_code for p in (ana, bo)
    ]
    assert codes == [ed.endpoint.room_code] * 2


async def test_without_the_sequencer_the_others_are_told_who_they_wait_for(
    start_relay: StartRelay, room: Room
) -> None:
    relay = start_relay("--per-ip", "1000")
    ana = await room.host(relay.url, "ana")
    bo = await room.join(ana, "bo")
    await settle(ana, bo)
    ana.task.cancel()  # the host's computer is gone, without a goodbye
    relay = restart(start_relay, relay)

    waiting = await bo.expect(ev.Notice, lambda n: n.note is Note.WAITING_FOR, BACK)
    assert sentence(waiting) == "Nobody who can open this room is here yet. Waiting for ana…"
    assert bo.endpoint.roster is None

    # The host comes back (a new client, the same keys): the room opens again.
    again = ana.endpoint.fresh(now_ms())
    ana_again = room.start(again)
    await ana_again.expect(ev.Entered, timeout=BACK)
    both = [
        await p.expect(ev.RosterChanged, lambda r: len(r.seats) == 2, BACK) for p in (ana_again, bo)
    ]
    assert both[0].room_code == both[1].room_code


async def test_a_sequencer_dropped_alone_returns_into_the_room_the_others_hold(
    proxy: RecordingProxy, room: Room
) -> None:
    """The relay still holds the room: waiting out the handover, never a second room."""
    ana = await room.host(proxy.url, "ana")
    bo = await room.join(ana, "bo")
    cy = await room.join(ana, "cy")
    await settle(ana, bo, cy)
    proxy.cut(0)  # the host's connection, with everyone's default grace period
    await bo.expect(ev.Departed, lambda d: d.nick == "ana", BACK)
    await ana.expect(ev.Entered, timeout=BACK)
    assert bo.endpoint.is_sequencer and not ana.endpoint.is_sequencer
    assert not [n for n in ana.seen if isinstance(n, ev.Notice) and n.note is Note.REOPENED]
    await cy.expect(ev.Admitted, lambda a: a.nick == "ana")
    ana.client.send(cmd.Say("back in the same room"))
    for person in (bo, cy):
        await person.expect(ev.Said, lambda s: s.text == "back in the same room")
    assert len({p.endpoint.room_code for p in (ana, bo, cy)}) == 1


async def test_a_member_left_holding_the_old_room_comes_back_into_the_reopened_one(
    proxy: RecordingProxy, room: Room
) -> None:
    """The host and its successor drop at once: nobody left can sequence, so the host reopens."""
    ana = await room.host(proxy.url, "ana")
    bo = await room.join(ana, "bo")
    cy = await room.join(ana, "cy")
    await settle(ana, bo, cy)
    proxy.cut(0)
    proxy.cut(1)
    await ana.expect(ev.Notice, lambda n: n.note is Note.REOPENED, BACK)
    behind = await cy.expect(ev.Notice, lambda n: n.note is Note.LEFT_BEHIND, BACK)
    assert behind.who == "ana"
    for person in (ana, bo, cy):
        await person.expect(ev.RosterChanged, lambda r: len(r.seats) == 3, BACK)
    assert len({p.endpoint.room_code for p in (ana, bo, cy)}) == 1
    bo.client.send(cmd.Say("all three again"))
    for person in (ana, cy):
        await person.expect(ev.Said, lambda s: s.text == "all three again")


async def test_a_file_on_its_way_when_the_relay_restarts_arrives_whole_afterwards(
    start_relay: StartRelay, room: Room
) -> None:
    from protocol.bodies.offer import CHUNK, OfferKind
    from protocol.crypto import random_bytes

    relay = start_relay("--per-ip", "1000")
    ana = await room.host(relay.url, "ana")
    bo = await room.join(ana, "bo")
    await settle(ana, bo)
    content = random_bytes(200 * CHUNK)  # about seven seconds at the pace
    ana.client.send(cmd.Offer(OfferKind.FILE, "notes.bin", content))
    offered = await bo.expect(ev.OfferEvent, lambda o: o.stage is ev.OfferStage.OFFERED)
    bo.client.send(cmd.Accept(offered.number))
    await bo.expect(
        ev.OfferEvent, lambda o: o.stage is ev.OfferStage.PROGRESS and o.done * 5 > o.chunks
    )
    held = len(next(iter(bo.endpoint.offers.theirs.values())).pieces)

    restart(start_relay, relay)

    arrived = await bo.expect(ev.OfferEvent, lambda o: o.stage is ev.OfferStage.ARRIVED, BACK)
    assert arrived.number == offered.number
    kept = bo.endpoint.offer_content(offered.number)
    assert kept is not None and kept[1] == content
    assert held > 0


async def test_what_is_typed_while_the_relay_is_away_goes_out_once_back_in_order(
    start_relay: StartRelay, room: Room
) -> None:
    relay = start_relay("--per-ip", "1000")
    ana = await room.host(relay.url, "ana")
    bo = await room.join(ana, "bo")
    cy = await room.join(ana, "cy")
    await settle(ana, bo, cy)
    relay.stop()
    # The relay cannot be reached: bo is out of the room, and says so.
    await bo.expect(ev.Reconnecting, lambda r: r.attempt == 1)
    await bo.expect(ev.Reconnecting, lambda r: r.attempt >= 2, BACK)
    assert bo.client.out_of_room
    for text in ("first", "second", "third"):
        bo.client.send(cmd.Say(text))
    bo.client.send(cmd.React("+"))
    bo.client.send(cmd.Vote(yes=True))  # a vote answers a moment: it does not wait
    bo._drain()
    queued = [e for e in bo.seen if isinstance(e, ev.Notice) and e.note is Note.QUEUED]
    refused = [e for e in bo.seen if isinstance(e, ev.Notice) and e.note is Note.NOT_WHILE_AWAY]
    assert len(queued) == 4 and len(refused) == 1
    assert "goes out then" in (sentence(queued[0]) or "")

    start_relay("--per-ip", "1000", "--port", str(relay.port))

    await bo.expect(ev.Rejoining, timeout=BACK)
    await bo.expect(ev.Entered, timeout=BACK)
    back = await bo.expect(ev.BackInRoom)
    assert back.sent == 4
    # ana opened the room again, so she is in before bo: she hears it all, in order (cy,
    # if back after bo, does not: like anything said while someone's connection is down).
    for text in ("first", "second", "third"):
        await ana.expect(ev.Said, lambda s, text=text: (s.nick, s.text) == ("bo", text), BACK)
    await ana.expect(ev.Reacted, lambda r: r.nick == "bo", BACK)
    assert [t for n, t in ana.said() if n == "bo"] == ["first", "second", "third"]


async def test_a_relay_down_longer_than_the_grace_period_brings_everyone_back_at_once(
    start_relay: StartRelay, room: Room
) -> None:
    """Everyone is back after the grace period: the sequencer once waited half a minute in
    case its successor had taken over, while the successor waited for it. Three restarts."""
    relay = start_relay("--per-ip", "1000")
    grace = 1_000  # shorter than the relay is away, as an upgrade would be
    ana = room.start(Endpoint.host(relay.url, "ana", "Be kind.", grace_ms=grace))
    await ana.expect(ev.Entered)
    bo = await room.join(ana, "bo", grace_ms=grace)
    cy = await room.join(ana, "cy", grace_ms=grace)
    people = (ana, bo, cy)
    await settle(*people)
    for _ in range(3):
        relay.stop()
        for person in people:  # three tries failed: more than the grace period went by
            await person.expect(ev.Reconnecting, lambda r: r.attempt >= 4, BACK)
        relay = start_relay("--per-ip", "1000", "--port", str(relay.port))
        # Well under the half minute the sequencer used to wait: a guard, not a measure.
        await ana.expect(ev.Notice, lambda n: n.note is Note.REOPENED, timeout=20)
        for person in people:
            await person.expect(ev.BackInRoom, timeout=20)
            await person.expect(ev.RosterChanged, lambda r: len(r.seats) == 3, timeout=20)
        assert len({p.endpoint.room_code for p in people}) == 1
        seen_so_far(*people)
    bo.client.send(cmd.Say("three times back"))
    for person in (ana, cy):
        await person.expect(ev.Said, lambda s: s.text == "three times back")
