"""Porch as a real process: a sandboxed home, stdin to type into, stdout read line by line."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

WRITE_FLAGS = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND")
MUTATING = re.compile(
    r"\b(mkdir|mkdirat|rename|renameat2?|unlink|unlinkat|rmdir|truncate|link|symlink|creat)\("
)
HARMLESS = re.compile(r'"/dev/(null|tty|pts/\d+|ptmx|urandom|random)"')


def sandbox_env(sandbox: Path) -> dict[str, str]:
    """An environment whose home, temp and config folders are empty folders in ``sandbox``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "PYTEST"))}
    for name in ("home", "tmp", "work"):
        (sandbox / name).mkdir(exist_ok=True)
    env.update(
        HOME=str(sandbox / "home"),
        TMPDIR=str(sandbox / "tmp"),
        XDG_CONFIG_HOME=str(sandbox / "home" / ".config"),
        XDG_CACHE_HOME=str(sandbox / "home" / ".cache"),
        XDG_DATA_HOME=str(sandbox / "home" / ".local" / "share"),
        XDG_STATE_HOME=str(sandbox / "home" / ".local" / "state"),
        # Python's own bytecode cache is not Porch's to write; keep it out of the count.
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    return env


def files_in(sandbox: Path) -> list[str]:
    return sorted(str(p.relative_to(sandbox)) for p in sandbox.rglob("*") if p.is_file())


def file_writes(trace: Path) -> list[str]:
    """Calls in an strace log that created, changed or removed a file."""
    calls = trace.read_text().splitlines()
    assert any("openat(" in c for c in calls), "strace recorded nothing: the check is blind"
    return [
        c
        for c in calls
        if (WRITE_FLAGS.search(c) or MUTATING.search(c))
        and not HARMLESS.search(c)
        and "= -1 " not in c
    ]


@dataclass
class Porch:
    proc: subprocess.Popen[str]
    lines: queue.Queue[str | None] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, args: list[str], sandbox: Path, prefix: list[str] | None = None) -> Porch:
        proc = subprocess.Popen(
            [*(prefix or []), sys.executable, "-m", "tui.cli", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            cwd=sandbox / "work",
            env=sandbox_env(sandbox),
        )
        porch = cls(proc)
        threading.Thread(target=porch._read_out, daemon=True).start()
        threading.Thread(target=porch._read_err, daemon=True).start()
        return porch

    def _read_out(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        self.stderr.extend(self.proc.stderr)

    def expect(self, pattern: str, seconds: float = 30.0) -> str:
        """The first new stdout line matching ``pattern``; fails after ``seconds``."""
        deadline = time.monotonic() + seconds
        regex = re.compile(pattern)
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise AssertionError(
                    f"Porch ended before printing {pattern!r}. It printed:\n"
                    + "\n".join(self.seen)
                    + "\nstderr:\n"
                    + "".join(self.stderr)
                )
            self.seen.append(line)
            if regex.search(line):
                return line
        raise AssertionError(
            f"No line matched {pattern!r} within {seconds:g}s:\n"
            + "\n".join(self.seen)
            + "\nstderr:\n"
            + "".join(self.stderr)
        )

    def expect_each(self, *patterns: str, seconds: float = 30.0) -> list[str]:
        """A new stdout line for each of ``patterns``, in whatever order they come: lines
        caused by different people (two accepting at once) reach a third in either order."""
        deadline = time.monotonic() + seconds
        found: dict[str, str] = {}
        for _ in patterns:
            waiting = [p for p in patterns if p not in found]
            either = "|".join(f"(?:{p})" for p in waiting)
            line = self.expect(either, max(0.0, deadline - time.monotonic()))
            found[next(p for p in waiting if re.search(p, line))] = line
        return [found[p] for p in patterns]

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def close_stdin(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()

    def finish(self, seconds: float = 15.0) -> int:
        """Wait for the exit, then take the rest of stdout into ``seen``."""
        code = self.proc.wait(seconds)
        while True:
            try:
                line = self.lines.get(timeout=5)
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def start(
    porches: list[Porch], args: list[str], sandbox: Path, prefix: list[str] | None = None
) -> Porch:
    """A Porch started in ``sandbox``, kept in ``porches`` so it is killed at the test's end."""
    sandbox.mkdir(parents=True, exist_ok=True)
    porch = Porch.start(args, sandbox, prefix=prefix)
    porches.append(porch)
    return porch


def plain_room(
    porches: list[Porch],
    tmp_path: Path,
    nicks: tuple[str, ...],
    prefix: Callable[[str], list[str]] = lambda _nick: [],
) -> list[Porch]:
    """ana opens a room in plain mode and lets in each of ``nicks``, also in plain mode;
    ``prefix`` gives the command each person's Porch runs under (strace, say)."""
    ana = start(porches, ["new", "--plain", "--name", "ana"], tmp_path / "ana", prefix("ana"))
    invite = ana.expect(r"^invite: ").removeprefix("invite: ")
    ana.expect(r"^You are in the room")
    people = [ana]
    for nick in nicks:
        args = ["join", "--plain", "--name", nick, invite]
        guest = start(porches, args, tmp_path / nick, prefix(nick))
        guest.expect(r"^Type /agree")
        guest.send("/agree")
        ana.expect(rf"^{nick} is knocking")
        ana.send(f"/admit {nick}")
        guest.expect(r"^You are in the room")
        for person in people:
            person.expect(rf"^ana admitted {nick}\.$")
        people.append(guest)
    return people
