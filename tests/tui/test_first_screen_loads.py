"""The first screen is drawn before the room is loaded.

`porch new` and a browser tab ask for a name or an invite first; the session, the
protocol's endpoint and events, the relay and the room's screens come after it.
Imported up front, they were half of what `porch new` imported before its first
screen, so these checks draw the real first screen in a fresh interpreter and
look at what is in memory.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# What the first screen must not load: each is loaded once the person goes on.
LATER = (
    "tui.screens.room",
    "tui.screens.door",
    "tui.session",
    "tui.client",
    "tui.local_relay",
    "tui.sentences",
    "protocol.endpoint",
    "protocol.events",
    "relay",
    "websockets",
)

DRAW_THE_FIRST_SCREEN = """\
import asyncio, sys
from tui.app import Plan, PorchApp

async def first_screen() -> str:
    app = PorchApp(Plan(choosing={choosing}))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        return type(app.screen).__name__

shown = asyncio.run(first_screen())
later = {later!r}
print(shown, sorted(m for m in sys.modules if m.startswith(later)))
"""


@pytest.mark.parametrize(
    ("choosing", "screen"),
    [(False, "SetupScreen"), (True, "StartScreen")],
    ids=["porch new", "a browser tab"],
)
def test_the_first_screen_loads_no_room_session_or_relay(choosing: bool, screen: str) -> None:
    code = DRAW_THE_FIRST_SCREEN.format(choosing=choosing, later=LATER)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    shown, loaded = done.stdout.splitlines()[-1].split(" ", 1)
    assert shown == screen
    assert ast.literal_eval(loaded) == []


def test_the_web_server_loads_no_page_templates() -> None:
    """`porch web` serves its own page: textual-serve's Server, with its templates and
    logging, would only add to what the tab waits for."""
    code = (
        "import sys, tui.web.server\n"
        "print(sorted({'jinja2', 'textual_serve.server'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert ast.literal_eval(done.stdout.splitlines()[-1]) == []
