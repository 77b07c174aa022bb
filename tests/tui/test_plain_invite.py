"""The invite and the first lines, in plain mode: real processes, a real relay.

The invite is the key to the room, so it stays off the command line: without a
terminal, `porch join --plain` reads it from the first line of stdin (or from
--invite-file), and every line after it is what the person types in the room.
An opener whose relay cannot be reached is told so, and gets no invite to share.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from protocol.crypto import random_bytes
from protocol.invite import Invite
from tests.tui.processes import Porch, start
from tui.plain import plain_printer
from tui.talk_commands import NOT_A_REACTION


def opened(porches: list[Porch], tmp_path: Path) -> tuple[Porch, str]:
    ana = start(porches, ["new", "--plain", "--name", "ana"], tmp_path / "ana")
    invite = ana.expect(r"^invite: ").removeprefix("invite: ")
    ana.expect(r"^You are in the room")
    return ana, invite


def command_line(porch: Porch) -> str:
    return Path(f"/proc/{porch.proc.pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_the_invite_on_the_first_line_of_stdin_then_the_room(
    porches: list[Porch], tmp_path: Path
) -> None:
    ana, invite = opened(porches, tmp_path)
    bo = start(porches, ["join", "--plain", "--name", "bo"], tmp_path / "bo")
    bo.send(invite)
    bo.expect(r"^Type /agree")  # the next line is already the room's
    bo.send("/agree")
    bo.expect(r"^You knocked\. Waiting")
    secret = invite.partition("#")[2]
    assert secret not in command_line(bo)  # nobody on this computer reads it in `ps`
    ana.expect(r"^bo is knocking")
    ana.send("/admit bo")
    bo.expect(r"^You are in the room")

    bo.send("//shrug, as they say")  # a message that starts with a slash
    ana.expect(r"^bo: /shrug, as they say$")
    bo.send("/react what a day")
    assert bo.expect(r"^A reaction is one symbol") == NOT_A_REACTION
    bo.send("/react thanks")
    ana.expect(r"^bo reacted 🙏\.$")
    assert not any("what a day" in line for line in ana.seen)
    bo.close_stdin()
    assert bo.finish() == 0
    for person in (ana, bo):
        assert person.stderr == []


def test_the_invite_from_a_file(porches: list[Porch], tmp_path: Path) -> None:
    _, invite = opened(porches, tmp_path)
    (tmp_path / "invite.txt").write_text(f"\n{invite}\n")
    args = ["join", "--plain", "--name", "bo", "--invite-file", str(tmp_path / "invite.txt")]
    bo = start(porches, args, tmp_path / "bo")
    bo.expect(r"^Type /agree")
    assert invite.partition("#")[2] not in command_line(bo)


@pytest.mark.parametrize(
    ("first_line", "words"),
    [
        ("", "No invite came on stdin"),
        ("hello", "An invite starts with ws:// or wss://"),
        ("CHANGED", "does not check out"),
    ],
)
def test_a_missing_or_damaged_invite_on_stdin_is_one_sentence(
    porches: list[Porch], tmp_path: Path, first_line: str, words: str
) -> None:
    _, invite = opened(porches, tmp_path)
    if first_line == "CHANGED":
        # One character changed, inside the key: the last one also carries base64's
        # spare bits, and a change to those alone leaves the invite as it was.
        at = len(invite) - 5
        first_line = invite[:at] + ("A" if invite[at] != "A" else "Q") + invite[at + 1 :]
    bo = start(porches, ["join", "--plain", "--name", "bo"], tmp_path / "bo")
    bo.send(first_line)
    bo.close_stdin()
    assert bo.finish() == 2
    told = "".join(bo.stderr)
    assert told.startswith("porch: ") and words in told and told.rstrip().endswith(".")
    assert bo.seen == [] and "Traceback" not in told


def test_an_unreachable_relay_gets_no_invite_shared(
    porches: list[Porch], tmp_path: Path, unused_port: int
) -> None:
    address = f"ws://127.0.0.1:{unused_port}"
    ana = start(porches, ["new", "--plain", "--name", "ana", "--relay", address], tmp_path)
    ana.expect(rf"^Cannot reach the relay at {address}\. ")
    assert ana.finish() == 1
    assert not any(line.startswith("invite: ") or "invite" in line for line in ana.seen), ana.seen


def test_an_invite_made_to_drive_the_terminal_is_refused_and_nothing_raw_is_printed(
    porches: list[Porch], tmp_path: Path
) -> None:
    # Anyone can make an invite that checks out; this one's relay address retitles the
    # terminal, clears it and writes the clipboard, if printed as it is.
    address = "ws://127.0.0.1:9/\x1b]0;PWNED\x07\x1b[2J\x1b]52;c;Y3VybA==\x07"
    forged = Invite(address, random_bytes(32), random_bytes(32)).text
    bo = start(porches, ["join", "--plain", "--name", "bo"], tmp_path / "bo")
    bo.send(forged)
    assert bo.finish() == 2
    printed = "\n".join(bo.seen) + "".join(bo.stderr)
    assert "holds a character no relay address has" in printed
    assert "\x1b" not in printed and "\x07" not in printed


def test_whatever_plain_mode_prints_carries_no_control_character() -> None:
    out = io.StringIO()
    say = plain_printer(out)
    say("bo: hi\x1b]0;PWNED\x07 \x9b2J \u202eevil\nsecond line")
    printed = out.getvalue()
    assert printed.endswith("second line\n") and printed.count("\n") == 2
    assert not any(ch in printed for ch in "\x1b\x07\x9b\u202e")
    assert "␛]0;PWNED␇" in printed  # shown, not hidden: someone sent something odd
