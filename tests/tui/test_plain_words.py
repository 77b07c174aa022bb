"""Plain mode as a newcomer meets it: real processes, a real relay, and a real terminal.

``/save N FOLDER`` saves into the folder under the offer's own name (never over a
file there), and ``/offers`` then says where the file was saved. A line typed or
pasted on a terminal that reaches the terminal's own line limit is said to be
possibly cut, with how to send a long text whole; a line piped in is not.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.tui.processes import Porch, files_in, plain_room
from tests.tui.terminals import TMUX, Terminal, joins_in_a_terminal

CUT = "the most your terminal takes in one line"


def test_a_save_into_a_folder_keeps_the_offers_name_and_the_list_says_where(
    porches: list[Porch], tmp_path: Path
) -> None:
    ana, bo = plain_room(porches, tmp_path, ("bo",))
    content = os.urandom(300_000)
    (tmp_path / "ana" / "work" / "big.bin").write_bytes(content)
    ana.send("/offer big.bin")
    ana.expect(r"^This offers big\.bin ")
    ana.send("/confirm")
    bo.expect(r"^ana offers big\.bin .* /accept 1 or /decline 1\.$")
    bo.send("/accept 1")
    bo.expect(r"^big\.bin \(300 KB, application/octet-stream\) from ana is here, and checked")
    inbox = tmp_path / "bo" / "work" / "inbox"
    inbox.mkdir()
    bo.send(f"/save 1 {inbox}")
    bo.expect(rf"^Saved 300 KB to {re.escape(str(inbox / 'big.bin'))}\.$")
    assert (inbox / "big.bin").read_bytes() == content
    bo.send(f"/save 1 {inbox}/")  # the same folder again: its file is not replaced
    bo.expect(
        rf"^There is a file at {re.escape(str(inbox / 'big.bin'))} already; choose another path\.$"
    )
    bo.send("/save 1 elsewhere/")  # no such folder: not a file called "elsewhere"
    bo.expect(r"^There is no folder at elsewhere/; choose another path\.$")
    bo.send("/offers")
    listed = bo.expect(r"^  1\. ")
    assert listed == (
        f"  1. big.bin (300 KB, application/octet-stream) from ana is here, checked, and "
        f"saved to {inbox / 'big.bin'}."
    )
    bo.send("/save 1 copy.bin")
    bo.expect(r"^Saved 300 KB to copy\.bin\.$")
    bo.send("/offers")
    assert bo.expect(r"^  1\. ").endswith("saved to copy.bin.")
    assert sorted(files_in(tmp_path / "bo")) == ["work/copy.bin", "work/inbox/big.bin"]


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed: no real terminal to paste in")
def test_a_line_the_terminal_cut_is_said_and_a_piped_line_goes_whole(
    porches: list[Porch], terminal: Terminal, tmp_path: Path
) -> None:
    ana, bo = plain_room(porches, tmp_path, ("bo",))
    cy = joins_in_a_terminal(terminal, ana, tmp_path / "cy", 100)
    terminal.tmux("send-keys", "-t", cy, "C-l")  # the rows below are the paste's

    pasted = "".join(f"{n:05d} " for n in range(1000)) + "END"  # 6003 characters
    terminal.tmux("set-buffer", "-b", "long", pasted)
    terminal.tmux("paste-buffer", "-b", "long", "-t", cy)
    terminal.keys(cy, "Enter")
    screen = terminal.wait_for(cy, "This offers a text of")
    joined = "".join(screen.splitlines())
    assert f"That line reached 4095 bytes, {CUT}, so its end may have been cut" in joined, screen
    assert "/offer FILE, or pipe it into porch --plain." in joined, screen
    assert "This offers a text of 4095 characters to ana and bo." in joined, screen
    terminal.type(cy, "/cancel")
    terminal.keys(cy, "Enter")
    terminal.wait_for(cy, "Nothing was offered.")

    bo.send(pasted)  # piped in: whole, and nothing is said about a terminal
    bo.expect(r"^That is longer than 4000 characters, so it becomes an offer\.$")
    bo.expect(r"^This offers a text of 6003 characters to ana and cy\.")
    assert not [line for line in bo.seen if CUT in line]
