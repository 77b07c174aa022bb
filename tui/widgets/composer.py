"""Where a person writes to the room. Enter sends; nothing is kept once the room has it.

A line starting with ``/`` is one of the floor's commands, accountability's,
offers', the agreements' (``/amend``, ``/consent``, ``/object``) or talk's
(``/react``): the same words as the plain mode's (``tui.floor_commands``,
``tui.vote_commands``, ``tui.offer_commands``, ``tui.talk_commands``), or
``/back`` after stepping out, or ``/leave``; ``//`` sends a line that starts with
``/`` as a message. A NAME that means more than one person here is answered with
the question which one (``tui.who``).

Nothing written is lost: text with several lines, or longer than a message can
be, is not cut to its first line or refused. It stays in the composer, which
says it goes as an offer, and the confirm dialog opens (on a paste at once, on
Enter otherwise); Cancel leaves it here. A newline shows as ⏎ on the one line.
A message is kept (``unsent``, as typed) until the room's copy of it arrives:
refused (someone else holds the floor, or the room cannot take it now), it comes
back into the composer (``give_back``), to wait or to go as an ``/aside``.

``/admit NAME``, ``/notnow NAME``, ``/verify NAME`` and ``/who`` are the plain
mode's (``tui.people_commands``); ``/help`` opens the help (F1) and ``/quit``
asks before quitting, as Ctrl+Q does.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import Input

from protocol import commands as cmd
from protocol.limits import TEXT_CHARS
from tui import offer_commands as offering
from tui.floor_commands import WORDS, floor_command
from tui.messages import Ask, ComeBack, FloorAsked, OfferChosen, PeopleAsked, Propose
from tui.peer_text import shown
from tui.people_commands import WORDS as PEOPLE_WORDS
from tui.sentences import which_one
from tui.talk_commands import message_in, react_command
from tui.vote_commands import WORDS as VOTE_WORDS
from tui.vote_commands import Find, vote_command
from tui.who import Several

OFFER_WORDS = frozenset({"accept", "decline", "cancel", "save", "offers", "reveal"})


def is_offer(text: str) -> bool:
    """Whether ``text`` is too much for a message, so it goes as a text offer."""
    return "\n" in text.strip() or len(text.strip()) > TEXT_CHARS


def one_line(text: str) -> str:
    """The composer's text as drawn on its one line: a newline shows as ⏎, each character
    as one (so the cursor stays where it is drawn)."""
    return shown(text.replace("\n", "⏎"))


class Composer(Input):
    def __init__(
        self,
        find: Find,
        *,
        limit: Callable[[], int] = lambda: 0,
        id: str | None = None,
    ) -> None:
        super().__init__(
            placeholder="Write to the room and press Enter (/hand, /done, /aside …)", id=id
        )
        self.find = find  # a name, as the screen shows it, to the seat of who has it
        self.limit = limit  # the largest file this person may offer
        self.unsent = ""  # the last message sent, as typed, until the room has it or refuses it

    # -- what is shown --------------------------------------------------------------

    @property
    def _value(self) -> Text:
        return Text(one_line(self.value), no_wrap=True, overflow="ignore", end="")

    def _position_to_cell(self, position: int) -> int:
        return cell_len(one_line(self.value[:position]))

    def watch_value(self, value: str) -> None:
        if is_offer(value):
            lines = len(value.strip().splitlines())
            size = f"{lines} lines" if lines > 1 else f"{len(value.strip()):,} characters"
            self.border_subtitle = f"{size}: Enter offers it as a text, not a message"
        else:
            self.border_subtitle = ""

    # -- a paste ------------------------------------------------------------------------

    def _on_paste(self, event: events.Paste) -> None:
        text = event.text.replace("\r\n", "\n").replace("\r", "\n")
        start, end = sorted(self.selection)
        value = self.value[:start] + text + self.value[end:]
        if not is_offer(value):
            return  # the Input's own paste: one short line
        event.prevent_default()
        event.stop()
        self.value = value
        self.cursor_position = start + len(text)
        self.post_message(Propose(offering.text_offer(value.strip()), from_composer=True))

    # -- Enter ----------------------------------------------------------------------

    def on_input_submitted(self, submitted: Input.Submitted) -> None:
        submitted.stop()
        text = submitted.value.strip()
        if is_offer(text) and not text.startswith("/"):
            self.post_message(Propose(offering.text_offer(text), from_composer=True))
            return  # it stays here until it is offered
        self.clear()
        if not text:
            return
        message = message_in(text)
        if message is not None:
            self.unsent = text
            self.post_message(Ask(cmd.Say(message)))
            return
        word, _, rest = text[1:].partition(" ")
        word, rest = word.lower(), rest.strip()
        if word == "leave":
            self.call_next(self.run_action, "app.leave_room")  # it asks first
        elif word in ("quit", "exit"):
            self.call_next(self.run_action, "app.quit")  # it asks first, as Ctrl+Q does
        elif word in ("help", "?"):
            self.call_next(self.run_action, "app.help")
        elif word in PEOPLE_WORDS:
            self.post_message(PeopleAsked(word, rest))
        elif word == "react":
            self._ask_or_say(react_command(rest))
        elif word in ("floor", "balance"):
            self.post_message(FloorAsked(word))
        elif word == "back":
            self.post_message(ComeBack())
        elif word in ("offer", "link"):
            offer = (
                offering.file_offer(rest, self.limit())
                if word == "offer"
                else offering.link_offer(rest)
            )
            self.post_message(Propose(offer))
        elif word in OFFER_WORDS:
            self._offers(word, rest)
        elif word in ("amend", "consent", "object"):
            self._agreements(word, rest)
        elif word in WORDS or word in VOTE_WORDS:
            asked = (
                floor_command(word, rest) if word in WORDS else vote_command(word, rest, self.find)
            )
            self._ask_or_say(asked)
        else:
            self.notify(
                f"There is no command /{shown(word, limit=20)}. /help (or F1) lists them; to "
                "send a line that starts with /, begin it with //.",
                markup=False,
            )

    # -- a message the room did not take --------------------------------------------

    def delivered(self, text: str) -> None:
        """Our message ``text`` is in the room: there is nothing to give back."""
        if self.unsent and message_in(self.unsent) == text:
            self.unsent = ""

    def give_back(self) -> bool:
        """The last message was not sent: it comes back, before anything typed since.
        True when there was one to give back."""
        back, self.unsent = self.unsent, ""
        if not back:
            return False
        typed = self.value
        self.value = f"{back} {typed}" if typed.strip() else back
        self.cursor_position = len(back)
        return True

    def _ask_or_say(self, asked: cmd.Command | str) -> None:
        """Send the command, or show the sentence saying why there is none."""
        if isinstance(asked, str):
            self.notify(asked, markup=False)
        else:
            self.post_message(Ask(asked))

    def _offers(self, word: str, rest: str) -> None:
        """/accept N, /decline N, /cancel N, /save N [PATH], /offers, /reveal NAME CONTACT."""
        if word == "offers":
            self.post_message(OfferChosen(0, "list"))
            return
        if word == "reveal":
            self._reveal(rest)
            return
        first, _, path = rest.partition(" ")
        if not first.isdigit():
            where = " [PATH]" if word == "save" else ""
            self.notify(f"Say which offer: /{word} N{where} (/offers lists them).", markup=False)
            return
        self.post_message(OfferChosen(int(first), word, path.strip()))  # type: ignore[arg-type]

    def _agreements(self, word: str, rest: str) -> None:
        """/amend TEXT, /consent, /object REASON: the agreements change only by everyone."""
        if word == "consent":
            self.post_message(Ask(cmd.Consent()))
        elif not rest:
            how = "/amend TEXT" if word == "amend" else "/object REASON"
            self.notify(f"Say what: {how}.", markup=False)
        else:
            self.post_message(Ask(cmd.Amend(rest) if word == "amend" else cmd.Object(rest)))

    def _reveal(self, rest: str) -> None:
        words = rest.split()
        for length in range(len(words), 0, -1):
            slot = self.find(" ".join(words[:length]))
            card = " ".join(words[length:])
            if isinstance(slot, Several):
                self.notify(which_one(slot, lambda who: f"/reveal {who} CONTACT"), markup=False)
                return
            if slot is not None and card:
                self.post_message(Ask(cmd.Reveal(slot, card)))
                return
        self.notify("Say with whom and how to reach you: /reveal NAME CONTACT.", markup=False)
