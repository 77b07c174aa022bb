"""How long `porch web` takes to a first screen in the browser, beside the terminal app.

    python -m bench.web_bench [--runs 5]

Both are real processes started from nothing, and both are read the same way:
the bytes the app draws are fed to a terminal emulator (pyte) until its first
screen shows.

- terminal: `porch new` in a pseudo-terminal (120 x 40), from the spawn until the
  setup screen is drawn;
- browser: `porch web` from the spawn until the tab's start screen is drawn in a
  headless Chromium that is already running (as a person's browser is): the server
  starts and prints its link, the page loads, its socket starts the tab's app, and
  the app's first frames arrive. The columns split that time.

Medians of several runs; the ratio is browser over terminal (the target is at most 2).
Needs Debian's chromium; the browser rows are skipped without it.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
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
from pathlib import Path

import pyte

REPO = Path(__file__).resolve().parents[1]
COLUMNS, ROWS = 120, 40
LINK = re.compile(r"http://127\.0\.0\.1:\d+/\?token=[A-Za-z0-9_-]+")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TIMEOUT = 60.0


def environment(home: Path) -> dict[str, str]:
    # COLUMNS and LINES (set under pytest, for one) would override the terminal's own size.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TEXTUAL") and k not in ("COLUMNS", "LINES")
    }
    env.update(HOME=str(home), TMPDIR=str(home), PYTHONPATH=str(REPO), TERM="xterm-256color")
    return env


def shows(screen: pyte.Screen, text: str) -> bool:
    return any(text in line for line in screen.display)


def drawn(screen: pyte.Screen, text: str) -> bool:
    """A first screen, whole and at the terminal's own size: ``text``, and the footer on
    the last row (a screen drawn at any other size has its footer elsewhere)."""
    return shows(screen, text) and "Help" in screen.display[-1]


def terminal_start() -> float:
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
            env=environment(Path(home)),
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
            return time.perf_counter() - started
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            os.close(leader)


def browser_start(browser: object) -> tuple[float, float, float, float]:
    """`porch web` to the tab's first screen: (link printed, page loaded, socket opened,
    screen drawn)."""
    with tempfile.TemporaryDirectory() as home:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "web", "--no-browser"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            text=True,
            cwd=home,
            env=environment(Path(home)),
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
            return printed, loaded, opened[0], time.perf_counter() - started
        finally:
            context.close()  # type: ignore[attr-defined]
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    runs = max(1, min(args.runs, 50))

    print(f"Porch start to first screen, median of {runs} runs, Python {sys.version.split()[0]}")
    if CHROMIUM is None:
        terminal = statistics.median(terminal_start() for _ in range(runs)) * 1000
        print(f"{'measure':<46} {'ms':>8} {'ratio':>6}")
        print(f"{'terminal: porch new to setup screen':<46} {terminal:>8.0f} {1.0:>6.2f}")
        print("browser: skipped, Debian's chromium is not installed")
        return 0

    from playwright.sync_api import sync_playwright

    terminals: list[float] = []
    samples: list[tuple[float, float, float, float]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            browser_start(browser)  # the browser's own first page load is not Porch's
            for _ in range(runs):  # interleaved, so both meet the same load on the machine
                terminals.append(terminal_start())
                samples.append(browser_start(browser))
        finally:
            browser.close()
    terminal = statistics.median(terminals) * 1000
    printed, loaded, opened, drawn = (
        statistics.median(s[i] for s in samples) * 1000 for i in range(4)
    )
    rows = [
        ("terminal: porch new to setup screen", terminal),
        ("browser: porch web to link printed", printed),
        ("browser: porch web to page loaded", loaded),
        ("browser: porch web to socket opened", opened),
        ("browser: porch web to start screen drawn", drawn),
    ]
    print(f"{'measure':<46} {'ms':>8} {'ratio':>6}")
    for label, value in rows:
        print(f"{label:<46} {value:>8.0f} {value / terminal:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
