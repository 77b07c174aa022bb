"""The door by consent as three people meet it in plain mode: real processes, a real relay.

ana opens the room (its relay runs inside her process, on 127.0.0.1), bo is
in, and cy knocks. "Not now" tells cy gently, without saying who, and anyone
can still let cy in; a knock nobody answers expires on every screen, and the
knocker's Porch says so and ends. Someone let in after cy knocked sees cy's
knock all the same, and may answer it.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.tui.processes import Porch, start

GENTLE = "Not just yet — someone in the room asked you to wait."


def ana_and_bo(porches: list[Porch], tmp_path: Path) -> tuple[Porch, Porch, str]:
    ana = start(porches, ["new", "--plain", "--name", "ana"], tmp_path / "ana")
    invite = ana.expect(r"^invite: ").removeprefix("invite: ")
    ana.expect(r"^You are in the room")
    bo = start(porches, ["join", "--plain", "--name", "bo", invite], tmp_path / "bo")
    bo.expect(r"^Type /agree")
    bo.send("/agree")
    ana.expect(r"^bo is knocking")
    ana.send("/admit bo")
    bo.expect(r"^You are in the room")
    return ana, bo, invite


def cy_knocks(porches: list[Porch], tmp_path: Path, invite: str, *extra: str) -> Porch:
    args = ["join", "--plain", "--name", "cy", *extra, invite]
    cy = start(porches, args, tmp_path / "cy")
    cy.expect(r"^Type /agree")
    cy.send("/agree")
    cy.expect(r"^You knocked\. Waiting for someone in the room to let you in\.$")
    return cy


def test_not_now_tells_the_knocker_gently_and_another_member_still_admits(
    porches: list[Porch], tmp_path: Path
) -> None:
    ana, bo, invite = ana_and_bo(porches, tmp_path)
    cy = cy_knocks(porches, tmp_path, invite)
    for member in (ana, bo):
        member.expect(r"^cy is knocking\. Type /admit cy to let them in, or /notnow cy\.$")

    bo.send("/notnow cy")
    bo.expect(r"^You asked cy to wait\. Anyone can still /admit cy\.$")
    ana.expect(r"^bo asked cy to wait\. Anyone can still /admit cy\.$")
    told = cy.expect(r"asked you to wait")
    assert told == GENTLE
    ana.send("/who")
    ana.expect(r"^2 of 12 seats: ")
    ana.expect(r"^Knocking: cy \(asked to wait\)\.$")

    ana.send("/admit cy")
    for person in (ana, bo, cy):
        person.expect(r"^ana admitted cy\.$")
    cy.expect(r"^You are in the room\. The room code is ")
    assert not any(re.search(r"\bbo\b", line) for line in cy.seen), cy.seen  # nor who asked
    for person in (ana, bo, cy):
        assert person.stderr == []


def test_a_knock_nobody_answers_expires_on_every_screen_and_the_knocker_is_told(
    porches: list[Porch], tmp_path: Path
) -> None:
    ana, bo, invite = ana_and_bo(porches, tmp_path)
    cy = cy_knocks(porches, tmp_path, invite, "--knock-wait", "10")
    for member in (ana, bo):
        member.expect(r"^cy is knocking\. ")
    for member in (ana, bo):
        member.expect(r"^Nobody answered cy's knock; it has expired\.$")
    cy.expect(r"^Nobody answered your knock in 10 seconds\. You can knock again later\.$")
    assert cy.finish() == 1  # it ended by itself, and not because cy left
    assert not any(line.startswith("You left the room") for line in cy.seen)
    ana.send("/admit cy")
    ana.expect(r"^Nobody is knocking right now\.$")
    bo.send("/who")
    bo.expect(r"^2 of 12 seats: ")
    for person in (ana, bo, cy):
        assert person.stderr == []


def test_a_member_let_in_after_someone_knocked_sees_the_knock_and_admits_it(
    porches: list[Porch], tmp_path: Path
) -> None:
    ana = start(porches, ["new", "--plain", "--name", "ana"], tmp_path / "ana")
    invite = ana.expect(r"^invite: ").removeprefix("invite: ")
    ana.expect(r"^You are in the room")
    bo = start(porches, ["join", "--plain", "--name", "bo", invite], tmp_path / "bo")
    bo.expect(r"^Type /agree")
    bo.send("/agree")
    ana.expect(r"^bo is knocking")
    cy = cy_knocks(porches, tmp_path, invite)
    ana.expect(r"^cy is knocking")
    ana.send("/notnow cy")
    ana.expect(r"^You asked cy to wait\. ")
    cy.expect(r"asked you to wait")

    ana.send("/admit bo")  # bo comes in after cy knocked
    bo.expect(r"^You are in the room")
    bo.expect(r"^cy is knocking\. Type /admit cy to let them in, or /notnow cy\.$")
    bo.send("/who")
    bo.expect(r"^2 of 12 seats: ")
    bo.expect(r"^Knocking: cy \(asked to wait\)\.$")

    bo.send("/admit cy")
    for person in (ana, bo, cy):
        person.expect(r"^bo admitted cy\.$")
    cy.expect(r"^You are in the room\. The room code is ")
    assert sum(line.startswith("cy is knocking") for line in ana.seen) == 1  # said once
    for person in (ana, bo, cy):
        assert person.stderr == []
