"""The relay benchmark runs end to end in its tiniest mode and loses nothing.

Only the shape of the output and the delivery checks are asserted: timings on
a shared machine say nothing about correctness.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_tiny_benchmark_prints_a_row_per_relay_with_nothing_lost() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench.relay_bench", "--tiny", "--relays", "porch,websockets"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert run.returncode == 0, run.stderr
    rows = [line.split() for line in run.stdout.splitlines() if line.startswith("equal ")]
    assert [row[1] for row in rows] == ["porch", "websockets"], run.stdout
    for row in rows:
        participants, offered, delivered = int(row[2]), float(row[4]), float(row[5])
        assert participants == 48
        # offered/s is printed to the unit, so twelve deliveries each can differ by up to 6.
        assert offered > 0 and abs(delivered - offered * 12) <= 6, run.stdout
        loss, dup, out_of_order = (int(cell) for cell in row[9:12])
        assert (loss, dup, out_of_order) == (0, 0, 0), run.stdout
