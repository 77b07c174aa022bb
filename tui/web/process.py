"""The app process behind one browser tab, started before the tab asks for it.

textual-serve's ``AppService`` with three changes:

- the process starts with ``exec`` (no shell) and only the environment it needs;
- it starts *before* any tab: `porch web` keeps one spare app that has already
  started (Python, Textual, Porch) and drawn its first screen into a buffer here,
  and hands it to the next tab whose socket has passed every check. A spare is
  reachable only through its pipes, which only this server holds; until it is
  handed over it draws for no one. The tab gets the spare's first screen at once,
  then the tab's own size, which redraws it (the page measures that size while it
  loads and sends it ahead, so the spare has usually drawn at it already);
- stopping it is leaving the room (SIGTERM, as in a terminal), not an abrupt
  quit, with a kill only if the goodbye takes too long.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import logging
import os
import signal
import sys
from collections.abc import Mapping
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

if TYPE_CHECKING:  # aiohttp is imported by the server, after the first spare has started
    from aiohttp import web

# textual-serve reports a spare stopped before it drew as "failed to start"; nothing is
# logged here (the app's own error output still reaches porch web's terminal).
logging.getLogger("textual-serve").addHandler(logging.NullHandler())

STOP_SECONDS = 10.0  # how long a tab's app has to say goodbye before it is killed
# A spare draws its first screen (tens of KiB) and then waits; more than this
# means something is wrong with it, and a fresh one is started for the tab instead.
PARKED_BYTES = 1 << 20
# The spare's size until a tab says its own: any size works, the tab's redraws it.
SPARE_SIZE = (80, 24)

# What a tab's app process inherits from `porch web`: enough to find Python and Porch.
INHERITED = (
    "PATH",
    "HOME",
    "TMPDIR",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "PYTHONPATH",
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONUTF8",
    "SYSTEMROOT",
)


def tab_argv(relay_url: str | None) -> list[str]:
    """The command of a tab's app: Porch's start screen, under textual-serve's driver."""
    argv = [sys.executable, "-m", "tui.web.tab"]
    if relay_url is not None:
        argv += ["--relay", relay_url]
    return argv


def tab_environment(parent: Mapping[str, str], *, width: int, height: int) -> dict[str, str]:
    """The whole environment of a tab's app process: what it needs, nothing it might leak."""
    environment = {name: parent[name] for name in INHERITED if name in parent}
    environment.update(
        TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver",
        TEXTUAL_FPS="60",
        TEXTUAL_COLOR_SYSTEM="truecolor",
        TERM_PROGRAM="textual",
        TERM_PROGRAM_VERSION=version("textual-serve"),
        COLUMNS=str(width),
        ROWS=str(height),
    )
    return environment


class Held(enum.Enum):
    """Whose screen the app draws."""

    SPARE = "spare"  # no one's yet: what it draws waits here
    TAB = "tab"  # one tab's, through its socket
    GONE = "gone"  # the tab is gone: the app's goodbye frames go nowhere


class TabApp(AppService):
    """One app process: a spare until it is handed to one tab's socket."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__(
            " ".join(argv),
            write_bytes=self._draw,
            write_str=self._say,
            close=self._close,
            download_manager=DownloadManager(),
        )
        self.argv = argv
        self.held = Held.SPARE
        self.socket: web.WebSocketResponse | None = None
        self._parked: list[bytes] = []
        self._parked_bytes = 0
        self._order = asyncio.Lock()  # the parked screen reaches the tab before anything newer
        self.size = SPARE_SIZE  # the size it was last told

    @property
    def usable(self) -> bool:
        """A spare that is running and has not misbehaved, so a tab may have it."""
        process = self._process
        return (
            self.held is Held.SPARE
            and process is not None
            and process.returncode is None
            and self._parked_bytes <= PARKED_BYTES
        )

    async def start_spare(self) -> None:
        await self.start(*self.size)

    async def resize(self, width: int, height: int) -> None:
        if (width, height) != self.size:
            self.size = (width, height)
            await self.set_terminal_size(width, height)

    async def hand_to(self, socket: web.WebSocketResponse, width: int, height: int) -> None:
        """Draw into this tab from now on: first what was drawn while waiting, then its size."""
        async with self._order:
            self.socket = socket
            self.held = Held.TAB
            parked, self._parked = b"".join(self._parked), []
            if parked:
                await socket.send_bytes(parked)
        await self.resize(width, height)

    def let_go(self) -> None:
        self.held = Held.GONE
        self.socket = None

    # -- what the app sends ---------------------------------------------------------

    async def _draw(self, data: bytes) -> None:
        if self.held is Held.SPARE:
            self._parked.append(data)
            self._parked_bytes += len(data)
            if self._parked_bytes > PARKED_BYTES:
                self._parked.clear()
                self._kill()
            return
        async with self._order:
            socket = self.socket
            if socket is not None and not socket.closed:
                with contextlib.suppress(ConnectionError):
                    await socket.send_bytes(data)

    async def _say(self, text: str) -> None:
        """Porch sends the page no text messages (no links to open, no downloads)."""

    async def _close(self) -> None:
        socket = self.socket
        if socket is not None:
            await socket.close()

    async def on_meta(self, data: bytes) -> None:
        # Porch hands no file to the browser and opens no page: only "exit" matters.
        meta = json.loads(data)
        if isinstance(meta, dict) and meta.get("type") == "exit":
            await self.remote_close()

    # -- the process ----------------------------------------------------------------

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        return tab_environment(os.environ, width=width, height=height)

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width, height),
        )
        self._stdin = process.stdin
        return process

    def _kill(self) -> None:
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()

    async def stop(self) -> None:
        """Leave the room as the terminal app does on SIGTERM: a goodbye, then the exit."""
        self.let_go()
        process, task = self._process, self._task
        if process is None or task is None:
            return
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_SECONDS)
        except TimeoutError:
            self._kill()
            await task
        with contextlib.suppress(ProcessLookupError):
            await process.wait()
        self._task = None
