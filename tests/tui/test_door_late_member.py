"""A person seated after someone knocked sees the knock in the app's knock bar.

A real app instance, driven with Pilot, beside headless members (a real client
and endpoint each) in one room through a real relay: ana opens the room and
lets the app's person in after cy knocked and was asked to wait.
"""

from __future__ import annotations

from protocol import commands as cmd
from protocol import events as ev
from tests.tui.conftest import until
from tests.tui.headless import Members
from tests.tui.pilots import give_name, log_of, showing
from tui.app import Plan, PorchApp
from tui.screens.consent import AgreementsConsent
from tui.screens.room import RoomScreen
from tui.widgets.knock_bar import KnockBar, KnockRow

SIZE = (120, 36)


def knock_rows(app: PorchApp) -> list[str]:
    """What the knock bar shows, row by row ([] while it is hidden; a row still being
    built shows nothing yet)."""
    room = app.room_screen()
    if room is None or not room.query_one(KnockBar).display:
        return []
    return [str(who.render()) for row in room.query(KnockRow) for who in row.query(".knock-who")]


async def test_a_knock_from_before_you_came_in_is_in_your_knock_bar_and_you_can_admit_it(
    relay_url: str, members: Members
) -> None:
    ana = await members.host(relay_url, "ana", "Be kind.")
    invite = ana.endpoint.invite
    cy = await members.knock(invite, "cy")
    cy_knock = await ana.expect(ev.Knocked, lambda k: k.nick == "cy")
    ana.send(cmd.NotNow(cy_knock.knock))
    await cy.expect(ev.AskedToWait)

    bo = PorchApp(Plan(invite=invite))
    async with bo.run_test(size=SIZE) as bp:
        await give_name(bp, "bo")
        await until(lambda: showing(bo, AgreementsConsent), "the agreements")
        await bp.press("a")
        bo_knock = await ana.expect(ev.Knocked, lambda k: k.nick == "bo")
        ana.send(cmd.Admit(bo_knock.knock))
        await until(lambda: showing(bo, RoomScreen), "bo inside")

        # cy knocked before bo came in; bo sees cy at the door, as asked to wait.
        await until(lambda: knock_rows(bo) == ["cy is knocking (asked to wait)"], "cy's knock")
        await bp.pause()
        await bp.click("KnockRow .admit")
        await cy.expect(ev.Entered)
        await until(lambda: "bo admitted cy." in log_of(bo), "bo's admission of cy")
        await until(lambda: knock_rows(bo) == [], "the knock answered")
        assert (await ana.expect(ev.Admitted, lambda a: a.nick == "cy")).by_nick == "bo"
