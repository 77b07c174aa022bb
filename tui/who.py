"""Who a person means by a name they type: one person, several, or nobody.

Commands that take a NAME (``/admit``, ``/notnow``, ``/verify``, ``/motion remove``,
``/second``, ``/vote``, ``/reveal``) read it here, in plain mode and in the
terminal app's composer alike. A name means everyone whose name looks like it
(``protocol.names.alike``: case, look-alike letters and invisible characters do
not count), so a look-alike is never picked in silence. When it means several,
the person is asked which one, each choice in a form they can type back:
``ana#2`` for the person in seat 2, ``ana#kxqd`` for the knock whose key mark is
kxqd (``#2`` alone too). What the screens show, ``ana (seat 2)`` or
``ana (key kxqd)``, is understood as well.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from protocol import events as ev
from protocol import names
from tui.peer_text import name

_MARKED: Final = re.compile(
    r"^(?P<name>.*?)\s*(?:#\s*(?P<mark>\w+)|\(\s*(?:seat|key)\s+(?P<shown>\w+)\s*\))$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Person:
    """Someone a command can name: seated, or knocking."""

    key: int  # what the command takes: the seat's slot, or the knock's number
    name: str  # as its owner chose it
    label: str  # as every screen shows it: "ana", or "ana (seat 2)"
    mark: str  # what follows "#": the seat's number, or the knock's key mark
    knocking: bool = False


@dataclass(frozen=True, slots=True)
class Several:
    """A typed name that means more than one person: ask which one."""

    typed: str
    people: tuple[Person, ...]


Found = Person | Several | None


def seated(seats: Sequence[ev.Seat], *, with_me: bool = False) -> tuple[Person, ...]:
    return tuple(
        Person(seat.slot, seat.chosen, seat.nick, str(seat.slot + 1))
        for seat in seats
        if with_me or not seat.is_me
    )


def knocking(knocks: Sequence[ev.Knock]) -> tuple[Person, ...]:
    return tuple(
        Person(knock.knock, knock.name, knock.nick, knock.mark, knocking=True) for knock in knocks
    )


def typed(person: Person, among: Sequence[Person]) -> str:
    """The shortest way to name ``person`` among ``among``: the name, or with its mark when
    another name there looks like it."""
    alike = any(other.key != person.key and names.alike(person.name, other.name) for other in among)
    return f"{name(person.name)}#{person.mark}" if alike else name(person.name)


def find(said: str, people: Sequence[Person]) -> Found:
    """The person ``said`` names among ``people``: one, several, or None."""
    said = said.strip().removeprefix("@").strip()
    if not said:
        if len(people) > 1:
            return Several("", tuple(people))
        return people[0] if people else None
    marked = _MARKED.match(said)
    if marked is not None:
        mark = (marked["mark"] or marked["shown"]).casefold()
        for person in people:
            if person.mark.casefold() == mark and _names(marked["name"], person):
                return person
        return None  # no name ends like a mark (``names.refusal``): it meant a mark
    matches = tuple(person for person in people if _names(said, person))
    if len(matches) > 1:
        return Several(said, matches)
    return matches[0] if matches else None


def _names(said: str, person: Person) -> bool:
    """Whether ``said`` could be ``person``'s name as typed (empty: any name goes)."""
    if not said:
        return True
    folded = said.casefold()
    return (
        names.alike(said, person.name)
        or folded == name(person.name).casefold()
        or folded == person.label.casefold()
    )
