"""A person in a browser tab meets a person in the terminal app: the same room, the same app.

The host is the real Textual app, driven with Pilot (``App.run_test()``) in this test's
event loop, opening a room on a real relay; the guest is real headless Chromium on a
real `porch web`, driven through Playwright's async API in the same loop. What the tab
shows is read from the page's own WebSocket frames through a terminal emulator.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.tabs import AsyncTab, needs_chromium
from tests.tui.conftest import until
from tests.tui.pilots import admit_first, log_of, open_room, type_line
from tui.app import Plan, PorchApp
from tui.widgets.roster import Roster

pytestmark = [needs_chromium, pytest.mark.timeout(240)]


async def test_a_browser_tab_knocks_on_a_terminal_apps_room_is_admitted_and_they_talk(
    relay_url: str, start_web, async_context
) -> None:
    web = start_web()
    host = PorchApp(Plan(relay_url=relay_url))
    async with host.run_test(size=(120, 36)) as pilot:
        invite = await open_room(pilot, "ana")

        page = await async_context.new_page()
        tab = AsyncTab(page)
        await page.goto(web.link)
        await tab.wait_for(r"Open a new room")
        await tab.type(invite)
        await tab.press("Enter")
        await tab.wait_for(r"Join a room")
        await tab.type("bo")
        await tab.press("Enter")
        screen = await tab.wait_for(r"Agree and knock")
        assert "What is said here stays here." in screen
        await tab.press("a")

        await admit_first(pilot, "bo")  # the host's F2, once bo knocks
        await until(lambda: "ana admitted bo." in log_of(host), "who admitted whom")
        host_code = host.room_screen().room_code
        assert host_code
        # The tab's screen arrives in pieces: wait for the whole code, not its first digits.
        await tab.wait_for(r"Room code: " + r"\s+".join(host_code.split()))

        await tab.type("hello from the browser")
        await tab.press("Enter")
        await until(
            lambda: re.search(r"bo\b.*hello from the browser", log_of(host)),
            "the browser's line in the host's room",
            seconds=30,
        )
        await type_line(pilot, "hi bo, I read you")
        screen = await tab.wait_for(r"hi bo, I read you")
        assert re.search(r"ana\b", screen), screen
        assert "bo" in str(host.room_screen().query_one(Roster).render())

        await tab.press("Control+q")  # quitting asks first, with Stay focused
        await tab.wait_for(r"Quit Porch\?")
        await tab.press("Tab")
        await tab.press("Enter")  # the tab leaves; the host sees it
        await until(lambda: "bo left the room" in log_of(host), "bo leaving", seconds=30)
