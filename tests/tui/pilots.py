"""Driving real app instances with Pilot: getting into a room, and reading what a person sees."""

from __future__ import annotations

from textual import events
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from protocol import events as ev
from tests.tui.conftest import until
from tests.tui.headless import Member, Members
from tui.app import PorchApp
from tui.messages import LeaveRoom, RoomEvent
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


class LeavesAsTheRoomOpens(PorchApp):
    """A person who leaves in the very moment the room lets them in (giving up at the door
    just as someone admits them): the leave comes in the same burst as the room's screen
    opening, before that screen is drawn."""

    def on_room_event(self, message: RoomEvent) -> None:
        # Textual calls PorchApp's handler, which opens the room's screen, after this one;
        # the leave is handled right after both, as a Leave button's is.
        if isinstance(message.event, ev.Entered):
            self.on_leave_room(LeaveRoom())


def showing(app: App[object], kind: type[Screen[object]]) -> bool:
    """Whether the app shows a screen of ``kind``, drawn and ready (not only pushed)."""
    return isinstance(app.screen, kind) and app.screen.is_mounted


def ended_sentence(app: PorchApp) -> str:
    """The sentence on the ended screen, once it is drawn ("" until then)."""
    screen = app.screen
    if not isinstance(screen, EndedScreen) or not screen.query("#ended-sentence"):
        return ""
    return str(screen.query_one("#ended-sentence").render())


def room_drawn(app: PorchApp) -> RoomScreen | None:
    """The room screen once its widgets are there: it is on the stack from the moment it is
    pushed, and on a loaded machine a test can look in before they are mounted."""
    room = app.room_screen()
    return room if room is not None and room.is_mounted else None


def log_of(app: PorchApp) -> str:
    room = room_drawn(app)
    return "\n".join(strip.text for strip in room.query_one(RoomLog).lines) if room else ""


def drawn_rows(app: App[object], widget: Widget) -> list[str]:
    """The rows of ``widget``'s content as they are drawn on the screen now (what the
    compositor put there, not what the widget holds): empty while it is not shown."""
    if not widget.display or not widget.is_mounted:
        return []
    # Only the part not clipped away by the containers around it (a dialog, a scroll).
    region = widget.content_region.intersection(app.screen.find_widget(widget).clip)
    if not region:
        return []
    strips = app.screen._compositor.render_strips()
    return [
        strips[y].crop(region.x, region.right).text.rstrip() for y in range(region.y, region.bottom)
    ]


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


async def type_quickly(pilot: Pilot[None], text: str) -> None:
    """``text`` as keys typed in a quick burst, the way a terminal passes fast typing on:
    the same key events ``Pilot.press`` sends, without its wait for the app to go idle
    after each key (a long line took seconds that way, and longer on a loaded machine)."""
    app = pilot.app
    for character in text:
        key = character if character.isalnum() else _character_to_key(character)
        typed = events.Key(key, character)
        typed.set_sender(app)
        app.post_message(typed)
    await pilot.pause()


async def type_line(pilot: Pilot[None], text: str) -> None:
    composer = pilot.app.screen.query_one("#composer", Input)
    composer.focus()
    await type_quickly(pilot, text)
    await pilot.press("enter")


def _drawn(app: App[object], selector: str) -> Widget | None:
    """The first ``selector`` drawn on screen now (not one hidden, or being removed)."""
    for widget in app.screen.query(selector):
        if widget.is_attached and widget.region:
            return widget
    return None


async def click(pilot: Pilot[None], selector: str) -> None:
    """Click ``selector`` as a person would: once it is drawn and has stopped moving, after
    clicking away any toast lying over it. A row's buttons move while the lines above them
    are laid out; toasts stack up from the lower right for several seconds, and a click on
    one only dismisses it (a person sees that and clicks again)."""
    app = pilot.app
    await until(lambda: _drawn(app, selector) is not None, f"{selector} drawn")
    where = None
    for _ in range(50):  # bounded: most often the first look or the second will do
        target = _drawn(app, selector)
        above = app.get_widget_at(*target.region.offset)[0] if target else None
        if above is not None and above in app.screen.query("Toast"):
            await pilot.click(above)
        elif target is not None and above is target and target.region == where:
            break
        where = target.region if target else None
        await pilot.pause()
    else:
        raise AssertionError(f"{selector} never stayed in view: under it is {above!r}")
    assert await pilot.click(target), f"The click meant for {selector} landed elsewhere."


def _palette_choice(app: App[object]) -> str:
    """The command the open palette would run on Enter ("" while none is chosen)."""
    palette = app.screen
    if not isinstance(palette, CommandPalette) or not palette.is_mounted:
        return ""
    commands = palette.query_one(CommandList)
    if commands.highlighted is None:
        return ""
    return commands.get_option_at_index(commands.highlighted).hit.text or ""  # type: ignore[attr-defined]


async def from_palette(pilot: Pilot[None], typed: str) -> None:
    """Open the command palette, type ``typed``, and press Enter once the command it
    chose contains what was typed: the palette searches as keys arrive and shows its
    results in batches, so an Enter pressed on a timer can run a command found for the
    first few letters, or none."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await until(lambda: isinstance(app.screen, CommandPalette) and app.screen.is_mounted, "palette")
    await pilot.press(*typed)
    await until(lambda: typed.casefold() in _palette_choice(app).casefold(), f"{typed!r} chosen")
    await pilot.press("enter")
    await until(lambda: not isinstance(app.screen, CommandPalette), "the palette closed")
