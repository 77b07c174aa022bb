"""The app process behind one browser tab.

textual-serve's ``AppService`` with two changes: the process starts with ``exec``
(no shell) and only the environment it needs; and stopping it is leaving the room
(SIGTERM, as in a terminal), not an abrupt quit, with a kill only if the goodbye
takes too long.
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
    """One app process, drawing into one tab's socket."""

    def __init__(self, argv: list[str], socket: web.WebSocketResponse) -> None:
        async def close() -> None:
            await socket.close()

        super().__init__(
            " ".join(argv),
            write_bytes=socket.send_bytes,
            write_str=socket.send_str,
            close=close,
            download_manager=DownloadManager(),
        )
        self.argv = argv

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
