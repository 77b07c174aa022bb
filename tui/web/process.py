"""The app process behind one browser tab.

textual-serve's ``AppService`` with three changes: the process starts with
``exec`` (no shell) and only the environment it needs; it may start while the
page loads, before the tab's socket arrives, holding what it draws until then;
and stopping it is leaving the room (SIGTERM, as in a terminal), not an abrupt
quit, with a kill only if the goodbye takes too long.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

STOP_SECONDS = 10.0  # how long a tab's app has to say goodbye before it is killed
HELD_BYTES = 4 << 20  # what an app may draw before its tab's socket arrives

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


class TabApp(AppService):
    """One app process, and the tab's socket once it arrives."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__(
            " ".join(argv),
            write_bytes=self._draw,
            write_str=self._say,
            close=self._close,
            download_manager=DownloadManager(),
        )
        self.argv = argv
        self.socket: web.WebSocketResponse | None = None
        self.held: list[bytes] = []
        self.held_bytes = 0
        self.ended = False

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

    @property
    def alive(self) -> bool:
        return not self.ended and self._process is not None and self._process.returncode is None

    # -- what the app draws goes to the tab, or waits for it ------------------

    async def _draw(self, data: bytes) -> None:
        if self.socket is not None:
            await self.socket.send_bytes(data)
        elif self.held_bytes + len(data) <= HELD_BYTES:
            self.held.append(data)
            self.held_bytes += len(data)

    async def _say(self, text: str) -> None:
        if self.socket is not None:
            await self.socket.send_str(text)

    async def _close(self) -> None:
        self.ended = True
        if self.socket is not None:
            await self.socket.close()

    async def attach(self, socket: web.WebSocketResponse, *, width: int, height: int) -> None:
        """Give the app its tab: what it drew so far, in order, then its size."""
        while self.held:
            await socket.send_bytes(self.held.pop(0))
        self.held_bytes = 0
        self.socket = socket  # no await since the last check: nothing can slip in between
        await self.set_terminal_size(width, height)
        if self.ended:
            await socket.close()

    async def on_meta(self, data: bytes) -> None:
        # Porch hands no file to the browser and opens no page: only "exit" matters.
        meta = json.loads(data)
        if isinstance(meta, dict) and meta.get("type") == "exit":
            await self.remote_close()

    async def stop(self) -> None:
        """Leave the room as the terminal app does on SIGTERM: a goodbye, then the exit."""
        process, task = self._process, self._task
        if process is None or task is None:
            return
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_SECONDS)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await task
        with contextlib.suppress(ProcessLookupError):
            await process.wait()
        self._task = None
