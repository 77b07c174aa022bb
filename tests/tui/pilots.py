"""Driving real app instances with Pilot: getting into a room, and reading what a person sees."""

from __future__ import annotations

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input

from protocol import events as ev
from tests.tui.conftest import until
from tests.tui.headless import Member, Members
from tui.app import PorchApp
from tui.screens.consent import AgreementsConsent
from tui.screens.ended import EndedScreen
from tui.screens.room import RoomScreen
from tui.widgets.room_log import RoomLog


async def palette_titles(app: PorchApp) -> list[str]:
    """Every entry the command palette lists over the current screen, from its providers."""
    titles: list[str] = []
    for source in app.COMMANDS | app.screen.COMMANDS:
        provider_class = source if isinstance(source, type) else source()
        provider = provider_class(app.screen)
        async for hit in provider.discover():
            titles.append(str(hit.text))
    return titles


def showing(app: App[object], kind: type[Screen[object]]) -> bool:
    """Whether the app shows a screen of ``kind``, drawn and ready (not only pushed)."""
    return isinstance(app.screen, kind) and app.screen.is_mounted


def ended_sentence(app: PorchApp) -> str:
    """The sentence on the ended screen, once it is drawn ("" until then)."""
    screen = app.screen
    if not isinstance(screen, EndedScreen) or not screen.query("#ended-sentence"):
        return ""
    return str(screen.query_one("#ended-sentence").render())


def log_of(app: PorchApp) -> str:
    room = app.room_screen()
    return "\n".join(strip.text for strip in room.query_one(RoomLog).lines) if room else ""


def toasts(app: PorchApp) -> list[tuple[str, str]]:
    return [(n.title, str(n.message)) for n in app._notifications]


def screen_text(app: PorchApp) -> str:
    return " ".join(" ".join(str(s.render()).split()) for s in app.screen.query("Static"))


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
    await until(lambda: "You are in the room" in log_of(app), "the host entering")
    assert app.session is not None and app.session.invite
    return app.session.invite


async def admit_first(pilot: Pilot[None], nick: str) -> None:
    """The host's first knock is ``nick``; F2 lets them in."""
    app = pilot.app
    assert isinstance(app, PorchApp)

    def knocking() -> list[str]:
        room = app.room_screen()
        return [view.nick for view in room.knocks] if room else []

    await until(lambda: knocking() == [nick], f"{nick} knocking")
    await pilot.press("f2")


async def let_in(pilot: Pilot[None], members: Members, invite: str, nick: str) -> Member:
    member = await members.knock(invite, nick)
    await admit_first(pilot, nick)
    await member.expect(ev.Entered)
    return member


async def app_joins(host: Pilot[None], guest: Pilot[None], nick: str) -> None:
    app = guest.app
    await give_name(guest, nick)
    await until(lambda: showing(app, AgreementsConsent), "the agreements")
    await guest.press("a")
    await admit_first(host, nick)
    await until(lambda: showing(app, RoomScreen), f"{nick} inside")


async def type_line(pilot: Pilot[None], text: str) -> None:
    composer = pilot.app.screen.query_one("#composer", Input)
    composer.focus()
    await pilot.press(*text)
    await pilot.press("enter")
