"""Removal by vote and repair in the terminal app, through a real relay with real clients.

A motion needs four people: the rooms here hold one or two real app instances,
driven with Pilot, beside headless members (a real client and endpoint each)
that the test drives. What is asserted is what a person sees: the motion bar,
the vote dialog, the floor panel, toasts, the ended screen.
"""

from __future__ import annotations

from protocol import commands as cmd
from protocol import events as ev
from protocol.events import MotionStage, RepairStage
from protocol.room import floor as fl
from protocol.room.repair import Step
from tests.tui.conftest import until
from tests.tui.headless import Member, Members
from tests.tui.pilots import (
    app_joins,
    click,
    ended_sentence,
    from_palette,
    give_name,
    let_in,
    log_of,
    open_room,
    room_drawn,
    showing,
    toasts,
    type_line,
)
from tui.app import Plan, PorchApp
from tui.screens.consent import AgreementsConsent
from tui.screens.motion import MotionScreen
from tui.screens.room import RoomScreen
from tui.screens.vote import VoteScreen
from tui.vote_sentences import BALLOTS_SEEN
from tui.widgets.floor_panel import FloorPanel
from tui.widgets.motion_bar import MotionBar
from tui.widgets.stepped_out import SteppedOut

SIZE = (120, 40)
AGREEMENTS = "1. What is said here stays here.\n2. When someone says ouch, we listen first."


# --- what a person sees --------------------------------------------------------------


def bar(app: PorchApp) -> list[str]:
    room = room_drawn(app)
    if room is None or not room.query_one(MotionBar).display:
        return []
    return room.query_one(MotionBar).lines


def panel(app: PorchApp) -> list[str]:
    room = room_drawn(app)
    return room.query_one(FloorPanel).lines if room else []


def screen_text(app: PorchApp) -> str:
    return " ".join(str(s.render()) for s in app.screen.query("Static"))


def slot_of(member: Member, nick: str) -> int:
    return next(seat.slot for seat in member.endpoint.seats if seat.nick == nick)


# --- removal by vote ---------------------------------------------------------------------


async def test_a_motion_from_the_palette_is_seconded_answered_and_voted_yes_in_the_dialog(
    relay_url: str, members: Members
) -> None:
    ana = PorchApp(Plan(relay_url=relay_url))
    async with ana.run_test(size=SIZE) as ap:
        invite = await open_room(ap, "ana")
        bo = await let_in(ap, members, invite, "bo")
        cy = await let_in(ap, members, invite, "cy")
        di = PorchApp(Plan(invite=invite))
        async with di.run_test(size=SIZE) as dp:
            await app_joins(ap, dp, "di")
            await until(lambda: len(ana.session.seats) == 4, "four seats")

            await from_palette(ap, "Move to remove di")
            await until(lambda: showing(ana, MotionScreen), "the reason dialog")
            await ap.press(*"talks over everyone", "enter")
            await until(lambda: bar(ana)[:1] == ["You moved to remove di: talks over everyone"], "")
            assert bar(ana)[1].startswith("Needs a second from another member")
            # di hears of it with a bell and a toast, and sees the same motion in the bar
            await until(lambda: "A motion about you" in dict(toasts(di)), "di told")
            assert bar(di)[0] == "ana moved to remove you: talks over everyone"

            await bo.expect(ev.MotionEvent, lambda e: e.stage is MotionStage.RAISED)
            bo.send(cmd.Second())
            await until(lambda: bar(ana)[1:2] and bar(ana)[1].startswith("di answers"), "answer")
            assert "Held by the room for a motion" in panel(ana)
            await until(lambda: "Your turn to answer" in dict(toasts(di)), "di's turn to answer")
            await type_line(dp, "I will wait my turn from now on")
            await until(lambda: "di  I will wait my turn from now on" in log_of(ana), "di's answer")
            await dp.press("f7")  # done: the vote opens

            await until(lambda: showing(ana, VoteScreen), "the vote dialog at ana's")
            shown = screen_text(ana)
            assert "Should di leave the room?" in shown and "talks over everyone" in shown
            assert "strict majority of the 3 voters: at least 2" in shown
            assert "Not voting counts as no." in shown
            assert " ".join(BALLOTS_SEEN.split()) in " ".join(shown.split())
            assert not isinstance(di.screen, VoteScreen)  # the person named does not vote
            await ap.press("escape")  # decide later
            await until(lambda: showing(ana, RoomScreen), "the dialog set aside")
            assert bar(ana)[1].startswith("Voting · 0 of 3 voted")
            await click(ap, "#motions .vote")  # the bar opens it again
            await until(lambda: showing(ana, VoteScreen), "the dialog again")
            await ap.press("y")
            await until(lambda: "Voting · 1 of 3 voted" in " ".join(bar(ana)), "ana's ballot")
            assert "Your vote is in." in bar(ana)[1]

            bo.send(cmd.Vote(yes=True))
            await until(lambda: "Voting · 2 of 3 voted" in " ".join(bar(ana)), "bo's ballot")
            assert not any("bo" in line or "cy" in line for line in bar(ana))  # totals only
            cy.send(cmd.Vote(yes=False))
            await until(lambda: "Passed: 2 of 3 voted yes." in bar(ana), "the result in the bar")
            await until(lambda: "The vote's result" in dict(toasts(ana)), "the result's toast")

            await until(lambda: ended_sentence(di), "di's ended screen")
            ended = ended_sentence(di)
            assert ended.startswith("The room voted for you to leave")
            assert "The reason given: talks over everyone." in ended
        await until(lambda: "di was removed by the room's vote" in log_of(ana), "the removal")


async def test_the_vote_dialog_closes_itself_when_the_vote_closes(
    relay_url: str, members: Members
) -> None:
    ana = PorchApp(Plan(relay_url=relay_url))
    async with ana.run_test(size=SIZE) as ap:
        invite = await open_room(ap, "ana")
        bo = await let_in(ap, members, invite, "bo")
        cy = await let_in(ap, members, invite, "cy")
        di = await let_in(ap, members, invite, "di")
        await until(lambda: len(ana.session.seats) == 4, "four seats")
        for person in (bo, cy, di):
            await person.expect(ev.RosterChanged, lambda e: len(e.seats) == 4)
        bo.endpoint.motion_windows = (60, 30, 5)  # a short vote: nobody votes in time
        bo.send(cmd.Motion(slot_of(bo, "di"), "keeps interrupting"))
        await until(lambda: bar(ana)[:1] == ["bo moved to remove di: keeps interrupting"], "bar")
        assert "You can second it." in bar(ana)[1]
        await type_line(ap, "/second")
        await di.expect(ev.MotionEvent, lambda e: e.stage is MotionStage.SECONDED)
        di.send(cmd.Floor(fl.FloorAct(fl.Act.DONE)))
        await until(lambda: showing(ana, VoteScreen), "the vote dialog")
        await until(lambda: not isinstance(ana.screen, VoteScreen), "the dialog closed", 20)
        assert "Did not pass: 0 of 3 voted yes. The floor goes on." in bar(ana)
        assert cy.endpoint.my_slot is not None  # nobody was removed


# --- repair --------------------------------------------------------------------------


async def test_a_repair_round_in_the_floor_panel_closes_with_continue(
    relay_url: str, members: Members
) -> None:
    ana = PorchApp(Plan(relay_url=relay_url, agreements=AGREEMENTS))
    async with ana.run_test(size=SIZE) as ap:
        invite = await open_room(ap, "ana")
        bo = await let_in(ap, members, invite, "bo")
        await bo.expect(ev.RosterChanged)
        bo.send(cmd.Say("that idea is silly"))
        await until(lambda: "bo  that idea is silly" in log_of(ana), "bo's message")
        await type_line(ap, "/ouch that stung")
        await until(lambda: "Repair round" in panel(ana), "the round in the floor panel")
        lines = panel(ana)
        assert "Held by the room for a repair round" in lines
        assert "Flagged by ana, about bo" in lines and "“that stung”" in lines
        assert "▶ Your turn (F7: done)" in lines
        # the agreements about repair, not the others
        assert "2. When someone says ouch, we listen first." in lines
        assert "1. What is said here stays here." not in lines
        await until(lambda: "Ouch" in dict(toasts(ana)), "the ouch toast")
        assert ana.room_screen().query_one("#repair-continue").display
        await ap.press("f8")  # nobody's pause or resume moves a floor the room holds
        await until(lambda: "The room holds the floor while it votes" in log_of(ana), "why")
        await type_line(ap, "/floor")
        await until(lambda: any("held by the room" in t for _, t in toasts(ana)), "/floor")

        await ap.press("f7")  # ana has spoken
        await until(lambda: "▶ bo speaks" in panel(ana), "bo's turn in the round")
        await bo.expect(ev.RepairEvent, lambda e: e.speaker_is_me)
        bo.send(cmd.Floor(fl.FloorAct(fl.Act.DONE)))
        await until(lambda: "▶ Anyone may speak" in panel(ana), "anyone's turn")
        bo.send(cmd.Repair(Step.CONTINUE))
        await until(lambda: "bo: ready to continue" in panel(ana), "bo's choice")
        await click(ap, "#repair-continue")
        await bo.expect(ev.RepairEvent, lambda e: e.stage is RepairStage.CLOSED)
        await until(lambda: "Repair round" not in panel(ana), "the round closed")
        assert not any(line.startswith("Held by the room") for line in panel(ana))
        await until(lambda: "The repair round is over." in log_of(ana), "the round's end")


async def test_stepping_out_of_a_repair_round_and_coming_back(
    relay_url: str, members: Members
) -> None:
    ana = await members.host(relay_url, "ana", AGREEMENTS)
    bo = PorchApp(Plan(invite=ana.endpoint.invite))
    async with bo.run_test(size=SIZE) as bp:
        await give_name(bp, "bo")
        await until(lambda: showing(bo, AgreementsConsent), "the agreements")
        await bp.press("a")
        knock = await ana.expect(ev.Knocked, lambda e: e.nick == "bo")
        ana.send(cmd.Admit(knock.knock))
        await until(lambda: "You are in the room" in log_of(bo), "bo inside")
        await type_line(bp, "that idea is silly")
        await ana.expect(ev.Said, lambda e: e.text == "that idea is silly")
        ana.send(cmd.Ouch("that stung"))
        await until(lambda: "Flagged by ana, about bo" in panel(bo), "the round at bo's")
        await until(lambda: "Ouch" in dict(toasts(bo)), "the ouch toast")
        await from_palette(bp, "Repair: step out")

        await until(lambda: bo.room_screen().query_one(SteppedOut).display, "stepped out")
        assert "You stepped out of the room." in log_of(bo)
        assert "Repair round" not in panel(bo)
        await ana.expect(ev.RepairEvent, lambda e: e.stage is RepairStage.CHOSE)
        await type_line(bp, "hello?")  # not sent while out
        await until(lambda: any("nothing was sent" in t for _, t in toasts(bo)), "why not")

        # The door waits while the room repairs: ana's choice closes the round first.
        ana.send(cmd.Repair(Step.CONTINUE))
        await ana.expect(ev.RepairEvent, lambda e: e.stage is RepairStage.CLOSED)
        await click(bp, "#come-back")
        await ana.expect(ev.Admitted, lambda e: e.nick == "bo" and e.returning, seconds=60)
        await until(lambda: log_of(bo).count("You are in the room") == 2, "bo back", 60)
        assert not bo.room_screen().query_one(SteppedOut).display
        await type_line(bp, "I am back")
        await ana.expect(ev.Said, lambda e: e.text == "I am back")
        assert not any(isinstance(e, ev.Said) and e.text == "hello?" for e in ana.seen)
