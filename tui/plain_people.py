"""The people, in plain mode: who is seated and who knocks, and the commands that name them.

``/who``, ``/admit NAME``, ``/notnow NAME``, ``/verify NAME``, ``/reveal NAME
CONTACT``, and the NAME in ``/motion remove``, ``/second`` and ``/vote``. A name
that fits several people is answered with the question which one, its choices
typed back as they are offered (``tui.who``). What is seated and what knocks is
read from the endpoint every time: it keeps the one copy.
"""

from __future__ import annotations

from collections.abc import Callable

from protocol import commands as cmd
from protocol import events as ev
from protocol.limits import SEATS
from tui import who
from tui.peer_text import name, shown
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
        found = who.find(said, self._knocking())
        if isinstance(found, who.Several):
            word = "/admit" if admit else "/notnow"
            self.say(which_one(found, lambda typed: f"{word} {typed}"))
        elif found is None:
            waiting = self._knocking_now()
            self.say(
                f"Nobody called {shown(said)} is knocking. Knocking now: {waiting}."
                if waiting
                else "Nobody is knocking right now."
            )
        elif admit:
            self.session.send(cmd.Admit(found.key))
        else:
            # The room, us included, hears it when the relay brings it back: one line, then.
            self.session.send(cmd.NotNow(found.key))

    def verify(self, said: str) -> None:
        found = who.find(said, self._seated())
        if isinstance(found, who.Several):
            self.say(which_one(found, lambda typed: f"/verify {typed}"))
        elif found is None:
            self.say(
                f"Nobody called {shown(said)} is in the room." if said else "Say who: /verify NAME."
            )
        else:
            self.session.send(cmd.Verify(found.key))
            self.say(f"You marked {name(found.label)} as verified.")

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
        seats = self.session.seats
        if not seats:
            self.say("Nobody is seated yet.")
            return
        parts = []
        for seat in sorted(seats, key=lambda seat: seat.slot):
            notes = [
                note
                for note, on in (
                    ("you", seat.is_me),
                    ("host", seat.is_host),
                    ("verified", seat.verified),
                    ("not connected", not seat.connected),
                )
                if on
            ]
            parts.append(name(seat.nick) + (f" ({', '.join(notes)})" if notes else ""))
        self.say(f"{len(seats)} of {SEATS} seats: " + "; ".join(parts) + ".")
        knocking = self._knocking_now()
        if knocking:
            self.say(f"Knocking: {knocking}.")

    def _knocking_now(self) -> str:
        """Who is knocking, those asked to wait marked so: "bo, cy (asked to wait)"."""
        endpoint = self.session.endpoint
        knocks = endpoint.knocking if endpoint is not None else ()
        return ", ".join(
            name(knock.nick) + (" (asked to wait)" if knock.asked_to_wait else "")
            for knock in knocks
        )
