"""`porch new`, `join` and `web` on the command line: fast help, and sentences for mistakes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.tui.processes import sandbox_env

NO_TEXTUAL = """\
import sys
from tui.cli import main
try:
    main([{args}])
except SystemExit:
    pass
print("textual loaded" if "textual" in sys.modules else "textual not loaded")
"""


@pytest.mark.parametrize(
    "args", ["'--help'", "'new', '--help'", "'join', '--help'", "'web', '--help'"]
)
def test_help_does_not_load_textual(args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", NO_TEXTUAL.format(args=args)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.stdout.strip().endswith("textual not loaded")
    assert "usage: porch" in done.stdout


def porch(args: list[str], sandbox: Path) -> subprocess.CompletedProcess[str]:
    env = sandbox_env(sandbox)
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        cwd=sandbox / "work",
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["join", "hello"], "An invite starts with ws:// or wss://"),
        (["join", "ws://127.0.0.1:8765"], "the part after '#'"),
        (["join", "--knock-wait", "5", "ws://127.0.0.1:8765"], "from 10 to 1800, not 5"),
        (["join", "--knock-wait", "3600", "ws://127.0.0.1:8765"], "from 10 to 1800, not 3600"),
        (["new", "--relay", "http://relay.example.org"], "must start with ws:// or wss://"),
        (["new", "--agreements", "missing.txt"], "cannot be read"),
        (["web", "--host", "192.168.1.20"], "unless you add --public"),
        (["web", "--host", "0.0.0.0", "--public"], "give --host the address"),
        (["web", "--relay", "http://relay.example.org"], "must start with ws:// or wss://"),
        (["new", "--name", "x" * 40], "That name is 40 characters long; a name is at most 32."),
        (["new", "--plain", "--name", "x" * 33], "a name is at most 32"),
        (["join", "--name", "x" * 33, "ws://127.0.0.1:8765"], "a name is at most 32"),
        (["new", "--plain", "--name", "ana (seat 1)"], "Porch adds those itself"),
        (["new", "--plain", "--name", "bo ✓"], "Porch shows those beside names itself"),
        (["join", "--name", "cy (host)", "ws://127.0.0.1:8765"], 'write "jo, she/her"'),
        (["new", "--plain", "--name", ""], "A name is needed to enter a room: add --name NAME"),
        (["new", "--plain"], "A name is needed to enter a room: add --name NAME"),
        (["join", "--plain", "--name", "bo"], "No invite came on stdin"),
        (["join", "--plain"], "A name is needed to enter a room: add --name NAME"),
        (["join", "--invite-file", "nowhere.txt"], "cannot be read"),
        (["join", "--invite-file", "i.txt", "ws://127.0.0.1:8765"], "Give the invite once"),
    ],
)
def test_mistakes_are_sentences_before_any_screen_is_drawn(
    args: list[str], words: str, tmp_path: Path
) -> None:
    done = porch(args, tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("porch: ") and words in done.stderr
    assert done.stderr.rstrip().endswith(".")
    assert "Traceback" not in done.stderr


def test_join_help_says_how_long_a_knock_waits(tmp_path: Path) -> None:
    done = porch(["join", "--help"], tmp_path)
    assert done.returncode == 0
    help_text = " ".join(done.stdout.split())
    assert "--knock-wait SECONDS" in help_text
    assert "(10 to 1800; default: 600, ten minutes)" in help_text


def test_the_version_is_the_installed_one(tmp_path: Path) -> None:
    from importlib.metadata import version

    done = porch(["--version"], tmp_path)
    assert done.returncode == 0
    assert done.stdout == f"porch {version('porch')}\n"


@pytest.mark.parametrize(
    "args",
    [
        "'new', '--plain', '--name', 'ana', '--relay', 'ws://127.0.0.1:1'",
        "'join', '--plain', '--name', 'bo', '--invite-file', 'invite.txt'",
        "'--version'",
    ],
)
def test_plain_mode_runs_without_loading_textual(args: str, tmp_path: Path) -> None:
    """Through a whole (short) run: a relay that cannot be reached ends it."""
    from protocol.endpoint import Endpoint

    invite = Endpoint.host("ws://127.0.0.1:1", "ana", "Be kind.").invite
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "invite.txt").write_text(invite)
    with subprocess.Popen(
        [sys.executable, "-c", NO_TEXTUAL.format(args=args)],
        stdin=subprocess.PIPE,  # left open: the run ends because the relay cannot be reached
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path / "work",
        env=sandbox_env(tmp_path),
    ) as run:
        run.wait(60)
        out, errors = run.stdout.read(), run.stderr.read()  # type: ignore[union-attr]
    assert out.strip().endswith("textual not loaded"), out + errors
    assert "Cannot reach the relay" in out or out.startswith("porch ")


def test_without_a_terminal_the_screen_points_to_plain_mode(tmp_path: Path) -> None:
    done = porch(["new", "--name", "ana"], tmp_path)
    assert done.returncode == 2
    assert "needs a terminal" in done.stderr and "--plain" in done.stderr
    assert done.stdout == ""
