"""The floor in words: one sentence per change, and the one-line ``/floor`` every member shares.

``floor_line`` names every seat by its label, never "you", so two members'
lines can be compared word for word (scripts do). Peer names pass through
``peer_text`` like everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable

from protocol import events as ev
from protocol.room import floor as fl
from protocol.room.floor import Act, Floor, FloorAct, HandKind, Mode, Talk, Why
from tui.peer_text import name

MODE_NAMES = {Mode.OPEN: "open floor", Mode.ROUND: "go-round", Mode.STACK: "stack"}
KIND_NAMES = {HandKind.HAND: "hand", HandKind.REPLY: "reply", HandKind.PROCESS: "process"}


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def minutes(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def what_setting(act: FloorAct) -> str:
    """A setting, as a noun phrase: "a go-round", "a speaking time of 90 seconds"…"""
    match act.act:
        case Act.ROUND:
            return "a go-round"
        case Act.STACK:
            return "a stack"
        case Act.OPEN:
            return "an open floor"
        case Act.TIMER:
            return f"a speaking time of {act.arg} seconds" if act.arg else "no speaking timer"
        case Act.PROGRESSIVE:
            return "progressive order " + ("on" if act.arg else "off")
    return str(act.act)


def floor_sentence(event: ev.FloorChanged) -> str | None:
    """The line a person reads for a change of the floor."""
    change = event.change

    def who(slot: int | None) -> str:
        return name(event.name(slot))

    match change:
        case fl.Turn(speaker=None):
            return "Nobody holds the floor. Raise a hand to speak."
        case fl.Turn(speaker=speaker) if speaker == event.me:
            return "It is your turn; say done when you finish."
        case fl.Turn(speaker=speaker):
            return f"It is {who(speaker)}'s turn."
        case fl.Set(by=by, act=act, waited=waited):
            return _set_sentence(who(by), act, waited)
        case fl.Held(by=by, act=act):
            return f"{who(by)} asked for {what_setting(act)}; it waits until the speaker is done."
        case fl.Raised(slot=slot, kind=kind, place=place):
            line = "next to speak" if place == 1 else f"{ordinal(place)} in line"
            what = {
                HandKind.HAND: "raised a hand",
                HandKind.REPLY: "has a direct reply",
                HandKind.PROCESS: "raised a point of process",
            }[kind]
            return f"{who(slot)} {what}; {line}."
        case fl.Lowered(slot=slot):
            return f"{who(slot)} lowered their hand."
        case fl.Later(slot=slot):
            return f"{who(slot)} will speak later in this round."
        case fl.Paused(by=by):
            return (
                f"{who(by)} called a pause. The floor and the timer wait; {who(by)}, or most "
                "of those here, can resume."
            )
        case fl.Resumed(by=None):
            return "The pause ended by itself; the floor goes on."
        case fl.Resumed(votes=votes) if votes:
            return "Most of those here asked to resume; the pause is over."
        case fl.Resumed(by=by):
            return f"{who(by)} ended the pause; the floor goes on."
        case fl.ResumeAsked(by=by, votes=votes, needed=needed):
            return f"{who(by)} asked to resume ({votes} of the {needed} needed)."
        case fl.Ended(mode=mode, balance=balance):
            shared = balance_words(balance, who)
            return f"The {MODE_NAMES[mode]} is over. {shared}"
    return None


def _set_sentence(by: str, act: FloorAct, waited: bool) -> str:
    now = " now" if waited else ""
    match act.act:
        case Act.ROUND:
            return f"{by}'s go-round starts{now}: the talking piece passes seat by seat."
        case Act.STACK:
            return f"{by} opened a stack{now}: raise a hand to speak."
        case Act.OPEN:
            return f"{by} opened the floor{now}: anyone speaks."
        case Act.TIMER if act.arg:
            return f"{by} set the speaking time to {act.arg} seconds{now}."
        case Act.TIMER:
            return f"{by} turned the speaking timer off{now}."
        case Act.PROGRESSIVE if act.arg:
            return (
                f"{by} turned progressive order on{now}: the next hand goes to whoever has "
                "spoken least."
            )
        case Act.PROGRESSIVE:
            return f"{by} turned progressive order off{now}: hands go in the order raised."
    return f"{by} changed the floor."


def balance_words(balance: tuple[Talk, ...], who: Callable[[int], str]) -> str:
    if not balance:
        return "Nobody took a turn."
    parts = []
    for talk in sorted(balance, key=lambda t: -t.ms):
        turns = "1 turn" if talk.turns == 1 else f"{talk.turns} turns"
        parts.append(f"{who(talk.slot)} {minutes(talk.ms)} ({turns})")
    return "How the time was shared: " + ", ".join(parts) + "."


def declined_sentence(event: ev.FloorDeclined) -> str:
    """Why a floor act of ours was not sent."""
    act, why = event.act.act, event.why
    holder = name(event.holder) if event.holder else "the speaker"
    match why:
        case Why.NOT_THE_SPEAKER:
            return f"Only {holder}, who holds the floor, can say that."
        case Why.PAUSED:
            return "The floor is paused; resume first (/resume)."
        case Why.TOO_MANY_PAUSES:
            return f"You have called {fl.PAUSES_PER_HOUR} pauses this hour; ask someone else."
        case Why.NOT_PAUSED:
            return "Nothing is paused."
        case Why.ALREADY if act is Act.HAND:
            return "Your hand is up already."
        case Why.ALREADY if act is Act.LOWER:
            return "You have no hand up."
        case Why.ALREADY if act is Act.LATER:
            return "You are last in this round already."
        case Why.ALREADY:
            return "That is so already."
        case Why.NOT_IN_THIS_MODE if act in (Act.HAND, Act.LOWER):
            return (
                "Hands are for a stack: start one with /stack. In a go-round, wait for the "
                "talking piece; a point of process (/hand process) is always allowed there."
            )
        case Why.NOT_IN_THIS_MODE if act in (Act.PASS, Act.LATER):
            return "Pass and later are for a go-round."
        case Why.NOT_IN_THIS_MODE:
            return "The floor is open: anyone speaks, so there is nothing to finish."
        case Why.BAD_ARGUMENT:
            return "That is not something the floor understands."
        case Why.NOT_SEATED:
            return "You are not in the room yet."
        case Why.HELD:
            return (
                "The room holds the floor while it votes on a motion or repairs harm; the "
                "floor goes on by itself once that is over."
            )
    return "The floor did not take that."


def timer_sentence(event: ev.TimerCue) -> str:
    whose = "Your" if event.mine else f"{name(event.nick)}'s"
    if event.percent >= 100:
        if event.mine:
            return "Your speaking time is up; finish when you can, then say done."
        return f"{whose} speaking time is up."
    return f"{whose} speaking time is nearly up."


def floor_line(floor: Floor, label: Callable[[int], str]) -> str:
    """The floor on one line, in the same words for every member (names, never "you")."""

    def who(slot: int) -> str:
        return name(label(slot))

    parts = [f"floor: {MODE_NAMES[floor.mode]}"]
    if floor.speaker is not None:
        point = " (point of process)" if floor.speaker_process else ""
        parts.append(f"speaking: {who(floor.speaker)}{point}")
    if floor.mode is Mode.ROUND:
        parts.append("next: " + (", ".join(who(s) for s in floor.queue) or "nobody"))
    hands = floor.next_hands()
    if hands or floor.mode is Mode.STACK:
        shown = [
            who(h.slot) + ("" if h.kind is HandKind.HAND else f" ({KIND_NAMES[h.kind]})")
            for h in hands
        ]
        parts.append("hands: " + (", ".join(shown) or "none"))
    if floor.away:
        parts.append("away: " + ", ".join(who(s) for s in sorted(floor.away)))
    parts.append(f"timer: {floor.timer_s} s" if floor.timer_s else "timer: off")
    parts.append("progressive order: " + ("on" if floor.progressive else "off"))
    if fl.held(floor):
        parts.append("held by the room")
    elif floor.paused is not None:
        parts.append(f"paused by {who(floor.paused.by)}")
    for wait in floor.waiting:
        parts.append(f"waiting: {what_setting(wait.act)} (from {who(wait.slot)})")
    return "; ".join(parts) + "."


def place_line(floor: Floor, slot: int, label: Callable[[int], str]) -> str | None:
    """Why a person's hand is where it is, in one line (progressive order shows its key)."""
    hands = floor.next_hands()
    place = next((i for i, h in enumerate(hands, 1) if h.slot == slot), None)
    if place is None:
        return None
    hand = hands[place - 1]
    if hand.kind is HandKind.PROCESS:
        why = "points of process go first"
    elif hand.kind is HandKind.REPLY:
        why = "direct replies go right after the speaker"
    elif floor.progressive:
        talk = floor.talk_of(slot)
        why = (
            f"progressive order: you have spoken {minutes(talk.ms)} in {talk.turns} turns; "
            "less time first, then fewer turns, then who raised first"
        )
    else:
        why = "hands go in the order they were raised"
    return f"You are {ordinal(place)} in line: {why}."
