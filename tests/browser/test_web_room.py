"""A person in a browser tab meets a person in plain mode: the same room, the same app.

The tab is real headless Chromium on a real `porch web`; the other member is a
real `porch new --plain` process with its relay inside. What the tab shows is
read from the page's own WebSocket frames through a terminal emulator.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.tabs import Tab, children, needs_chromium, the_spare, wait_until

pytestmark = [needs_chromium, pytest.mark.timeout(240)]


def test_a_browser_tab_joins_a_plain_room_is_admitted_and_talks(
    plain_host, start_web, context
) -> None:
    host, invite = plain_host
    web = start_web()
    spare = the_spare(web.pid)

    page = context.new_page()
    tab = Tab(page)
    page.goto(web.link)
    assert urlsplit(page.url).query == "", "the one-time link stays in the address bar"
    tab.wait_for(r"ws://…#porch1\.…")  # the start screen, waiting for an invite
    # The page measured the terminal's size before it connected, as the terminal did.
    size = parse_qs(urlsplit(tab.sockets[0]).query)
    assert page.evaluate("document.body.dataset.sizeAhead") == (
        f"{size['width'][0]}x{size['height'][0]}"
    )
    tab.type(invite)
    tab.press("Enter")
    tab.wait_for(r"Join a room")
    tab.type("bo")
    tab.press("Enter")
    tab.wait_for(r"Agree and knock")
    assert "What is said here stays here." in tab.text()
    tab.press("a")

    host.expect(r"^bo is knocking\. Type /admit bo")
    host.send("/admit bo")
    host.expect(r"^ana admitted bo\.$")
    tab.wait_for(r"Room code: \d{4}")

    tab.type("hello from the browser")
    tab.press("Enter")
    host.expect(r"^bo: hello from the browser$")
    host.send("hi bo, I read you")
    screen = tab.wait_for(r"hi bo, I read you")
    assert re.search(r"ana\b", screen), screen

    # Every request the page made went to porch web itself, and the CSP held.
    origins = {urlsplit(url).netloc for url in tab.requests + tab.sockets}
    assert origins == {f"127.0.0.1:{web.port}"}, origins
    assert not [line for line in tab.console if "Content Security Policy" in line], tab.console

    # Leaving the page leaves the room, so closing the tab asks first.
    assert children(web.pid) == [spare], "one app process behind the one tab: the spare"
    with page.expect_event("dialog") as asked:
        page.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.accept()
    host.expect(r"^bo left the room")
    wait_until(lambda: spare not in children(web.pid), "the tab's app process ending")
    the_spare(web.pid, not_=spare)  # and a fresh one waits for the next tab
