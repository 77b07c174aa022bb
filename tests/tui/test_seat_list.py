"""The seat list grows as people are admitted, on the screens of those already in.

The list is drawn once when the room opens; each admission adds a row. A row that
is in the list but falls below its border is a name nobody sees: a look-alike
admitted that way would talk in a room whose list does not show them. So these
tests read the rows as drawn on the screen, not the list's data.
"""

from __future__ import annotations

from textual.pilot import Pilot

from protocol import events as ev
from tests.tui.conftest import until
from tests.tui.headless import Members
from tests.tui.pilots import app_joins, drawn_rows, open_room, room_drawn
from tui.app import Plan, PorchApp
from tui.widgets.roster import Roster

SIZE = (120, 40)
LOOK_ALIKE = "b\u043e"  # "bо", its o a Cyrillic о


def seated_names(app: PorchApp) -> list[str]:
    """The names in the seat list as drawn: the word after each row's presence mark."""
    room = room_drawn(app)
    if room is None:
        return []
    rows = drawn_rows(app, room.query_one(Roster))
    return [row.split()[1] for row in rows if row[:1] in "●○▶" and len(row.split()) > 1]


def seats_title(app: PorchApp) -> str:
    room = room_drawn(app)
    return str(room.query_one(Roster).border_title) if room else ""


async def all_drawn(app: PorchApp, names: list[str]) -> None:
    await until(lambda: f"Seats {len(names)}/12" == seats_title(app), f"{len(names)} seats")
    await until(
        lambda: sorted(seated_names(app)) == sorted(names),
        f"{names} drawn in the seat list of {seated_names(app)}",
    )


async def let_in(pilot: Pilot[None], members: Members, invite: str, nick: str) -> None:
    """``nick`` knocks and F2 on ``pilot``'s screen lets them in. The knock is found by the
    name its owner typed: a look-alike's knock carries a key mark beside it."""
    app = pilot.app
    assert isinstance(app, PorchApp)
    member = await members.knock(invite, nick)

    def knocking() -> list[str]:
        room = app.room_screen()
        return [view.name for view in room.knocks] if room else []

    await until(lambda: knocking() == [nick], f"{nick} knocking")
    await pilot.press("f2")
    await member.expect(ev.Entered)


async def test_each_admission_draws_a_row_on_the_screens_already_open(
    relay_url: str, members: Members
) -> None:
    host = PorchApp(Plan(relay_url=relay_url))
    async with host.run_test(size=SIZE) as hp:
        invite = await open_room(hp, "ana")
        await all_drawn(host, ["ana"])
        bo = PorchApp(Plan(invite=invite))
        async with bo.run_test(size=SIZE) as bp:
            await app_joins(hp, bp, "bo")
            names = ["ana", "bo"]
            await all_drawn(host, names)
            await all_drawn(bo, names)
            for nick in ("cy", LOOK_ALIKE, "dee"):
                await let_in(hp, members, invite, nick)
                names.append(nick)
                await all_drawn(host, names)
                await all_drawn(bo, names)
            await let_in(bp, members, invite, "eve")  # any member admits, here bo
            names.append("eve")
            await all_drawn(host, names)
            await all_drawn(bo, names)
