"""The plain line mode: the same room, one full sentence per line, for screen readers and scripts.

Every room event becomes one line on stdout. Every stdin line is a message,
unless it starts with ``/``: then it is a command (``/help`` lists them); ``//``
starts a message with ``/``. When stdin closes, the person leaves the room
cleanly, once everything typed has gone out (frames are paced under the relay's
limit, so a pasted script waits its turn rather than getting the connection
closed). Peer text passes through ``peer_text`` before it is printed, so no peer
can send escape sequences to this terminal.

A command that takes a NAME asks which one is meant when the name fits several
people, and takes the answer typed back as ``ana#2`` (``tui.who``). The opener's
invite is printed once the room is open on the relay, never before: an invite to
a room that could not open would only mislead.

Whoever runs the room's relay on their computer (``porch new`` without
``--relay``) ends the room for everyone by leaving. ``/quit`` says so first and
leaves on a second ``/quit``; the end of input cannot be asked, so it leaves at
once and says that the room ended: a script keeps the room open by keeping its
input open.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable
from functools import partial
from typing import TextIO

from protocol import commands as cmd
from protocol import events as ev
from protocol.limits import TEXT_CHARS
from tui import offer_commands as offering
from tui.floor_commands import WORDS, floor_command
from tui.floor_sentences import balance_words, floor_line, place_line
from tui.peer_text import name, shown
from tui.plain_offers import OfferLines
from tui.plain_people import PlainPeople
from tui.sentences import (
    INPUT_ENDED_THE_ROOM,
    ROOM_ENDED_WITH_YOU,
    SHARING,
    ending_the_room,
    sentence,
)
from tui.session import Door, DoorError, Session
from tui.talk_commands import message_in, react_command
from tui.talk_layout import plain_rows
from tui.vote_commands import WORDS as VOTE_WORDS
from tui.vote_commands import vote_command
from tui.vote_sentences import repair_agreements

HELP = """\
Commands: /agree accepts the agreements and knocks. /admit NAME lets a knocking person in \
(one that someone asked to wait, too); /notnow NAME asks them to wait, and they are told \
that someone did, not who; anyone can still admit them. A knock nobody answers expires. \
/who lists the seats and who is knocking. /code shows the room code; \
/verify NAME marks someone verified after you read the code aloud together. When a NAME \
fits several people, Porch asks which one, with what to type back (like /verify ana#2). \
/react R sends a reaction: 👍 ❤️ 👏 🙏 😂 😮, or by word +1, heart, clap, thanks, laugh, wow. \
/invite shows the invite. /agreements shows the agreements. /quit (or /leave) leaves the \
room; if the room's relay runs on this computer, that ends the room for everyone, so /quit \
asks again first. When input ends, Porch leaves the room. Any other line is a message to \
the room; to start one with /, type //. What you type while reconnecting waits and goes \
out once you are back in.
The floor: /round starts a go-round, /stack a stack of raised hands, /open opens the floor. \
/hand raises your hand (/hand reply for a direct reply, /hand process for a point of \
process); /lower lowers it. /done ends your turn; in a go-round /pass passes the talking \
piece and /later moves you to the end. /aside TEXT says something without taking the floor. \
/timer SECONDS (or /timer off) sets the speaking time; /progressive on|off. /pause and \
/resume. /balance shows how the time was shared; /floor shows the floor on one line.
Accountability: /motion remove NAME REASON moves to remove someone; another member \
seconds it (/second), the person named answers (then /done), and everyone else votes with \
/vote yes or /vote no (a majority of those present removes; only totals are shown). \
/ouch [TEXT] flags harm in what was just said and opens a repair round: the person who \
flagged speaks first, then the person it concerns, then anyone; each of them ends it with \
/continue, /more (more time) or /stepout (leave gently; /back comes back).
Offers: /offer PATH offers a file and /link URL a link to everyone else here (then /confirm \
or /cancel); a message too long to send becomes an offer too. /offers lists them, \
numbered; /accept N or /decline N answers one (a decline sends nothing); /save N PATH \
keeps a file that arrived (never over an existing file); /cancel N stops an offer. \
/reveal NAME CONTACT offers NAME your contact details: both are shown only once both chose.
Agreements: /amend TEXT proposes adding TEXT; it needs everyone's /consent (silence is \
not consent), and one /object REASON blocks it. /agreements shows them."""


def terminal_line_limit(stream: TextIO) -> int | None:
    """The most bytes a terminal takes in one typed line, or None when ``stream`` is no
    terminal: a pipe passes a line whole. In its line mode, a terminal keeps what fits and
    silently drops the rest of a longer line (Linux: 4095 bytes; elsewhere MAX_CANON)."""
    try:
        if not stream.isatty():
            return None
        if sys.platform.startswith("linux"):
            return 4095
        return os.fpathconf(stream.fileno(), "PC_MAX_CANON")
    except (OSError, ValueError):
        return None


def cut_by_the_terminal(limit: int) -> str:
    return (
        f"That line reached {limit} bytes, the most your terminal takes in one line, so "
        "its end may have been cut off. To send a long text whole, put it in a file and "
        "/offer FILE, or pipe it into porch --plain."
    )


class StdinLines:
    """Lines from stdin, read on a daemon thread so a blocked read never holds the exit."""

    def __init__(self, stream: TextIO) -> None:
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def pump() -> None:
            for raw in stream:
                loop.call_soon_threadsafe(self.queue.put_nowait, raw.rstrip("\r\n"))
            loop.call_soon_threadsafe(self.queue.put_nowait, None)

        threading.Thread(target=pump, name="porch-stdin", daemon=True).start()

    async def next(self) -> str | None:
        return await self.queue.get()


class PlainRoom:
    def __init__(
        self,
        session: Session,
        say: Callable[[str], None],
        columns: Callable[[], int | None] = lambda: None,
    ) -> None:
        self.session = session
        self.say = say
        self.columns = columns  # a terminal's width, or None for a pipe or a file
        self.people = PlainPeople(session, say)
        self.agreements_offered = False
        self.agreements = session.agreements
        self.entered = session.door.opening
        self.invite_shown = False
        self.done = False
        self.closed_by_room = False
        self.stepped_out = False
        self.rejoining = False  # the connection dropped: on our way back into the room
        self.warned_ending = False  # told that leaving ends the room for everyone
        self.pending: offering.Pending | None = None
        self.offers = OfferLines()  # what /offers shows

    # -- room events -------------------------------------------------------------

    def on_event(self, event: ev.Event) -> None:
        match event:
            case ev.AgreementsOffered(text=text, host_nick=host):
                self.agreements_offered = True
                self.agreements = text
                self.say(f"The room of {name(host)} has these agreements:")
                for agreement in text.split("\n"):
                    if agreement.strip():
                        self.say("  " + shown(agreement))
                self.say("Type /agree to accept them and knock, or /quit to leave.")
                return
            case ev.Knocked() | ev.KnockSetAside():
                self.people.at_the_door(event)
                return
            case ev.Entered():
                self.entered = True
                if self.session.door.opening and not self.invite_shown:
                    self.invite_shown = True  # the room is open: now the invite leads somewhere
                    self.say(f"invite: {self.session.invite}")
                    self.say(SHARING)
            case ev.RepairEvent(stage=ev.RepairStage.OPENED, agreements=agreements) if agreements:
                self.say(sentence(event) or "")
                self.say("What the room agreed:")
                for agreement in repair_agreements(agreements):
                    self.say("  " + agreement)
                return
            case ev.Said(nick=nick, text=text, aside=aside) if columns := self.columns():
                # In a terminal, the rows a message wraps to hang under a gutter, so
                # its tail cannot start a line that reads as someone else's message.
                head = f"{name(nick)} (aside): " if aside else f"{name(nick)}: "
                for row in plain_rows(head, text, columns):
                    self.say(row)
                return
            case ev.OfferEvent():
                told = sentence(event) or ""
                self.offers.told(event, told)
                self.say(told)
                return
            case ev.Reconnecting(attempt=attempt):
                self.rejoining = True
                if attempt > 2 and attempt % 6:
                    return  # still trying: a line every half a minute is enough
            case ev.Rejoining():
                self.rejoining = True
            case ev.Connected() if self.rejoining:
                return  # Rejoining, which follows, says it
            case ev.BackInRoom():
                self.rejoining = False
            case ev.Closed(ending=ev.Ending.STEPPED_OUT):
                self.stepped_out, self.entered = True, False
            case ev.Closed():
                self.done = self.closed_by_room = True
        line = sentence(event)
        if line:
            self.say(line)

    def left_behind(self) -> tuple[str, ...]:
        """Who is here and would see the room end if we left, its relay being ours."""
        if not self.session.runs_the_relay:
            return ()
        return self._others_here() + tuple(k.nick for k in self.session.knocking)

    # -- the person's lines --------------------------------------------------------

    def on_line(self, line: str) -> None:
        if not line.strip():
            return
        said = message_in(line)
        if said is not None:
            if not self.entered:
                self.say("You are not in the room yet, so nothing was sent.")
                return
            if len(said) > TEXT_CHARS:  # too long for a message: an offer, not a loss
                self.say(f"That is longer than {TEXT_CHARS} characters, so it becomes an offer.")
                self._propose(offering.text_offer(said))
                return
            self.session.send(cmd.Say(said))
            return
        command, _, rest = line[1:].partition(" ")
        rest = rest.strip()
        match command.lower():
            case "help" | "?":
                self.say(HELP)
            case "agree":
                if not self.agreements_offered or self.entered:
                    self.say("There are no agreements waiting for your answer.")
                    return
                self.agreements_offered = False
                self.session.send(cmd.Agree())
                self.say("You agreed to the room's agreements.")
            case "admit" | "notnow" | "not-now":
                self.people.answer_knock(command.lower() == "admit", rest)
            case "who":
                self.people.who()
            case "code":
                code = self.session.room_code
                self.say(f"The room code is {shown(code)}." if code else "There is no code yet.")
            case "verify":
                self.people.verify(rest)
            case "react":
                reaction = react_command(rest)
                self.say(reaction) if isinstance(reaction, str) else self.session.send(reaction)
            case "invite":
                invite = self.session.invite
                self.say(f"invite: {invite}" if invite else "Only the host holds the invite.")
            case "agreements":
                current = self.session.agreements or self.agreements  # amended, once in
                for agreement in current.split("\n"):
                    self.say("  " + shown(agreement))
            case "quit" | "leave" | "exit":
                others = self.left_behind()
                if others and not self.warned_ending:
                    self.warned_ending = True
                    self.say(ending_the_room(others) + " Type /quit again to end it.")
                    return
                self.done = True
            case "floor":
                floor, label, mine = self.session.floor, self.session.label, self.session.my_slot
                self.say(floor_line(floor, label))
                place = place_line(floor, mine, label) if mine is not None else None
                if place:
                    self.say(place)
            case "balance":
                self.say(balance_words(self.session.floor.talk, self._who_is))
            case "back":
                if not self.stepped_out:
                    self.say("You are in the room; /back is for coming back after /stepout.")
                    return
                self.stepped_out = False
                self.rejoining = True  # the way back is told as after a drop
                self.session.come_back()
                self.say("Coming back in with your return ticket.")
            case "offers":
                self._list_offers()
            case "reveal":
                self.people.reveal(rest)
            case "amend" | "consent" | "object" if not self.entered:
                self.say("You are not in the room yet, so nothing was sent.")
            case "amend":
                self.session.send(cmd.Amend(rest)) if rest else self.say("Say what: /amend TEXT.")
            case "consent":
                self.session.send(cmd.Consent())
            case "object":
                if rest:
                    self.session.send(cmd.Object(rest))
                else:
                    self.say("Say why: /object REASON.")
            case _ if command.lower() in offering.WORDS:
                self._offering(command.lower(), rest)
            case _ if command.lower() in VOTE_WORDS:
                self._vote(command.lower(), rest)
            case _ if command.lower() in WORDS:
                self._floor(command.lower(), rest)
            case _:
                self.say(f"There is no command /{shown(command)}. Type /help for the list.")

    def _floor(self, command: str, rest: str) -> None:
        asked = floor_command(command, rest)
        if isinstance(asked, str):
            self.say(asked)
        elif not self.entered:
            self.say("You are not in the room yet, so nothing was sent.")
        else:
            self.session.send(asked)

    def _others_here(self) -> tuple[str, ...]:
        return tuple(s.nick for s in self.session.seats if not s.is_me and s.connected)

    def _propose(self, offer: cmd.Offer | str) -> None:
        if isinstance(offer, str):
            self.say(offer)
            return
        to = self._others_here()
        if not to:
            self.say("Nobody else is here to offer it to.")
            return
        self.pending = offering.Pending(offer, to)
        self.say(offering.asking(self.pending))

    def _offering(self, command: str, rest: str) -> None:
        if not self.entered:
            self.say("You are not in the room yet, so nothing was sent.")
            return
        number = int(rest.split()[0]) if rest.split() and rest.split()[0].isdigit() else None
        match command:
            case "offer":
                self._propose(offering.file_offer(rest, self.session.offer_limit))
            case "link":
                self._propose(offering.link_offer(rest))
            case "confirm":
                pending, self.pending = self.pending, None
                if pending is None:
                    self.say("There is no offer waiting for your confirm.")
                elif self._others_here() != pending.to:
                    self._propose(pending.offer)  # the room changed: say again who is asked
                else:
                    self.session.send(pending.offer)
            case "cancel" if number is None:
                if self.pending is None:
                    self.say("There is nothing to cancel. /cancel N stops offer N.")
                else:
                    self.pending = None
                    self.say("Nothing was offered.")
            case "cancel":
                self.session.send(cmd.CancelOffer(number or 0))
            case "accept" | "decline" if number is None:
                self.say(f"Say which offer: /{command} N (/offers lists them).")
            case "accept":
                self.session.send(cmd.Accept(number or 0))
            case "decline":
                self.session.send(cmd.Decline(number or 0))
                self.offers.end(number or 0)
                self.say(
                    f"You declined offer {number}. Nothing was sent: to the sender it looks "
                    "the same as no answer."
                )
            case "save":
                self._save(number, rest.partition(" ")[2].strip())

    def _save(self, number: int | None, path: str) -> None:
        if number is None or not path:
            self.say("Say which offer and where: /save N PATH.")
            return
        kept = self.session.offer_content(number)
        if kept is None:
            self.say(f"Offer {number} has not arrived, or did not check out; nothing to save.")
            return
        saved = offering.save(kept[1], path, file_name=kept[0])
        if saved.path is not None:
            self.offers.saved(number, str(saved.path))
        self.say(saved.said)

    def _list_offers(self) -> None:
        listed = self.offers.listed()
        if not listed:
            self.say("There are no offers.")
        for line in listed:
            self.say(line)

    def _vote(self, command: str, rest: str) -> None:
        asked = vote_command(command, rest, self.people.seat_of)
        if isinstance(asked, str):
            self.say(asked)
        elif not self.entered:
            self.say("You are not in the room yet, so nothing was sent.")
        else:
            self.session.send(asked)

    def _who_is(self, slot: int) -> str:
        return name(self.session.label(slot))


def terminal_columns(out: TextIO) -> int | None:
    """The terminal's width now (it may change), or None when ``out`` is no terminal:
    lines for a program stay whole."""
    try:
        return shutil.get_terminal_size().columns if out.isatty() else None
    except (OSError, ValueError):
        return None


def plain_printer(out: TextIO) -> Callable[[str], None]:
    def say(line: str) -> None:
        # Peer text is made safe where it is put into a line; this is the last guard,
        # so that nothing printed can reach the terminal as an escape sequence.
        out.write(shown(line, multiline=True) + "\n")
        out.flush()

    return say


async def run_plain(door: Door, stdin: TextIO, out: TextIO) -> int:
    say = plain_printer(out)
    session = Session(door)
    try:
        await session.open()
    except DoorError as exc:
        say(str(exc))
        return 2
    except OSError as exc:
        say(f"Porch could not start a relay on this computer ({exc}).")
        return 1
    room = PlainRoom(session, say, partial(terminal_columns, out))
    if session.local_relay is not None:
        say(session.local_relay.notice)
    if not door.opening:
        say(f"Connecting to the relay at {shown(session.relay_url)}.")
    lines = StdinLines(stdin)
    limit = terminal_line_limit(stdin)
    # SIGTERM reads as "I am leaving": the room hears a goodbye instead of a dropped line.
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGTERM, lines.queue.put_nowait, None)
    next_line = asyncio.ensure_future(lines.next())
    next_event = asyncio.ensure_future(session.next_event())
    try:
        while not room.done:
            done, _ = await asyncio.wait(
                {next_line, next_event}, return_when=asyncio.FIRST_COMPLETED
            )
            if next_event in done:
                room.on_event(next_event.result())
                if not room.done:
                    next_event = asyncio.ensure_future(session.next_event())
            if next_line in done and not room.done:
                line = next_line.result()
                if line is None:
                    room.done = True
                    if room.left_behind():
                        say(INPUT_ENDED_THE_ROOM)
                else:
                    # A character of up to 4 bytes that no longer fitted leaves the line short.
                    if limit is not None and len(line.encode(errors="replace")) > limit - 4:
                        say(cut_by_the_terminal(limit))
                    room.on_line(line)
                    next_line = asyncio.ensure_future(lines.next())
    finally:
        for pending in (next_line, next_event):
            pending.cancel()
        ended_for = room.left_behind()
        await session.close()
    if room.closed_by_room:
        return 1
    say("You left the room. Nothing from it was kept.")
    if ended_for:
        say(ROOM_ENDED_WITH_YOU)
    return 0


def main(door: Door) -> int:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    try:
        return asyncio.run(run_plain(door, sys.stdin, sys.stdout))
    except BrokenPipeError:
        # Whoever read our lines went away; run_plain already left the room. Point stdout
        # at /dev/null so the interpreter's last flush cannot raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
