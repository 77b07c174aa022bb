"""Two people called cy, in plain mode: real processes, a real relay.

Every line that names one of them tells them apart (a key mark while they knock,
their seat once in), and a command that names "cy" asks which one is meant, with
choices that can be typed back as they are.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.tui.processes import Porch, start


def knock(porches: list[Porch], sandbox: Path, nick: str, invite: str) -> Porch:
    person = start(porches, ["join", "--plain", "--name", nick, invite], sandbox)
    person.expect(r"^Type /agree")
    person.send("/agree")
    person.expect(r"^You knocked\.")
    return person


def test_two_people_called_cy_are_told_apart_and_asked_about(
    porches: list[Porch], tmp_path: Path
) -> None:
    ana = start(porches, ["new", "--plain", "--name", "ana"], tmp_path / "ana")
    invite = ana.expect(r"^invite: ").removeprefix("invite: ")
    first = knock(porches, tmp_path / "cy1", "cy", invite)
    ana.expect(r"^cy is knocking\. Type /admit cy to let them in, or /notnow cy\.$")
    second = knock(porches, tmp_path / "cy2", "Cy", invite)
    line = ana.expect(r"^Cy \(key [a-z]{4}\) is knocking\.")
    mark = re.search(r"key ([a-z]{4})", line).group(1)  # type: ignore[union-attr]
    assert re.fullmatch(
        rf"Cy \(key {mark}\) is knocking\. Their name looks like cy \(key ([a-z]{{4}})\)'s: "
        rf"ask who they are before you let them in\. "
        rf"Type /admit Cy#{mark} to let them in, or /notnow Cy#{mark}\.",
        line,
    ), line
    other = re.search(r"like cy \(key ([a-z]{4})\)", line).group(1)  # type: ignore[union-attr]

    ana.send("/admit cy")
    ana.expect(
        rf"^2 people knocking have names that look like cy: cy \(key {other}\) or "
        rf"Cy \(key {mark}\)\. Say which one: /admit cy#{other} or /admit Cy#{mark}\.$"
    )
    ana.send(f"/admit Cy#{mark}")  # the choice, typed back as it was offered
    ana.expect(r"^ana admitted Cy \(seat 2\)\.$")
    second.expect(r"^You are in the room")
    ana.send("/admit cy")  # one cy knocks now: no question
    ana.expect(r"^ana admitted cy \(seat 3\)\.$")
    first.expect(r"^You are in the room")

    first.send("hello")
    first.send("/react 👏")
    for person in (ana, second):
        person.expect(r"^cy \(seat 3\): hello$")
        person.expect(r"^cy \(seat 3\) reacted 👏\.$")
    ana.send("/verify cy")
    ana.expect(
        r"^2 people here have names that look like cy: Cy \(seat 2\) or cy \(seat 3\)\. "
        r"Say which one: /verify Cy#2 or /verify cy#3\.$"
    )
    ana.send("/verify cy (seat 3)")  # the name as the screen shows it works too
    ana.expect(r"^You marked cy \(seat 3\) as verified\.$")
    ana.send("/motion remove cy for shouting")
    ana.expect(r"Say which one: /motion remove Cy#2 REASON or /motion remove cy#3 REASON\.$")
    ana.send("/who")
    ana.expect(r"^3 of 12 seats: ana \(you, host\); Cy \(seat 2\); cy \(seat 3\) \(verified\)\.$")
    second.close_stdin()
    assert second.finish() == 0
    ana.expect(r"^Cy \(seat 2\) left the room\.$")
    for person in (ana, first, second):
        assert person.stderr == []
