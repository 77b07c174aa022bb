"""`porch join` with no invite, in a real terminal (tmux): it asks, and hides what is pasted.

The invite is the key to the room; typed as an argument it would sit in the
shell's history and in the process list. Asked for, it shows nowhere on the
screen, a damaged one is answered with a sentence and asked for again, and the
name is asked the same way (a name too long is said, with the limit).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tui.processes import Porch
from tests.tui.terminals import TMUX, Terminal, porch_command
from tui.prompts import ASK_NAME, PASTE_INVITE

pytestmark = pytest.mark.skipif(
    TMUX is None, reason="tmux is not installed, so the real-terminal test cannot run"
)


@pytest.fixture
def ana(tmp_path: Path) -> Iterator[Porch]:
    (tmp_path / "ana").mkdir()
    host = Porch.start(["new", "--plain", "--name", "ana"], tmp_path / "ana")
    yield host
    host.kill()


def whole_screen(terminal: Terminal, pane: str) -> str:
    """Everything the pane showed, its scrollback included."""
    return terminal.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", pane)


def test_the_invite_is_asked_for_hidden_and_a_damaged_one_is_said(
    terminal: Terminal, ana: Porch, tmp_path: Path
) -> None:
    invite = ana.expect(r"^invite: ").removeprefix("invite: ")
    secret = invite.partition("#")[2]
    damaged = invite[:-3] + ("AAA" if not invite.endswith("AAA") else "BBB")
    bo = tmp_path / "bo"
    bo.mkdir()
    terminal.tmux(
        "new-session", "-d", "-s", "porch", "-x", "200", "-y", "50",
        porch_command(["join", "--plain"], bo, None),
    )  # fmt: skip
    terminal.tmux("set-option", "-t", "porch", "remain-on-exit", "on")
    pane = "porch:0.0"
    terminal.wait_for(pane, PASTE_INVITE.strip())
    terminal.type(pane, damaged)
    terminal.keys(pane, "Enter")
    terminal.wait_for(pane, "This invite does not check out: a character was changed")
    terminal.type(pane, invite)
    terminal.keys(pane, "Enter")
    terminal.wait_for(pane, ASK_NAME)
    terminal.type(pane, "b" * 40)
    terminal.keys(pane, "Enter")
    terminal.wait_for(pane, "That name is 40 characters long; a name is at most 32.")
    terminal.type(pane, "bo")
    terminal.keys(pane, "Enter")
    terminal.wait_for(pane, "Type /agree to accept them and knock")
    terminal.type(pane, "/agree")
    terminal.keys(pane, "Enter")
    ana.expect(r"^bo is knocking")
    ana.send("/admit bo")
    terminal.wait_for(pane, "You are in the room.")

    shown = whole_screen(terminal, pane)
    assert shown.count(PASTE_INVITE.strip()) == 2  # asked again after the damaged one
    assert secret not in shown and damaged.partition("#")[2] not in shown
    assert "Traceback" not in shown


def test_an_empty_name_is_asked_for_on_a_terminal(terminal: Terminal, tmp_path: Path) -> None:
    ana = tmp_path / "ana"
    ana.mkdir()
    terminal.tmux(
        "new-session", "-d", "-s", "porch", "-x", "200", "-y", "50",
        porch_command(["new", "--plain", "--name", ""], ana, None),
    )  # fmt: skip
    terminal.tmux("set-option", "-t", "porch", "remain-on-exit", "on")
    pane = "porch:0.0"
    terminal.wait_for(pane, ASK_NAME)
    terminal.keys(pane, "Enter")  # nothing: said, and asked again
    terminal.wait_for(pane, "A name cannot be empty or show as nothing on a screen.")
    terminal.type(pane, "ana")
    terminal.keys(pane, "Enter")
    terminal.wait_for(pane, "You are in the room.")
    shown = whole_screen(terminal, pane)
    assert shown.count(ASK_NAME) == 2 and "invite: ws://127.0.0.1:" in shown
