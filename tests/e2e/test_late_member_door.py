"""A member who comes in after someone knocked sees that knock, and can answer it.

Knocks are room-wide frames the relay brings to whoever is connected when they
go out; someone admitted later was not a member then. The knocker says its
knock again when a Commit seats someone new, so the newcomer sees it too.
"""

from __future__ import annotations

from protocol import commands as cmd
from protocol import events as ev
from protocol.endpoint import Endpoint
from tests.conftest import RelayProcess
from tests.e2e.conftest import Person, Room


async def knocks(room: Room, host: Person, nick: str) -> tuple[Person, ev.Knocked]:
    """``nick`` connects, agrees and knocks; ``host`` sees the knock."""
    person = room.start(Endpoint.joining(host.endpoint.invite, nick))
    await person.expect(ev.AgreementsOffered)
    person.client.send(cmd.Agree())
    await person.expect(ev.Waiting)
    return person, await host.expect(ev.Knocked, lambda k: k.nick == nick)


async def test_a_member_admitted_after_a_knock_sees_it_and_can_admit_it(
    relay: RelayProcess, room: Room
) -> None:
    ana = await room.host(relay.url, "ana")
    bo, bo_knock = await knocks(room, ana, "bo")
    cy, cy_knock = await knocks(room, ana, "cy")
    ana.client.send(cmd.Admit(bo_knock.knock))
    await bo.expect(ev.Entered)

    # bo came in after cy knocked, and sees cy at the door all the same.
    seen = await bo.expect(ev.Knocked, lambda k: k.nick == "cy")
    assert seen.knock == cy_knock.knock
    assert [k.nick for k in bo.endpoint.knocking] == ["cy"]
    # For bo the knock ends when it ends for everyone else.
    waits = bo.endpoint.door.expires[seen.knock]
    assert waits == ana.endpoint.door.expires[cy_knock.knock]
    assert cy.endpoint.entry.knock_expires == waits

    bo.client.send(cmd.Admit(seen.knock))  # bo's consent lets cy in
    await cy.expect(ev.Entered)
    for member in (ana, bo):
        admitted = await member.expect(ev.Admitted, lambda a: a.nick == "cy")
        assert admitted.by_nick == "bo"
    # Nobody was shown cy's knock twice (everything before the admission is in ``seen``).
    assert [k.nick for k in ana.seen if isinstance(k, ev.Knocked)] == ["bo", "cy"]
    assert [k.nick for k in bo.seen if isinstance(k, ev.Knocked)] == ["cy"]


async def test_a_knock_withdrawn_goes_for_the_late_member_too(
    relay: RelayProcess, room: Room
) -> None:
    ana = await room.host(relay.url, "ana")
    bo, bo_knock = await knocks(room, ana, "bo")
    cy, cy_knock = await knocks(room, ana, "cy")
    ana.client.send(cmd.Admit(bo_knock.knock))
    await bo.expect(ev.Knocked, lambda k: k.nick == "cy")
    cy.client.send(cmd.Leave())
    await bo.expect(ev.KnockWithdrawn, lambda k: k.knock == cy_knock.knock)
    assert bo.endpoint.knocking == ()
    await ana.expect(ev.KnockWithdrawn, lambda k: k.knock == cy_knock.knock)


async def test_a_not_now_said_before_the_member_came_in_shows_for_them(
    relay: RelayProcess, room: Room
) -> None:
    ana = await room.host(relay.url, "ana")
    bo, bo_knock = await knocks(room, ana, "bo")
    cy, cy_knock = await knocks(room, ana, "cy")
    ana.client.send(cmd.NotNow(cy_knock.knock))
    await cy.expect(ev.AskedToWait)
    ana.client.send(cmd.Admit(bo_knock.knock))
    await bo.expect(ev.Knocked, lambda k: k.nick == "cy")
    (shown,) = bo.endpoint.knocking
    assert shown.nick == "cy" and shown.asked_to_wait
    # bo may still let cy in: "not now" is no refusal.
    bo.client.send(cmd.Admit(shown.knock))
    await cy.expect(ev.Entered)
