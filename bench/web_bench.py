"""How long `porch web` takes to a first screen in the browser, beside the terminal app.

    python -m bench.web_bench [--runs 5]
    python -m bench.web_bench --runs 9 --before /tmp/porch-main    before/after, in one run

Both are real processes started from nothing, and both are read the same way:
the bytes the app draws are fed to a terminal emulator (pyte) until its first
screen shows. Porch loads compiled, as installed (bench/bytecode.py).

- terminal: `porch new` in a pseudo-terminal (120 x 40), from the spawn until the
  setup screen is drawn;
- browser: `porch web` from the spawn until the tab's start screen is drawn, at the
  tab's own size, in a headless Chromium that is already running (as a person's
  browser is; the tab itself is opened once the link is printed): the server prints
  its link, the page loads, its socket gets the app `porch web` keeps ready, and the
  app's frames arrive. The rows split that time.

Medians of several runs, interleaved so both meet the same load; the ratio is browser
over terminal (the target is at most 2). Beside the time, the CPU seconds spent by
then (from /proc): `porch new`'s own; `porch web`'s with its app, and Chromium's
(every process of the browser, the tab's included). On two shared cores, the time
follows the CPU once the cores are busy. Needs Debian's chromium; the browser rows
are skipped without it.

With ``--before DIR`` (another checkout of Porch), every run measures that checkout's
terminal and browser starts too, interleaved with this one's, and the table sets the
two side by side, with the import time of what `porch new` loads before its first
screen (``tui.cli`` and ``tui.app`` in a fresh interpreter).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import resource
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path

import pyte

from bench.bytecode import compiled

REPO = Path(__file__).resolve().parents[1]
COLUMNS, ROWS = 120, 40
LINK = re.compile(r"http://127\.0\.0\.1:\d+/\?token=[A-Za-z0-9_-]+")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TIMEOUT = 60.0
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class TerminalStart:
    drawn: float  # seconds from the spawn
    cpu: float  # CPU seconds porch new had spent by then


@dataclass(frozen=True, slots=True)
class BrowserStart:
    printed: float  # seconds from the spawn of porch web
    loaded: float
    opened: float
    drawn: float
    porch_cpu: float  # CPU seconds of porch web and its app by then
    browser_cpu: float  # CPU seconds of Chromium's processes from the spawn to then


def _parents() -> dict[int, int]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except OSError:
                continue
    return found


def _tree(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    parents = _parents()
    tree, unseen = [], [pid]
    while unseen:
        current = unseen.pop()
        tree.append(current)
        unseen += [child for child, parent in parents.items() if parent == current]
    return tree


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of ``pids`` (and of their children already reaped)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15])
    return total / TICKS


def chromium_cpu() -> float:
    """Every Chromium process this benchmark started (not Playwright's own driver)."""
    pids = []
    for pid in _tree(os.getpid())[1:]:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"chrom" in command.split(b"\0", 1)[0]:
            pids.append(pid)
    return cpu_seconds(pids)


def environment(home: Path, code: Path = REPO) -> dict[str, str]:
    """What Porch runs with: ``code`` is the checkout whose Porch it runs."""
    # COLUMNS and LINES (set under pytest, for one) would override the terminal's own size.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TEXTUAL") and k not in ("COLUMNS", "LINES")
    }
    env.update(HOME=str(home), TMPDIR=str(home), PYTHONPATH=str(code), TERM="xterm-256color")
    return compiled(env)


def shows(screen: pyte.Screen, text: str) -> bool:
    return any(text in line for line in screen.display)


def drawn(screen: pyte.Screen, text: str) -> bool:
    """A first screen, whole and at the terminal's own size: ``text``, and the footer on
    the last row (a screen drawn at any other size has its footer elsewhere)."""
    return shows(screen, text) and "Help" in screen.display[-1]


def terminal_start(code: Path = REPO) -> TerminalStart:
    """`porch new` in a pseudo-terminal: spawn to the setup screen drawn."""
    with tempfile.TemporaryDirectory() as home:
        leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        screen = pyte.Screen(COLUMNS, ROWS)
        stream = pyte.ByteStream(screen)
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "new"],
            stdin=follower,
            stdout=follower,
            stderr=follower,
            cwd=home,
            env=environment(Path(home), code),
            start_new_session=True,
        )
        os.close(follower)
        try:
            while not drawn(screen, "The room's agreements"):
                if time.perf_counter() - started > TIMEOUT:
                    raise RuntimeError(
                        "porch new never drew its first screen:\n" + "\n".join(screen.display)
                    )
                ready, _, _ = select.select([leader], [], [], 1.0)
                if ready:
                    stream.feed(os.read(leader, 65536))
            return TerminalStart(time.perf_counter() - started, cpu_seconds([proc.pid]))
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            os.close(leader)


def browser_start(browser: object, code: Path = REPO) -> BrowserStart:
    """`porch web` to the tab's first screen, and the CPU spent on the way."""
    with tempfile.TemporaryDirectory() as home:
        browser_before = chromium_cpu()
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "web", "--no-browser"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            text=True,
            cwd=home,
            env=environment(Path(home), code),
        )
        context = browser.new_context(viewport={"width": 1100, "height": 700})  # type: ignore[attr-defined]
        try:
            assert proc.stdout is not None
            link = None
            while link is None:
                line = proc.stdout.readline()
                if not line:
                    raise RuntimeError("porch web ended before printing its link")
                found = LINK.search(line)
                link = found.group(0) if found else None
            printed = time.perf_counter() - started
            screen = pyte.Screen(COLUMNS, ROWS)
            stream = pyte.ByteStream(screen)
            opened: list[float] = []

            def socket(ws: object) -> None:
                opened.append(time.perf_counter() - started)
                size = re.search(r"width=(\d+)&height=(\d+)", ws.url)  # type: ignore[attr-defined]
                if size:
                    screen.resize(int(size.group(2)), int(size.group(1)))
                ws.on(  # type: ignore[attr-defined]
                    "framereceived", lambda d: stream.feed(d) if isinstance(d, bytes) else None
                )

            page = context.new_page()  # type: ignore[attr-defined]
            page.on("websocket", socket)
            page.goto(link, wait_until="load")
            loaded = time.perf_counter() - started
            while not drawn(screen, "Open a new room"):
                if time.perf_counter() - started > TIMEOUT:
                    raise RuntimeError(
                        "the tab never drew its first screen:\n" + "\n".join(screen.display)
                    )
                page.wait_for_timeout(5)
            drawn_at = time.perf_counter() - started
            return BrowserStart(
                printed,
                loaded,
                opened[0],
                drawn_at,
                porch_cpu=cpu_seconds(_tree(proc.pid)),
                browser_cpu=chromium_cpu() - browser_before,
            )
        finally:
            context.close()  # type: ignore[attr-defined]
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@dataclass(frozen=True, slots=True)
class ImportStart:
    took: float  # seconds
    cpu: float  # CPU seconds of the interpreter


def import_start(code: Path = REPO) -> ImportStart:
    """A fresh interpreter importing what `porch new` needs to its first screen."""
    with tempfile.TemporaryDirectory() as home:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", "import tui.cli, tui.app"],
            check=True,
            cwd=home,
            env=environment(Path(home), code),
        )
        took = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        return ImportStart(took, cpu)


def compare(before: Path, runs: int) -> int:
    """This checkout beside ``before``, every run of each interleaved with the other's."""
    from playwright.sync_api import sync_playwright

    codes = {"before": before.resolve(), "now": REPO}
    terminals: dict[str, list[TerminalStart]] = {name: [] for name in codes}
    samples: dict[str, list[BrowserStart]] = {name: [] for name in codes}
    imports: dict[str, list[ImportStart]] = {name: [] for name in codes}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            browser_start(browser)  # the browser's own first page load is not Porch's
            for run in range(runs):  # each goes first in every other run
                for name, code in sorted(codes.items(), reverse=run % 2 == 1):
                    terminals[name].append(terminal_start(code))
                    samples[name].append(browser_start(browser, code))
                    imports[name].append(import_start(code))
        finally:
            browser.close()

    def ms(values: list[float]) -> float:
        return statistics.median(values) * 1000

    rows: dict[str, dict[str, float]] = {name: {} for name in codes}
    for name in codes:
        terminal, browser_runs = terminals[name], samples[name]
        rows[name] = {
            "terminal: porch new to setup screen": ms([t.drawn for t in terminal]),
            "browser: porch web to link printed": ms([s.printed for s in browser_runs]),
            "browser: porch web to page loaded": ms([s.loaded for s in browser_runs]),
            "browser: porch web to socket opened": ms([s.opened for s in browser_runs]),
            "browser: porch web to start screen drawn": ms([s.drawn for s in browser_runs]),
            "porch new's imports (fresh interpreter)": ms([i.took for i in imports[name]]),
            "CPU: porch new's imports": ms([i.cpu for i in imports[name]]),
            "CPU: porch new to setup screen": ms([t.cpu for t in terminal]),
            "CPU: porch web and its app": ms([s.porch_cpu for s in browser_runs]),
            "CPU: Chromium": ms([s.browser_cpu for s in browser_runs]),
        }
    print(f"Porch start to first screen, median of {runs} interleaved runs each, "
          f"Python {sys.version.split()[0]}; before: {codes['before']}")  # fmt: skip
    print(f"{'measure':<46} {'before ms':>10} {'now ms':>8} {'now/before':>11}")
    for label, was in rows["before"].items():
        now = rows["now"][label]
        print(f"{label:<46} {was:>10.0f} {now:>8.0f} {now / was:>10.2f}x")
    ratio = {
        name: row["browser: porch web to start screen drawn"]
        / row["terminal: porch new to setup screen"]
        for name, row in rows.items()
    }
    print(f"{'browser over terminal (target: at most 2)':<46} "
          f"{ratio['before']:>9.2f}x {ratio['now']:>7.2f}x")  # fmt: skip
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--before", type=Path, metavar="DIR", help="another checkout of Porch to compare against"
    )
    args = parser.parse_args(argv)
    runs = max(1, min(args.runs, 50))
    if args.before is not None:
        if CHROMIUM is None:
            print("--before needs Debian's chromium, which is not installed", file=sys.stderr)
            return 2
        return compare(args.before, runs)

    print(f"Porch start to first screen, median of {runs} runs, Python {sys.version.split()[0]}")
    header = f"{'measure':<46} {'ms':>8} {'ratio':>6} {'CPU s':>6}"
    if CHROMIUM is None:
        alone = [terminal_start() for _ in range(runs)]
        terminal = statistics.median(t.drawn for t in alone) * 1000
        print(header)
        print(f"{'terminal: porch new to setup screen':<46} {terminal:>8.0f} {1.0:>6.2f}")
        print("browser: skipped, Debian's chromium is not installed")
        return 0

    from playwright.sync_api import sync_playwright

    terminals: list[TerminalStart] = []
    samples: list[BrowserStart] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            browser_start(browser)  # the browser's own first page load is not Porch's
            for _ in range(runs):  # interleaved, so both meet the same load on the machine
                terminals.append(terminal_start())
                samples.append(browser_start(browser))
        finally:
            browser.close()

    def median(values: list[float]) -> float:
        return statistics.median(values)

    terminal = median([t.drawn for t in terminals]) * 1000
    porch_cpu = median([s.porch_cpu for s in samples])
    browser_cpu = median([s.browser_cpu for s in samples])
    rows: list[tuple[str, float, float | None]] = [
        ("terminal: porch new to setup screen", terminal, median([t.cpu for t in terminals])),
        ("browser: porch web to link printed", median([s.printed for s in samples]) * 1000, None),
        ("browser: porch web to page loaded", median([s.loaded for s in samples]) * 1000, None),
        ("browser: porch web to socket opened", median([s.opened for s in samples]) * 1000, None),
        (
            "browser: porch web to start screen drawn",
            median([s.drawn for s in samples]) * 1000,
            median([s.porch_cpu + s.browser_cpu for s in samples]),
        ),
    ]
    print(header)
    for label, value, cpu in rows:
        spent = f"{cpu:>6.2f}" if cpu is not None else f"{'-':>6}"
        print(f"{label:<46} {value:>8.0f} {value / terminal:>6.2f} {spent}")
    print(
        f"of the browser's CPU: porch web and its app {porch_cpu:.2f} s, "
        f"Chromium {browser_cpu:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
