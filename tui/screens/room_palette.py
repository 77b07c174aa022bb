"""The room screen's entries in the command palette: what each person can do now.

One provider per concern (the door, the floor, holding each other to account,
offers, and the room itself), each listing the actions that make sense at this
moment: an entry per person knocking, a vote only while it is open, a save
only for a file that arrived.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import Provider
from textual.screen import Screen

from protocol import commands as cmd
from protocol.room import floor as fl
from tui.commands import Action, actions_from
from tui.messages import Ask, FloorAsked
from tui.peer_text import name

if TYPE_CHECKING:
    from tui.screens.room import RoomScreen

REACTIONS = ("👍", "❤️", "👏", "🙏", "😂", "😮")


def _room(screen: Screen[Any]) -> RoomScreen | None:
    from tui.screens.room import RoomScreen

    return screen if isinstance(screen, RoomScreen) else None


def _ask(screen: Screen[Any], command: cmd.Command) -> Callable[[], object]:
    return partial(screen.post_message, Ask(command))


def door_actions(screen: Screen[Any]) -> Iterator[Action]:
    room = _room(screen)
    if room is None:
        return
    for view in room.knocks:
        who = name(view.nick)
        yield Action(
            f"Admit {who}", "Let this person into the room", _ask(room, cmd.Admit(view.knock))
        )
        yield Action(
            f"Not now: {who}",
            "Ask them to wait; anyone can still let them in",
            _ask(room, cmd.NotNow(view.knock)),
        )


def room_actions(screen: Screen[Any]) -> Iterator[Action]:
    room = _room(screen)
    if room is None:
        return
    yield Action(
        "Room code and verify", "Read the code aloud, mark people verified", room.action_verify
    )
    if room.room.invite:
        yield Action(
            "Show or hide the invite", "The invite and how to share it", room.action_invite
        )
        yield Action("Copy the invite", "Put the whole invite on the clipboard", room.copy_invite)
    for emoji in REACTIONS:
        yield Action(
            f"React {emoji}", "A reaction never takes the floor", _ask(room, cmd.React(emoji))
        )


def floor_actions(screen: Screen[Any]) -> Iterator[Action]:
    room = _room(screen)
    if room is None:
        return

    def act(what: fl.Act, arg: str | int | bool = "") -> Callable[[], object]:
        return _ask(room, cmd.Floor(fl.FloorAct(what, arg)))

    yield Action(
        "Floor: start a go-round", "The talking piece passes seat by seat", act(fl.Act.ROUND)
    )
    yield Action("Floor: open a stack", "Raise a hand to speak", act(fl.Act.STACK))
    yield Action("Floor: open the floor", "Anyone speaks", act(fl.Act.OPEN))
    yield Action("Floor: raise a hand (F6)", "In a stack", act(fl.Act.HAND, fl.HandKind.HAND))
    yield Action(
        "Floor: direct reply", "Right after the speaker", act(fl.Act.HAND, fl.HandKind.REPLY)
    )
    yield Action(
        "Floor: point of process",
        "To the front, in a stack or a round",
        act(fl.Act.HAND, fl.HandKind.PROCESS),
    )
    yield Action("Floor: lower my hand", "Take your hands down", act(fl.Act.LOWER))
    yield Action("Floor: done (F7)", "End your turn", act(fl.Act.DONE))
    yield Action("Floor: pass", "In a go-round: pass the talking piece on", act(fl.Act.PASS))
    yield Action("Floor: later", "In a go-round: come back to me", act(fl.Act.LATER))
    yield Action("Floor: pause (F8)", "Freeze the floor and the timer", act(fl.Act.PAUSE))
    yield Action("Floor: resume", "End the pause, or ask to", act(fl.Act.RESUME))
    for seconds in (60, 120, 300):
        yield Action(
            f"Floor: speaking time {seconds // 60} min",
            "A gentle cue near the end; never a cut-off",
            act(fl.Act.TIMER, seconds),
        )
    yield Action("Floor: speaking timer off", "No speaking time", act(fl.Act.TIMER, 0))
    yield Action(
        "Floor: progressive order on",
        "The next hand: who spoke least",
        act(fl.Act.PROGRESSIVE, True),
    )
    yield Action(
        "Floor: progressive order off", "Hands in the order raised", act(fl.Act.PROGRESSIVE, False)
    )
    yield Action(
        "Floor: balance",
        "How the time was shared",
        partial(room.post_message, FloorAsked("balance")),
    )
    yield Action(
        "Floor: on one line", "The floor in words", partial(room.post_message, FloorAsked("floor"))
    )


def accountability_actions(screen: Screen[Any]) -> Iterator[Action]:
    room = _room(screen)
    if room is not None:
        yield from room.accountability.actions()


def offer_actions(screen: Screen[Any]) -> Iterator[Action]:
    room = _room(screen)
    if room is not None and not room.stepped_out:
        yield from room.offer_desk.actions()


PROVIDERS: set[type[Provider] | Callable[[], type[Provider]]] = {
    actions_from(door_actions, "DoorActions"),
    actions_from(room_actions, "RoomActions"),
    actions_from(floor_actions, "FloorActions"),
    actions_from(accountability_actions, "AccountabilityActions"),
    actions_from(offer_actions, "OfferActions"),
}
