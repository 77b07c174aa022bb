"""Every share is an offer, in the terminal app: real app instances and headless members in
one room, through a real relay.

A paste with several lines, or longer than a message, becomes a text offer after a
confirm that names who is asked; Cancel leaves it in the composer. A file offered
from the composer is accepted from the offer panel's button, shows its progress on
both sides, and is saved through the save dialog, which asks before replacing a file.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from textual import events
from textual.widgets import Button, Input, ProgressBar

from protocol import commands as cmd
from protocol import events as ev
from protocol.bodies.offer import OfferKind
from protocol.events import OfferStage
from protocol.limits import TEXT_CHARS
from tests.tui.conftest import until
from tests.tui.headless import Members
from tests.tui.pilots import (
    app_joins,
    click,
    let_in,
    log_of,
    open_room,
    room_drawn,
    screen_text,
    showing,
    toasts,
    type_line,
)
from tui.app import Plan, PorchApp
from tui.screens.offer import OfferConfirm, SaveDialog
from tui.screens.room import RoomScreen
from tui.widgets.offer_panel import OfferPanel, OfferRow

SIZE = (120, 40)


def composer(app: PorchApp) -> Input:
    room = app.room_screen()
    assert room is not None
    return room.query_one("#composer", Input)


def panel(app: PorchApp) -> list[str]:
    room = room_drawn(app)
    return room.query_one(OfferPanel).lines if room else []


def row(app: PorchApp, number: int) -> OfferRow | None:
    room = room_drawn(app)
    return room.query_one(OfferPanel).rows.get(number) if room else None


def bar(app: PorchApp, number: int) -> tuple[float, float | None] | None:
    found = row(app, number)
    if found is None or not found.is_mounted:
        return None
    progress = found.query_one(ProgressBar)
    return (progress.progress, progress.total) if progress.display else None


async def paste(app: PorchApp, text: str) -> None:
    box = composer(app)
    box.focus()
    box.post_message(events.Paste(text))


async def test_a_long_or_many_lined_paste_becomes_a_text_offer_and_cancel_keeps_it(
    relay_url: str, members: Members
) -> None:
    ana = PorchApp(Plan(relay_url=relay_url))
    async with ana.run_test(size=SIZE) as ap:
        invite = await open_room(ap, "ana")
        bo = await let_in(ap, members, invite, "bo")
        await until(lambda: len(ana.session.seats) == 2, "two seats")
        await until(lambda: ana.room_screen().offer_desk.others_here() == ("bo",), "bo present")

        lines = "first line of the minutes\nsecond line\nthird line"
        await paste(ana, lines)
        await until(lambda: showing(ana, OfferConfirm), "the confirm dialog")
        shown = screen_text(ana)
        assert "Offer this text?" in shown
        assert "What you wrote has 3 lines, so it goes as an offer" in shown
        assert "This asks bo." in shown
        assert "a text of 48 characters, starting “first line of the minutes" in shown
        await ap.press("escape")  # cancel: nothing lost
        await until(lambda: showing(ana, RoomScreen), "the dialog gone")
        assert composer(ana).value == lines
        assert "Enter offers it as a text" in str(composer(ana).border_subtitle)
        await ap.pause()
        assert not any(isinstance(e, ev.OfferEvent) for e in bo.seen)

        composer(ana).focus()
        await ap.press("enter")  # the text still there goes as an offer, after the confirm
        await until(lambda: showing(ana, OfferConfirm), "the confirm again")
        await ap.press("o")
        offered = await bo.expect(ev.OfferEvent, lambda e: e.stage is OfferStage.OFFERED)
        assert (offered.kind, offered.sender, offered.size) == ("text", "ana", len(lines))
        await until(lambda: composer(ana).value == "", "the composer emptied once offered")
        bo.send(cmd.Accept(offered.number))
        arrived = await bo.expect(ev.OfferEvent, lambda e: e.stage is OfferStage.ARRIVED)
        assert arrived.text == lines  # every line of it

        long = " ".join(["word"] * 1300)  # 6,499 characters on one line
        assert len(long) > TEXT_CHARS
        await paste(ana, long)
        said = f"What you wrote is {len(long):,} characters"
        await until(lambda: said in screen_text(ana), "the confirm for a long text")
        await ap.press("escape")  # Cancel (a toast may lie over the button)
        await until(lambda: showing(ana, RoomScreen), "cancelled")
        assert composer(ana).value == long  # not cut, not emptied
        composer(ana).focus()
        await ap.press("enter")
        await until(lambda: showing(ana, OfferConfirm), "the confirm again")
        await ap.press("o")
        second = await bo.expect(
            ev.OfferEvent, lambda e: e.stage is OfferStage.OFFERED and e.number != offered.number
        )
        assert (second.kind, second.size) == (str(OfferKind.TEXT), len(long))
        assert "You offered a text of" in log_of(ana)


async def test_a_file_offered_from_the_composer_is_accepted_shown_coming_in_and_saved(
    relay_url: str, members: Members, tmp_path: Path
) -> None:
    content = os.urandom(1_500_000)  # 62 pieces: a couple of seconds at the room's pace
    source = tmp_path / "report.pdf"
    source.write_bytes(content)
    ana = PorchApp(Plan(relay_url=relay_url))
    async with ana.run_test(size=SIZE) as ap:
        invite = await open_room(ap, "ana")
        bo = PorchApp(Plan(invite=invite))
        async with bo.run_test(size=SIZE) as bp:
            await app_joins(ap, bp, "bo")
            await until(lambda: ana.room_screen().offer_desk.others_here() == ("bo",), "bo present")

            await type_line(ap, f"/offer {source}")
            await until(lambda: showing(ana, OfferConfirm), "the confirm dialog")
            assert "This asks bo." in screen_text(ana)
            assert "report.pdf (1.5 MB, application/pdf)" in screen_text(ana)
            await ap.press("o")

            await until(lambda: any("offers report.pdf" in line for line in panel(bo)), "offer")
            assert panel(bo)[:2] == [
                "1. ana offers report.pdf (1.5 MB, application/pdf)",
                "Nothing is fetched or shown until you accept.",
            ]
            await until(lambda: "An offer" in dict(toasts(bo)), "the offer's toast")
            assert "ana offers report.pdf (1.5 MB, application/pdf) to you" in log_of(bo)
            assert bar(bo, 1) is None  # nothing is coming in before Accept
            assert bo.session.offer_content(1) is None
            await click(bp, "#offers .accept")

            # both sides show it moving: ana pieces sent, bo pieces received
            def midway(app: PorchApp) -> bool:
                shown = bar(app, 1)
                return shown is not None and 0 < shown[0] < (shown[1] or 0)

            await until(lambda: midway(bo), "bo's bar part way", 30)
            await until(lambda: midway(ana) or "bo has it all" in " ".join(panel(ana)), "ana's")
            assert any(line.startswith("Accepted by bo") for line in panel(ana))
            await until(lambda: "Here, and checked." in " ".join(panel(bo)), "arrived", 30)
            assert bar(bo, 1) == (62.0, 62.0)

            target = tmp_path / "saved" / "kept.pdf"
            target.parent.mkdir()
            target.write_bytes(b"something already here")
            await click(bp, "#offers .save")
            await until(lambda: showing(bo, SaveDialog), "the save dialog")
            field = bo.screen.query_one("#save-path", Input)
            assert field.value.endswith("report.pdf")  # a sensible default, the file's name
            field.value = str(target)
            await click(bp, "#save-it")
            await until(lambda: "There is a file at" in screen_text(bo), "asked before replacing")
            button = bo.screen.query_one("#save-it", Button)
            assert str(button.label) == "Replace"
            assert target.read_bytes() == b"something already here"  # not yet
            await until(lambda: not button.has_class("-active"), "the first press over")
            await click(bp, "#save-it")
            await until(lambda: showing(bo, RoomScreen), "saved")
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
            assert digest == hashlib.sha256(content).hexdigest()
            assert f"{target}." in log_of(bo) and "Saved 1.5 MB to" in log_of(bo)


async def test_cancel_on_either_side_stops_a_transfer_and_the_row_goes(
    relay_url: str, members: Members, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(8_000_000))  # 326 pieces: seconds at the pace (40 a second)
    ana = PorchApp(Plan(relay_url=relay_url))
    async with ana.run_test(size=SIZE) as ap:
        invite = await open_room(ap, "ana")
        bo = await let_in(ap, members, invite, "bo")
        await until(lambda: ana.room_screen().offer_desk.others_here() == ("bo",), "bo present")

        # the sender withdraws, from the panel
        await type_line(ap, f"/offer {source}")
        await until(lambda: showing(ana, OfferConfirm), "the confirm dialog")
        await ap.press("o")
        offered = await bo.expect(ev.OfferEvent, lambda e: e.stage is OfferStage.OFFERED)
        bo.send(cmd.Accept(offered.number))
        await until(lambda: any(line.startswith("Accepted by bo") for line in panel(ana)), "")
        assert str(row(ana, 1).query_one(".cancel", Button).label) == "Withdraw"
        await click(ap, "#offers .cancel")
        await bo.expect(ev.OfferEvent, lambda e: e.stage is OfferStage.CANCELLED)
        await until(lambda: row(ana, 1) is None, "ana's row gone")
        assert "Your offer 1 is withdrawn." in log_of(ana)

        # the recipient stops one coming in, from the panel
        bo.send(cmd.Offer(OfferKind.FILE, "slides.bin", os.urandom(8_000_000), "x-bin"))
        await until(lambda: row(ana, 2) is not None, "bo's offer in ana's panel")
        await click(ap, "#offers .accept")
        await until(lambda: bar(ana, 2) is not None, "coming in")
        await click(ap, "#offers .cancel")
        await until(lambda: row(ana, 2) is None, "the row gone")
        assert "Offer 2 from bo was cancelled; nothing of it is kept." in log_of(ana)
        assert ana.session.offer_content(2) is None
