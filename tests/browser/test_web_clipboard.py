"""Copying the invite in a browser tab: the app's OSC 52 reaches the browser's clipboard.

(When the browser refuses its clipboard, the page offers the invite to copy by hand:
see test_web_public.py, where the browser refuses it by itself.)
"""

from __future__ import annotations

import pytest

from protocol.invite import parse_invite
from tests.browser.tabs import Tab, needs_chromium

pytestmark = [needs_chromium, pytest.mark.timeout(240)]


def test_the_copy_invite_button_puts_the_invite_on_the_browsers_clipboard(
    start_web, browser
) -> None:
    web = start_web()
    context = browser.new_context(viewport={"width": 1100, "height": 700})  # type: ignore[attr-defined]
    try:
        # The permission a person's browser gives a page they use (reading it back is ours).
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=web.base)
        page = context.new_page()
        tab = Tab(page)
        page.goto(web.link)
        tab.wait_for(r"Open a new room")
        tab.click("Open a new room")
        tab.wait_for(r"The room's agreements")
        tab.type("ana")
        tab.press("Control+s")
        tab.wait_for(r"Copy invite")
        assert page.evaluate("navigator.clipboard.readText()") == ""

        tab.click("Copy invite")
        tab.wait_for(r"The invite is on this")
        copied = page.evaluate("navigator.clipboard.readText()")
        parse_invite(copied)
        assert copied.startswith("ws://127.0.0.1:") and copied[:40] in tab.text()
        assert not page.is_visible("#copy-text"), "nothing was refused, nothing to copy by hand"
    finally:
        context.close()
