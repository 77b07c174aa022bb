"""The plain line mode as real processes: `porch new --plain` and `porch join --plain`."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tui.processes import Porch, file_writes, files_in, sandbox_env, start

HOSTILE_NAME = "[@click=app.quit]x[/]"


def meet(porches: list[Porch], tmp_path: Path, guest_name: str = "bo", **kw: object):
    host = start(porches, ["new", "--plain", "--name", "ana"], tmp_path / "ana", **kw)
    invite = host.expect(r"^invite: ").removeprefix("invite: ")
    host.expect(r"^You are in the room")
    guest = start(porches, ["join", "--plain", "--name", guest_name, invite], tmp_path / "bo", **kw)
    guest.expect(r"has these agreements:")
    guest.expect(r"^Type /agree")
    guest.send("/agree")
    guest.expect(r"^You knocked\. Waiting")
    return host, guest


def test_two_plain_processes_meet_talk_and_leave(porches, tmp_path: Path) -> None:
    host, guest = meet(porches, tmp_path)
    assert host.seen[0].startswith("Using a relay on this computer at ws://127.0.0.1:")
    assert any(line.startswith("  1. What is said here stays here.") for line in guest.seen)

    host.expect(r"^bo is knocking\. Type /admit bo")
    host.send("/admit bo")
    host.expect(r"^ana admitted bo\.$")
    guest.expect(r"^You are in the room\. The room code is ")

    guest.send("hello from bo")
    host.expect(r"^bo: hello from bo$")
    host.send("hi bo")
    guest.expect(r"^ana: hi bo$")
    guest.send("/who")
    guest.expect(r"^2 of 12 seats: ana \(host\); bo \(you\)\.$")
    guest.send("/react 👍")
    host.expect(r"^bo reacted 👍\.$")
    host.send("/code")
    code = host.expect(r"^The room code is ").removeprefix("The room code is ").rstrip(".")
    guest.send("/code")
    guest.expect(rf"^The room code is {code}\.$")  # the same code, read aloud on both sides
    host.send("/verify bo")
    host.expect(r"^You marked bo as verified\.$")
    host.send("/who")
    host.expect(r"^2 of 12 seats: ana \(you, host\); bo \(verified\)\.$")

    guest.close_stdin()
    assert guest.finish() == 0
    assert guest.seen[-1] == "You left the room. Nothing from it was kept."
    host.expect(r"^bo left the room\.$")
    host.close_stdin()
    assert host.finish() == 0
    for porch in (host, guest):
        assert porch.stderr == []
        for line in porch.seen:
            if line.startswith(("ana: ", "bo: ")):
                continue  # a message is the person's own words
            assert line.endswith((".", ":", "?")) or line.startswith(("invite: ", "  ")), line
    assert files_in(tmp_path) == []


def test_hostile_names_and_escapes_print_as_plain_text(porches, tmp_path: Path) -> None:
    host, guest = meet(porches, tmp_path, guest_name=HOSTILE_NAME)
    knock = host.expect(r"is knocking")
    assert knock.startswith(f"{HOSTILE_NAME} is knocking")
    host.send(f"/admit {HOSTILE_NAME}")
    guest.expect(r"^You are in the room")
    guest.send("look \x1b]0;owned\x07 here \x1b[31mred")
    said = host.expect(r"look")
    assert said == f"{HOSTILE_NAME}: look ␛]0;owned␇ here ␛[31mred"
    assert all("\x1b" not in line and "\x07" not in line for line in host.seen)


def test_not_now_and_unknown_commands_are_answered_in_sentences(porches, tmp_path: Path) -> None:
    host, _guest = meet(porches, tmp_path)
    host.expect(r"^bo is knocking")
    host.send("/admit cy")
    host.expect(r"^Nobody called cy is knocking\. Knocking now: bo\.$")
    host.send("/frobnicate")
    host.expect(r"^There is no command /frobnicate\. Type /help for the list\.$")
    host.send("/notnow bo")
    host.expect(r"^You asked bo to wait\. Anyone can still /admit bo\.$")
    host.send("/notnow bo")
    host.expect(r"^You already asked bo to wait\. Anyone can still admit them\.$")
    host.send("/who")
    host.expect(r"^1 of 12 seats: ana \(you, host\)\.$")
    host.expect(r"^Knocking: bo \(asked to wait\)\.$")


def test_agreements_from_a_file_are_what_the_joiner_reads(porches, tmp_path: Path) -> None:
    agreements = tmp_path / "agreements.txt"
    agreements.write_text("We take turns.\nWe keep it here.\n")
    host = start(
        porches,
        ["new", "--plain", "--name", "ana", "--agreements", str(agreements)],
        tmp_path / "ana",
    )
    invite = host.expect(r"^invite: ").removeprefix("invite: ")
    guest = start(porches, ["join", "--plain", "--name", "bo", invite], tmp_path / "bo")
    guest.expect(r"has these agreements:")
    assert guest.expect(r"^  ") == "  We take turns."
    assert guest.expect(r"^  ") == "  We keep it here."


def test_a_malformed_invite_is_one_sentence(porches, tmp_path: Path) -> None:
    porch = start(porches, ["join", "--plain", "--name", "bo", "ws://x#porch1.abc"], tmp_path)
    assert porch.finish() == 2
    errors = "".join(porch.stderr)
    assert errors.startswith("porch: ") and "too short" in errors
    assert "Traceback" not in errors


def test_an_unreachable_relay_is_named(porches, tmp_path: Path, unused_port: int) -> None:
    address = f"ws://127.0.0.1:{unused_port}"
    porch = start(porches, ["new", "--plain", "--name", "ana", "--relay", address], tmp_path)
    line = porch.expect(r"reach")
    assert address in line
    assert porch.finish() == 1
    assert "Traceback" not in "".join(porch.stderr)


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_strace_sees_no_file_written_by_either_side(porches, tmp_path: Path) -> None:
    traces = tmp_path / "traces"
    traces.mkdir()
    prefixes = {}
    for who in ("host", "guest"):
        prefixes[who] = ["strace", "-f", "-qq", "-e", "trace=%file", "-o", str(traces / who)]
    host = start(
        porches, ["new", "--plain", "--name", "ana"], tmp_path / "ana", prefix=prefixes["host"]
    )
    invite = host.expect(r"^invite: ").removeprefix("invite: ")
    guest = start(
        porches,
        ["join", "--plain", "--name", "bo", invite],
        tmp_path / "bo",
        prefix=prefixes["guest"],
    )
    guest.expect(r"^Type /agree")
    guest.send("/agree")
    host.expect(r"^bo is knocking")
    host.send("/admit bo")
    guest.expect(r"^You are in the room")
    guest.send("a canary line")
    host.expect(r"a canary line")
    guest.close_stdin()
    assert guest.finish(30) == 0
    host.close_stdin()
    assert host.finish(30) == 0
    for who in ("host", "guest"):
        assert file_writes(traces / who) == []


def test_a_reader_that_goes_away_ends_the_session_quietly(tmp_path: Path) -> None:
    sandbox = tmp_path / "ana"
    sandbox.mkdir()
    env = sandbox_env(sandbox)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "new", "--plain", "--name", "ana"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=sandbox / "work",
        env=env,
    )
    try:
        assert proc.stdout is not None and proc.stdin is not None
        while not proc.stdout.readline().startswith(b"invite: "):
            pass
        proc.stdout.close()  # like `porch new --plain | head -2`
        proc.stdin.close()
        assert proc.wait(30) == 1
        assert proc.stderr is not None and proc.stderr.read() == b""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)


def test_sigterm_leaves_the_room_with_a_goodbye(porches, tmp_path: Path) -> None:
    host, guest = meet(porches, tmp_path)
    host.expect(r"^bo is knocking")
    host.send("/admit bo")
    guest.expect(r"^You are in the room")
    guest.proc.send_signal(signal.SIGTERM)
    assert guest.finish() == 0
    assert guest.seen[-1] == "You left the room. Nothing from it was kept."
    host.expect(r"^bo left the room\.$")  # a goodbye, not a lost connection
