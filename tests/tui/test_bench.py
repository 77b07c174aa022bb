"""The terminal client's benchmark runs in its smallest form and prints its table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_tiny_benchmark_prints_every_row_with_a_baseline() -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.tui_bench",
            "--runs",
            "1",
            "--messages",
            "50",
            "--kept",
            "50",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    rows = [line for line in run.stdout.splitlines() if line.rstrip().endswith("x")]
    assert len(rows) == 7, run.stdout
    assert any("empty Textual app" in row for row in rows)
    assert any("bare RichLog, 50 lines" in row for row in rows)
