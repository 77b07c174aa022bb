"""A tab's life: the browser `porch web` opens, a reload that leaves the room, and the end.

The room's other member is a real `porch new --plain` process with its relay inside;
the tab is real headless Chromium on a real `porch web`.
"""

from __future__ import annotations

import os
import signal
import stat
from pathlib import Path

import pytest

from tests.browser.tabs import LINK, Tab, children, needs_chromium, the_spare, wait_until

pytestmark = pytest.mark.timeout(240)


@needs_chromium
def test_reloading_the_tab_asks_first_then_leaves_the_room_and_offers_porch_again(
    plain_host, start_web, context
) -> None:
    host, invite = plain_host
    web = start_web()
    spare = the_spare(web.pid)

    page = context.new_page()
    tab = Tab(page)
    page.goto(web.link)
    tab.wait_for(r"Open a new room")
    tab.joins(host, invite)

    # A reload asks first, as closing does: going on leaves the room.
    asked: list[str] = []

    def answer(dialog: object) -> None:
        asked.append(dialog.type)  # type: ignore[attr-defined]
        dialog.accept()  # type: ignore[attr-defined]

    page.on("dialog", answer)
    page.reload()
    assert asked == ["beforeunload"]
    host.expect(r"^bo left the room")
    wait_until(lambda: spare not in children(web.pid), "the tab's app ending")

    # The reloaded page starts nothing by itself: it says what happened and offers more.
    page.wait_for_selector("#restart", timeout=30_000)
    assert "reloaded, which left the room" in page.inner_text("#closed-message")
    assert len(tab.sockets) == 1, "the reloaded page opened a socket by itself"
    fresh = the_spare(web.pid, not_=spare)  # ready for when the person asks

    page.click("#restart")
    tab.wait_for(r"Open a new room")
    assert len(tab.sockets) == 2
    assert children(web.pid) == [fresh], "the new start got the app kept ready"
    assert not page.is_visible("#restart")


def fake_browser(folder: Path) -> Path:
    """A stand-in for the person's browser: it says which address it was given."""
    program = folder / "fake-browser"
    program.write_text('#!/bin/sh\necho "the browser was given: $1"\n')
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program


@needs_chromium
def test_porch_web_opens_its_one_link_in_the_browser(
    start_porch, context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSER", str(fake_browser(tmp_path)))
    monkeypatch.setenv("DISPLAY", ":0")  # a graphical session, as far as porch web can tell
    porch = start_porch(["web"], tmp_path / "web")
    printed = LINK.search(porch.expect(r"http://127\.0\.0\.1:\d+/\?token="))
    assert printed is not None
    porch.expect(r"^Opening it in your browser")
    given = porch.expect(r"^the browser was given: ").removeprefix("the browser was given: ")
    assert given == printed.group(0)

    # What the browser was given is the working one-time link.
    page = context.new_page()
    tab = Tab(page)
    page.goto(given)
    tab.wait_for(r"Open a new room")


@pytest.mark.parametrize(
    ("args", "display"),
    [(["web"], None), (["web", "--no-browser"], ":0")],
    ids=["no graphical session", "--no-browser"],
)
def test_without_a_graphical_session_or_with_no_browser_it_only_prints_the_link(
    start_porch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args, display
) -> None:
    monkeypatch.setenv("BROWSER", str(fake_browser(tmp_path)))
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    if display is None:
        monkeypatch.delenv("DISPLAY", raising=False)
    else:
        monkeypatch.setenv("DISPLAY", display)
    porch = start_porch(args, tmp_path / "web")
    porch.expect(r"http://127\.0\.0\.1:\d+/\?token=")
    porch.expect(r"^Open it in a browser on this computer")
    porch.proc.send_signal(signal.SIGTERM)
    assert porch.finish() == 0
    assert not [line for line in porch.seen if "the browser was given" in line]


@needs_chromium
def test_no_app_outlives_porch_web_even_killed_outright(start_web, context) -> None:
    web = start_web()
    spare = the_spare(web.pid)
    page = context.new_page()
    tab = Tab(page)
    page.goto(web.link)
    tab.wait_for(r"Open a new room")  # the app has drawn and waits for keys
    assert children(web.pid) == [spare]

    os.kill(web.pid, signal.SIGKILL)  # no goodbye from porch web itself
    web.porch.proc.wait(10)

    def ended() -> bool:
        try:
            state = Path(f"/proc/{spare}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        return state == "Z"

    try:
        wait_until(ended, "the tab's app ending with porch web")
    finally:
        if not ended():
            os.kill(spare, signal.SIGKILL)


@needs_chromium
def test_two_porch_webs_in_one_browser_each_keep_their_own_session(
    start_web, context, tmp_path: Path
) -> None:
    # A browser sends one host's cookies to all its ports, so a second `porch web`
    # must not take the first one's place in the browser.
    one, two = start_web(tmp_path / "one"), start_web(tmp_path / "two")
    first, second = context.new_page(), context.new_page()
    first_tab, second_tab = Tab(first), Tab(second)
    first.goto(one.link)
    first_tab.wait_for(r"Open a new room")
    second.goto(two.link)
    second_tab.wait_for(r"Open a new room")
    assert sorted(cookie["name"] for cookie in context.cookies()) == sorted(
        f"porch_session_{web.port}" for web in (one, two)
    )

    # The first tab, reloaded after the second opened, is still let in by its own server.
    first.on("dialog", lambda dialog: dialog.accept())
    first.reload()
    first.wait_for_selector("#restart", timeout=30_000)
    first_tab.screen.reset()
    first.click("#restart")
    first_tab.wait_for(r"Open a new room")
    assert len(first_tab.sockets) == 2
    assert len(second_tab.sockets) == 1 and "Open a new room" in second_tab.text()
