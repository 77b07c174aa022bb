"""A real terminal: `porch new` and `porch join` in two tmux panes, typed into with send-keys.

They meet, take a go-round, and repair harm after an ouch, all typed or on keys.

What a person would see is read back with capture-pane. The tmux server runs on
a private socket and is killed at the end, whatever happened. When strace is
available, both apps run under it, and the test also proves they wrote no file.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tui.processes import file_writes, files_in, sandbox_env

TMUX = shutil.which("tmux")
STRACE = shutil.which("strace")
pytestmark = pytest.mark.skipif(
    TMUX is None, reason="tmux is not installed, so the real-terminal test cannot run"
)
INVITE = re.compile(r"ws://127\.0\.0\.1:\d+#porch1\.[A-Za-z0-9_-]+")


class Terminal:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        assert TMUX is not None
        done = subprocess.run(
            [TMUX, "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        )
        return done.stdout

    def screen(self, pane: str) -> str:
        return self.tmux("capture-pane", "-p", "-t", pane)

    def wait_for(self, pane: str, text: str | re.Pattern[str], seconds: float = 45.0) -> str:
        deadline = time.monotonic() + seconds
        screen = ""
        for _ in range(int(seconds / 0.1) + 1):
            screen = self.screen(pane)
            found = text.search(screen) if isinstance(text, re.Pattern) else text in screen
            if found:
                return screen
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        raise AssertionError(f"Pane {pane} never showed {text!r}. It shows:\n{screen}")

    def keys(self, pane: str, *keys: str) -> None:
        self.tmux("send-keys", "-t", pane, *keys)

    def type(self, pane: str, text: str) -> None:
        self.tmux("send-keys", "-t", pane, "-l", text)

    def dead(self, pane: str) -> bool:
        return self.tmux("display-message", "-p", "-t", pane, "#{pane_dead}").strip() == "1"


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo and len(found) < 1000:
        current = todo.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found.append(child)
            todo.append(child)
    return found


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    term = Terminal(f"porch-test-{os.getpid()}-{time.monotonic_ns()}")
    try:
        yield term
    finally:
        # Killing the server only hangs up the panes; a traced app could outlive
        # that, so every process the panes started is killed first.
        panes = term.tmux("list-panes", "-a", "-F", "#{pane_pid}").split()
        for pid in [p for pane in map(int, panes) for p in (pane, *_descendants(pane))]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        term.tmux("kill-server")


def porch_command(args: list[str], sandbox: Path, trace: Path | None) -> str:
    env = sandbox_env(sandbox)
    env["TERM"] = "xterm-256color"
    # Asked for, Textual would write a log file and talk to devtools; Porch must not let it.
    env["TEXTUAL"] = "devtools,debug"
    env["TEXTUAL_LOG"] = str(sandbox / "work" / "textual.log")
    # -I1: with -o, strace would otherwise block the signals that end a session.
    prefix = ["strace", "-I1", "-f", "-qq", "-e", "trace=%file", "-o", str(trace)] if trace else []
    assignments = [f"{k}={v}" for k, v in env.items() if k in _PASSED]
    command = ["env", "-i", *assignments, *prefix, sys.executable, "-m", "tui.cli", *args]
    return f"cd {shlex.quote(str(sandbox / 'work'))} && {shlex.join(command)}"


_PASSED = {
    "HOME", "TMPDIR", "PATH", "LANG", "LC_ALL", "TERM", "PYTHONPATH",
    "PYTHONDONTWRITEBYTECODE", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME",
    "XDG_STATE_HOME", "TEXTUAL", "TEXTUAL_LOG",
}  # fmt: skip


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
    assert _eventually(lambda: terminal.dead(guest)), "bo's app did not close"
    terminal.keys(host, "C-q")  # alone now: quitting ends nothing for anyone else
    terminal.wait_for(host, "Quit Porch?")
    terminal.keys(host, "Tab")
    terminal.keys(host, "Enter")
    assert _eventually(lambda: terminal.dead(host)), "ana's app did not close"
    for pane in (host, guest):
        assert "Traceback" not in terminal.screen(pane)

    assert files_in(ana) == [] and files_in(bo) == []
    for trace in trace_of.values():
        if trace is not None:
            assert file_writes(trace) == []


def _eventually(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
