"""Every room event as one full sentence, shared by the plain mode and the room log.

Peer text inside a sentence is made safe with ``peer_text`` first, so the
sentence can be printed to stdout or shown as a literal line.
"""

from __future__ import annotations

from protocol import events as ev
from tui.peer_text import name, shown


def sentence(event: ev.Event) -> str | None:
    """The line a person reads for ``event``, or None if it needs no line of its own."""
    match event:
        case ev.Connected(present=present):
            others = present - 1
            if others <= 0:
                return "Connected to the relay. Nobody else is connected yet."
            people = "person is" if others == 1 else "people are"
            return f"Connected to the relay. {others} other {people} connected."
        case ev.Refused(sentence=text) | ev.Closed(sentence=text):
            return shown(text)
        case ev.AgreementsOffered(host_nick=host):
            return f"{name(host)}'s room asks you to accept its agreements before you knock."
        case ev.Waiting():
            return "You knocked. Waiting for someone in the room to let you in."
        case ev.Entered(room_code=code):
            return (
                f"You are in the room. The room code is {shown(code)}; read it aloud "
                "with the others to verify the room."
            )
        case ev.Knocked(nick=nick):
            return f"{name(nick)} is knocking. Admit them, or say not now."
        case ev.KnockWithdrawn(nick=nick):
            return f"{name(nick)} stopped knocking."
        case ev.Admitted(nick=nick, returning=True):
            return f"{name(nick)} is back in the room."
        case ev.Admitted(nick=nick, by_nick=by):
            return f"{name(by)} admitted {name(nick)}."
        case ev.RosterChanged(seats=seats, room_code=code):
            taken = "1 seat is" if len(seats) == 1 else f"{len(seats)} seats are"
            return f"{taken} taken of 12. The room code is now {shown(code)}."
        case ev.Departed(nick=nick, reason=reason):
            if reason == "left":
                return f"{name(nick)} left the room."
            return f"{name(nick)} lost their connection and is no longer in the room."
        case ev.Said(nick=nick, text=text):
            return f"{name(nick)}: {shown(text)}"
        case ev.Reacted(nick=nick, emoji=emoji):
            return f"{name(nick)} reacted {shown(emoji, limit=8)}."
        case ev.Gap(nick=nick, missing=missing):
            plural = "message" if missing == 1 else "messages"
            return f"{missing} {plural} from {name(nick)} never arrived."
        case ev.Tampering(sentence=text) | ev.Notice(sentence=text):
            return shown(text)
    return None
