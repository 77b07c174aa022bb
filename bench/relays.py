"""The relays under test, each started as its own process, and what /proc says about them."""

from __future__ import annotations

import ctypes
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
ADDRESS_RE = re.compile(r"ws://([^\s:/]+):(\d+)")
RELAYS = ("porch", "websockets", "node-ws")
PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>

# The benchmark offers far more connections per address, and in total, than the
# relay's defaults allow a stranger; every other limit stays at its default.
PORCH_FLAGS = ("--per-ip", "100000", "--max-connections", "100000")


@dataclass
class RelayProcess:
    name: str
    proc: subprocess.Popen[bytes]
    host: str
    port: int
    stderr_path: Path

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS line")

    def cpu_seconds(self) -> tuple[float, float]:
        return process_cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdout:
            self.proc.stdout.close()
        self.stderr_path.unlink(missing_ok=True)


def process_cpu_seconds(pid: int) -> tuple[float, float]:
    """(utime, stime) of every thread of a process, from /proc/PID/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may hold spaces
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def machine_busy_seconds() -> float:
    """CPU time every core spent on anything but idling, from /proc/stat."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks[:7]) - idle) / os.sysconf(
        "SC_CLK_TCK"
    )  # steal is not ours; guest is inside user


def command(name: str, node_modules: Path | None) -> list[str]:
    if name == "porch":
        return [sys.executable, "-m", "relay", "--host", "127.0.0.1", "--port", "0", *PORCH_FLAGS]
    if name == "websockets":
        return [sys.executable, "-m", "bench.bare_relay", "0"]
    if name == "node-ws":
        assert node_modules is not None
        return ["node", str(BENCH_DIR / "bare_ws_relay.js"), "0"]
    raise ValueError(f"unknown relay {name!r}; choose from {', '.join(RELAYS)}")


def _prepare_child(cores: set[int] | None) -> None:
    """Pin the relay before exec, and have the kernel end it if the benchmark dies."""
    if cores:
        os.sched_setaffinity(0, cores)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start(name: str, cores: set[int] | None, node_modules: Path | None) -> RelayProcess:
    """Start a relay pinned to ``cores`` (from before exec, so all its threads stay there)."""
    env = dict(os.environ)
    if node_modules is not None:
        env["NODE_PATH"] = str(node_modules)
    fd, stderr_name = tempfile.mkstemp(prefix="porch-bench-", suffix=".err")
    proc = subprocess.Popen(
        command(name, node_modules),
        cwd=REPO_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=fd,
        preexec_fn=lambda: _prepare_child(cores),
    )
    os.close(fd)
    stderr_path = Path(stderr_name)
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], 20)
    line = proc.stdout.readline().decode(errors="replace") if ready else ""
    match = ADDRESS_RE.search(line)
    if not match:
        proc.kill()
        proc.wait()
        detail = stderr_path.read_text(errors="replace")[-2000:]
        stderr_path.unlink(missing_ok=True)
        raise RuntimeError(f"{name} relay did not start: {line!r} {detail}")
    return RelayProcess(name, proc, match[1], int(match[2]), stderr_path)


def install_node_ws(workdir: Path) -> tuple[Path | None, str]:
    """Where `ws` can be required from, or None and the reason it cannot."""
    if not shutil.which("node") or not shutil.which("npm"):
        return None, "node or npm is not installed"
    local = BENCH_DIR / "node_modules"
    if (local / "ws").is_dir():
        return local, "bench/node_modules"
    try:
        subprocess.run(
            [
                "npm",
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(workdir),
                "ws",
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        return None, f"npm install ws failed ({type(exc).__name__})"
    return workdir / "node_modules", "npm install --no-save into a temporary folder"


def wait_for_quiet(limit_percent: float, patience: float) -> float:
    """Wait (at most ``patience`` s) until the machine is nearly idle; its last load in % of a core.

    Other work on the machine competes with the relay and the generators for the
    same cores, so a run that starts during someone else's build measures both.
    """
    deadline = time.monotonic() + patience
    while True:
        before = machine_busy_seconds()
        time.sleep(1.0)
        load = (machine_busy_seconds() - before) * 100
        if load <= limit_percent or time.monotonic() >= deadline:
            return load


def wait_until(deadline_ns: int) -> None:
    delay = (deadline_ns - time.monotonic_ns()) / 1e9
    if delay > 0:
        time.sleep(delay)
