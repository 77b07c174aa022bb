"""The floor's typed commands, shared by the plain mode and the terminal app's composer.

These words are a contract (scripts type them): ``/round``, ``/stack``,
``/open``, ``/hand``, ``/hand reply``, ``/hand process``, ``/lower``, ``/done``,
``/pass``, ``/later``, ``/aside TEXT``, ``/timer SECONDS``, ``/timer off``,
``/progressive on``, ``/progressive off``, ``/pause``, ``/resume``. (``/balance``
and ``/floor`` only read the floor; each front end shows them its own way.)
"""

from __future__ import annotations

from typing import Final

from protocol import commands as cmd
from protocol.room import floor as fl

ACTS: Final = {
    "round": fl.FloorAct(fl.Act.ROUND),
    "stack": fl.FloorAct(fl.Act.STACK),
    "open": fl.FloorAct(fl.Act.OPEN),
    "lower": fl.FloorAct(fl.Act.LOWER),
    "done": fl.FloorAct(fl.Act.DONE),
    "pass": fl.FloorAct(fl.Act.PASS),
    "later": fl.FloorAct(fl.Act.LATER),
    "pause": fl.FloorAct(fl.Act.PAUSE),
    "resume": fl.FloorAct(fl.Act.RESUME),
}
HANDS: Final = {"": fl.HandKind.HAND, "reply": fl.HandKind.REPLY, "process": fl.HandKind.PROCESS}
WORDS: Final = frozenset({*ACTS, "hand", "timer", "progressive", "aside"})


def floor_command(word: str, rest: str) -> cmd.Command | str:
    """The command for ``/word rest`` (``word`` in ``WORDS``), or a sentence saying how."""
    rest = rest.strip()
    match word:
        case "aside":
            return cmd.Aside(rest) if rest else "Say what: /aside TEXT."
        case "hand":
            kind = HANDS.get(rest.lower())
            if kind is None:
                return "Raise a hand with /hand, /hand reply or /hand process."
            return cmd.Floor(fl.FloorAct(fl.Act.HAND, kind))
        case "timer":
            if rest.lower() in ("off", "0"):
                return cmd.Floor(fl.FloorAct(fl.Act.TIMER, 0))
            if rest.isdigit() and 0 < int(rest) <= fl.MAX_TIMER_S:
                return cmd.Floor(fl.FloorAct(fl.Act.TIMER, int(rest)))
            return f"Set the speaking time in seconds (1 to {fl.MAX_TIMER_S}), or off."
        case "progressive":
            if rest.lower() not in ("on", "off"):
                return "Say /progressive on or /progressive off."
            return cmd.Floor(fl.FloorAct(fl.Act.PROGRESSIVE, rest.lower() == "on"))
    return cmd.Floor(ACTS[word])
