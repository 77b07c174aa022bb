"""The terminal app as a newcomer meets it: the name, the status line, the invite, leaving.

Real app instances (Pilot) in rooms on a real relay: one in this process, or the one
``porch new`` runs inside itself when no relay is given.
"""

from __future__ import annotations

from textual.widgets import Button, Input

from protocol import commands as cmd
from protocol import events as ev
from tests.tui.conftest import until
from tests.tui.headless import Members
from tests.tui.pilots import (
    LeavesAsTheRoomOpens,
    admit_first,
    app_joins,
    click,
    log_of,
    open_room,
    palette_titles,
    screen_text,
    showing,
    toasts,
    type_line,
)
from tui.app import Plan, PorchApp
from tui.link import Standing
from tui.screens.leave import LeaveScreen
from tui.screens.room import RoomScreen
from tui.screens.setup import SetupScreen
from tui.screens.start import StartScreen
from tui.screens.verify import VerifyScreen
from tui.widgets.invite_card import InviteCard
from tui.widgets.status import ConnectionStatus

SIZE = (110, 32)


def standing(app: PorchApp) -> tuple[Standing | None, str]:
    """The status line of the screen showing the room, or the door (under any dialog);
    nothing until that screen's widgets are mounted."""
    screen = app.room_screen() or app.door_screen()
    assert screen is not None
    if not screen.is_mounted:
        return None, ""
    status = screen.query_one(ConnectionStatus)
    return status.standing, str(status.render())


async def test_enter_on_the_name_opens_the_room(relay_url: str) -> None:
    app = PorchApp(Plan(relay_url=relay_url))
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: showing(app, SetupScreen), "the setup screen")
        assert "Enter opens the room" in screen_text(app)
        await pilot.press(*"ana")
        await pilot.press("enter")
        await until(lambda: "You are in the room" in log_of(app), "ana in her room")
        code = app.room_screen().room_code
        assert code and " ".join(log_of(app).split()).count(code) == 1  # said once, on entering


async def test_a_name_too_long_is_said_and_not_cut(relay_url: str) -> None:
    app = PorchApp(Plan(relay_url=relay_url))
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: showing(app, SetupScreen), "the setup screen")
        long_name = "a" * 40
        await pilot.press(*long_name)
        field = app.screen.query_one("#nick", Input)
        assert field.value == long_name  # nothing typed was dropped
        said = "That name is 40 characters long; a name is at most 32."
        await until(lambda: said in screen_text(app), "the limit, said")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen) and app.session is None
        for _ in range(8):
            await pilot.press("backspace")
        await until(lambda: said not in screen_text(app), "the note gone at 32")
        await pilot.press("enter")
        await until(lambda: "You are in the room" in log_of(app), "in, with 32 characters")


async def test_the_status_says_in_the_room_only_once_in(relay_url: str) -> None:
    host = PorchApp(Plan(relay_url=relay_url))
    async with host.run_test(size=SIZE) as hp:
        invite = await open_room(hp, "ana")
        assert standing(host) == (Standing.IN_ROOM, "In the room")
        guest = PorchApp(Plan(invite=invite))
        async with guest.run_test(size=SIZE) as gp:
            await gp.press(*"bo")
            await gp.press("enter")
            await until(lambda: guest.door_screen() is not None, "bo at the door")
            await until(lambda: standing(guest)[0] is Standing.AT_THE_DOOR, "at the door, not in")
            assert "not in the room yet" in standing(guest)[1]
            await until(lambda: "agreements" in screen_text(guest), "the agreements")
            await gp.press("a")
            await admit_first(hp, "bo")
            await until(lambda: showing(guest, RoomScreen), "bo inside")
            assert standing(guest) == (Standing.IN_ROOM, "In the room")


async def test_every_member_can_show_and_copy_the_whole_invite(relay_url: str) -> None:
    host = PorchApp(Plan(relay_url=relay_url))
    async with host.run_test(size=SIZE) as hp:
        invite = await open_room(hp, "ana")
        guest = PorchApp(Plan(invite=invite))
        async with guest.run_test(size=(60, 20)) as gp:
            await app_joins(hp, gp, "bo")
            card = guest.screen.query_one(InviteCard)
            assert not card.display  # the opener sees it first; a joiner asks for it
            await gp.press("f5")
            await until(lambda: card.display, "the invite shown")
            shown = str(card.query_one("#invite-text").render())
            assert "\n" not in shown and shown.startswith(invite[:20])  # one line, cut to fit
            await click(gp, "#copy-invite")
            await until(lambda: guest.clipboard == invite, "the whole invite copied")
            await until(
                lambda: any(n.title == "Invite copied" for n in guest._notifications),
                "the copy's toast",
            )
            assert "Copy the invite" in await palette_titles(guest)


async def test_the_room_code_is_read_as_numbers(relay_url: str) -> None:
    app = PorchApp(Plan(relay_url=relay_url))
    async with app.run_test(size=SIZE) as pilot:
        await open_room(pilot, "ana")
        await pilot.press("f4")
        await until(lambda: showing(app, VerifyScreen), "the room code")
        code = app.screen.query_one("#verify-code").render()
        assert str(code).replace(" ", "").isdigit()
        text = screen_text(app)
        assert "Read these numbers aloud" in text and "words" not in text


async def test_leaving_asks_then_stays_in_porch_to_join_another_room(
    relay_url: str, members: Members
) -> None:
    ana = await members.host(relay_url, "ana", "1. Be kind.")
    app = PorchApp(Plan(invite=ana.endpoint.invite))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"bo")
        await pilot.press("enter")
        await until(lambda: "agreements" in screen_text(app), "the agreements")
        await pilot.press("a")
        knock = await ana.expect(ev.Knocked)
        ana.send(cmd.Admit(knock.knock))
        await until(lambda: showing(app, RoomScreen), "bo inside")

        await pilot.press("ctrl+l")  # a clear-screen reflex: nothing happens
        await pilot.pause()
        assert showing(app, RoomScreen) and app.session is not None

        app.action_leave_room()
        await until(lambda: showing(app, LeaveScreen), "the question")
        assert "Leave the room?" in screen_text(app)
        await pilot.press("escape")  # stay
        await until(lambda: showing(app, RoomScreen), "still in the room")
        assert app.session is not None

        app.action_leave_room()
        await until(lambda: showing(app, LeaveScreen), "the question again")
        await click(pilot, "#go")
        await until(lambda: showing(app, StartScreen), "the first screen, in Porch still")
        assert app.is_running and app.session is None
        left = await ana.expect(ev.Departed)
        assert left.nick == "bo"


async def test_leaving_in_the_moment_the_room_lets_one_in_stays_in_porch(
    relay_url: str, members: Members
) -> None:
    """The room's screen is taken down while it is still being built: the first screen
    again, and no error (``run_test`` raises any the app met)."""
    ana = await members.host(relay_url, "ana", "1. Be kind.")
    app = LeavesAsTheRoomOpens(Plan(invite=ana.endpoint.invite))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"bo")
        await pilot.press("enter")
        await until(lambda: "agreements" in screen_text(app), "the agreements")
        await pilot.press("a")
        knock = await ana.expect(ev.Knocked)
        ana.send(cmd.Admit(knock.knock))
        await until(lambda: showing(app, StartScreen), "the first screen, in Porch still")
        assert app.is_running and app.session is None and app.room_screen() is None
        left = await ana.expect(ev.Departed)
        assert left.nick == "bo"


async def test_quitting_a_room_whose_relay_runs_here_says_it_ends_the_room(
    members: Members,
) -> None:
    app = PorchApp(Plan())  # no relay given: the room's relay runs inside this app
    async with app.run_test(size=SIZE) as pilot:
        invite = await open_room(pilot, "ana")
        bo = await members.knock(invite, "bo")
        await admit_first(pilot, "bo")
        await bo.expect(ev.Entered)
        await until(
            lambda: any(s.nick == "bo" and s.connected for s in app.room_screen().seats),
            "bo seated",
        )

        await pilot.press("ctrl+q")
        await until(lambda: showing(app, LeaveScreen), "the question")
        text = screen_text(app)
        assert "Quit Porch?" in text and "the 1 other person here" in text
        assert str(app.screen.query_one("#go", Button).label) == "End the room and quit"
        await pilot.press("escape")
        await until(lambda: showing(app, RoomScreen), "staying")
        assert app.is_running


async def test_where_the_relay_runs_is_said_once_in_the_invite_card_not_over_the_composer() -> None:
    app = PorchApp(Plan())  # no relay given: the room's relay runs inside this app
    async with app.run_test(size=SIZE) as pilot:
        await open_room(pilot, "ana")
        card = app.screen.query_one(InviteCard)
        assert card.display
        assert "Using a relay on this computer at ws://127.0.0.1:" in screen_text(app)
        assert not [m for _title, m in toasts(app) if "relay on this computer" in m]


async def test_look_alike_knocks_are_told_apart_and_admitting_one_leaves_the_other(
    relay_url: str, members: Members
) -> None:
    app = PorchApp(Plan(relay_url=relay_url))
    async with app.run_test(size=SIZE) as pilot:
        invite = await open_room(pilot, "ana")
        first = await members.knock(invite, "cy")
        second = await members.knock(invite, "Cy")

        def bar() -> list[str]:
            room = app.room_screen()
            return [str(row.render()) for row in room.query(".knock-who")] if room else []

        await until(lambda: len(bar()) == 2, "two knocks")
        await until(lambda: all("(key " in line for line in bar()), "each with its key mark")
        await pilot.press("f2")  # the first knock
        await first.expect(ev.Entered)
        await until(lambda: len(bar()) == 1, "one knock left")
        assert bar()[0].startswith("Cy")  # the other one, still there to answer
        assert not any(isinstance(e, ev.Entered) for e in second.seen)


async def test_the_composer_asks_which_one_when_a_name_means_two_people(
    relay_url: str, members: Members
) -> None:
    app = PorchApp(Plan(relay_url=relay_url))
    async with app.run_test(size=SIZE) as pilot:
        invite = await open_room(pilot, "ana")
        for nick in ("cy", "Cy"):
            member = await members.knock(invite, nick)
            await until(lambda: app.room_screen().knocks, f"{nick} knocking")
            await pilot.press("f2")
            await member.expect(ev.Entered)
        await until(lambda: len(app.room_screen().seats) == 3, "three seats")
        await type_line(pilot, "/reveal cy ana@example.org")
        asked = "2 people here have names that look like cy"
        await until(lambda: any(asked in m for _, m in toasts(app)), "which one?")
        choice = next(m for _, m in toasts(app) if asked in m)
        assert "/reveal cy#" in choice and "/reveal Cy#" in choice


async def test_a_reaction_from_the_composer_and_words_refused(
    relay_url: str, members: Members
) -> None:
    app = PorchApp(Plan(relay_url=relay_url))
    async with app.run_test(size=SIZE) as pilot:
        invite = await open_room(pilot, "ana")
        bo = await members.knock(invite, "bo")
        await admit_first(pilot, "bo")
        await bo.expect(ev.Entered)
        await type_line(pilot, "/react thanks")
        reacted = await bo.expect(ev.Reacted)
        assert (reacted.nick, reacted.emoji) == ("ana", "🙏")
        await type_line(pilot, "/react well said")
        await until(
            lambda: any("A reaction is one symbol" in m for _, m in toasts(app)), "the refusal"
        )
        await type_line(pilot, "//shrug")
        said = await bo.expect(ev.Said)
        assert said.text == "/shrug"
