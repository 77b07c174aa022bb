"""The composer as a newcomer uses it: real app instances and headless members in one room,
through a real relay.

A message refused because someone else holds the floor comes back into the composer,
so it can wait or go as an aside. The people's words of the plain mode work here too:
``/admit NAME``, ``/notnow NAME``, ``/verify NAME`` and ``/who``; ``/help`` opens the
help and ``/quit`` asks first, as Ctrl+Q does.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Input

from protocol import commands as cmd
from protocol import events as ev
from protocol.room import floor as fl
from tests.tui.conftest import until
from tests.tui.headless import Members
from tests.tui.pilots import let_in, log_of, open_room, room_drawn, showing, toasts, type_line
from tui.app import Plan, PorchApp
from tui.screens.help import HelpScreen
from tui.screens.leave import LeaveScreen
from tui.screens.room import RoomScreen
from tui.widgets.composer import Composer

SIZE = (120, 40)
PARAGRAPH = "I think we should start with the budget, then the rota, and then the garden."


def composer(app: PorchApp) -> Input:
    room = app.room_screen()
    assert room is not None
    return room.query_one("#composer", Input)


def told(app: PorchApp, text: str) -> bool:
    return any(text in message for _title, message in toasts(app))


async def test_a_message_refused_for_someone_elses_turn_comes_back_into_the_composer(
    relay_url: str, members: Members
) -> None:
    ana = PorchApp(Plan(relay_url=relay_url))
    async with ana.run_test(size=SIZE) as ap:
        invite = await open_room(ap, "ana")
        bo = await let_in(ap, members, invite, "bo")
        bo.send(cmd.Floor(fl.FloorAct(fl.Act.ROUND)))  # bo holds the talking piece
        await until(
            lambda: ana.session is not None and ana.session.floor.speaker == bo.endpoint.my_slot,
            "bo holding the floor at ana's",
        )
        await type_line(ap, PARAGRAPH)
        await until(lambda: "It is bo's turn, so that was not sent" in log_of(ana), "why")
        assert "What you wrote is back in the composer." in log_of(ana)
        await until(lambda: composer(ana).value == PARAGRAPH, "the paragraph back")
        # It goes as an aside with the words in front of it, unchanged.
        box = composer(ana)
        box.cursor_position = 0
        await type_line(ap, "/aside ")
        said = await bo.expect(ev.Said, lambda s: s.nick == "ana")
        assert (said.text, said.aside) == (PARAGRAPH, True)
        assert composer(ana).value == ""
        # A message the room took is not given back by a later refusal.
        bo.send(cmd.Floor(fl.FloorAct(fl.Act.DONE)))
        await until(
            lambda: ana.session is not None and ana.session.floor.speaker == ana.session.my_slot,
            "the talking piece passed to ana",
        )
        await type_line(ap, "my turn now")
        await bo.expect(ev.Said, lambda s: s.text == "my turn now")
        assert composer(ana).value == ""
        await ap.press("f7")  # the round is over
        await until(lambda: "The go-round is over." in log_of(ana), "the round's end")
        # ana opens a stack and bo's hand takes the floor: only what was refused comes back.
        await type_line(ap, "/stack")
        await until(
            lambda: ana.session is not None and ana.session.floor.mode is fl.Mode.STACK, "the stack"
        )
        bo.send(cmd.Floor(fl.FloorAct(fl.Act.HAND, fl.HandKind.HAND)))
        await until(
            lambda: ana.session is not None and ana.session.floor.speaker == bo.endpoint.my_slot,
            "bo's turn in the stack",
        )
        await type_line(ap, "//shrug")  # given back as typed: Enter again means the same
        await until(lambda: composer(ana).value == "//shrug", "the words back, as typed")
        assert log_of(ana).count("What you wrote is back in the composer.") == 2
        bo.send(cmd.Floor(fl.FloorAct(fl.Act.DONE)))
        await bo.expect(
            ev.FloorChanged, lambda f: f.change == fl.Turn(speaker=None, by=bo.endpoint.my_slot)
        )
        bo.send(cmd.Floor(fl.FloorAct(fl.Act.OPEN)))
        await until(
            lambda: ana.session is not None and ana.session.floor.mode is fl.Mode.OPEN,
            "an open floor",
        )
        await ap.press("enter")
        said = await bo.expect(ev.Said, lambda s: s.nick == "ana" and not s.aside)
        assert said.text == "/shrug"
        # Too long for a message even with // in front: not lost either.
        long = "//" + "word " * 900
        composer(ana).value = long
        await ap.press("enter")
        await until(lambda: "That message is longer than 4000" in log_of(ana), "too long")
        await until(lambda: composer(ana).value == long.strip(), "the long line back")


async def test_the_peoples_words_work_in_the_composer(relay_url: str, members: Members) -> None:
    ana = PorchApp(Plan(relay_url=relay_url))
    async with ana.run_test(size=SIZE) as ap:
        invite = await open_room(ap, "ana")
        bo = await let_in(ap, members, invite, "bo")
        room = room_drawn(ana)
        assert room is not None

        cy = await members.knock(invite, "cy")
        await until(lambda: [k.nick for k in room.knocks] == ["cy"], "cy knocking")
        await type_line(ap, "/admit cy")
        await cy.expect(ev.Entered)
        await until(lambda: "ana admitted cy." in log_of(ana), "cy admitted")

        di = await members.knock(invite, "di")
        await until(lambda: [k.nick for k in room.knocks] == ["di"], "di knocking")
        await type_line(ap, "/notnow di")
        await until(lambda: any(k.asked_to_wait for k in room.room.knocking), "di asked to wait")
        await type_line(ap, "/admit eve")
        await until(
            lambda: told(ana, "Nobody called eve is knocking. Knocking now: di (asked to wait)."),
            "nobody called eve",
        )

        await type_line(ap, "/verify bo")
        await until(lambda: told(ana, "You marked bo as verified."), "bo verified")
        await until(lambda: any(s.nick == "bo" and s.verified for s in room.seats), "the roster")
        await type_line(ap, "/verify nobody")
        await until(lambda: told(ana, "Nobody called nobody is in the room."), "nobody")

        await type_line(ap, "/who")
        await until(
            lambda: "3 of 12 seats: ana (you, host); bo (verified); cy." in log_of(ana), "/who"
        )
        assert "Knocking: di (asked to wait)." in log_of(ana)
        assert not [m for _t, m in toasts(ana) if "There is no command" in m]
        await type_line(ap, "/frobnicate")
        await until(
            lambda: told(ana, "There is no command /frobnicate. /help (or F1) lists them; to send"),
            "where the commands are",
        )
        assert di.endpoint.my_slot is None

        await type_line(ap, "/help")
        await until(lambda: showing(ana, HelpScreen), "the help")
        await ap.press("escape")
        await until(lambda: showing(ana, RoomScreen), "back in the room")

        await type_line(ap, "/quit")
        await until(lambda: showing(ana, LeaveScreen), "asked before quitting")
        await ap.press("escape")  # Stay
        await until(lambda: showing(ana, RoomScreen), "stayed")
        assert ana.is_running and bo.endpoint.my_slot is not None


class ComposerAlone(App[None]):
    def compose(self) -> ComposeResult:
        yield Composer(lambda _typed: None, id="composer")


async def test_a_message_the_room_took_is_not_given_back_by_a_later_refusal() -> None:
    """A refusal of something else (a repair turn that is not yours) must not bring back a
    message that went out: the room's own copy of it arrived first."""
    app = ComposerAlone()
    async with app.run_test() as pilot:
        box = app.query_one(Composer)
        box.focus()
        await pilot.press(*"//hello", "enter")
        assert box.value == ""
        box.delivered("/hello")  # the room has it
        assert not box.give_back()
        assert box.value == ""
        await pilot.press(*"again", "enter")
        box.delivered("something else")  # another of ours: this one is still on its way
        await pilot.press(*"and", "space")
        assert box.give_back()
        assert box.value == "again and "
