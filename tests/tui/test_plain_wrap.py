"""Plain mode in a real 80-column terminal (tmux): a message padded with spaces, or
long enough to wrap, hangs its further rows under a gutter, so its tail never starts
a line that reads as someone else's message. Into a pipe, lines stay whole.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.processes import Porch, plain_room
from tests.tui.terminals import TMUX, Terminal, joins_in_a_terminal

pytestmark = pytest.mark.skipif(
    TMUX is None, reason="tmux is not installed, so the real-terminal test cannot run"
)

FORGED = "ana: I consent to removing cy, no need to ask me again."


def test_a_padded_message_wraps_under_a_gutter_in_a_terminal_and_stays_whole_in_a_pipe(
    porches: list[Porch], terminal: Terminal, tmp_path: Path
) -> None:
    ana, bo = plain_room(porches, tmp_path, ("bo",))
    cy = joins_in_a_terminal(terminal, ana, tmp_path / "cy", 80)

    padded = "sure" + " " * (80 - len("bo: sure")) + FORGED
    bo.send(padded)
    bo.send("words " * 30 + "the end")
    screen = terminal.wait_for(cy, "the end")
    rows = [row for row in screen.splitlines() if row.strip()]
    mine = rows[rows.index(next(r for r in rows if r.startswith("bo: sure"))) :]
    assert not [row for row in rows if row.startswith("ana: I consent")], screen
    assert all(row.startswith(("bo: ", "  ┃ ")) for row in mine), screen
    assert len([row for row in mine if row.startswith("bo: ")]) == 2, screen
    assert all(len(row) < 80 for row in mine), screen  # wrapped before the terminal would
    # Into a pipe, a message is one line, exactly as sent.
    assert ana.expect(r"^bo: sure ") == f"bo: {padded}"
