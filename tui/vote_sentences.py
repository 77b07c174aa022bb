"""The sentences of shared accountability: motions to remove someone, and repair.

Every name and reason here came from a peer: each goes through ``peer_text``
before it joins a sentence. A ballot is never shown by voter, only in totals.
"""

from __future__ import annotations

from typing import Final

from protocol import events as ev
from protocol.events import MotionStage, Note, RepairStage
from protocol.room.offers import OPEN_PER_SENDER
from tui.peer_text import name, shown

# What a person should know about a ballot before casting it.
BALLOTS_SEEN: Final = (
    "Only totals are shown, but every member's client receives every sealed ballot, "
    "so a modified client could tell who voted how."
)


def _seconds(seconds: int) -> str:
    if seconds >= 120:
        return f"{seconds // 60} minutes"
    return f"{seconds} seconds"


def motion_sentence(event: ev.MotionEvent) -> str:
    mover = "You" if event.mover_is_me else name(event.mover)
    named = "you" if event.named_is_me else name(event.named)
    reason = shown(event.reason)
    match event.stage:
        case MotionStage.RAISED:
            line = f"{mover} moved to remove {named} from the room: {reason}."
            if event.i_vote and not event.mover_is_me:
                line += f" It needs a second within {_seconds(event.seconds_left)}: /second."
            elif event.named_is_me:
                line += " If someone seconds it, you will have a turn to answer first."
            else:
                line += " It needs a second from another member."
            return line
        case MotionStage.SECONDED:
            by = name(event.by)
            if event.named_is_me:
                return (
                    f"{by} seconded the motion to remove you. The floor is held: you have "
                    f"{_seconds(event.seconds_left)} to answer; /done when you have said "
                    "what you want to say."
                )
            return (
                f"{by} seconded the motion to remove {named}. The floor is held while "
                f"{named} answers (up to {_seconds(event.seconds_left)}); then the vote opens."
            )
        case MotionStage.VOTING:
            if event.i_vote:
                return (
                    f"The vote on removing {named} is open for "
                    f"{_seconds(event.seconds_left)}: /vote yes or /vote no. It passes with "
                    f"more than half of the {event.of} voters; not voting counts as no. "
                    + BALLOTS_SEEN
                )
            return f"The vote on removing {named} is open; {event.of} members vote."
        case MotionStage.BALLOT:
            mine = " Your vote is in." if event.voted and event.i_vote else ""
            return f"{event.cast} of {event.of} have voted on removing {named}.{mine}"
        case MotionStage.PASSED:
            if event.named_is_me:
                return (
                    f"The room voted for you to leave: {event.yes} of {event.of} agreed. "
                    f"The reason given: {reason}."
                )
            return (
                f"The motion to remove {named} passed: {event.yes} of {event.of} voted yes. "
                f"{named} leaves the room now."
            )
        case MotionStage.FAILED:
            return (
                f"The motion to remove {named} did not pass: {event.yes} of {event.of} voted "
                "yes. The floor goes on."
            )
        case MotionStage.LAPSED:
            return f"Nobody seconded the motion to remove {named}; it lapsed."
    return ""


def repair_sentence(event: ev.RepairEvent) -> str:
    flagger = name(event.flagger)
    match event.stage:
        case RepairStage.OPENED:
            about = f" about what {name(event.concerned)} said" if event.concerned else ""
            words = f": {shown(event.text)}." if event.text else "."
            line = f"{flagger} said ouch{about}{words} The floor is held for a repair round."
            line += " " + _turn(event)
            if event.affected_me:
                line += (
                    " When you are ready: /continue, /more for more time, or /stepout to "
                    "leave gently (you can come back)."
                )
            return line
        case RepairStage.TURN:
            return _turn(event)
        case RepairStage.CHOSE:
            who = name(event.who)
            match event.choice:
                case "continue":
                    return f"{who} is ready to continue."
                case "more":
                    return f"{who} needs more time; the round stays open."
                case _:
                    return f"{who} stepped out gently, and can come back."
        case RepairStage.CLOSED:
            if event.stepped_out:
                names = ", ".join(name(n) for n in event.stepped_out)
                return f"The repair round is over; {names} stepped out. The floor goes on."
            return "The repair round is over. The floor goes on. Nothing of it is kept."
    return ""


def _turn(event: ev.RepairEvent) -> str:
    if event.speaker_is_me:
        return "It is your turn in the round: speak, then /done (or /pass)."
    if event.speaker:
        return f"{name(event.speaker)} speaks now in the round."
    return "Anyone may speak now in the round."


NOTES: Final = {
    Note.NO_SUCH_OFFER: "There is no offer with that number. /offers lists them.",
    Note.NOBODY_TO_OFFER: "Nobody else is here to offer it to.",
    Note.OFFER_TOO_LARGE: "That is larger than the limit of {who} MiB; nothing was offered.",
    Note.OFFER_DONE: "That offer was answered already, or is over.",
    Note.OFFERS_CROWDED: f"{{who}} has {OPEN_PER_SENDER} offers open here already; later ones "
    "are not shown until one ends (accept, decline or cancel one).",
    Note.NO_AMENDMENT: "No amendment is waiting for your answer.",
    Note.AMENDMENT_OPEN: "An amendment is open already; one at a time.",
    Note.AGREEMENTS_TOO_LONG: "The agreements would be longer than {who} characters.",
    Note.CARD_NEEDED: "Say how to reach you, in plain text: /reveal NAME CONTACT.",
    Note.MOTION_TOO_FEW: "A motion needs at least three others present besides the person "
    "named; there are {who}.",
    Note.MOTION_ALREADY: "A motion about {who} is open already.",
    Note.MOTION_AGAIN: "Your motion about {who} did not pass; you cannot raise it again "
    "in this session.",
    Note.MOTION_NOT_SELF: "You cannot move to remove yourself; /leave leaves the room.",
    Note.NO_SUCH_MEMBER: "Nobody in the room has that name. /who lists the seats.",
    Note.NOTHING_TO_SECOND: "No motion is waiting for your second.",
    Note.NO_VOTE_OPEN: "No vote is open for you.",
    Note.ALREADY_VOTED: "You voted already; a ballot counts once.",
    Note.REASON_NEEDED: "Say why, in plain words: /motion remove NAME REASON.",
    Note.REPAIR_OPEN: "A repair round is open already.",
    Note.TOO_MANY_OUCHES: "You have raised three ouches in the last hour; talk to the "
    "room, or step out.",
    Note.NO_REPAIR: "No repair round is open.",
    Note.NO_MORE_TIME: "You asked for more time already in this round; /continue or "
    "/stepout when you are ready.",
    Note.NOT_AFFECTED: "Continue, more and step out are for the people the round concerns.",
}


def vote_note_sentence(note: Note, who: str) -> str | None:
    template = NOTES.get(note)
    return template.format(who=who) if template is not None else None


REPAIR_WORDS: Final = ("repair", "harm", "ouch", "hurt", "conflict")


def repair_agreements(agreements: str) -> list[str]:
    """The agreements a repair round shows: those about repairing harm, if any say so,
    else all of them (each line untrusted: shown with ``peer_text``)."""
    lines = [line.strip() for line in agreements.split("\n") if line.strip()]
    about = [line for line in lines if any(w in line.casefold() for w in REPAIR_WORDS)]
    return [shown(line) for line in (about or lines)]
