"""The first screen when nothing was chosen yet (as in a browser tab): open a room, or join one."""

from __future__ import annotations

from textual.widgets import Input, Static

from tests.tui.conftest import until
from tests.tui.pilots import click, showing
from tui.app import Plan, PorchApp
from tui.screens.consent import AgreementsConsent
from tui.screens.setup import SetupScreen
from tui.screens.start import StartScreen

SIZE = (120, 36)


def shown(app: PorchApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_a_bad_invite_is_a_sentence_and_the_screen_stays() -> None:
    app = PorchApp(Plan(choosing=True))
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, StartScreen)
        assert "browser" not in shown(app, "#start-where"), "a terminal is not a browser tab"
        await pilot.press("enter")
        assert "Paste an invite" in shown(app, "#start-error")
        app.screen.query_one("#invite", Input).value = "not an invite"
        await pilot.press("enter")
        assert isinstance(app.screen, StartScreen)
        assert shown(app, "#start-error").endswith(".")
        assert "Paste an invite" not in shown(app, "#start-error")


async def test_open_a_new_room_leads_to_its_setup() -> None:
    app = PorchApp(Plan(choosing=True))
    async with app.run_test(size=SIZE) as pilot:
        await click(pilot, "#new")
        await until(lambda: showing(app, SetupScreen), "the setup screen")
        assert app.screen.opening
        assert app.plan.opening and not app.plan.choosing


async def test_an_invite_leads_to_joining_that_room(relay_url: str) -> None:
    host = PorchApp(Plan(relay_url=relay_url, nick="ana"))
    async with host.run_test(size=SIZE) as host_pilot:
        await host_pilot.press("ctrl+s")
        await until(lambda: host.session is not None and host.session.invite, "the invite")
        assert host.session is not None
        invite = host.session.invite
        guest = PorchApp(Plan(choosing=True))
        async with guest.run_test(size=SIZE) as pilot:
            guest.screen.query_one("#invite", Input).value = invite
            await pilot.press("enter")
            await until(lambda: showing(guest, SetupScreen), "the join setup")
            assert not guest.screen.opening and guest.plan.invite == invite
            guest.screen.query_one("#nick", Input).value = "bo"
            await pilot.press("enter")
            await until(lambda: showing(guest, AgreementsConsent), "the room's agreements")
