"""A real terminal: `porch new` and `porch join` in two tmux panes, typed into with send-keys.

They meet, take a go-round, and repair harm after an ouch, all typed or on keys.

What a person would see is read back with capture-pane. The tmux server runs on
a private socket and is killed at the end, whatever happened. When strace is
available, both apps run under it, and the test also proves they wrote no file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.processes import file_writes, files_in
from tests.tui.terminals import INVITE, STRACE, TMUX, Terminal, eventually, porch_command

pytestmark = pytest.mark.skipif(
    TMUX is None, reason="tmux is not installed, so the real-terminal test cannot run"
)


def test_two_people_meet_in_real_terminals(terminal: Terminal, tmp_path: Path) -> None:
    ana, bo = tmp_path / "ana", tmp_path / "bo"
    for sandbox in (ana, bo):
        sandbox.mkdir()
    traces = tmp_path / "traces"
    traces.mkdir()
    trace_of = {who: (traces / who if STRACE else None) for who in ("ana", "bo")}

    terminal.tmux(
        "new-session", "-d", "-s", "porch", "-x", "200", "-y", "84",
        porch_command(["new"], ana, trace_of["ana"]),
    )  # fmt: skip
    terminal.tmux("set-option", "-t", "porch", "remain-on-exit", "on")
    host = "porch:0.0"
    terminal.wait_for(host, "Your name in this room")
    terminal.type(host, "ana")
    terminal.keys(host, "C-s")
    screen = terminal.wait_for(host, INVITE)
    invite = INVITE.search(screen).group(0)  # type: ignore[union-attr]
    assert "Using a relay on this computer at ws://127.0.0.1:" in screen
    assert "Anyone holding this invite can knock" in screen
    terminal.wait_for(host, "ana (you, host)")

    terminal.tmux(
        "split-window", "-v", "-t", "porch", porch_command(["join", invite], bo, trace_of["bo"])
    )
    guest = "porch:0.1"
    terminal.wait_for(guest, "Your name in this room")
    terminal.type(guest, "bo")
    terminal.keys(guest, "Enter")
    screen = terminal.wait_for(guest, "ana's room has these agreements")
    assert "1. What is said here stays here." in screen
    terminal.keys(guest, "a")
    terminal.wait_for(guest, "Waiting for someone in the room to let you in.")

    screen = terminal.wait_for(host, "bo is knocking")
    assert "Admit" in screen and "Not now" in screen
    terminal.keys(host, "F2")
    terminal.wait_for(host, "ana admitted bo.")
    screen = terminal.wait_for(guest, "You are in the room.")
    assert "bo (you)" in screen and "Seats 2/12" in screen
    assert "In the room" in screen.splitlines()[0]

    terminal.type(guest, "hello from bo")
    terminal.keys(guest, "Enter")
    terminal.wait_for(host, "bo  hello from bo")
    terminal.type(host, "welcome, bo")
    terminal.keys(host, "Enter")
    screen = terminal.wait_for(guest, "ana  welcome, bo")
    print(screen)  # shown with -s: what bo sees

    # The floor as a person sees it: bo starts a go-round; the panel and the roster show it.
    terminal.type(guest, "/round")
    terminal.keys(guest, "Enter")
    terminal.wait_for(host, "▶ bo")
    screen = terminal.wait_for(host, "Next: ana")  # a frame may be caught half drawn
    assert "Go-round" in screen
    terminal.type(host, "may I?")
    terminal.keys(host, "Enter")
    terminal.wait_for(host, "It is bo's turn, so that was not sent.")
    terminal.wait_for(host, "What you wrote is back in the composer.")
    terminal.keys(host, "C-u")  # ana lets it go: the composer is empty again
    terminal.keys(guest, "F7")  # done
    terminal.wait_for(host, "It is your turn")
    terminal.wait_for(guest, "▶ ana")
    terminal.keys(host, "F7")
    terminal.wait_for(guest, "How the time was shared")

    # An ouch, typed: the repair round in both floor panels, its turns on F7, and the
    # words that close it. Bo flags the latest message from someone else: ana's.
    terminal.type(guest, "/ouch that stung")
    terminal.keys(guest, "Enter")
    screen = terminal.wait_for(host, "Flagged by bo, about ana")
    assert "Repair round" in screen and "“that stung”" in screen
    assert "Continue" in screen and "Step out" in screen  # ana chooses at the end, too
    terminal.wait_for(guest, "Your turn (F7: done)")
    terminal.keys(guest, "F7")
    terminal.wait_for(host, "Your turn (F7: done)")
    terminal.keys(host, "F7")
    terminal.wait_for(guest, "Anyone may speak")
    terminal.type(host, "/continue")
    terminal.keys(host, "Enter")
    terminal.wait_for(guest, "ana: ready to continue")
    terminal.type(guest, "/continue")
    terminal.keys(guest, "Enter")
    screen = terminal.wait_for(host, "The repair round is over.")
    assert "Flagged by bo" not in screen and "Held by the room" not in screen
    print(screen)  # shown with -s: the round over, in ana's terminal

    terminal.keys(host, "C-q")  # the room's relay runs in ana's Porch, and bo is here
    terminal.wait_for(host, "End the room and quit")
    terminal.keys(host, "Escape")  # stay
    terminal.keys(guest, "C-l")  # a clear-screen reflex leaves nobody
    terminal.keys(guest, "C-q")  # quitting asks first, with Stay focused
    terminal.wait_for(guest, "Quit Porch?")
    terminal.keys(guest, "Tab")
    terminal.keys(guest, "Enter")
    terminal.wait_for(host, "bo left the room.")
    assert eventually(lambda: terminal.dead(guest)), "bo's app did not close"
    terminal.keys(host, "C-q")  # alone now: quitting ends nothing for anyone else
    terminal.wait_for(host, "Quit Porch?")
    terminal.keys(host, "Tab")
    terminal.keys(host, "Enter")
    assert eventually(lambda: terminal.dead(host)), "ana's app did not close"
    for pane in (host, guest):
        assert "Traceback" not in terminal.screen(pane)

    assert files_in(ana) == [] and files_in(bo) == []
    for trace in trace_of.values():
        if trace is not None:
            assert file_writes(trace) == []
