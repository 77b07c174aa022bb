"""The talk keeps its rows when panels open above it, through a real relay.

The motion bar, the offers and the invite share a scrolling space above the talk,
at most 40% of the column: with all of them open (a motion, three offers, the
invite), the talk still shows at least TALK_ROWS rows at 80×24 and at 120×40,
and the composer stays on screen. An offer of ours that everyone asked has
received stops offering Withdraw and drops its bar; the invite drops its line
on sharing once someone else is in. Rows are read as drawn on the screen.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button

from protocol import commands as cmd
from protocol import events as ev
from protocol.bodies.offer import OfferKind
from protocol.events import OfferStage
from tests.tui.conftest import until
from tests.tui.headless import Member, Members
from tests.tui.pilots import click, drawn_rows, let_in, open_room, room_drawn, showing, type_line
from tui.app import Plan, PorchApp
from tui.screens.offer import OfferConfirm
from tui.widgets.composer import Composer
from tui.widgets.invite_card import InviteCard
from tui.widgets.motion_bar import MotionBar
from tui.widgets.offer_panel import OfferPanel, OfferRow
from tui.widgets.room_log import RoomLog

# The fewest rows of talk a person has, with everything above it open, by window size.
TALK_ROWS = {(80, 24): 8, (120, 40): 16}


def slot_of(member: Member, nick: str) -> int:
    return next(seat.slot for seat in member.endpoint.seats if seat.nick == nick)


def offer_rows(app: PorchApp) -> int:
    room = room_drawn(app)
    return len(room.query_one(OfferPanel).rows) if room else 0


@pytest.mark.parametrize("size", list(TALK_ROWS), ids=["80x24", "120x40"])
async def test_the_talk_keeps_its_rows_under_a_motion_three_offers_and_the_invite(
    relay_url: str, members: Members, size: tuple[int, int]
) -> None:
    ana = PorchApp(Plan(relay_url=relay_url))
    async with ana.run_test(size=size) as ap:
        invite = await open_room(ap, "ana")
        bo = await let_in(ap, members, invite, "bo")
        cy = await let_in(ap, members, invite, "cy")
        dee = await let_in(ap, members, invite, "dee")
        await until(lambda: len(ana.session.seats) == 4, "four seats")
        for person in (bo, cy, dee):
            await person.expect(ev.RosterChanged, lambda e: len(e.seats) == 4)
        room = room_drawn(ana)
        assert room is not None
        await ap.press("f5")  # the invite, as the host shows it to share it again
        bo.send(cmd.Motion(slot_of(bo, "dee"), "keeps interrupting"))
        bo.send(cmd.Offer(OfferKind.FILE, "minutes.pdf", b"%PDF" * 100, "application/pdf"))
        cy.send(cmd.Offer(OfferKind.LINK, "example.org", b"https://example.org/a", ""))
        dee.send(cmd.Offer(OfferKind.TEXT, "Notes from the last meeting", b"- tea\n" * 50, ""))
        await until(lambda: offer_rows(ana) == 3, "three offers in ana's panel")
        motion_bar = room.query_one(MotionBar)
        await until(lambda: motion_bar.display and motion_bar.rows, "the motion bar")
        await ap.pause()

        assert room.query_one(InviteCard).display and room.query_one(OfferPanel).display
        assert drawn_rows(ana, motion_bar), "the motion bar is not drawn"
        talk = drawn_rows(ana, room.query_one(RoomLog))
        assert len(talk) >= TALK_ROWS[size], f"{len(talk)} rows of talk at {size}"
        assert drawn_rows(ana, room.query_one(Composer)), "the composer was pushed off screen"
        # The newest talk is there to read, not only empty rows.
        assert any("offers a text" in row for row in talk), talk


async def test_a_finished_offer_of_ours_is_set_aside_not_withdrawn(
    relay_url: str, members: Members, tmp_path: Path
) -> None:
    source = tmp_path / "rota.txt"
    source.write_bytes(b"the garden rota\n" * 20)
    ana = PorchApp(Plan(relay_url=relay_url))
    async with ana.run_test(size=(120, 40)) as ap:
        invite = await open_room(ap, "ana")
        await ap.press("f5")
        card = ana.room_screen().query_one(InviteCard)
        assert "send it only to the people you mean" in " ".join(drawn_text(ana, card))
        bo = await let_in(ap, members, invite, "bo")
        await until(
            lambda: "send it only" not in " ".join(drawn_text(ana, card)), "the card shorter"
        )
        assert invite[:20] in " ".join(drawn_text(ana, card))  # the invite itself stays

        await type_line(ap, f"/offer {source}")
        await until(lambda: showing(ana, OfferConfirm), "the confirm dialog")
        await ap.press("o")
        offered = await bo.expect(ev.OfferEvent, lambda e: e.stage is OfferStage.OFFERED)
        assert not finished_row(ana)
        bo.send(cmd.Accept(offered.number))
        await bo.expect(ev.OfferEvent, lambda e: e.stage is OfferStage.ARRIVED)
        await until(lambda: finished_row(ana), "Set aside in place of Withdraw")
        await click(ap, "#offers .dismiss")
        await until(lambda: offer_rows(ana) == 0, "the row gone")
        assert not ana.room_screen().query_one(OfferPanel).display


def drawn_text(app: PorchApp, card: InviteCard) -> list[str]:
    return [row.strip() for row in drawn_rows(app, card)]


def finished_row(app: PorchApp) -> bool:
    """ana's offer 1 drawn as finished: Set aside shown, Withdraw and the bar not."""
    room = room_drawn(app)
    if room is None or not room.query(OfferRow):
        return False
    row = room.query_one(OfferRow)
    shown = {str(b.label) for b in row.query(Button) if b.display}
    return shown == {"Set aside"} and not drawn_rows(app, row.query_one(".offer-bar"))
