"""The `porch web` start-up benchmark runs once and prints the browser beside the terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.tabs import needs_chromium

REPO = Path(__file__).resolve().parents[2]


@needs_chromium
@pytest.mark.timeout(180)
def test_one_run_prints_the_terminal_row_and_the_browser_rows() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench.web_bench", "--runs", "1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    rows = {line[:46].strip(): line[46:].split() for line in lines[2:-1]}
    assert lines[-1].startswith("of the browser's CPU: porch web and its app "), run.stdout
    assert set(rows) == {
        "terminal: porch new to setup screen",
        "browser: porch web to link printed",
        "browser: porch web to page loaded",
        "browser: porch web to socket opened",
        "browser: porch web to start screen drawn",
    }, run.stdout
    assert rows["terminal: porch new to setup screen"][1] == "1.00"
    terminal_cpu = float(rows["terminal: porch new to setup screen"][2])
    browser_cpu = float(rows["browser: porch web to start screen drawn"][2])
    assert terminal_cpu > 0 and browser_cpu > 0, run.stdout
    printed, loaded, opened, drawn = (
        float(rows[f"browser: porch web to {what}"][0])
        for what in ("link printed", "page loaded", "socket opened", "start screen drawn")
    )
    # The page's load event and its socket come within a moment of each other, either first.
    assert 0 < printed <= min(loaded, opened) and max(loaded, opened) <= drawn, run.stdout
