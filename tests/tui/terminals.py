"""A real terminal for tests: tmux on a private socket, typed into with send-keys.

What a person would see is read back with capture-pane. ``porch_command`` runs
Porch in a pane with an empty home, as a newcomer would, and passes on only
the environment it names.
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
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.tui.processes import Porch, sandbox_env

TMUX = shutil.which("tmux")
STRACE = shutil.which("strace")
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


@contextlib.contextmanager
def private_terminal() -> Iterator[Terminal]:
    """A tmux server on a socket of its own; everything it started is killed at the end."""
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


def joins_in_a_terminal(terminal: Terminal, host: Porch, home: Path, columns: int) -> str:
    """cy joins ``host``'s plain-mode room with ``porch join --plain`` in a real tmux pane
    ``columns`` wide, and ``host`` admits them; the pane, once cy is in the room."""
    host.send("/invite")
    invite = host.expect(r"^invite: ").removeprefix("invite: ")
    (home / "work").mkdir(parents=True)
    command = porch_command(["join", "--plain", "--name", "cy", invite], home, None)
    terminal.tmux("new-session", "-d", "-s", "porch", "-x", str(columns), "-y", "30", command)
    terminal.tmux("set-option", "-t", "porch", "remain-on-exit", "on")
    pane = "porch:0.0"
    terminal.wait_for(pane, "Type /agree")
    terminal.type(pane, "/agree")
    terminal.keys(pane, "Enter")
    host.expect(r"^cy is knocking")
    host.send("/admit cy")
    terminal.wait_for(pane, "You are in the room")
    return pane


def eventually(condition: Callable[[], object], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
