"""Every sentence a person reads about the room, written once.

The protocol's events are data (``protocol.events``): a kind and the people
it concerns. Here each becomes one full sentence, shared by the terminal app,
the plain mode and the browser. Peer text inside a sentence (a nickname, a
message) is made safe with ``peer_text`` first, so the sentence can be printed
to stdout or shown as a literal line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from protocol import events as ev
from protocol import wire
from protocol.bodies.commit import ChangeKind
from protocol.events import Alarm, Ending, Note
from protocol.limits import SEATS, TEXT_CHARS
from tui.floor_sentences import declined_sentence, floor_sentence, timer_sentence
from tui.offer_sentences import amend_sentence, offer_sentence, reveal_sentence
from tui.peer_text import name, shown
from tui.talk_commands import NOT_A_REACTION
from tui.vote_sentences import motion_sentence, repair_sentence, vote_note_sentence
from tui.who import Several, typed

SHARING: Final = (
    "Anyone holding this invite can knock, so send it only to the people you mean, "
    "over a channel you trust (in person, or an end-to-end encrypted chat). "
    "Members still decide who comes in."
)

# The knocker is not told who asked: a "not now" is the room's, not one person's verdict.
ASKED_TO_WAIT: Final = "Not just yet — someone in the room asked you to wait."

COPIED: Final = (
    "The whole invite is on your clipboard. If pasting gives nothing, this terminal does "
    "not pass copies on (in tmux: set-clipboard on): widen the window until the invite "
    "shows whole, and select it with the mouse (hold Shift)."
)
COPIED_IN_BROWSER: Final = (
    "The invite is on this browser's clipboard. If the browser refuses its clipboard, "
    "the page shows the invite instead, selected: copy it with Ctrl+C."
)

REFUSALS: Final = {
    wire.ROOM_FULL: f"This room already has {SEATS} people. Ask the facilitator for another room.",
    wire.SERVER_FULL: "The relay is full or has too many connections from your address. "
    "Try again later.",
    wire.RATE_LIMITED: "Porch sent too much too fast and the relay closed the connection. "
    "Reconnecting joins the room again as a new member.",
    wire.SLOW_CONSUMER: "The connection fell too far behind the room and the relay closed it. "
    "Reconnecting joins the room again as a new member.",
    wire.TOO_LARGE: "A message was too large for the relay. Send something shorter.",
    wire.BAD_FRAME: "The relay did not understand this client. Update Porch and try again.",
}


REJOINING: Final = (
    "Connected to the relay again. Getting back into the room; anything you type waits "
    "until you are in."
)
QUEUED: Final = "Not sent yet: you will be back in the room shortly; it goes out then."
NOT_WHILE_AWAY: Final = (
    "That was not sent: you are out of the room for a moment, and it would mean something "
    "else by the time you are back (a turn, a vote, an offer or a seat may have changed). "
    "Do it again once you are back in the room."
)


ROOM_ENDED_WITH_YOU: Final = (
    "The room ended for everyone with you: its relay ran on this computer, and the others "
    "were told why."
)
INPUT_ENDED_THE_ROOM: Final = (
    "Your input ended, so you are leaving, and the room ends for everyone: its relay runs "
    "on this computer. (A script keeps the room open by keeping its input open.)"
)


def ending_the_room(others: tuple[str, ...]) -> str:
    """What the person running the room's relay is told before leaving ends the room."""
    who = _and(tuple(name(n) for n in others)) if others else "others"
    verb = "is" if len(others) == 1 else "are"
    return (
        f"Leaving ends this room for everyone: its relay runs on this computer and closes "
        f"when you leave, and {who} {verb} still here. (A room on a hosted relay, "
        "porch new --relay URL, goes on without the person who opened it.)"
    )


def reconnecting_sentence(attempt: int, retry_in_s: float) -> str:
    if attempt <= 1:
        return (
            "The connection to the relay dropped. Reconnecting now; you come back in as a "
            "new member, and anything you type waits until you are back in the room."
        )
    when = "now" if retry_in_s < 1 else f"in {duration(round(retry_in_s))}"
    return f"The relay cannot be reached yet. Trying again {when} (attempt {attempt})."


def back_sentence(sent: int) -> str:
    if sent == 0:
        return "You are back in the room."
    what = "the one thing" if sent == 1 else f"the {sent} things"
    return f"You are back in the room; {what} you typed meanwhile went out."


def refusal(code: str) -> str:
    return REFUSALS.get(code, f"The relay closed the connection ({shown(code, limit=40)}).")


def sentence(event: ev.Event) -> str | None:
    """The line a person reads for ``event``, or None if it needs no line of its own."""
    match event:
        case ev.Connected(present=present):
            others = present - 1
            if others <= 0:
                return "Connected to the relay. Nobody else is connected yet."
            people = "person is" if others == 1 else "people are"
            return f"Connected to the relay. {others} other {people} connected."
        case ev.Refused(code=code):
            return refusal(code)
        case ev.Reconnecting(attempt=attempt, retry_in_s=wait):
            return reconnecting_sentence(attempt, wait)
        case ev.Rejoining():
            return REJOINING
        case ev.BackInRoom(sent=sent):
            return back_sentence(sent)
        case ev.Closed(ending=ending, detail=detail, waited_s=waited, unsent=unsent):
            return ending_sentence(ending, detail, waited, unsent)
        case ev.AgreementsOffered(host_nick=host):
            return f"{name(host)}'s room asks you to accept its agreements before you knock."
        case ev.Waiting():
            return "You knocked. Waiting for someone in the room to let you in."
        case ev.AskedToWait():
            return ASKED_TO_WAIT
        case ev.Entered(room_code=code):
            return (
                f"You are in the room. The room code is {shown(code)}; read it aloud "
                "with the others to verify the room."
            )
        case ev.Knocked(nick=nick, looks_like=like) if like:
            return (
                f"{name(nick)} is knocking. Their name looks like {name(like)}'s: ask who "
                "they are before you let them in."
            )
        case ev.Knocked(nick=nick):
            return f"{name(nick)} is knocking. Admit them, or say not now."
        case ev.KnockWithdrawn(nick=nick):
            return f"{name(nick)} stopped knocking."
        case ev.KnockSetAside(nick=nick, mine=True):
            return f"You asked {name(nick)} to wait. Anyone can still admit them."
        case ev.KnockSetAside(nick=nick, by_nick=by):
            return f"{name(by)} asked {name(nick)} to wait. Anyone can still admit them."
        case ev.KnockExpired(nick=nick):
            return f"Nobody answered {name(nick)}'s knock; it has expired."
        case ev.Admitted(nick=nick, returning=True):
            return f"{name(nick)} is back in the room."
        case ev.Admitted(nick=nick, by_nick=by):
            return f"{name(by)} admitted {name(nick)}."
        case ev.RosterChanged(entering=True):
            return None  # "You are in the room" follows, with the same room code
        case ev.RosterChanged(seats=seats, room_code=code):
            taken = "1 seat is" if len(seats) == 1 else f"{len(seats)} seats are"
            return f"{taken} taken of {SEATS}. The room code is now {shown(code)}."
        case ev.Departed(nick=nick, reason=reason):
            if reason is ChangeKind.LEFT:
                return f"{name(nick)} left the room."
            if reason is ChangeKind.REMOVED:
                return f"{name(nick)} was removed by the room's vote and can no longer read it."
            return f"{name(nick)} lost their connection and is no longer in the room."
        case ev.Said(nick=nick, text=text, aside=True):
            return f"{name(nick)} (aside): {shown(text)}"
        case ev.Said(nick=nick, text=text):
            return f"{name(nick)}: {shown(text)}"
        case ev.FloorChanged():
            return floor_sentence(event)
        case ev.FloorDeclined():
            return declined_sentence(event)
        case ev.TimerCue():
            return timer_sentence(event)
        case ev.MotionEvent():
            return motion_sentence(event)
        case ev.OfferEvent():
            return offer_sentence(event)
        case ev.RevealEvent():
            return reveal_sentence(event)
        case ev.AmendEvent():
            return amend_sentence(event)
        case ev.RepairEvent():
            return repair_sentence(event)
        case ev.Reacted(nick=nick, emoji=emoji):
            return f"{name(nick)} reacted {shown(emoji, limit=8)}."
        case ev.Gap(nick=nick, missing=missing):
            plural = "message" if missing == 1 else "messages"
            return f"{missing} {plural} from {name(nick)} never arrived."
        case ev.TwoRooms():
            return two_rooms_sentence(event)
        case ev.Tampering(alarm=alarm, who=who, count=count):
            return alarm_sentence(alarm, tuple(name(n) for n in who), count)
        case ev.Notice(note=note, who=who):
            return note_sentence(note, name(who) if who else "")
    return None


def two_rooms_sentence(event: ev.TwoRooms) -> str:
    def word(nicks: tuple[str, ...]) -> str:
        if not nicks:
            return "no one in it vouches for it yet"
        return f"{_and(tuple(name(n) for n in nicks))} vouch for it"

    return (
        f"Two rooms answered this invite. You are joining the one hosted by {name(event.host)} "
        f"({word(event.vouched_by)}); the other is hosted by {name(event.other_host)} "
        f"({word(event.other_vouched_by)}). Only one is the room the people you know are in: "
        "if they vouch for the other, leave and join again; once in, read the room code aloud."
    )


def ending_sentence(ending: Ending, detail: str, waited_s: int = 0, unsent: int = 0) -> str:
    match ending:
        case Ending.LEFT:
            return "You left the room. Nothing from it was kept."
        case Ending.REMOVED:
            return (
                "You are no longer on this room's roster. "
                "Use the invite again if you want to come back."
            )
        case Ending.VOTED_OUT:
            return (
                "The room voted for you to leave, and you are no longer on its roster"
                + (f". The reason given: {shown(detail)}." if detail else ".")
                + " Nothing from it was kept. If you want to come back another time, "
                "ask the room for an invite; a member would have to let you in."
            )
        case Ending.STEPPED_OUT:
            return (
                "You stepped out of the room. Take the time you need; your seat is kept as a "
                "return ticket while this window stays open (/back to come back)."
            )
        case Ending.REFUSED:
            return refusal(detail)
        case Ending.NOT_A_RELAY:
            return (
                f"The server at {shown(detail)} is not a Porch relay, or speaks another "
                "version. Check the address in the invite."
            )
        case Ending.UNREACHABLE:
            return (
                f"Cannot reach the relay at {shown(detail)}. Check the address or try again later."
            )
        case Ending.LOST:
            return (
                f"The relay at {shown(detail)} stopped answering, and Porch could not get back "
                f"into the room in {duration(waited_s)} of trying.{_unsent(unsent)} Nothing "
                "from the room was kept. Once the relay is back, join again with the invite."
            )
        case Ending.ENDED:
            return "The connection to the room ended."
        case Ending.FAILED:
            return f"The connection to the room failed ({shown(detail)}). Join again to continue."
        case Ending.CANNOT_OPEN:
            return shown(detail)
        case Ending.NO_LOCAL_RELAY:
            return f"Porch could not start a relay on this computer ({shown(detail)})."
        case Ending.UNANSWERED:
            return f"Nobody answered your knock in {duration(waited_s)}. You can knock again later."
        case Ending.ROOM_ENDED:
            return (
                f"The room has ended: {name(detail)} left, and the relay ran on their "
                "computer, so it closed with them. Nothing from the room was kept. To meet "
                "again, someone opens a new room (porch new) and shares its invite."
            )


def _unsent(count: int) -> str:
    if count == 0:
        return ""
    if count == 1:
        return " What you typed meanwhile was not sent."
    return f" The {count} things you typed meanwhile were not sent."


def duration(seconds: int) -> str:
    """ "10 minutes", "45 seconds", "1 minute and 30 seconds"."""

    def count(n: int, unit: str) -> str:
        return f"{n} {unit}" if n == 1 else f"{n} {unit}s"

    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return count(rest, "second")
    if not rest:
        return count(minutes, "minute")
    return f"{count(minutes, 'minute')} and {count(rest, 'second')}"


def alarm_sentence(alarm: Alarm, who: tuple[str, ...], count: int) -> str:
    """The evidence, and every party that could have caused it: a member's client can
    lie as well as the relay."""
    first = who[0] if who else "someone"
    second = who[1] if len(who) > 1 else "someone"
    match alarm:
        case Alarm.TAKEOVER_WHILE_HERE:
            return (
                f"{first} tried to take over the room while {second} is still connected. "
                f"The relay may have told {first} otherwise."
            )
        case Alarm.TAKEOVER_WHILE_YOU_ARE_HERE:
            return (
                f"{first} tried to take over the room while you are still connected. "
                f"The relay may have told {first} otherwise."
            )
        case Alarm.DROP_WHILE_HERE:
            return (
                f"{first} removed {second} as disconnected, but {second} is still connected. "
                f"The relay may have told {first} otherwise; the change was refused."
            )
        case Alarm.EVICTED_WHILE_HERE:
            return (
                f"The relay told the room {first}'s connection had dropped, but {first} was "
                f"still connected; {first} is coming back in. The relay may be trying to push "
                "them out."
            )
        case Alarm.SPEAKS_AFTER_LEAVE:
            return (
                f"The relay said {first}'s connection dropped, but {first} is still speaking. "
                "The relay may be trying to get them removed."
            )
        case Alarm.LOBBY_OF_ANOTHER_ROOM:
            return (
                "A second lobby showed you a different room. Someone may be trying to lead "
                "you into a copy of this room: read the room code aloud with the others "
                "once you are in."
            )
        case Alarm.LURE_BY_MEMBER:
            return (
                f"{first} greeted a newcomer as if they ran the room, and they do not. "
                "Read the room code aloud with anyone who joins."
            )
        case Alarm.LURE_BY_FIRST_KEY:
            return (
                "Someone holding the key this room was opened with greeted a newcomer, but "
                "that key no longer runs the room. Read the room code aloud with anyone who joins."
            )
        case Alarm.LURE_BY_FORMER:
            return (
                f"{first}, who left this room, greeted a newcomer as if they ran it. The room "
                "has told newcomers which room it is; read the room code aloud with anyone "
                "who joins."
            )
        case Alarm.LURE_BY_STRANGER:
            return (
                "Someone holding the invite, who was never in this room, greeted a newcomer "
                "as if they ran it. The room has told newcomers which room it is; read the "
                "room code aloud with anyone who joins."
            )
        case Alarm.OUT_OF_TURN:
            return (
                f"{first} sent a message while someone else held the floor; it is shown as an "
                f"aside. {first}'s client may not follow the room's turn-taking."
            )
        case Alarm.FLOOR_OUT_OF_RULES:
            return (
                f"{first}'s client sent a floor action the room's rules refuse (done for "
                "someone else, or pause after pause); nothing changed."
            )
        case Alarm.OFFER_NOT_THEIRS:
            return f"{first}'s client sent pieces of an offer someone else made; they were refused."
        case Alarm.CHUNK_BROKEN:
            return (
                f"A piece of {first}'s offer did not match what was sealed: it was refused "
                "and asked for again, or the offer was thrown away."
            )
        case Alarm.LARGER_THAN_OFFERED:
            return (
                f"{first}'s offer was larger than it said; it was thrown away and nothing of "
                "it is kept."
            )
        case Alarm.LINK_NOTE_NOT_A_DOMAIN:
            return (
                f"{first} offered a link whose note is not a domain name, so it could say "
                "anything about where the link goes; the offer was refused and is not shown."
            )
        case Alarm.LINK_NOT_AS_SHOWN:
            return (
                f"The link {first} sent goes elsewhere than the domain its offer showed: "
                "check it before you open it."
            )
        case Alarm.REMOVAL_WITHOUT_VOTES:
            return (
                f"{first}'s client tried to remove {second} without the votes that allow it. "
                "Nobody applied it: removal takes a seconded motion and a majority of the "
                "voters."
            )
        case Alarm.AMENDMENT_WITHOUT_CONSENT:
            return (
                f"{first}'s client tried to change the agreements without the amendment "
                "everyone consented to. Nobody applied it; the agreements stay as they are."
            )
        case Alarm.REMOVAL_WITHHELD:
            return (
                f"The room voted to remove {second}, but {first}'s client has not made the "
                "change. It may be holding it back, or the relay is withholding it; "
                f"{second} can still read the room."
            )
        case Alarm.VOTE_OUT_OF_RULES:
            return (
                f"{first}'s client sent a vote the rules do not allow (twice, or outside its "
                "window). It counted once, or not at all."
            )
        case Alarm.KEY_NOT_ANNOUNCED:
            return (
                f"{first}'s client sealed you a key other than the one it announced to the "
                "room: it may be showing members different messages."
            )
        case Alarm.TWO_KEYS:
            return (
                f"{first}'s client announced two different keys for the same messages: it "
                "may be showing members different things."
            )
        case Alarm.KEYS_NEVER_CAME:
            return (
                f"{first}'s messages are not reaching you: the keys {first} sent you never "
                f"arrived. The relay may be holding them back, or {first}'s client left you out."
            )
        case Alarm.NOT_REACHING:
            return (
                f"Your messages are not reaching {_and(who)}: the keys you sent never "
                "arrived. Porch sent new ones; if this goes on, the relay is holding them back."
            )
        case Alarm.AHEAD_BY_TAKEOVER:
            return (
                f"{first} is already in a later state of this room than you: a membership "
                f"change was withheld from you, or {first} took over the room without you and "
                "it has split. Read the room code aloud."
            )
        case Alarm.COMMIT_WITHHELD:
            return (
                f"A membership change was withheld from you: {first} is already in a later "
                "state of this room. Nothing you say is sent until you reconnect, because "
                "someone who left could still read it."
            )
        case Alarm.SPEAKS_IN_OLD_EPOCH:
            return (
                f"{first} is still speaking in this room as it was before the last membership "
                "change, so someone who left could read it. The relay may be withholding that "
                f"change from {first}; those messages are not shown."
            )
        case Alarm.OWN_NOT_RETURNED:
            return f"The relay did not return {count} of your messages to you."
        case Alarm.OUT_OF_ORDER:
            return (
                "The relay numbered the room's events out of order: it skipped, repeated or "
                "went back. It may be withholding or replaying what members send."
            )
        case Alarm.SPLIT:
            return (
                f"{first} is in another version of this room than you: two different "
                "membership changes were made for the same step, so the room has split. "
                "Read the room code aloud; if it differs, open a new room."
            )
        case Alarm.STATE_DIFFERS:
            return (
                f"{first}'s room state differs from yours: the relay, or a member's client, "
                "gave you different events or put them in another order."
            )
        case Alarm.DIFFERENT_KEYS:
            return (
                f"{first}'s client gave you and {second} different keys: it may be showing "
                "members different messages."
            )
        case Alarm.WITHHELD:
            return (
                f"{first} received messages from {second} that never reached you. The relay "
                "may be holding them back, or a member's client is not telling the truth."
            )
        case Alarm.DIFFERENT_MESSAGES:
            return (
                f"You and {first} received different messages from {second}. The relay or "
                f"{second}'s client may be showing members different things."
            )
        case Alarm.DIFFERENT_RECORDS:
            return (
                f"You and {first} hold different records of {second}'s messages: some never "
                f"reached one of you, or the relay or {second}'s client showed you different "
                "things."
            )


def which_one(several: Several, command: Callable[[str], str]) -> str:
    """Ask which person a name meant, each choice a command that can be typed back:
    "2 people here have names that look like ana: ana (seat 1) or ana (seat 2). Say which
    one: /verify ana#1 or /verify ana#2." ``command`` makes the command for one choice."""
    people = several.people
    labels = _or(tuple(name(p.label) for p in people))
    choices = _or(tuple(command(typed(p, people)) for p in people))
    if not several.typed:
        return f"Say which one: {choices}."
    where = "knocking" if all(p.knocking for p in people) else "here"
    return (
        f"{len(people)} people {where} have names that look like {shown(several.typed)}: "
        f"{labels}. Say which one: {choices}."
    )


def _or(names: tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else "".join(names)


def _and(names: tuple[str, ...]) -> str:
    """ "ana", "ana and bo", "ana, bo and cy" (names made safe already)."""
    if len(names) <= 1:
        return names[0] if names else "someone"
    return ", ".join(names[:-1]) + " and " + names[-1]


def note_sentence(note: Note, who: str) -> str:
    voting = vote_note_sentence(note, who)
    if voting is not None:
        return voting
    match note:
        case Note.NOTHING_TO_AGREE:
            return "There is nothing to agree to yet. Wait for the agreements."
        case Note.TOO_LONG:
            return f"That message is longer than {TEXT_CHARS} characters. Split it up."
        case Note.NOT_YOUR_TURN if who:
            return (
                f"It is {who}'s turn, so that was not sent. Raise your hand (/hand), or send "
                "it as an aside (/aside TEXT)."
            )
        case Note.NOT_YOUR_TURN:
            return (
                "Nobody holds the floor in this stack, so that was not sent. Raise your hand "
                "(/hand) to speak, or send it as an aside (/aside TEXT)."
            )
        case Note.FLOOR_ON_ITS_WAY:
            return "Your last floor action is still on its way; try again in a moment."
        case Note.NOT_A_REACTION:
            return NOT_A_REACTION
        case Note.KNOCK_GONE:
            return "That knock is gone: they left, or it expired, before anyone let them in."
        case Note.ASKED_TO_WAIT_ALREADY:
            return f"You already asked {who} to wait. Anyone can still admit them."
        case Note.NOT_IN_ROOM:
            return "You can speak once you are in the room."
        case Note.HELD_BACK:
            return (
                "Your message was not sent: a membership change has not reached you, and "
                "someone who left could still read what you send. Reconnect to catch up."
            )
        case Note.CANNOT_ADMIT_FULL:
            return f"{who} cannot come in: the room already has {SEATS} people."
        case Note.CANNOT_ADMIT_KEYS:
            return (
                f"{who} cannot come in: their knock names keys or a connection already in the room."
            )
        case Note.COMING_BACK:
            return f"{who} lost the connection and is coming back."
        case Note.LEFT_BEHIND:
            return (
                f"{who} holds this room at a later point than you: it was opened again, or "
                "Commits never reached you. Joining again to come back in."
            )
        case Note.CHANGE_UNREADABLE:
            return (
                f"{who}'s Porch changed who is in the room in a form this Porch cannot read, "
                "and the room went on: one of you most likely has an older or newer version "
                "(if you all have the same one, someone is tampering with the room). From "
                "here you can no longer follow the room or be heard in it. Leave, and come "
                "back once you all use the same version of Porch."
            )
        case Note.NOT_SENT_UNREADABLE:
            return (
                f"Not sent: {who}'s Porch changed who is in the room in a form this Porch "
                "cannot read, so you can no longer be heard here. Leave, and come back once "
                "you all use the same version of Porch."
            )
        case Note.EVICTED:
            return (
                "The relay told the room your connection had dropped while you were still "
                "here, so your seat went. Coming back in with your return ticket; the room "
                "is told what happened."
            )
        case Note.REOPENED:
            return (
                "The relay no longer held this room (it may have restarted), so you opened it "
                "again. The invite still works; the others come back in as they reconnect."
            )
        case Note.WAITING_FOR_HOLDERS:
            return "The others may still hold this room. Waiting for them to let you back in…"
        case Note.WAITING_FOR:
            return f"Nobody who can open this room is here yet. Waiting for {who}…"
        case Note.WAITING_FOR_HOST:
            return "Nobody who can let you in is here yet. Waiting for the host…"
        case Note.QUEUED:
            return QUEUED
        case Note.NOT_WHILE_AWAY:
            return NOT_WHILE_AWAY
    return ""  # every other note is a vote's (above)
