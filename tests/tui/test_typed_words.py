"""The typed words the plain mode and the composer share: names, reactions, and `//`."""

from __future__ import annotations

import pytest

from protocol import commands as cmd
from protocol import events as ev
from tui import who
from tui.sentences import which_one
from tui.talk_commands import NOT_A_REACTION, REACTIONS, message_in, react_command
from tui.vote_commands import vote_command


def seat(slot: int, nick: str, label: str = "", *, me: bool = False) -> ev.Seat:
    return ev.Seat(slot, label or nick, True, False, slot == 0, me, name=nick)


SEATS = (
    seat(0, "ana", me=True),
    seat(1, "cy", "cy (seat 2)"),
    seat(2, "\u0441y", "\u0441y (seat 3)"),  # a Cyrillic "с": looks the same
    seat(3, "bo maria"),
)


def test_a_name_that_fits_one_person_finds_them() -> None:
    others = who.seated(SEATS)
    assert who.find("bo maria", others) == who.Person(3, "bo maria", "bo maria", "4")
    assert who.find("@BO MARIA", others) == who.Person(3, "bo maria", "bo maria", "4")
    assert who.find("ana", others) is None  # not among the others
    assert who.find("ana", who.seated(SEATS, with_me=True)) is not None


def test_a_name_that_fits_look_alikes_is_several_and_each_choice_types_back() -> None:
    others = who.seated(SEATS)
    found = who.find("cy", others)
    assert isinstance(found, who.Several)
    assert [p.key for p in found.people] == [1, 2]
    asked = which_one(found, lambda typed: f"/verify {typed}")
    assert asked == (
        "2 people here have names that look like cy: cy (seat 2) or \u0441y (seat 3). "
        "Say which one: /verify cy#2 or /verify \u0441y#3."
    )
    for person in found.people:
        assert who.find(who.typed(person, found.people), others) == person
    assert who.find("#3", others) == found.people[1]
    assert who.find("cy (seat 2)", others) == found.people[0]
    assert who.find("bo maria#2", others) is None  # seat 2 is not bo maria's


def test_knocks_are_named_back_by_their_key_mark() -> None:
    knocks = (
        ev.Knock(7, "cy (key kxqd)", "cy", "kxqd", asked_to_wait=False),
        ev.Knock(9, "cy (key pmwz)", "cy", "pmwz", asked_to_wait=True),
        ev.Knock(11, "bo", "bo", "abcd", asked_to_wait=False),
    )
    people = who.knocking(knocks)
    found = who.find("cy", people)
    assert isinstance(found, who.Several)
    assert which_one(found, lambda typed: f"/admit {typed}") == (
        "2 people knocking have names that look like cy: cy (key kxqd) or cy (key pmwz). "
        "Say which one: /admit cy#kxqd or /admit cy#pmwz."
    )
    assert who.find("cy#PMWZ", people) == people[1]
    assert who.typed(people[2], people) == "bo"  # alone with that name: no mark needed
    assert which_one(who.Several("", people), lambda typed: f"/notnow {typed}") == (
        "Say which one: /notnow cy#kxqd, /notnow cy#pmwz or /notnow bo."
    )


def test_a_motion_about_a_name_two_people_share_asks_which() -> None:
    def find(said: str) -> int | who.Several | None:
        found = who.find(said, who.seated(SEATS))
        return found.key if isinstance(found, who.Person) else found

    asked = vote_command("motion", "remove cy shouting again", find)
    assert isinstance(asked, str) and asked.endswith(
        "Say which one: /motion remove cy#2 REASON or /motion remove \u0441y#3 REASON."
    )
    assert vote_command("motion", "remove cy#3 shouting again", find) == cmd.Motion(
        2, "shouting again"
    )
    assert vote_command("vote", "yes bo maria", find) == cmd.Vote(True, 3)
    assert "/vote no cy#2" in str(vote_command("vote", "no cy", find))


@pytest.mark.parametrize(
    ("line", "said"),
    [("hello", "hello"), ("//shrug", "/shrug"), ("// spaced", "/ spaced"), ("/who", None)],
)
def test_a_line_is_a_message_unless_it_is_a_command(line: str, said: str | None) -> None:
    assert message_in(line) == said


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("👍", "👍"),
        ("+1", "👍"),
        ("Thanks", "🙏"),
        ("❤", "❤️"),  # without the emoji presentation selector, as some keyboards type it
        ("+", "+"),
        ("🌿", "🌿"),
    ],
)
def test_a_reaction_is_a_symbol_or_its_word(typed: str, sent: str) -> None:
    assert react_command(f" {typed} ") == cmd.React(sent)


@pytest.mark.parametrize("typed", ["", "hello", "what a day", "👍 nice", "1", "x" * 20])
def test_words_are_not_a_reaction(typed: str) -> None:
    assert react_command(typed) == NOT_A_REACTION
    for reaction in REACTIONS:
        assert f"{reaction.symbol} ({reaction.word})" in NOT_A_REACTION
