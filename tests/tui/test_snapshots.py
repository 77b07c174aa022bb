"""Snapshots of the main screens (pytest-textual-snapshot); update with --snapshot-update."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from textual import events

from protocol import events as ev
from protocol.events import MotionStage, RepairStage
from protocol.invite import Invite
from protocol.room.floor import HOLD, Floor, Hand, HandKind, Mode, Pause, Talk
from tests.tui.conftest import until
from tests.tui.pilots import showing
from tests.tui.scripted import HOSTILE, SEATS, TALK, ScriptedPorch, show_floor
from tui.app import Plan, PorchApp
from tui.entry import DEFAULT_AGREEMENTS
from tui.screens.consent import AgreementsConsent
from tui.screens.ended import EndedScreen
from tui.screens.offer import OfferConfirm
from tui.screens.vote import VoteScreen
from tui.sentences import sentence
from tui.widgets.composer import Composer
from tui.widgets.floor_panel import FloorPanel
from tui.widgets.motion_bar import MotionBar
from tui.widgets.offer_panel import OfferPanel
from tui.widgets.room_log import RoomLog

SIZE = (110, 32)


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    # The log shows local clock times; pin the zone so the snapshot is the same anywhere.
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def test_setup_for_a_new_room(snap) -> None:
    assert snap(PorchApp(Plan()), terminal_size=SIZE, run_before=steady)


def test_setup_for_joining(snap) -> None:
    invite = Invite("ws://127.0.0.1:8765", bytes(32), bytes(32)).text  # fixed, so stable
    assert snap(PorchApp(Plan(invite=invite, nick="bo")), terminal_size=SIZE, run_before=steady)


async def settled(pilot) -> None:
    """Wait until every scripted event is on screen, so a loaded machine cannot race the shot."""
    app = pilot.app
    script = app.script
    lines = sum(1 for event in script if sentence(event))
    knocks = sum(1 for event in script if isinstance(event, ev.Knocked))

    def done() -> bool:
        room = app.room_screen()
        if room is None:
            return False
        log = room.query_one(RoomLog)
        return (
            len(log.lines) >= lines
            and log.laid_out  # at the width the window gave it, not one from before
            and len(room.knocks) == knocks
            and len(app._notifications) >= knocks
        )

    await until(done, "the scripted room")
    await steady(pilot)
    # The first layouts can give the log a width it keeps only a moment; the talk is drawn
    # again at the next one once that settles.
    await until(done, "the talk drawn at the log's width")


async def steady(pilot) -> None:
    """Stop cursors blinking: a shot taken mid-blink on a loaded machine would differ."""
    await pilot.pause()
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


def test_room(snap) -> None:
    assert snap(ScriptedPorch(), terminal_size=SIZE, run_before=settled)


@pytest.mark.parametrize("size", [(60, 20), (120, 40)], ids=["60x20", "120x40"])
def test_room_in_a_small_and_a_large_window(snap, size) -> None:
    """At 60×20 the invite is one line, the names column stays narrow, and the talk
    wraps inside the window (nothing is cut off at the right edge)."""
    long_line = ev.Said(
        seq=3,
        ts=120_000,
        slot=2,
        nick="bo",
        text="A longer message that must wrap inside a small window rather than run past it.",
        mine=False,
    )
    script = (*TALK, long_line, ev.Knocked(knock=4, nick="cy"))
    assert snap(ScriptedPorch(script=script), terminal_size=size, run_before=settled)


def test_room_code_and_verify(snap) -> None:
    async def verify(pilot) -> None:
        await settled(pilot)
        await pilot.press("f4")
        await steady(pilot)

    assert snap(ScriptedPorch(invite=None), terminal_size=SIZE, run_before=verify)


def test_help(snap) -> None:
    async def help_screen(pilot) -> None:
        await settled(pilot)
        await pilot.press("f1")
        await steady(pilot)

    assert snap(ScriptedPorch(), terminal_size=SIZE, run_before=help_screen)


def test_agreements_consent(snap) -> None:
    async def offer(pilot) -> None:
        await steady(pilot)
        pilot.app.push_screen(AgreementsConsent(DEFAULT_AGREEMENTS, "ana"))
        await pilot.pause()

    assert snap(ScriptedPorch(script=()), terminal_size=SIZE, run_before=offer)


def test_room_is_full(snap) -> None:
    async def refuse(pilot) -> None:
        pilot.app.push_screen(
            EndedScreen("This room already has 12 people. Ask the facilitator for another room.")
        )
        await steady(pilot)

    assert snap(ScriptedPorch(script=()), terminal_size=SIZE, run_before=refuse)


def test_room_with_people_knocking(snap) -> None:
    knocks = (ev.Knocked(knock=4, nick="cy"), ev.Knocked(knock=5, nick="dee"))
    assert snap(ScriptedPorch(script=TALK + knocks), terminal_size=SIZE, run_before=settled)


def test_room_with_a_knock_someone_asked_to_wait(snap) -> None:
    knocks = (
        ev.Knocked(knock=4, nick="cy"),
        ev.Knocked(knock=5, nick="dee"),
        ev.KnockSetAside(knock=4, nick="cy", by_nick="bo", mine=False),
    )
    assert snap(ScriptedPorch(script=TALK + knocks), terminal_size=SIZE, run_before=settled)


# --- the floor --------------------------------------------------------------------

ROUND = Floor(Mode.ROUND, speaker=2, since=0, queue=(3, 1), timer_s=120, seats=(1, 2, 3))
STACK = Floor(
    Mode.STACK,
    speaker=1,
    hands=(
        Hand(2, HandKind.HAND, 10),
        Hand(3, HandKind.REPLY, 11, 1),
        Hand(2, HandKind.PROCESS, 12),
    ),
    seats=(1, 2, 3),
)
PAUSED = replace(ROUND, paused=Pause(3, 30_000))
BALANCE = (Talk(1, 95_000, 2), Talk(2, 40_000, 1), Talk(3, 0, 0))


def floor_shown(floor: Floor, elapsed: int | None, balance=None):
    async def show(pilot) -> None:
        await settled(pilot)
        show_floor(pilot.app, floor, elapsed, balance)
        await steady(pilot)

    return show


@pytest.mark.parametrize(
    ("floor", "elapsed", "balance"),
    [
        pytest.param(ROUND, 42_000, None, id="go-round"),
        pytest.param(STACK, 5_000, None, id="stack-with-a-reply-and-a-point-of-process"),
        pytest.param(PAUSED, 30_000, None, id="pause"),
        pytest.param(Floor(seats=(1, 2, 3)), None, BALANCE, id="balance"),
    ],
)
def test_the_floor(snap, floor, elapsed, balance) -> None:
    show = floor_shown(floor, elapsed, balance)
    assert snap(ScriptedPorch(), terminal_size=SIZE, run_before=show)


# --- shared accountability: the motion bar, the vote, the repair round -------------------

CY = ev.Seat(4, "cy", connected=True, verified=False, is_host=False, is_me=False)
FOUR = ev.RosterChanged(epoch=3, seats=(*SEATS, CY), room_code="3648 1369 6160 8544 2575")
REASON = "talks over people [b]loud[/b]"
MOVED = ev.MotionEvent(
    MotionStage.RAISED,
    b"motion-1",
    mover="bo",
    named=HOSTILE,
    reason=REASON,
    mover_is_me=False,
    named_is_me=False,
    i_vote=True,
    of=3,
    seconds_left=60,
)
SECONDED = replace(MOVED, stage=MotionStage.SECONDED, by="cy", seconds_left=120)
VOTING = replace(SECONDED, stage=MotionStage.VOTING, seconds_left=60)
ABOUT_ME = replace(
    MOVED, key=b"motion-2", mover="cy", named="ana", named_is_me=True, i_vote=False, seconds_left=45
)
OUCH = ev.RepairEvent(
    RepairStage.OPENED,
    flagger="ana",
    concerned="bo",
    text="that stung [@click=app.quit]",
    speaker="ana",
    speaker_is_me=True,
    affected_me=True,
    agreements=DEFAULT_AGREEMENTS + "\n5. When someone says ouch, we listen first.",
)
HELD = replace(ROUND, paused=Pause(HOLD, 30_000))


def until_shown(what: str, shown):
    async def wait(pilot) -> None:
        await settled(pilot)
        await until(lambda: shown(pilot.app), what)
        await steady(pilot)

    return wait


def test_the_vote_dialog(snap) -> None:
    script = (
        *TALK,
        FOUR,
        MOVED,
        SECONDED,
        VOTING,
        replace(VOTING, stage=MotionStage.BALLOT, cast=1),
    )
    opened = until_shown("the vote dialog", lambda app: isinstance(app.screen, VoteScreen))
    assert snap(ScriptedPorch(script=script), terminal_size=SIZE, run_before=opened)


def test_the_motion_bar(snap) -> None:
    voted = replace(VOTING, stage=MotionStage.BALLOT, cast=2, voted=True)
    script = (*TALK, FOUR, MOVED, SECONDED, VOTING, voted, ABOUT_ME)

    def two_motions(app) -> bool:
        room = app.room_screen()
        return room is not None and len(room.query_one(MotionBar).rows) == 2

    async def shown(pilot) -> None:
        await until_shown("two motions", two_motions)(pilot)
        # The dialog opened with the vote, and closed itself when our ballot came in.
        assert not isinstance(pilot.app.screen, VoteScreen)

    assert snap(ScriptedPorch(script=script), terminal_size=SIZE, run_before=shown)


def test_a_repair_round_in_the_floor_panel(snap) -> None:
    choice = ev.RepairEvent(RepairStage.CHOSE, flagger="ana", who="bo", choice="continue")

    async def shown(pilot) -> None:
        await until_shown("the round", lambda app: app.room_screen().repair is not None)(pilot)
        show_floor(pilot.app, HELD, 30_000)
        await until(lambda: "bo: ready to continue" in floor_lines(pilot.app), "bo's choice")
        await steady(pilot)

    script = (*TALK, OUCH, choice)
    assert snap(ScriptedPorch(script=script), terminal_size=SIZE, run_before=shown)


def floor_lines(app) -> list[str]:
    return app.room_screen().query_one(FloorPanel).lines


OFFERED = ev.OfferEvent(
    ev.OfferStage.OFFERED,
    1,
    "file",
    "bo",
    "minutes " + HOSTILE + ".pdf",
    2_100_000,
    mine=False,
    mime="application/pdf",
    to=("you", "cy"),
)
LINK = ev.OfferEvent(
    ev.OfferStage.OFFERED, 2, "link", HOSTILE, "example.org", 30, mine=False, to=("you",)
)


def test_an_offer_made_to_you(snap) -> None:
    def two_offers(app) -> bool:
        room = app.room_screen()
        return room is not None and len(room.query_one(OfferPanel).rows) == 2

    shown = until_shown("two offers in the panel", two_offers)
    assert snap(
        ScriptedPorch(script=(*TALK, OFFERED, LINK), invite=None),
        terminal_size=SIZE,
        run_before=shown,
    )


def test_the_confirm_before_a_text_offer(snap) -> None:
    text = "Notes from the last meeting:\n- the garden rota\n- who brings the tea"

    async def pasted(pilot) -> None:
        await settled(pilot)
        composer = pilot.app.room_screen().query_one(Composer)
        composer.focus()
        composer.post_message(events.Paste(text))
        await until(lambda: showing(pilot.app, OfferConfirm), "the confirm dialog")
        await steady(pilot)

    assert snap(ScriptedPorch(), terminal_size=SIZE, run_before=pasted)
