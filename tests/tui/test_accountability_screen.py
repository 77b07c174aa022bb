"""Motions and repair on the room screen, fed scripted events (no relay needed for layout).

What the bar, the vote dialog, the palette and the composer do with each step;
the same flows through a real relay are in test_accountability_flows.py.
"""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Input

from protocol import commands as cmd
from protocol import events as ev
from protocol.events import MotionStage, RepairStage
from protocol.room.repair import Step
from tests.tui.conftest import until
from tests.tui.pilots import click, showing, type_quickly
from tests.tui.scripted import HOSTILE, SEATS, TALK, ScriptedPorch
from tui.accountability import (
    RESULT_SHOWN_S,
    MotionView,
    holding,
    motions_after,
    motions_at,
    repair_after,
)
from tui.messages import Ask, RoomEvent
from tui.screens.room import RoomScreen
from tui.screens.vote import VoteScreen
from tui.widgets.motion_bar import MotionBar
from tui.widgets.stepped_out import SteppedOut

SIZE = (110, 32)
CY = ev.Seat(4, "cy", connected=True, verified=False, is_host=False, is_me=False)
FOUR = ev.RosterChanged(epoch=3, seats=(*SEATS, CY), room_code="amber otter violet seven")
MOVED = ev.MotionEvent(
    MotionStage.RAISED,
    b"motion-1",
    mover="bo",
    named=HOSTILE,
    reason="talks over people [b]loud[/b]",
    mover_is_me=False,
    named_is_me=False,
    i_vote=True,
    of=3,
    seconds_left=60,
)
SECONDED = replace(MOVED, stage=MotionStage.SECONDED, by="cy", seconds_left=120)
VOTING = replace(SECONDED, stage=MotionStage.VOTING, seconds_left=60)
OPEN_VOTE = (*TALK, FOUR, MOVED, SECONDED, VOTING)
OUCH = ev.RepairEvent(
    RepairStage.OPENED,
    flagger="bo",
    concerned="ana",
    text="that stung",
    speaker="bo",
    affected_me=True,
    agreements="1. Be kind.\n2. We repair harm together.",
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Recording(ScriptedPorch):
    """Keeps what the person asked for, instead of sending it anywhere."""

    def __init__(self, script: tuple[ev.Event, ...], clock: Clock | None = None) -> None:
        super().__init__(script, clock=clock or Clock())
        self.asked: list[cmd.Command] = []

    def on_ask(self, message: Ask) -> None:
        self.asked.append(message.command)


def room(app: ScriptedPorch) -> RoomScreen:
    screen = app.room_screen()
    assert screen is not None
    return screen


def bar(app: ScriptedPorch) -> list[str]:
    motions = room(app).query_one(MotionBar)
    return motions.lines if motions.display else []


def titles(app: ScriptedPorch) -> list[str]:
    return [action.title for action in room(app).accountability.actions()]


def toasts(app: ScriptedPorch) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def type_line(pilot, text: str) -> None:
    composer = room(pilot.app).query_one("#composer", Input)
    composer.focus()
    await type_quickly(pilot, text)
    await pilot.press("enter")


# --- the vote dialog ---------------------------------------------------------------


async def test_the_dialog_votes_on_the_motion_it_shows_and_decide_later_sends_nothing() -> None:
    app = Recording(OPEN_VOTE)
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: showing(app, VoteScreen), "the vote dialog")
        await pilot.press("escape")
        await until(lambda: showing(app, RoomScreen), "the dialog set aside")
        assert app.asked == []
        assert room(app).query_one("#motions .vote").display  # the bar offers it again
        room(app).accountability.open_vote(b"motion-1")
        await until(lambda: showing(app, VoteScreen), "the dialog again")
        await pilot.press("n")
        await until(lambda: app.asked, "a ballot")
        assert app.asked == [cmd.Vote(yes=False, about=3)]  # the seat of the person named


async def test_the_dialog_closes_when_the_vote_does_and_the_result_goes_after_a_while() -> None:
    clock = Clock()
    app = Recording(OPEN_VOTE, clock)
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: showing(app, VoteScreen), "the vote dialog")
        failed = replace(VOTING, stage=MotionStage.FAILED, cast=1, yes=1)
        app.post_message(RoomEvent(failed))
        await until(lambda: showing(app, RoomScreen), "the dialog gone")
        assert app.asked == []
        assert "Did not pass: 1 of 3 voted yes. The floor goes on." in bar(app)
        await pilot.press("y")  # a y now is just a y: the composer has it
        assert app.asked == []
        clock.now += RESULT_SHOWN_S
        await until(lambda: bar(app) == [], "the result gone from the bar")


async def test_a_ballot_cast_by_typing_closes_the_dialog() -> None:
    app = Recording(OPEN_VOTE)
    async with app.run_test(size=SIZE):
        await until(lambda: showing(app, VoteScreen), "the vote dialog")
        mine = replace(VOTING, stage=MotionStage.BALLOT, cast=1, voted=True)
        app.post_message(RoomEvent(mine))
        await until(lambda: showing(app, RoomScreen), "the dialog gone")
        assert "Voting · 1 of 3 voted · 1:00 left. Your vote is in." in bar(app)


async def test_the_bars_second_button_seconds_the_motion_it_sits_in() -> None:
    app = Recording((*TALK, FOUR, MOVED))
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: len(bar(app)) == 2, "the motion in the bar")
        assert bar(app)[1] == "Needs a second · 1:00 left. You can second it."
        assert not room(app).query_one("#motions .vote").display
        await click(pilot, "#motions .second")
        await until(lambda: app.asked, "a second")
        assert app.asked == [cmd.Second(about=3)]


async def test_the_reason_is_shown_literally_and_the_named_person_gets_no_dialog() -> None:
    about_me = replace(MOVED, named="ana", named_is_me=True, i_vote=False)
    script = (*TALK, about_me, replace(about_me, stage=MotionStage.VOTING, by="cy"))
    app = Recording(script)
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: len(bar(app)) == 2, "the motion in the bar")
        assert bar(app)[0] == "bo moved to remove you: talks over people [b]loud[/b]"
        assert bar(app)[1] == "Voting · 0 of 3 voted · 1:00 left. The others vote."
        assert not isinstance(app.screen, VoteScreen)
        await pilot.click(MotionBar)
        assert app.is_running and app.asked == []


# --- the palette and the composer --------------------------------------------------------


async def test_the_palette_offers_what_this_person_can_do_now() -> None:
    app = Recording((*TALK, FOUR))
    async with app.run_test(size=SIZE):
        await until(lambda: len(room(app).seats) == 4, "four seats")
        assert titles(app) == [
            "Ouch: flag harm",
            "Move to remove bo…",
            f"Move to remove {HOSTILE}…",
            "Move to remove cy…",
        ]
        app.post_message(RoomEvent(MOVED))
        await until(lambda: f"Second the motion to remove {HOSTILE}" in titles(app), "second")
        app.post_message(RoomEvent(SECONDED))
        app.post_message(RoomEvent(VOTING))
        await until(lambda: f"Vote yes: remove {HOSTILE}" in titles(app), "vote yes")
        assert f"Vote no: keep {HOSTILE}" in titles(app)
        assert not any(t.startswith("Second") for t in titles(app))
        app.post_message(RoomEvent(OUCH))
        await until(lambda: "Repair: continue" in titles(app), "the repair choices")
        assert {"Repair: more time", "Repair: step out"} <= set(titles(app))
        app.post_message(RoomEvent(ev.Closed(ev.Ending.STEPPED_OUT)))
        await until(lambda: room(app).query_one(SteppedOut).display, "stepped out")
        assert titles(app) == ["Come back into the room"]
        assert room(app).repair is None and bar(app) == []


async def test_the_composer_speaks_the_plain_modes_words() -> None:
    app = Recording((*TALK, FOUR))
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: len(room(app).seats) == 4, "four seats")
        for line in (
            "/motion remove cy talks a lot",
            "/second",
            "/vote yes",
            "/vote no cy",
            "/ouch that hurt",
            "/continue",
            "/more",
            "/stepout",
            "/done",
        ):
            await type_line(pilot, line)
        await until(lambda: len(app.asked) == 9, "nine commands")
        assert app.asked[:8] == [
            cmd.Motion(4, "talks a lot"),
            cmd.Second(),
            cmd.Vote(yes=True),
            cmd.Vote(yes=False, about=4),
            cmd.Ouch("that hurt"),
            cmd.Repair(Step.CONTINUE),
            cmd.Repair(Step.MORE),
            cmd.Repair(Step.STEP_OUT),
        ]
        for line in ("/motion remove nobody at all", "/vote maybe", "/motion remove cy"):
            await type_line(pilot, line)
        await until(lambda: len(toasts(app)) >= 3, "three sentences saying how")
        assert "Nobody in the room has that name. /who lists the seats." in toasts(app)
        assert "Vote with /vote yes or /vote no." in toasts(app)
        assert "Say whom and why: /motion remove NAME REASON." in toasts(app)
        assert len(app.asked) == 9


async def test_the_composer_speaks_the_agreements_words() -> None:
    app = Recording((*TALK, FOUR))
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: len(room(app).seats) == 4, "four seats")
        for line in ("/amend We start on time.", "/consent", "/object I am often late", "/amend"):
            await type_line(pilot, line)
        await until(lambda: len(app.asked) == 3, "three commands")
        assert app.asked == [
            cmd.Amend("We start on time."),
            cmd.Consent(),
            cmd.Object("I am often late"),
        ]
        await until(lambda: "Say what: /amend TEXT." in toasts(app), "how to amend")


# --- what the screen keeps, step by step ---------------------------------------------------


def test_a_ballot_counts_on_its_step_and_a_result_is_shown_briefly() -> None:
    shown = motions_after((), VOTING, now=10.0)
    assert shown[0].left(10.0) == 60 and shown[0].left(10.5) == 60 and shown[0].left(70.0) == 0
    ballot = replace(VOTING, stage=MotionStage.BALLOT, cast=2, voted=True, seconds_left=0)
    shown = motions_after(shown, ballot, now=20.0)
    assert shown[0].stage is MotionStage.VOTING and shown[0].motion.cast == 2
    assert shown[0].left(20.0) == 50 and not shown[0].can_vote
    assert motions_after((), ballot, now=20.0) == ()  # a ballot for a motion never seen
    passed = motions_after(shown, replace(VOTING, stage=MotionStage.PASSED), now=30.0)
    assert len(passed) == 1 and not passed[0].is_open
    assert motions_at(passed, 30.0 + RESULT_SHOWN_S - 1) == passed
    assert motions_at(passed, 30.0 + RESULT_SHOWN_S) == ()
    assert holding(None, shown) == "a motion" and holding(None, passed) == ""
    assert holding(None, (MotionView(MOVED, 70.0),)) == ""  # not held before a second


def test_the_repair_round_keeps_each_persons_latest_choice_and_nothing_once_closed() -> None:
    view = repair_after(None, OUCH)
    assert view is not None and view.agreements == ("2. We repair harm together.",)
    chose = ev.RepairEvent(RepairStage.CHOSE, flagger="bo", who="ana", choice="more")
    view = repair_after(repair_after(view, chose), replace(chose, choice="continue"))
    assert view is not None and view.choices == (("ana", "continue"),)
    turn = ev.RepairEvent(RepairStage.TURN, flagger="bo", speaker="ana", speaker_is_me=True)
    view = repair_after(view, replace(turn, affected_me=True))
    assert view is not None and view.speaker_is_me and view.text == "that stung"
    assert holding(view, ()) == "a repair round"
    assert repair_after(view, ev.RepairEvent(RepairStage.CLOSED, "")) is None
    assert repair_after(None, turn) is None  # a turn of a round never seen
