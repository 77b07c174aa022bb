"""The floor as three people meet it in plain mode: real processes, a real relay.

Every member's ``/floor`` line is the same, word for word, after each step
(scripts compare them), and each step is one sentence on every screen.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.tui.processes import Porch, plain_room


def same_floor(people: list[Porch], pattern: str) -> str:
    """Ask everyone for /floor; every line must match ``pattern`` and be the same."""
    lines = []
    for person in people:
        person.send("/floor")
        lines.append(person.expect(r"^floor: "))
    assert len(set(lines)) == 1, lines
    assert re.search(pattern, lines[0]), lines[0]
    return lines[0]


def everyone(people: list[Porch], pattern: str) -> None:
    for person in people:
        person.expect(pattern)


def test_a_go_round_a_stack_and_a_pause_read_the_same_on_every_screen(
    porches: list[Porch], tmp_path: Path
) -> None:
    ana, bo, cy = people = plain_room(porches, tmp_path, ("bo", "cy"))

    bo.send("/round")
    everyone(people, r"^bo's go-round starts: the talking piece passes seat by seat\.$")
    bo.expect(r"^It is your turn; say done when you finish\.$")
    ana.expect(r"^It is bo's turn\.$")
    same_floor(people, r"^floor: go-round; speaking: bo; next: cy, ana;")
    ana.send("may I?")  # not ana's turn: not sent, and she is told what she can do
    ana.expect(r"^It is bo's turn, so that was not sent\. Raise your hand \(/hand\)")
    ana.send("/aside the window is open")
    cy.expect(r"^ana \(aside\): the window is open$")
    bo.send("/done")
    cy.expect(r"^It is your turn; say done when you finish\.$")
    cy.send("/later")  # come back to me
    everyone(people, r"^cy will speak later in this round\.$")
    everyone([bo, cy], r"^It is ana's turn\.$")
    ana.expect(r"^It is your turn; say done when you finish\.$")
    same_floor(people, r"^floor: go-round; speaking: ana; next: cy;")
    ana.send("/pass")
    everyone([ana, bo], r"^It is cy's turn\.$")
    cy.send("/done")
    everyone(people, r"^The go-round is over\. How the time was shared: ")

    cy.send("/stack")
    everyone(people, r"^cy opened a stack: raise a hand to speak\.$")
    bo.send("/hand")
    everyone(people, r"^bo raised a hand; next to speak\.$")
    everyone(people, r"^It is (your|bo's) turn")
    ana.send("/hand")
    everyone(people, r"^ana raised a hand; next to speak\.$")
    cy.send("/hand reply")
    everyone(people, r"^cy has a direct reply; next to speak\.$")
    ana.send("/hand process")
    everyone(people, r"^ana raised a point of process; next to speak\.$")
    same_floor(people, r"hands: ana \(process\), cy \(reply\), ana;")
    cy.send("/pause")
    everyone(people, r"^cy called a pause\.")
    bo.send("/done")
    bo.expect(r"^The floor is paused; resume first \(/resume\)\.$")
    same_floor(people, r"paused by cy\.$")
    ana.send("/resume")
    everyone(people, r"^ana asked to resume \(1 of the 2 needed\)\.$")
    bo.send("/resume")
    everyone(people, r"^Most of those here asked to resume; the pause is over\.$")
    bo.send("/done")
    everyone([bo, cy], r"^It is ana's turn\.$")
    same_floor(
        people, r"^floor: stack; speaking: ana \(point of process\); hands: cy \(reply\), ana;"
    )
    bo.send("/balance")
    bo.expect(r"^How the time was shared: bo ")
    for person in people:
        assert person.stderr == []
