"""The room screen as a person sees it, fed scripted events (no relay needed for layout)."""

from __future__ import annotations

from protocol import events as ev
from tests.tui.conftest import until
from tests.tui.pilots import ended_sentence, palette_titles
from tests.tui.scripted import HOSTILE, SEATS, ScriptedPorch
from tui.app import PorchApp
from tui.messages import RoomEvent
from tui.screens.consent import AgreementsConsent
from tui.screens.ended import EndedScreen
from tui.screens.help import HelpScreen
from tui.screens.room import RoomScreen
from tui.screens.verify import SeatToVerify, VerifyScreen
from tui.sentences import sentence
from tui.widgets.knock_bar import KnockBar, KnockRow
from tui.widgets.room_log import RoomLog
from tui.widgets.roster import Roster


def log_text(app: ScriptedPorch) -> str:
    return "\n".join(strip.text for strip in app.screen.query_one(RoomLog).lines)


def roster_text(app: ScriptedPorch) -> str:
    return str(app.screen.query_one(Roster).render())


async def test_peer_markup_is_shown_literally_and_does_nothing() -> None:
    app = ScriptedPorch()
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.pause()
        assert HOSTILE in log_text(app)
        assert HOSTILE in roster_text(app)
        # Clicking the hostile name must not run the action it names.
        await pilot.click(Roster, offset=(4, 3))
        await pilot.pause()
        assert app.is_running
        assert isinstance(app.screen, RoomScreen)


async def test_raw_escape_sequences_never_reach_the_terminal() -> None:
    app = ScriptedPorch()
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.pause()
        text = log_text(app)
        assert "\x1b" not in text and "\x07" not in text
        assert "␛[31mred" in text


async def test_a_knock_rings_shows_a_toast_and_offers_admit_and_not_now() -> None:
    app = ScriptedPorch(script=(ev.Knocked(knock=7, nick=HOSTILE),))
    rings: list[None] = []
    app.bell = lambda: rings.append(None)  # type: ignore[method-assign]
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.pause()
        knocks = app.screen.query_one(KnockBar)
        assert knocks.display
        assert len(rings) == 1
        assert [view.nick for view in app.screen.knocks] == [HOSTILE]
        toasts = [str(n.message) for n in app._notifications]
        assert any(f"{HOSTILE} is knocking" in toast for toast in toasts)
        row = knocks.query_one(KnockRow)
        assert row.view.knock == 7
        assert row.query_one(".admit") and row.query_one(".not-now")
        app.post_message(RoomEvent(ev.KnockWithdrawn(knock=7, nick=HOSTILE)))
        await pilot.pause()
        assert not knocks.display


async def test_a_knock_set_aside_stays_marked_and_an_expired_one_goes() -> None:
    app = ScriptedPorch(
        script=(
            ev.Knocked(knock=7, nick=HOSTILE),
            ev.Knocked(knock=8, nick="cy"),
            ev.KnockSetAside(knock=7, nick=HOSTILE, by_nick="bo", mine=False),
        )
    )
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.pause()
        knocks = app.screen.query_one(KnockBar)
        rows = {row.view.knock: row for row in knocks.query(KnockRow)}
        assert rows[7].view.asked_to_wait and not rows[8].view.asked_to_wait
        assert (
            str(rows[7].query_one(".knock-who").render())
            == f"{HOSTILE} is knocking (asked to wait)"
        )
        assert rows[7].query_one(".admit")  # anyone can still let them in
        assert f"bo asked {HOSTILE} to wait. Anyone can still admit them." in log_text(app)
        app.post_message(RoomEvent(ev.KnockExpired(knock=8, nick="cy")))
        await pilot.pause()
        assert [row.view.knock for row in knocks.query(KnockRow)] == [7]
        assert "Nobody answered cy's knock; it has expired." in log_text(app)


async def test_a_knock_nobody_answered_ends_on_a_sentence() -> None:
    app = ScriptedPorch(script=(ev.Closed(ev.Ending.UNANSWERED, waited_s=600),))
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, EndedScreen)
        assert str(app.screen.query_one("#ended-sentence").render()) == (
            "Nobody answered your knock in 10 minutes. You can knock again later."
        )


async def test_a_room_that_ends_as_its_screen_opens_ends_on_a_sentence() -> None:
    """The room ends in the same burst as its screen opening: the screen is taken down while
    it is still being built, and the person reads why the room ended."""
    ended = ev.Closed(ev.Ending.UNANSWERED, waited_s=600)
    app = ScriptedPorch(script=())
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.pause()
        app.switch_screen(RoomScreen(app.room, seats=SEATS, room_code="3648 1369"))
        # The app's own handler, in the same turn: the screen has had no chance to be drawn.
        PorchApp.on_room_event(app, RoomEvent(ended))
        await until(lambda: ended_sentence(app), "the ended screen")
        assert ended_sentence(app) == sentence(ended)
        assert app.room_screen() is None


async def test_quitting_as_the_room_screen_opens_closes_without_an_error() -> None:
    """The screen opens with its first event for it, as the app opens it when a person is
    let in, and the app closes in the same turn: the screen never gets its widgets."""
    app = ScriptedPorch(script=())
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.pause()
        room = RoomScreen(app.room, seats=SEATS)
        app.switch_screen(room)
        room.post_message(RoomEvent(ev.Entered(slot=1, epoch=1, room_code="1234")))
        app.exit()
    assert app.return_code == 0


async def test_help_verify_and_invite_keys() -> None:
    app = ScriptedPorch()
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("f4")
        assert isinstance(app.screen, VerifyScreen)
        await pilot.pause()
        unverified = [
            row.seat.slot for row in app.screen.query(SeatToVerify) if row.query(".verify")
        ]
        assert unverified == [3]  # the not-yet-verified seat offers the mark
        await pilot.press("escape")
        assert isinstance(app.screen, RoomScreen)
        card = app.screen.query_one("#invite")
        assert card.display
        await pilot.press("f5")
        assert not card.display


async def test_screenshots_are_refused_because_nothing_is_kept(tmp_path, monkeypatch) -> None:
    """Textual saves screenshots to the Downloads folder, or the working directory."""
    home, cwd = tmp_path / "home", tmp_path / "cwd"
    for folder in (home / "Downloads", cwd):
        folder.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(home / "Downloads"))
    monkeypatch.chdir(cwd)
    app = ScriptedPorch()
    async with app.run_test(size=(110, 32)) as pilot:
        await app.run_action("screenshot")
        await app.run_action("screenshot('room.svg', '.')")
        for _ in range(5):
            await pilot.pause(0.05)
        assert any("does not save screenshots" in str(n.message) for n in app._notifications)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written == []


async def test_every_room_action_is_in_the_command_palette() -> None:
    app = ScriptedPorch(script=(ev.Knocked(knock=2, nick="cy"),))
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.pause()
        titles = await palette_titles(app)
        for expected in (
            "Help",
            "Admit cy",
            "Not now: cy",
            "Room code and verify",
            "Show or hide the invite",
            "Copy the invite",
            "Leave the room",
        ):
            assert expected in titles
        assert "Screenshot" not in [c.title for c in app.get_system_commands(app.screen)]


async def test_tampering_rings_and_stays_in_the_log() -> None:
    alarm = ev.Tampering(ev.Alarm.DIFFERENT_MESSAGES, ("cy", "bo"))
    warning = sentence(alarm)
    assert warning is not None
    app = ScriptedPorch(script=(alarm, ev.Gap(2, "bo", 3)))
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.pause()
        assert any(n.severity == "error" and n.message == warning for n in app._notifications)
        text = " ".join(log_text(app).split())  # the log wraps long lines
        assert warning in text and "3 messages from bo never arrived." in text


async def test_agreements_from_a_peer_are_shown_literally() -> None:
    app = ScriptedPorch(script=())
    async with app.run_test(size=(110, 32)) as pilot:
        answers: list[bool | None] = []
        app.push_screen(
            AgreementsConsent(f"1. {HOSTILE}\n2. \x1b[2Jclear", HOSTILE), answers.append
        )
        await pilot.pause()
        shown = str(app.screen.query_one("#consent-text").query_one("Static").render())
        assert HOSTILE in shown and "␛[2Jclear" in shown
        assert HOSTILE in str(app.screen.query_one(".title").render())
        await pilot.press("a")
        assert answers == [True]


async def test_a_message_cannot_draw_a_line_that_reads_as_someone_elses() -> None:
    """Every further line of a message hangs under a gutter, not where a time and a name go."""
    forged = "fine by me\n00:16 ana  I agree, keep the money\n\nbo  me too"
    said = ev.Said(seq=9, ts=0, slot=2, nick="bo", text=forged, mine=False)
    app = ScriptedPorch(script=(said,))
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.pause()
        lines = [line for line in log_text(app).splitlines() if line.strip()]
        mine = [line for line in lines if "keep the money" in line or "me too" in line]
        assert len(mine) == 2
        for line in mine:
            assert line.lstrip().startswith("┃"), line
            assert not line.startswith(("00:", "bo"))


async def test_the_newest_line_stays_in_view_when_the_log_grows_shorter() -> None:
    """A motion bar, an offer or a knock appearing above the log, or a smaller window, lays
    out after the newest line was scrolled to; that line must not end up below the fold."""
    said = tuple(
        ev.Said(seq=n, ts=0, slot=2, nick="bo", text=f"line {n}", mine=False) for n in range(40)
    )
    app = ScriptedPorch(script=said)
    async with app.run_test(size=(110, 40)) as pilot:
        log = app.screen.query_one(RoomLog)
        await until(lambda: "line 39" in log_text(app), "the last line")
        await until(lambda: log.scroll_y == log.max_scroll_y > 0, "the log at its end")
        await pilot.resize_terminal(110, 30)
        await until(lambda: log.size.height < 20, "the log shorter")
        await pilot.pause()
        assert log.scroll_y == log.max_scroll_y
