"""The first thing a room must do: a host opens it, a joiner comes in, both talk."""

from __future__ import annotations

from protocol import commands as cmd
from protocol import events as ev
from protocol.endpoint import Endpoint
from tests.conftest import RelayProcess
from tests.e2e.conftest import Room


async def test_host_and_joiner_enter_and_talk_through_a_real_relay(
    relay: RelayProcess, room: Room
) -> None:
    ana = await room.host(relay.url, "ana", "We listen. We keep it here.")
    bo = room.start(Endpoint.joining(ana.endpoint.invite, "bo"))

    offered = await bo.expect(ev.AgreementsOffered)
    assert offered.text == "We listen. We keep it here."
    assert offered.host_nick == "ana"
    bo.client.send(cmd.Agree())
    await bo.expect(ev.Waiting)

    knock = await ana.expect(ev.Knocked)
    assert knock.nick == "bo"
    ana.client.send(cmd.Admit(knock.knock))

    entered = await bo.expect(ev.Entered)
    admitted = await ana.expect(ev.Admitted)
    assert (admitted.nick, admitted.by_nick) == ("bo", "ana")
    # The newcomer is told who let them in, like everyone else.
    assert ev.Admitted("bo", "ana") in bo.seen
    assert entered.room_code == ana.endpoint.room_code == bo.endpoint.room_code
    assert entered.epoch == 2

    bo.client.send(cmd.Say("hello ana"))
    ana.client.send(cmd.Say("hi bo"))
    for person in (ana, bo):
        await person.expect(ev.Said, lambda s: s.text == "hello ana")
        await person.expect(ev.Said, lambda s: s.text == "hi bo")
    assert ana.said() == bo.said()
    mine = [s.mine for s in bo.seen if isinstance(s, ev.Said)]
    theirs = [s.mine for s in ana.seen if isinstance(s, ev.Said)]
    assert mine == [not m for m in theirs]
    assert [s.nick for s in bo.endpoint.seats] == ["ana", "bo"]
