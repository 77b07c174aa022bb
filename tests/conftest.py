"""Fixtures shared by every test folder: a real relay in its own process on 127.0.0.1.

The relay runs as `python -m relay --port 0` with its working directory, HOME and
TMPDIR in empty temporary folders, so a test can prove afterwards that it wrote
nothing and printed nothing beyond its one start line.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps no example database, and its other caches go to a temporary
# folder removed at exit: the suite, like Porch, leaves nothing behind.
settings.register_profile("porch", database=None, deadline=None)
settings.load_profile("porch")
_HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="porch-hypothesis-")
set_hypothesis_home_dir(_HYPOTHESIS_HOME)
atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, True)

REPO = Path(__file__).resolve().parent.parent
_ADDRESS = re.compile(r"listening on (ws://\S+) ")


class Killable(Protocol):
    def kill(self) -> None: ...


@pytest.fixture
def porches() -> Iterator[list[Killable]]:
    """Porch processes a test started (``tests.tui.processes.start``), killed at its end."""
    started: list[Killable] = []
    yield started
    for porch in started:
        porch.kill()


@dataclass
class RelayProcess:
    """A relay subprocess; ``output`` collects everything it printed, both streams."""

    proc: subprocess.Popen[bytes]
    url: str
    sandbox: Path
    output: bytearray = field(default_factory=bytearray)
    _readers: list[threading.Thread] = field(default_factory=list)

    def room_url(self, room_id: str) -> str:
        return f"{self.url}/v1/rooms/{room_id}"

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(timeout)
        for reader in self._readers:
            reader.join(timeout)
        return code

    def written_files(self) -> list[str]:
        return sorted(str(p.relative_to(self.sandbox)) for p in self.sandbox.rglob("*"))


def _drain(stream: object, sink: bytearray) -> None:
    for chunk in iter(lambda: stream.read1(4096), b""):  # type: ignore[attr-defined]
        sink.extend(chunk)


def launch_relay(*flags: str, prefix: list[str] | None = None, sandbox: Path) -> RelayProcess:
    """Start a relay and wait for its start line; ``prefix`` wraps it (e.g. strace)."""
    for name in ("cwd", "home", "tmp"):
        (sandbox / name).mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(sandbox / "home"),
        "TMPDIR": str(sandbox / "tmp"),
        "PYTHONPATH": str(REPO),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    cmd = [*(prefix or []), sys.executable, "-m", "relay", "--host", "127.0.0.1", "--port", "0"]
    proc = subprocess.Popen(
        [*cmd, *flags],
        cwd=sandbox / "cwd",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    match = _ADDRESS.search(first.decode(errors="replace"))
    if not match:
        proc.kill()
        rest = proc.stdout.read()
        raise RuntimeError(f"relay did not start: {first!r} {rest!r}")
    relay = RelayProcess(proc, match.group(1), sandbox / "cwd", bytearray(first))
    # The sandbox under test is the relay's whole writable world: cwd, HOME, TMPDIR.
    relay.sandbox = sandbox
    reader = threading.Thread(target=_drain, args=(proc.stdout, relay.output), daemon=True)
    reader.start()
    relay._readers.append(reader)
    return relay


@pytest.fixture
def start_relay() -> Iterator[object]:
    """Factory: ``start_relay(*flags)`` starts a relay; all are stopped after the test."""
    started: list[RelayProcess] = []
    holders: list[tempfile.TemporaryDirectory[str]] = []

    def start(*flags: str, prefix: list[str] | None = None) -> RelayProcess:
        holder = tempfile.TemporaryDirectory(prefix="porch-relay-")
        holders.append(holder)
        relay = launch_relay(*flags, prefix=prefix, sandbox=Path(holder.name))
        started.append(relay)
        return relay

    yield start
    for relay in started:
        relay.stop()
    for holder in holders:
        holder.cleanup()


@pytest.fixture
def relay(start_relay: object) -> RelayProcess:
    """A relay with default limits except per-address, which tests on 127.0.0.1 share."""
    return start_relay("--per-ip", "1000")  # type: ignore[operator, no-any-return]
