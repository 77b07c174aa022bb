"""How fast the terminal client starts and draws a long conversation.

    python -m bench.tui_bench [--runs 7] [--messages 2000] [--kept 5000]

Each figure is measured in this run, next to a baseline measured the same way:

- start to interactive: constructing the app until its first screen is drawn
  and takes keys (headless, ``App.run_test``), against an empty Textual app
  and against a bare Textual app holding the same widgets;
- importing the client (a fresh interpreter), against importing Textual alone;
- drawing a 2,000-message log: the room's own log fed room events through the
  app's message handlers, the same log widget fed directly, and a bare
  ``RichLog`` and ``Log`` holding the same 2,000 lines;
- laying a full log (5,000 messages, all it keeps) out again at a new width,
  against drawing the same messages into it the first time.

Medians of several runs; the table says how many times the baseline each costs.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Button, Footer, Input, Label, Log, RichLog, TextArea

from bench.bytecode import compiled
from protocol import events as ev
from protocol.room.floor import Floor
from tui.app import Plan, PorchApp
from tui.messages import RoomEvent
from tui.screens.room import RoomScreen
from tui.screens.setup import SetupScreen
from tui.widgets.room_log import MAX_MESSAGES, RoomLog

SIZE = (120, 40)
SEATS = (ev.Seat(0, "ana", True, False, True, True), ev.Seat(1, "bo", True, False, False, False))


def said(i: int) -> ev.Said:
    nick = "ana" if i % 2 else "bo"
    text = f"message {i}: a sentence of ordinary length, as people write in a room."
    return ev.Said(seq=i, ts=1_700_000_000_000 + i * 1000, slot=i % 2, nick=nick, text=text,
                   mine=bool(i % 2))  # fmt: skip


class Empty(App[None]):
    def compose(self) -> ComposeResult:
        yield Label("ready")


class SameWidgets(App[None]):
    """The setup screen's widgets with Textual's default styles: no Porch code at all."""

    def compose(self) -> ComposeResult:
        yield Label("Open a new room")
        yield Input()
        yield TextArea("1. What is said here stays here.")
        yield Button("Open the room")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()


class BareRichLog(App[None]):
    def compose(self) -> ComposeResult:
        yield RichLog(markup=False, highlight=False, wrap=True)


class BareLog(App[None]):
    def compose(self) -> ComposeResult:
        yield Log()


class LogOnly(App[None]):
    def compose(self) -> ComposeResult:
        yield RoomLog()


class StillRoom:
    """The room's live view with nothing going on: an open floor, no invite, no offers."""

    invite = None
    floor = Floor()
    my_slot = 1
    offer_limit = 0
    runs_the_relay = False

    def label(self, slot: int) -> str:
        return f"seat {slot + 1}"

    def floor_elapsed_ms(self) -> int | None:
        return None

    def offer_content(self, number: int) -> tuple[str, bytes] | None:
        return None


class Room(PorchApp):
    def on_mount(self, mount: events.Mount) -> None:
        mount.prevent_default()
        self.push_screen(RoomScreen(StillRoom(), seats=SEATS, room_code="123 456 789 012"))


async def start_porch() -> float:
    started = time.perf_counter()
    app = PorchApp(Plan())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen) and app.focused is not None
        return time.perf_counter() - started


async def start_empty() -> float:
    started = time.perf_counter()
    app = Empty()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        return time.perf_counter() - started


async def start_same_widgets() -> float:
    started = time.perf_counter()
    app = SameWidgets()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.focused is not None
        return time.perf_counter() - started


async def draw_room(n: int) -> float:
    app = Room(Plan())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        log = app.screen.query_one(RoomLog)
        started = time.perf_counter()
        for i in range(n):
            app.post_message(RoomEvent(said(i)))
        for _ in range(10_000):
            if len(log.lines) >= n:
                break
            await asyncio.sleep(0.001)
        await pilot.pause()
        assert len(log.lines) >= n
        return time.perf_counter() - started


async def draw_widget(app: App[None], write: Callable[[int], None], n: int) -> float:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        started = time.perf_counter()
        for i in range(n):
            write(i)
        await pilot.pause()
        return time.perf_counter() - started


async def draw_room_log(n: int) -> float:
    app = LogOnly()
    return await draw_widget(app, lambda i: app.query_one(RoomLog).add_said(said(i)), n)


class TimedLog(RoomLog):
    """The room's log, timing each layout that draws the talk again at a new width."""

    def __init__(self) -> None:
        super().__init__()
        self.layouts: list[float] = []

    def lay_out(self) -> None:
        width, started = self.laid_out_at, time.perf_counter()
        super().lay_out()
        if self.laid_out_at != width:
            self.layouts.append(time.perf_counter() - started)


class TimedLogOnly(App[None]):
    def compose(self) -> ComposeResult:
        yield TimedLog()


async def lay_out_again(n: int) -> float:
    """The log holds ``n`` messages and the window gets narrower: one layout at the new width."""
    app = TimedLogOnly()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        log = app.query_one(TimedLog)
        for i in range(n):
            log.add_said(said(i))
        await pilot.pause()
        first = len(log.layouts)
        await pilot.resize_terminal(SIZE[0] - 40, SIZE[1])
        for _ in range(10_000):
            if len(log.layouts) > first and log.laid_out:
                break
            await asyncio.sleep(0.01)
        assert len(log.layouts) == first + 1 and len(log.shown) == n
        return log.layouts[-1]


def line(i: int) -> str:
    return f"00:00 bo  message {i}: a sentence of ordinary length, as people write in a room."


async def draw_rich_log(n: int) -> float:
    app = BareRichLog()
    return await draw_widget(app, lambda i: app.query_one(RichLog).write(Text(line(i))), n)


async def draw_log(n: int) -> float:
    app = BareLog()
    return await draw_widget(app, lambda i: app.query_one(Log).write_line(line(i)), n)


def import_time(module: str) -> float:
    """A fresh interpreter's import of ``module``, loading it compiled, as installed."""
    _compile(module)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, env=compiled(os.environ))
    return time.perf_counter() - started


@functools.cache
def _compile(module: str) -> None:
    """Import ``module`` once first: that run compiles, and is not counted."""
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, env=compiled(os.environ))


def median(runs: int, measure: Callable[[], Awaitable[float]]) -> float:
    return statistics.median(asyncio.run(measure()) for _ in range(runs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--kept", type=int, default=MAX_MESSAGES, help="messages laid out again")
    args = parser.parse_args(argv)
    n, runs, kept = args.messages, args.runs, args.kept

    rows: list[tuple[str, float, str, float]] = [
        ("start to interactive (porch new)", median(runs, start_porch),
         "empty Textual app", median(runs, start_empty)),
        ("start to interactive (porch new)", median(runs, start_porch),
         "same widgets, bare Textual", median(runs, start_same_widgets)),
        ("import tui.app (fresh interpreter)",
         statistics.median(import_time("tui.app") for _ in range(runs)),
         "import textual.app", statistics.median(import_time("textual.app") for _ in range(runs))),
    ]  # fmt: skip
    bare_rich = median(runs, lambda: draw_rich_log(n))
    rows += [
        (f"{n} messages through the room screen", median(runs, lambda: draw_room(n)),
         f"bare RichLog, {n} lines", bare_rich),
        (f"{n} messages into RoomLog directly", median(runs, lambda: draw_room_log(n)),
         f"bare RichLog, {n} lines", bare_rich),
        (f"{n} messages into RoomLog directly", median(runs, lambda: draw_room_log(n)),
         f"bare Log, {n} lines", median(runs, lambda: draw_log(n))),
        (f"{kept} messages laid out again", median(runs, lambda: lay_out_again(kept)),
         f"{kept} drawn the first time", median(runs, lambda: draw_room_log(kept))),
    ]  # fmt: skip

    print(f"Porch terminal client, median of {runs} runs, Python {sys.version.split()[0]}")
    print(f"{'measure':<40} {'ms':>8}   {'baseline':<26} {'ms':>8} {'ratio':>6}")
    for name, ours, base_name, base in rows:
        print(f"{name:<40} {ours * 1000:>8.1f}   {base_name:<26} {base * 1000:>8.1f} "
              f"{ours / base:>5.2f}x")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
