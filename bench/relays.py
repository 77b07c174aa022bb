"""The relays under test, each started as its own process, and what /proc says about them."""

from __future__ import annotations

import contextlib
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

from bench import nginx

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
ADDRESS_RE = re.compile(r"ws://([^\s:/]+):(\d+)")
# porch runs as `porch relay` does (uvloop where installed); porch-asyncio on asyncio's
# own loop and porch-each writing every frame at once are the A/B for those two choices;
# porch-nginx3 is three porch relays behind the documented nginx, on the same core;
# porch-before is the porch relay of another checkout (--before DIR), for a before/after.
RELAYS = (
    "porch",
    "porch-asyncio",
    "porch-each",
    "porch-before",
    "websockets",
    "node-ws",
    "porch-nginx3",
)
SEND_SYSCALLS = ("sendto", "sendmsg", "write", "writev")
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
        return rss_kib(self.proc.pid)

    def cpu_seconds(self) -> tuple[float, float]:
        return process_cpu_seconds(self.proc.pid)

    def pids(self) -> list[int]:
        return [self.proc.pid]

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


PORCH_VARIANTS = {
    "porch": (),
    "porch-before": (),
    "porch-asyncio": ("--event-loop", "asyncio"),
    "porch-each": ("--write-each",),
}


def command(name: str, node_modules: Path | None) -> list[str]:
    if name in PORCH_VARIANTS:
        porch = [sys.executable, "-m", "relay", "--host", "127.0.0.1", "--port", "0", *PORCH_FLAGS]
        return [*porch, *PORCH_VARIANTS[name]]
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


class RelayGroup:
    """Several porch relays behind nginx, measured as one: CPU and memory summed."""

    def __init__(self, name: str, cores: set[int] | None, count: int = 3) -> None:
        self.name = name
        self._stack = contextlib.ExitStack()
        try:
            self.relays = [start("porch", cores, None, "--behind-proxy") for _ in range(count)]
            for relay in self.relays:
                self._stack.callback(relay.stop)
            self.proxy = self._stack.enter_context(
                nginx.running([r.port for r in self.relays], cores=cores)
            )
        except BaseException:
            self._stack.close()
            raise
        self.host, self.port = "127.0.0.1", self.proxy.port

    def pids(self) -> list[int]:
        return [r.proc.pid for r in self.relays] + self.proxy.pids()

    def rss_kib(self) -> int:
        return sum(rss_kib(pid) for pid in self.pids())

    def cpu_seconds(self) -> tuple[float, float]:
        times = [process_cpu_seconds(pid) for pid in self.pids()]
        return sum(t[0] for t in times), sum(t[1] for t in times)

    def stop(self) -> None:
        self._stack.close()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS line")


class SyscallCount:
    """Counts the send system calls of some processes with perf's tracepoints (root only).

    Counting in the kernel costs the relay next to nothing, unlike strace, which
    stops it on every call. ``total()`` is None when perf is missing or refused.
    """

    def __init__(self, pids: list[int]) -> None:
        self.proc: subprocess.Popen[str] | None = None
        if not shutil.which("perf"):
            return
        events = ",".join(f"syscalls:sys_enter_{name}" for name in SEND_SYSCALLS)
        self.proc = subprocess.Popen(
            ["perf", "stat", "-x,", "-e", events, "-p", ",".join(map(str, pids))],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def total(self) -> int | None:
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGINT)
        try:
            _, err = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
            return None
        counts = [line.split(",")[0] for line in err.splitlines() if "sys_enter_" in line]
        if len(counts) != len(SEND_SYSCALLS) or not all(c.isdigit() for c in counts):
            return None
        return sum(int(c) for c in counts)


def start_any(
    name: str, cores: set[int] | None, node_modules: Path | None, before: Path | None = None
) -> RelayProcess | RelayGroup:
    if name == "porch-nginx3":
        return RelayGroup(name, cores)
    if name == "porch-before":
        if before is None:
            raise ValueError("porch-before needs the checkout to run it from (--before DIR)")
        return start(name, cores, node_modules, cwd=before)
    return start(name, cores, node_modules)


def start(
    name: str,
    cores: set[int] | None,
    node_modules: Path | None,
    *extra: str,
    cwd: Path = REPO_DIR,
) -> RelayProcess:
    """Start a relay pinned to ``cores`` (from before exec, so all its threads stay there)."""
    env = dict(os.environ)
    if node_modules is not None:
        env["NODE_PATH"] = str(node_modules)
    fd, stderr_name = tempfile.mkstemp(prefix="porch-bench-", suffix=".err")
    # `python -m relay` imports the relay from its working directory first.
    proc = subprocess.Popen(
        [*command(name, node_modules), *extra],
        cwd=cwd,
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
