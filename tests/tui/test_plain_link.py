"""Plain mode as real processes, on the link to the relay: a room that ends with the relay
running it, a pasted script that never outruns the relay's limit, and the way back after
a relay restart, each told in a sentence."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import RelayProcess
from tests.tui.processes import Porch, start
from tui.sentences import INPUT_ENDED_THE_ROOM, QUEUED, REJOINING, ROOM_ENDED_WITH_YOU

# Far less than the two minutes of retries a room without an end used to cost.
ENDS_WITHIN = 20.0


def open_and_admit(
    porches: list[Porch], tmp_path: Path, relay_url: str | None = None
) -> tuple[Porch, Porch, str]:
    """ana opens a room (on this computer's relay unless ``relay_url``); bo is let in."""
    extra = ["--relay", relay_url] if relay_url else []
    ana = start(porches, ["new", "--plain", "--name", "ana", *extra], tmp_path / "ana")
    invite = ana.expect(r"^invite: ").removeprefix("invite: ")
    ana.expect(r"^You are in the room")
    bo = start(porches, ["join", "--plain", "--name", "bo", invite], tmp_path / "bo")
    bo.expect(r"^Type /agree")
    bo.send("/agree")
    ana.expect(r"^bo is knocking")
    ana.send("/admit bo")
    bo.expect(r"^You are in the room")
    ana.expect(r"^2 seats are taken")
    return ana, bo, invite


def ended(porch: Porch) -> str:
    return porch.expect(r"^The room has ended: ana left", ENDS_WITHIN)


def test_quitting_asks_first_then_ends_the_room_for_everyone_who_is_told_why(
    porches: list[Porch], tmp_path: Path
) -> None:
    ana, bo, invite = open_and_admit(porches, tmp_path)
    cy = start(porches, ["join", "--plain", "--name", "cy", invite], tmp_path / "cy")
    cy.expect(r"^Type /agree")
    cy.send("/agree")
    ana.expect(r"^cy is knocking")

    ana.send("/quit")
    warning = ana.expect(r"^Leaving ends this room for everyone")
    assert "bo and cy are still here" in warning and warning.endswith("Type /quit again to end it.")
    ana.send("still here")  # the warning left ana in the room
    bo.expect(r"^ana: still here$")
    ana.send("/quit")

    for person in (bo, cy):  # a member, and someone knocking at the door
        line = ended(person)
        assert "the relay ran on their computer" in line
        assert person.finish(ENDS_WITHIN) == 1
        assert not [s for s in person.seen if "reach the relay" in s or "dropped" in s]
    assert ana.finish() == 0
    assert ana.seen[-2:] == ["You left the room. Nothing from it was kept.", ROOM_ENDED_WITH_YOU]


def test_the_end_of_input_cannot_be_asked_so_it_ends_the_room_and_says_so(
    porches: list[Porch], tmp_path: Path
) -> None:
    ana, bo, _ = open_and_admit(porches, tmp_path)
    ana.close_stdin()  # a script's input ran out
    ended(bo)
    assert bo.finish(ENDS_WITHIN) == 1
    assert ana.finish() == 0
    assert INPUT_ENDED_THE_ROOM in ana.seen
    assert ana.seen[-1] == ROOM_ENDED_WITH_YOU


def test_alone_in_a_room_on_this_computer_quitting_asks_nothing(
    porches: list[Porch], tmp_path: Path
) -> None:
    ana = start(porches, ["new", "--plain", "--name", "ana"], tmp_path / "ana")
    ana.expect(r"^You are in the room")
    ana.send("/quit")
    assert ana.finish() == 0
    assert not [line for line in ana.seen if line.startswith("Leaving ends")]
    assert ana.seen[-1] == "You left the room. Nothing from it was kept."


def test_on_a_hosted_relay_the_room_goes_on_without_whoever_opened_it(
    porches: list[Porch], tmp_path: Path, relay: RelayProcess
) -> None:
    ana, bo, _ = open_and_admit(porches, tmp_path, relay.url)
    ana.send("/quit")  # nothing to warn about: the relay is not ana's
    assert ana.finish() == 0
    bo.expect(r"^ana left the room\.$")
    bo.send("/who")
    bo.expect(r"^1 of 12 seats: bo \(you, host\)\.$")
    assert not [line for line in bo.seen if "has ended" in line]


def test_two_hundred_lines_pasted_into_the_opener_all_arrive_in_order(
    porches: list[Porch], tmp_path: Path
) -> None:
    """On the relay inside ``porch new``, at its default limits (50 frames/s, burst 100)."""
    ana, bo, _ = open_and_admit(porches, tmp_path)
    assert ana.proc.stdin is not None
    ana.proc.stdin.write("".join(f"line {n}\n" for n in range(200)))
    ana.proc.stdin.flush()
    for n in range(200):
        bo.expect(rf"^ana: line {n}$", 60)
    bo.send("all of them")  # the connection is still open, both ways
    ana.expect(r"^bo: all of them$")
    assert not [line for line in ana.seen if "too much too fast" in line]


def test_a_script_piped_into_join_is_sent_whole_before_its_goodbye(
    porches: list[Porch], tmp_path: Path, relay: RelayProcess
) -> None:
    """A relay process with the default rate limit; 500 lines, then the end of input."""
    ana, bo, _ = open_and_admit(porches, tmp_path, relay.url)
    assert bo.proc.stdin is not None
    bo.proc.stdin.write("".join(f"step {n}\n" for n in range(500)))
    bo.proc.stdin.close()
    for n in range(500):
        ana.expect(rf"^bo: step {n}$", 60)
    ana.expect(r"^bo left the room\.$")  # the goodbye came after every line
    assert bo.finish(30) == 0
    assert not [line for line in bo.seen if "too much too fast" in line]


def test_after_a_relay_restart_plain_mode_tells_each_step_and_sends_what_waited(
    porches: list[Porch], tmp_path: Path, start_relay: object
) -> None:
    relay = start_relay("--per-ip", "1000")  # type: ignore[operator]
    ana, bo, _ = open_and_admit(porches, tmp_path, relay.url)
    relay.stop()
    bo.expect(r"^The connection to the relay dropped\. Reconnecting now")
    bo.expect(r"^The relay cannot be reached yet\. Trying again")
    bo.send("typed while away")
    assert bo.expect(r"^Not sent yet") == QUEUED
    start_relay("--per-ip", "1000", "--port", str(relay.port))  # type: ignore[operator]
    assert bo.expect(r"^Connected to the relay again", 45) == REJOINING
    bo.expect(r"^You are back in the room; the one thing you typed meanwhile went out\.$", 45)
    ana.expect(r"^bo: typed while away$", 45)
