"""`porch web` writes nothing: not the server, not the tab's app, not the relay inside it.

HOME, TMPDIR and the working directory are empty folders; when strace is installed
the server runs under it (with every process it starts) and no call may create,
change or remove a file. A person opens a room in the tab and talks in it first.
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from tests.browser.tabs import Tab, children, needs_chromium, wait_until
from tests.tui.processes import file_writes, files_in

pytestmark = [needs_chromium, pytest.mark.timeout(240)]
STRACE = shutil.which("strace")


def test_a_room_opened_in_a_tab_leaves_nothing_on_disk(start_web, context, tmp_path: Path) -> None:
    sandbox = tmp_path / "web"
    trace = tmp_path / "trace"
    prefix = ["strace", "-f", "-qq", "-e", "trace=%file", "-o", str(trace)] if STRACE else None
    web = start_web(sandbox, prefix=prefix)
    server = children(web.pid)[0] if STRACE else web.pid

    page = context.new_page()
    tab = Tab(page)
    page.goto(web.link)
    tab.wait_for(r"Open a new room")
    (app,) = children(server)  # the tab's app: the spare it was handed
    tab.press("Tab")
    tab.press("Tab")
    tab.press("Enter")
    tab.wait_for(r"The room's agreements")
    tab.type("ana")
    tab.press("Control+s")
    tab.wait_for(r"Room code: \d{4}")
    screen = tab.wait_for(r"ws://127\.0\.0\.1:\d+#porch1\.")
    assert "Copy invite" in screen
    tab.press("F5")  # hide the invite, so the talk has room on the screen
    tab.wait_for(r"Write to the room")
    tab.type("a canary line from the browser")
    tab.wait_for(r"▊  a canary line from the browser")  # in the composer
    tab.press("Enter")
    tab.wait_for(r"│.*ana.*a canary line from the browser")  # in the room's log

    tab.press("Control+q")  # quitting asks first, with Stay focused
    tab.wait_for(r"Quit Porch\?")
    tab.press("Tab")
    tab.press("Enter")  # the app leaves the room and ends; the tab says so
    page.wait_for_selector("body.-closed", timeout=30_000)
    assert "You left the room" in page.inner_text("#closed-message")
    wait_until(lambda: app not in children(server), "the tab's app ending")

    os.kill(server, signal.SIGTERM)
    assert web.porch.finish(30) == 0
    assert files_in(sandbox) == []
    if STRACE:
        assert file_writes(trace) == []
