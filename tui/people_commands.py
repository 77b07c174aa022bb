"""The door's and the roster's typed commands, shared by the plain mode and the composer.

These words are a contract (scripts type them): ``/admit NAME``, ``/notnow NAME``
(``/not-now NAME``), ``/verify NAME`` and ``/who``. A NAME is read by ``tui.who``:
a name that fits several people is answered with the question which one. Each
function returns the command to send, or the sentence to show instead; what
is seated and what knocks is handed in, read from the endpoint's one copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from protocol import commands as cmd
from protocol import events as ev
from protocol.limits import SEATS
from tui import who
from tui.peer_text import name, shown
from tui.sentences import which_one

WORDS: Final = frozenset({"admit", "notnow", "not-now", "verify", "who"})


def knock_answer(
    said: str, knocks: Sequence[ev.Knock], *, admit: bool
) -> cmd.Admit | cmd.NotNow | str:
    """``/admit said`` (or ``/notnow said``): the answer to that knock, or why there is none."""
    found = who.find(said, who.knocking(knocks))
    if isinstance(found, who.Several):
        word = "/admit" if admit else "/notnow"
        return which_one(found, lambda typed: f"{word} {typed}")
    if found is None:
        waiting = knocking_now(knocks)
        return (
            f"Nobody called {shown(said)} is knocking. Knocking now: {waiting}."
            if waiting
            else "Nobody is knocking right now."
        )
    return cmd.Admit(found.key) if admit else cmd.NotNow(found.key)


def verify_command(said: str, seats: Sequence[ev.Seat]) -> tuple[cmd.Verify, str] | str:
    """``/verify said``: the command and the sentence that confirms it, or why there is none."""
    found = who.find(said, who.seated(seats))
    if isinstance(found, who.Several):
        return which_one(found, lambda typed: f"/verify {typed}")
    if found is None:
        return f"Nobody called {shown(said)} is in the room." if said else "Say who: /verify NAME."
    return cmd.Verify(found.key), f"You marked {name(found.label)} as verified."


def who_lines(seats: Sequence[ev.Seat], knocks: Sequence[ev.Knock]) -> list[str]:
    """``/who``: the seats, each with what is known of it; then who is knocking."""
    if not seats:
        return ["Nobody is seated yet."]
    parts = []
    for seat in sorted(seats, key=lambda seat: seat.slot):
        notes = [
            note
            for note, on in (
                ("you", seat.is_me),
                ("host", seat.is_host),
                ("verified", seat.verified),
                ("not connected", not seat.connected),
            )
            if on
        ]
        parts.append(name(seat.nick) + (f" ({', '.join(notes)})" if notes else ""))
    lines = [f"{len(seats)} of {SEATS} seats: " + "; ".join(parts) + "."]
    waiting = knocking_now(knocks)
    if waiting:
        lines.append(f"Knocking: {waiting}.")
    return lines


def knocking_now(knocks: Sequence[ev.Knock]) -> str:
    """Who is knocking, those asked to wait marked so: "bo, cy (asked to wait)"."""
    return ", ".join(
        name(knock.nick) + (" (asked to wait)" if knock.asked_to_wait else "") for knock in knocks
    )
