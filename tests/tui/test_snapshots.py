"""Snapshots of the main screens (pytest-textual-snapshot); update with --snapshot-update."""

from __future__ import annotations

import time

import pytest

from protocol import events as ev
from protocol.invite import Invite
from tests.tui.scripted import TALK, ScriptedPorch
from tui.app import Plan, PorchApp
from tui.screens.consent import AgreementsConsent
from tui.screens.ended import EndedScreen
from tui.session import DEFAULT_AGREEMENTS

SIZE = (110, 32)


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    # The log shows local clock times; pin the zone so the snapshot is the same anywhere.
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def test_setup_for_a_new_room(snap_compare) -> None:
    assert snap_compare(PorchApp(Plan()), terminal_size=SIZE)


def test_setup_for_joining(snap_compare) -> None:
    invite = Invite("ws://127.0.0.1:8765", bytes(32), bytes(32)).text  # fixed, so stable
    assert snap_compare(PorchApp(Plan(invite=invite, nick="bo")), terminal_size=SIZE)


def test_room(snap_compare) -> None:
    assert snap_compare(ScriptedPorch(), terminal_size=SIZE)


def test_room_code_and_verify(snap_compare) -> None:
    assert snap_compare(ScriptedPorch(invite=None), terminal_size=SIZE, press=["f4"])


def test_help(snap_compare) -> None:
    assert snap_compare(ScriptedPorch(), terminal_size=SIZE, press=["f1"])


def test_agreements_consent(snap_compare) -> None:
    async def offer(pilot) -> None:
        pilot.app.push_screen(AgreementsConsent(DEFAULT_AGREEMENTS, "ana"))
        await pilot.pause()

    assert snap_compare(ScriptedPorch(script=()), terminal_size=SIZE, run_before=offer)


def test_room_is_full(snap_compare) -> None:
    async def refuse(pilot) -> None:
        pilot.app.push_screen(
            EndedScreen("This room already has 12 people. Ask the facilitator for another room.")
        )
        await pilot.pause()

    assert snap_compare(ScriptedPorch(script=()), terminal_size=SIZE, run_before=refuse)


def test_room_with_people_knocking(snap_compare) -> None:
    knocks = (ev.Knocked(knock=4, nick="cy"), ev.Knocked(knock=5, nick="dee"))
    assert snap_compare(ScriptedPorch(script=TALK + knocks), terminal_size=SIZE)
