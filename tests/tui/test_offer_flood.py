"""One member offering without end, in the terminal app: a real app and headless
members in one room, through a real relay.

The app shows a few open offers from each sender and says once that later ones
are not shown; one toast and one bell stand for a burst of offers; a row is drawn
again only when its own offer moved.
"""

from __future__ import annotations

import pytest

from protocol import commands as cmd
from protocol import events as ev
from protocol.bodies.offer import OfferKind
from protocol.events import OfferStage
from protocol.room.offers import OPEN_PER_SENDER
from tests.tui.conftest import until
from tests.tui.headless import Members
from tests.tui.pilots import let_in, log_of, open_room, toasts
from tui.app import Plan, PorchApp
from tui.messages import OfferChosen
from tui.offer_views import offers_after
from tui.widgets.offer_panel import OfferPanel, OfferRow

SIZE = (120, 40)
FLOOD = 40


async def test_a_flood_of_offers_shows_a_few_one_toast_one_bell_and_a_sentence(
    relay_url: str, members: Members, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = PorchApp(Plan(relay_url=relay_url))
    bells: list[None] = []
    monkeypatch.setattr(ana, "bell", lambda: bells.append(None))
    drawn: list[int] = []
    show = OfferRow.show

    def counted(row: OfferRow, view: object) -> None:
        drawn.append(row.view.number)
        show(row, view)  # type: ignore[arg-type]

    monkeypatch.setattr(OfferRow, "show", counted)
    async with ana.run_test(size=SIZE) as ap:
        invite = await open_room(ap, "ana")
        bo = await let_in(ap, members, invite, "bo")
        bells.clear()  # bo's knock rang
        for i in range(FLOOD):
            bo.send(cmd.Offer(OfferKind.TEXT, f"note {i}", f"text {i}".encode()))
        not_shown = [await bo.expect(ev.OfferEvent, lambda e: e.stage is OfferStage.NOT_SHOWN)]
        for _ in range(FLOOD - OPEN_PER_SENDER - 1):
            not_shown.append(
                await bo.expect(ev.OfferEvent, lambda e: e.stage is OfferStage.NOT_SHOWN)
            )
        assert {e.by for e in not_shown} == {"ana"}
        room = ana.room_screen()
        await until(lambda: "later ones are not shown" in log_of(ana), "the crowded note")
        await ap.pause()
        assert len(room.offers) == OPEN_PER_SENDER
        assert len(room.query_one(OfferPanel).query(OfferRow)) == OPEN_PER_SENDER
        assert log_of(ana).count("later ones are not shown") == 1
        offer_toasts = [t for t in toasts(ana) if t[0] == "An offer"]
        assert len(offer_toasts) == 1, offer_toasts
        assert len(bells) == 1

        # ana accepts one: only that row is drawn again, not every row.
        drawn.clear()
        first = room.offers[0].number
        room.offer_desk.chosen(OfferChosen(first, "accept"))
        await until(lambda: room.offers[0].stage is OfferStage.ARRIVED, "the text arriving")
        await ap.pause()
        assert drawn and set(drawn) == {first}, drawn


def test_our_offer_leaves_the_panel_once_nobody_it_asked_was_shown_it() -> None:
    def ours(stage: OfferStage, to: tuple[str, ...], by: str = "") -> ev.OfferEvent:
        return ev.OfferEvent(stage, 7, "text", "ana", "words", 10, True, to=to, by=by)

    views = offers_after((), ours(OfferStage.ASKING, ("bo", "cy")))
    views = offers_after(views, ours(OfferStage.NOT_SHOWN, ("cy",), by="bo"))
    assert [v.offer.to for v in views] == [("cy",)]
    assert offers_after(views, ours(OfferStage.NOT_SHOWN, (), by="cy")) == ()
