"""Whole flows through a real relay: two or three apps in one test, real crypto, Pilot keys."""

from __future__ import annotations

import os

import msgpack
from textual.pilot import Pilot
from textual.widgets import Input
from websockets.asyncio.client import connect

from protocol import commands as cmd
from protocol import wire
from protocol.invite import parse_invite
from tests.tui.conftest import until
from tests.tui.pilots import (
    click,
    ended_sentence,
    from_palette,
    room_drawn,
    showing,
    type_line,
)
from tests.tui.scripted import ANSI, HOSTILE
from tui.app import Plan, PorchApp
from tui.link import Standing
from tui.screens.consent import AgreementsConsent
from tui.screens.door import DoorScreen
from tui.screens.leave import LeaveScreen
from tui.screens.room import RoomScreen
from tui.screens.start import StartScreen
from tui.screens.verify import VerifyScreen
from tui.sentences import ASKED_TO_WAIT
from tui.widgets.floor_panel import FloorPanel
from tui.widgets.knock_bar import KnockBar, KnockRow
from tui.widgets.room_log import RoomLog
from tui.widgets.roster import Roster
from tui.widgets.status import ConnectionStatus

SIZE = (120, 36)


def log_of(app: PorchApp) -> str:
    room = room_drawn(app)
    if room is None:
        return ""
    return "\n".join(strip.text for strip in room.query_one(RoomLog).lines)


def knocking(app: PorchApp) -> list[str]:
    room = app.room_screen()
    return [view.nick for view in room.knocks] if room else []


async def give_name(pilot: Pilot[None], nick: str) -> None:
    await until(lambda: pilot.app.screen.query("#nick"), "the name field")
    field = pilot.app.screen.query_one("#nick", Input)
    field.value = nick
    field.focus()
    await pilot.press("ctrl+s")


async def open_room(pilot: Pilot[None], nick: str) -> str:
    app = pilot.app
    assert isinstance(app, PorchApp)
    await give_name(pilot, nick)
    await until(lambda: app.room_screen() is not None, "the room screen")
    await until(lambda: "You are in the room" in log_of(app), "the host entering")
    assert app.session is not None and app.session.invite
    return app.session.invite


async def knock(pilot: Pilot[None], nick: str) -> None:
    app = pilot.app
    await give_name(pilot, nick)
    await until(lambda: showing(app, AgreementsConsent), "the agreements")
    assert "What is said here stays here." in str(
        app.screen.query_one("#consent-text").query_one("Static").render()
    )
    await pilot.press("a")
    await until(
        lambda: (
            isinstance(app.screen, DoorScreen)
            and "Waiting for someone in the room"
            in str(app.screen.query_one("#door-step").render())
        ),
        "the waiting status",
    )


async def admitted(
    host: tuple[Pilot[None], PorchApp], guest: tuple[Pilot[None], PorchApp], nick: str
) -> None:
    """The guest knocks, the host's first knock shows it, F2 admits, the guest is inside."""
    (host_pilot, host_app), (guest_pilot, guest_app) = host, guest
    await knock(guest_pilot, nick)
    await until(lambda: knocking(host_app) == [nick], f"{nick} knocking")
    await host_pilot.press("f2")
    await until(lambda: showing(guest_app, RoomScreen), f"{nick} inside")


async def test_open_join_admit_talk_and_leave(relay_url: str) -> None:
    host = PorchApp(Plan(relay_url=relay_url))
    async with host.run_test(size=SIZE) as hp:
        invite = await open_room(hp, "ana")
        assert invite.startswith(relay_url + "#")
        shown_invite = str(host.screen.query_one("#invite-text").render())
        assert shown_invite == invite

        guest = PorchApp(Plan(invite=invite))
        async with guest.run_test(size=SIZE) as gp:
            await knock(gp, "bo")
            await until(lambda: knocking(host) == ["bo"], "bo knocking at ana's door")
            await until(
                lambda: any("bo is knocking" in str(n.message) for n in host._notifications),
                "the knock's toast",
            )
            await click(hp, "KnockRow .admit")

            await until(lambda: showing(guest, RoomScreen), "bo entering the room")
            await until(lambda: "ana admitted bo." in log_of(host), "who admitted whom")
            roster = str(guest.screen.query_one(Roster).render())
            assert "ana" in roster and "bo (you)" in roster
            code = guest.room_screen().room_code
            assert code and code == host.room_screen().room_code

            # Ana reads the code aloud with bo, and marks him verified.
            await hp.press("f4")
            await until(lambda: showing(host, VerifyScreen), "the room code screen")
            await until(lambda: host.screen.query("SeatToVerify .verify"), "bo's verify button")
            await click(hp, "SeatToVerify .verify")
            await hp.press("escape")
            await until(
                lambda: "bo ✓" in str(host.room_screen().query_one(Roster).render()),
                "bo's verified mark",
            )

            # Every action is in the palette: ana reacts from it.
            await from_palette(hp, "React")
            await until(lambda: "ana reacted" in log_of(guest), "ana's reaction at bo's")

            await type_line(gp, "hello from bo")
            await until(lambda: "bo  hello from bo" in log_of(host), "bo's message at ana's")
            await type_line(hp, "welcome bo")
            await until(lambda: "ana  welcome bo" in log_of(guest), "ana's reply at bo's")

            guest_log = guest.room_screen().query_one(RoomLog)
            assert guest_log.lines
            await gp.press("ctrl+q")
            await until(lambda: showing(guest, LeaveScreen), "the question first")
            await click(gp, "#go")
            await until(lambda: not guest.is_running, "bo's app closing")
            assert guest_log.lines == []  # leaving cleared the talk from memory
        await until(lambda: "bo left the room." in log_of(host), "ana seeing bo leave")
        assert "bo (you)" not in str(host.room_screen().query_one(Roster).render())


async def test_a_second_member_admits_and_everyone_sees_who(relay_url: str) -> None:
    host = PorchApp(Plan(relay_url=relay_url))
    async with host.run_test(size=SIZE) as hp:
        invite = await open_room(hp, "ana")
        bo = PorchApp(Plan(invite=invite))
        async with bo.run_test(size=SIZE) as bp:
            await admitted((hp, host), (bp, bo), "bo")
            cy = PorchApp(Plan(invite=invite))
            async with cy.run_test(size=SIZE) as cp:
                await admitted((bp, bo), (cp, cy), "cy")
                for app in (host, bo):
                    await until(lambda app=app: "bo admitted cy." in log_of(app), "bo admitted cy")
                await until(lambda: knocking(host) == [], "the knock cleared at ana's")
                await until(
                    lambda: len(cy.room_screen().query_one(Roster).seats) == 3, "three seats"
                )


async def test_peer_markup_and_escapes_arrive_as_plain_text(relay_url: str) -> None:
    host = PorchApp(Plan(relay_url=relay_url))
    async with host.run_test(size=SIZE) as hp:
        invite = await open_room(hp, "ana")
        guest = PorchApp(Plan(invite=invite))
        async with guest.run_test(size=SIZE) as gp:
            await knock(gp, HOSTILE)
            await until(lambda: knocking(host) == [HOSTILE], "the hostile name knocking")
            await until(
                lambda: any(
                    f"{HOSTILE} is knocking" in str(n.message) for n in host._notifications
                ),
                "the knock's toast",
            )
            await hp.press("f2")
            await until(lambda: showing(guest, RoomScreen), "the guest inside")
            assert guest.session is not None
            guest.session.send(cmd.Say("look " + ANSI + " " + HOSTILE))
            await until(lambda: "look ␛[31mred" in log_of(host), "the message at ana's")
            text = log_of(host)
            assert "\x1b" not in text and f"{HOSTILE}  look" in text
            assert HOSTILE in str(host.room_screen().query_one(Roster).render())
            await hp.click(Roster)
            assert host.is_running


async def test_not_now_asks_the_knocker_to_wait_and_admit_still_lets_them_in(
    relay_url: str,
) -> None:
    host = PorchApp(Plan(relay_url=relay_url))
    async with host.run_test(size=SIZE) as hp:
        invite = await open_room(hp, "ana")
        guest = PorchApp(Plan(invite=invite))
        async with guest.run_test(size=SIZE) as gp:
            await knock(gp, "bo")
            await until(lambda: knocking(host) == ["bo"], "bo knocking")
            await hp.press("f3")
            await until(
                lambda: (
                    isinstance(guest.screen, DoorScreen)
                    and str(guest.screen.query_one("#door-step").render()) == ASKED_TO_WAIT
                ),
                "bo's waiting screen saying someone asked them to wait",
            )
            assert "ana" not in str(guest.screen.query_one("#door-step").render())
            assert "You asked bo to wait. Anyone can still admit them." in log_of(host)
            row = host.room_screen().query_one(KnockBar).query_one(KnockRow)
            assert row.view.asked_to_wait  # still there, marked
            assert "(asked to wait)" in str(row.query_one(".knock-who").render())
            assert len(host.room_screen().query_one(Roster).seats) == 1
            await hp.press("f2")  # whoever said not now can still let them in
            await until(lambda: showing(guest, RoomScreen), "bo inside")
            await until(lambda: knocking(host) == [], "the knock answered")


async def test_declining_the_agreements_leaves_without_knocking(relay_url: str) -> None:
    """Declining leaves the door (nobody sees a knock) and stays in Porch, on the first
    screen, to join another room or open one; Esc there quits."""
    host = PorchApp(Plan(relay_url=relay_url))
    async with host.run_test(size=SIZE) as hp:
        invite = await open_room(hp, "ana")
        guest = PorchApp(Plan(invite=invite))
        async with guest.run_test(size=SIZE) as gp:
            await give_name(gp, "bo")
            await until(lambda: showing(guest, AgreementsConsent), "the agreements")
            await click(gp, "#leave")
            await until(lambda: showing(guest, StartScreen), "the first screen again")
            assert guest.session is None
            await gp.press("escape")
            await until(lambda: not guest.is_running, "bo's app closing")
        assert knocking(host) == []


async def test_a_full_room_says_so(small_relay) -> None:
    url, _stop = small_relay
    host = PorchApp(Plan(relay_url=url))
    async with host.run_test(size=SIZE) as hp:
        invite = await open_room(hp, "ana")
        waiting = [PorchApp(Plan(invite=invite)) for _ in range(2)]
        async with waiting[0].run_test(size=SIZE) as p1, waiting[1].run_test(size=SIZE) as p2:
            await give_name(p1, "bo")
            await give_name(p2, "cy")
            for app in waiting:
                await until(lambda app=app: isinstance(app.screen, AgreementsConsent), "consent")
            late = PorchApp(Plan(invite=invite))
            async with late.run_test(size=SIZE) as lp:
                await give_name(lp, "dee")
                await until(lambda: ended_sentence(late), "the refusal")
                sentence = ended_sentence(late)
                assert "already has 12 people" in sentence or "room is full" in sentence.lower()


async def test_an_unreachable_relay_is_named(unused_port: int) -> None:
    address = f"ws://127.0.0.1:{unused_port}"
    app = PorchApp(Plan(relay_url=address))
    async with app.run_test(size=SIZE) as pilot:
        await give_name(pilot, "ana")
        await until(lambda: ended_sentence(app), "the ended screen")
        sentence = ended_sentence(app)
        assert address in sentence and "reach" in sentence


async def test_a_malformed_invite_is_a_sentence() -> None:
    app = PorchApp(Plan(invite="ws://127.0.0.1:1#porch1.tooshort"))
    async with app.run_test(size=SIZE) as pilot:
        await give_name(pilot, "bo")
        await until(lambda: ended_sentence(app), "the ended screen")
        sentence = ended_sentence(app)
        assert "too short" in sentence and sentence.endswith(".")


async def test_a_dropped_relay_shows_reconnecting(small_relay) -> None:
    url, stop = small_relay
    host = PorchApp(Plan(relay_url=url))
    async with host.run_test(size=SIZE) as hp:
        invite = await open_room(hp, "ana")
        guest = PorchApp(Plan(invite=invite))
        async with guest.run_test(size=SIZE) as gp:
            await admitted((hp, host), (gp, guest), "bo")
            status = guest.room_screen().query_one(ConnectionStatus)
            assert status.standing is Standing.IN_ROOM
            assert str(status.render()) == "In the room"
            stop()
            await until(
                lambda: status.standing in (Standing.RECONNECTING, Standing.GONE),
                "the status changing",
            )
            assert str(status.render()) != "In the room"
            await until(lambda: "dropped" in log_of(guest), "a sentence about the drop")


async def test_garbage_from_the_network_changes_nothing_a_person_sees(relay_url: str) -> None:
    host = PorchApp(Plan(relay_url=relay_url))
    async with host.run_test(size=SIZE) as hp:
        invite = await open_room(hp, "ana")
        junk = [
            b"",
            b"\x00" * 64,
            os.urandom(2048),
            msgpack.packb({"v": 1, "t": "say", "text": "[@click=app.quit]x[/]"}),
            msgpack.packb([1, 2, {"x": -1}]),
            msgpack.packb({"t": 2**63, "d": b"\xff" * 100}),
            os.urandom(60_000),
        ]
        async with connect(parse_invite(invite).room_url, compression=None) as stranger:
            for payload in junk:
                await stranger.send(wire.encode_pub(payload))
            await hp.pause(0.5)
        assert host.is_running and isinstance(host.screen, RoomScreen)
        assert "click" not in log_of(host)
        await type_line(hp, "still here")
        await until(lambda: "ana  still here" in log_of(host), "ana's own message")
        assert host.is_running and "click" not in log_of(host)  # and still, later on


def panel(app: PorchApp) -> list[str]:
    room = room_drawn(app)
    return room.query_one(FloorPanel).lines if room else []


async def test_a_go_round_and_a_stack_in_the_floor_panel(relay_url: str) -> None:
    """The floor as people use it from the terminal: typed, on keys and in the palette."""
    host = PorchApp(Plan(relay_url=relay_url))
    async with host.run_test(size=SIZE) as hp:
        invite = await open_room(hp, "ana")
        bo = PorchApp(Plan(invite=invite))
        async with bo.run_test(size=SIZE) as bp:
            await admitted((hp, host), (bp, bo), "bo")
            await type_line(hp, "/round")
            for app in (host, bo):
                await until(
                    lambda app=app: (
                        panel(app)[:1] == ["Go-round"] and panel(app)[1].startswith("▶ ana")
                    ),
                    "ana holding the talking piece",
                )
            assert "▶ ana" in str(bo.room_screen().query_one(Roster).render())
            await type_line(bp, "may I?")  # not bo's turn: not sent, and bo is told why
            await until(lambda: "It is ana's turn, so that was not sent" in log_of(bo), "why")
            assert "may I?" not in log_of(host)
            await hp.press("f7")  # done
            await until(
                lambda: any(n.title == "Your turn" for n in bo._notifications),
                "bo told it is his turn",
            )
            await until(lambda: panel(host)[1:2] and panel(host)[1].startswith("▶ bo"), "bo")
            await bp.press("f7")
            await until(lambda: "The go-round is over." in log_of(host), "the round's end")
            await until(lambda: "How the time was shared" in panel(bo), "the balance bars")
            # a stack from the palette; bo raises a hand with F6
            await from_palette(bp, "open a stack")
            await until(lambda: panel(host)[:1] == ["Stack"], "the stack at ana's")
            await bp.press("f6")
            await until(lambda: panel(host)[1:2] and panel(host)[1].startswith("▶ bo"), "bo's hand")
            await hp.press("f8")  # pause
            await until(lambda: "Paused by ana" in panel(bo), "the pause at bo's")
            await hp.press("f8")  # the caller resumes
            await until(lambda: "Paused by ana" not in panel(bo), "the pause over")
