"""In plain mode a peer's text breaks a line only at a newline, as on the terminal
app's screens, and what a font draws as nothing shows as something: real
processes, a real relay.

Python's ``splitlines`` also breaks at a carriage return, the information
separators and the Unicode line and paragraph separators; an agreement spelt with
those would print as several agreements here and as one on every other screen.
"""

from __future__ import annotations

from pathlib import Path

from tests.tui.processes import Porch, start

HIDDEN = ("\u2028", "\u2029", "\u200b", "\x1c", "\U000e0041")


def test_peer_text_breaks_only_at_a_newline_and_hides_nothing(
    porches: list[Porch], tmp_path: Path
) -> None:
    agreements = tmp_path / "agreements.txt"
    agreements.write_text(
        "We take turns.\u2028We keep it here.\x1cWe listen.\nWe are\u200b kind.\U000e0041\n",
        encoding="utf-8",
    )
    host = start(
        porches,
        ["new", "--plain", "--name", "ana", "--agreements", str(agreements)],
        tmp_path / "ana",
    )
    invite = host.expect(r"^invite: ").removeprefix("invite: ")
    host.expect(r"^You are in the room")
    guest = start(porches, ["join", "--plain", "--name", "bo", invite], tmp_path / "bo")
    guest.expect(r"has these agreements:")
    both = ["  We take turns.␤We keep it here.␜We listen.", "  We are\ufffd kind.\ufffd"]
    assert [guest.expect(r"^  "), guest.expect(r"^  ")] == both
    guest.expect(r"^Type /agree")
    guest.send("/agree")
    host.expect(r"^bo is knocking")
    host.send("/admit bo")
    guest.expect(r"^You are in the room")
    guest.send("/agreements")
    assert [guest.expect(r"^  "), guest.expect(r"^  ")] == both
    host.send("one\u2028two\u2029three\u200bfour")
    assert guest.expect(r"^ana: ") == "ana: one␤two¶three\ufffdfour"
    guest.send("/quit")
    guest.finish()
    for line in guest.seen:
        assert not any(hidden in line for hidden in HIDDEN), repr(line)
