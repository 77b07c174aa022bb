"""Accountability's typed commands, shared by the plain mode and the terminal app's composer.

These words are a contract (scripts type them): ``/motion remove NAME REASON``,
``/second``, ``/vote yes``, ``/vote no``, ``/ouch [TEXT]``, ``/continue``,
``/more``, ``/stepout``. ``/second`` and ``/vote`` may end with a NAME when
more than one motion is open. (``/done`` and ``/pass`` end a turn in a repair
round, or the named person's answer, as they end a turn on the floor.) A NAME
that means several people is answered with the question which one (``tui.who``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from protocol import commands as cmd
from protocol.room.repair import Step
from tui.sentences import which_one
from tui.who import Several

# A name to the seat of who has it; or Several, when it names more than one person.
Find = Callable[[str], int | Several | None]

STEPS: Final = {"continue": Step.CONTINUE, "more": Step.MORE, "stepout": Step.STEP_OUT}
WORDS: Final = frozenset({"motion", "second", "vote", "ouch", *STEPS})

MOTION_HOW: Final = "Say whom and why: /motion remove NAME REASON."


def _named(rest: str, find: Find) -> tuple[int | Several | None, str]:
    """The seat named at the start of ``rest`` (names may have spaces), and what follows."""
    words = rest.split()
    for length in range(len(words), 0, -1):
        slot = find(" ".join(words[:length]))
        if slot is not None:
            return slot, " ".join(words[length:])
    return None, rest


def vote_command(word: str, rest: str, find: Find) -> cmd.Command | str:
    """The command for ``/word rest`` (``word`` in ``WORDS``), or a sentence saying how.

    ``find`` turns a name into the seat of someone in the room, or None; or Several
    when the name means more than one person, and then the sentence asks which.
    """
    rest = rest.strip()
    match word:
        case "motion":
            what, _, rest = rest.partition(" ")
            if what.lower() != "remove" or not rest.strip():
                return MOTION_HOW
            slot, reason = _named(rest, find)
            if isinstance(slot, Several):
                return which_one(slot, lambda who: f"/motion remove {who} REASON")
            if slot is None:
                return "Nobody in the room has that name. /who lists the seats."
            if not reason.strip():
                return MOTION_HOW
            return cmd.Motion(slot, reason)
        case "second":
            if not rest:
                return cmd.Second()
            slot, _ = _named(rest, find)
            if isinstance(slot, Several):
                return which_one(slot, lambda who: f"/second {who}")
            return cmd.Second(slot) if slot is not None else "Say whose motion: /second NAME."
        case "vote":
            choice, _, who = rest.partition(" ")
            if choice.lower() not in ("yes", "no"):
                return "Vote with /vote yes or /vote no."
            if not who.strip():
                return cmd.Vote(choice.lower() == "yes")
            about, _ = _named(who, find)
            if isinstance(about, Several):
                return which_one(about, lambda who: f"/vote {choice.lower()} {who}")
            if about is None:
                return "Nobody in the room has that name. /who lists the seats."
            return cmd.Vote(choice.lower() == "yes", about)
        case "ouch":
            return cmd.Ouch(rest)
    return cmd.Repair(STEPS[word])
