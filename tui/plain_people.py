"""The people, in plain mode: who is seated and who knocks, and the commands that name them.

``/who``, ``/admit NAME``, ``/notnow NAME``, ``/verify NAME``, ``/reveal NAME
CONTACT``, and the NAME in ``/motion remove``, ``/second`` and ``/vote``. A name
that fits several people is answered with the question which one, its choices
typed back as they are offered (``tui.who``). The first four are read as the
composer reads them (``tui.people_commands``). What is seated and what knocks is
read from the endpoint every time: it keeps the one copy.
"""

from __future__ import annotations

from collections.abc import Callable

from protocol import commands as cmd
from protocol import events as ev
from tui import people_commands as people
from tui import who
from tui.peer_text import name
from tui.sentences import sentence, which_one
from tui.session import Session


class PlainPeople:
    def __init__(self, session: Session, say: Callable[[str], None]) -> None:
        self.session = session
        self.say = say

    # -- the door's lines ----------------------------------------------------------

    def at_the_door(self, event: ev.Knocked | ev.KnockSetAside) -> None:
        """A knock, or a "not now", with the words that answer it."""
        typed = self._typed_knock(event.knock, event.nick)
        match event:
            case ev.Knocked(nick=nick, looks_like=like):
                told = sentence(event) if like else f"{name(nick)} is knocking."
                self.say(f"{told} Type /admit {typed} to let them in, or /notnow {typed}.")
            case ev.KnockSetAside(nick=nick, by_nick=by, mine=mine):
                asking = "You" if mine else name(by)
                self.say(f"{asking} asked {name(nick)} to wait. Anyone can still /admit {typed}.")

    def _knocking(self) -> tuple[who.Person, ...]:
        endpoint = self.session.endpoint
        return who.knocking(endpoint.knocking) if endpoint is not None else ()

    def _typed_knock(self, knock: int, nick: str) -> str:
        """How to name this knock in /admit: its name, with its key mark if another looks alike."""
        knocking = self._knocking()
        person = next((p for p in knocking if p.key == knock), None)
        return who.typed(person, knocking) if person is not None else name(nick)

    def _seated(self, *, with_me: bool = False) -> tuple[who.Person, ...]:
        return who.seated(self.session.seats, with_me=with_me)

    # -- commands that name someone ------------------------------------------------

    def seat_of(self, said: str) -> int | who.Several | None:
        """The seat ``said`` names, anyone's, ours included (for /motion, /second, /vote)."""
        found = who.find(said, self._seated(with_me=True))
        return found.key if isinstance(found, who.Person) else found

    def answer_knock(self, admit: bool, said: str) -> None:
        # The room, us included, hears an answer when the relay brings it back: one line, then.
        answer = people.knock_answer(said, self.session.knocking, admit=admit)
        self.say(answer) if isinstance(answer, str) else self.session.send(answer)

    def verify(self, said: str) -> None:
        asked = people.verify_command(said, self.session.seats)
        if isinstance(asked, str):
            self.say(asked)
            return
        verify, told = asked
        self.session.send(verify)
        self.say(told)

    def reveal(self, rest: str) -> None:
        words, others = rest.split(), self._seated()
        for length in range(len(words), 0, -1):
            found = who.find(" ".join(words[:length]), others)
            card = " ".join(words[length:])
            if isinstance(found, who.Several):
                self.say(which_one(found, lambda typed: f"/reveal {typed} CONTACT"))
                return
            if found is not None:
                if not card:
                    break
                self.session.send(cmd.Reveal(found.key, card))
                return
        self.say("Say with whom and how to reach you: /reveal NAME CONTACT.")

    # -- /who ----------------------------------------------------------------------

    def who(self) -> None:
        for line in people.who_lines(self.session.seats, self.session.knocking):
            self.say(line)
