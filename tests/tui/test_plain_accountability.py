"""Removal by vote and repair, as people meet them in plain mode: real processes, a real relay.

Four people in a room: a motion seconded and passed removes the person named
(their client says why, and they read nothing afterwards); a motion short of a
majority, one nobody seconds and one with only two others present do not. An
ouch opens a repair round that goes flagger, person concerned, anyone, and
closes when both choose to go on; stepping out leaves gently and comes back.
"""

from __future__ import annotations

from pathlib import Path

from tests.tui.processes import Porch, plain_room, start


def everyone(people: list[Porch], pattern: str) -> None:
    for person in people:
        person.expect(pattern)


def seconded_and_answered(people: list[Porch]) -> None:
    """bo moves to remove cy, ana seconds, cy answers and is done: the vote opens."""
    ana, bo, cy, di = people
    bo.send("/motion remove cy keeps talking over people")
    for voter in (ana, di):
        voter.expect(
            r"^bo moved to remove cy from the room: keeps talking over people\. "
            r"It needs a second within \d+ seconds: /second\.$"
        )
    bo.expect(r"^You moved to remove cy from the room: keeps talking over people\.")
    cy.expect(r"^bo moved to remove you .* you will have a turn to answer first\.$")
    ana.send("/second")
    cy.expect(r"^ana seconded the motion to remove you\. The floor is held: you have")
    di.expect(r"^ana seconded the motion to remove cy\. The floor is held while cy answers")
    bo.send("may I add something")  # not bo's turn: the answer is cy's
    bo.expect(r"^It is cy's turn, so that was not sent\.")
    cy.send("I did not mean to, I will wait for my turn")
    di.expect(r"^cy: I did not mean to, I will wait for my turn$")
    cy.send("/done")
    for voter in (ana, bo, di):
        voter.expect(r"^The vote on removing cy is open for \d+ seconds: /vote yes or /vote no\.")
    cy.expect(r"^The vote on removing you is open; 3 members vote\.$")


def test_a_seconded_motion_with_a_majority_removes_the_person_and_tells_them_why(
    porches: list[Porch], tmp_path: Path
) -> None:
    ana, bo, cy, di = people = plain_room(porches, tmp_path, ("bo", "cy", "di"))
    seconded_and_answered(people)
    ana.send("/vote yes")
    ana.expect(r"^1 of 3 have voted on removing cy\. Your vote is in\.$")
    cy.expect(r"^1 of 3 have voted on removing you\.$")
    ana.send("/vote no")  # a ballot counts once
    ana.expect(r"^You voted already; a ballot counts once\.$")
    bo.send("/vote yes")
    di.send("/vote no")
    everyone([ana, bo, di], r"^The motion to remove cy passed: 2 of 3 voted yes\.")
    cy.expect(r"^The room voted for you to leave: 2 of 3 agreed\. The reason given: keeps")
    cy.expect(r"^The room voted for you to leave, and you are no longer on its roster\. The reason")
    assert cy.finish() == 1
    everyone([ana, bo, di], r"^cy was removed by the room's vote and can no longer read it\.$")
    ana.send("after the vote")
    di.expect(r"^ana: after the vote$")
    assert not any("after the vote" in line for line in cy.seen)
    ana.send("/who")
    ana.expect(r"^3 of 12 seats: ana \(you, host\); bo; di\.$")


def test_a_motion_short_of_a_majority_removes_no_one_nor_can_its_mover_raise_it_again(
    porches: list[Porch], tmp_path: Path
) -> None:
    ana, bo, cy, di = people = plain_room(porches, tmp_path, ("bo", "cy", "di"))
    seconded_and_answered(people)
    for voter, choice in ((ana, "no"), (bo, "yes"), (di, "no")):
        voter.send(f"/vote {choice}")
    everyone([ana, bo, di], r"^The motion to remove cy did not pass: 1 of 3 voted yes\.")
    cy.expect(r"^The motion to remove you did not pass: 1 of 3 voted yes\.")
    cy.send("still here")
    ana.expect(r"^cy: still here$")
    bo.send("/motion remove cy once more")
    bo.expect(r"^Your motion about cy did not pass; you cannot raise it again in this session\.$")
    di.send("/who")
    di.expect(r"^4 of 12 seats: ")


def test_a_motion_nobody_seconds_opens_no_vote_and_two_others_cannot_remove_anyone(
    porches: list[Porch], tmp_path: Path
) -> None:
    ana, bo, cy = people = plain_room(porches, tmp_path, ("bo", "cy"))
    bo.send("/motion remove cy talks too much")
    bo.expect(
        r"^A motion needs at least three others present besides the person named; there are 2\."
    )
    di = start(porches, ["join", "--plain", "--name", "di", ana_invite(ana)], tmp_path / "di")
    di.expect(r"^Type /agree")
    di.send("/agree")
    ana.expect(r"^di is knocking")
    ana.send("/admit di")
    di.expect(r"^You are in the room")
    people.append(di)
    bo.send("/motion remove cy talks too much")
    everyone(people, r"moved to remove (cy|you) from the room: talks too much\.")
    di.send("/vote yes")
    di.expect(r"^No vote is open for you\.$")
    cy.send("/second")  # the person named is no voter
    cy.expect(r"^No motion is waiting for your second\.$")
    cy.send("still talking")
    di.expect(r"^cy: still talking$")


def ana_invite(ana: Porch) -> str:
    return next(line for line in ana.seen if line.startswith("invite: ")).removeprefix("invite: ")


def test_an_ouch_opens_a_repair_round_that_closes_when_both_go_on_and_stepping_out_comes_back(
    porches: list[Porch], tmp_path: Path
) -> None:
    ana, bo, cy = people = plain_room(porches, tmp_path, ("bo", "cy"))
    bo.send("that idea is silly")
    cy.expect(r"^bo: that idea is silly$")
    cy.send("/ouch that stung")
    opened = (
        r"^cy said ouch about what bo said: that stung\. "
        r"The floor is held for a repair round\."
    )
    cy.expect(opened + r" It is your turn in the round: speak, then /done \(or /pass\)\. When")
    bo.expect(opened + r" cy speaks now in the round\. When you are ready: /continue")
    ana.expect(opened + r" cy speaks now in the round\.$")
    ana.expect(r"^What the room agreed:$")
    ana.expect(r"^  4\. Anyone can ask for a pause\.$")
    ana.send("hold on")
    ana.expect(r"^It is cy's turn, so that was not sent\.")
    cy.send("it felt like my idea did not count")
    ana.expect(r"^cy: it felt like my idea did not count$")
    cy.send("/done")
    bo.expect(r"^It is your turn in the round: speak, then /done")
    ana.expect(r"^bo speaks now in the round\.$")
    bo.send("I am sorry, I spoke too fast")
    bo.send("/done")
    everyone(people, r"^Anyone may speak now in the round\.$")
    ana.send("/continue")
    ana.expect(r"^Continue, more and step out are for the people the round concerns\.$")
    bo.send("/continue")
    everyone(people, r"^bo is ready to continue\.$")
    cy.send("/more")
    everyone(people, r"^cy needs more time; the round stays open\.$")
    cy.send("/stepout")
    cy.expect(r"^You stepped out of the room\.")
    everyone([ana, bo], r"^cy stepped out gently, and can come back\.$")
    everyone([ana, bo], r"^The repair round is over; cy stepped out\. The floor goes on\.$")
    cy.send("/back")
    cy.expect(r"^You are in the room", seconds=60)
    ana.expect(r"^cy is back in the room\.$", seconds=60)
    cy.send("I am back")
    bo.expect(r"^cy: I am back$")
