"""A real browser tab on `porch web`, read the way a person reads it.

Chromium (Debian's, through Playwright's ``executable_path``; never a browser
download) opens the page. What the tab shows is read by feeding the page's own
WebSocket frames, the bytes xterm.js draws, to a terminal emulator (pyte), so a
test asserts on the same text a person sees. Keys go in through the keyboard.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyte
import pytest

from tests.tui.processes import Porch

CHROMIUM = next(
    (
        path
        for path in (shutil.which("chromium"), shutil.which("chromium-browser"))
        if path is not None
    ),
    None,
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (apt-get install chromium), "
    "so the browser tests cannot run",
)
LINK = re.compile(r"http://127\.0\.0\.1:(\d+)/\?token=[A-Za-z0-9_-]+")


@dataclass
class Screen:
    """One page, its terminal socket, and the screen its frames draw."""

    page: object
    screen: pyte.Screen = field(default_factory=lambda: pyte.Screen(80, 24))
    sockets: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    closed: bool = False

    def __post_init__(self) -> None:
        self.stream = pyte.ByteStream(self.screen)
        page = self.page
        page.on("websocket", self._socket)  # type: ignore[attr-defined]
        page.on("request", lambda request: self.requests.append(request.url))  # type: ignore[attr-defined]
        page.on("console", lambda message: self.console.append(message.text))  # type: ignore[attr-defined]

    def _socket(self, socket: object) -> None:
        url = socket.url  # type: ignore[attr-defined]
        self.sockets.append(url)
        query = parse_qs(urlsplit(url).query)
        if "width" in query and "height" in query:
            self.screen.resize(int(query["height"][0]), int(query["width"][0]))
        socket.on("framereceived", self._drawn)  # type: ignore[attr-defined]
        socket.on("framesent", self._sent)  # type: ignore[attr-defined]
        socket.on("close", lambda _socket: setattr(self, "closed", True))  # type: ignore[attr-defined]

    def _drawn(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            self.stream.feed(payload)

    def _sent(self, payload: bytes | str) -> None:
        if isinstance(payload, str) and payload.startswith('["resize"'):
            size = re.search(r'"width":\s*(\d+),\s*"height":\s*(\d+)', payload)
            if size:
                self.screen.resize(int(size.group(2)), int(size.group(1)))

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def cell_of(self, text: str) -> tuple[int, int]:
        """Where ``text`` is drawn (column, row) on the screen, to click it."""
        for row, line in enumerate(self.screen.display):
            column = line.find(text)
            if column >= 0:
                return column, row
        raise AssertionError(f"The tab does not show {text!r}. It shows:\n{self.text()}")

    def _point(self, box: dict[str, float], cell: tuple[int, int]) -> tuple[float, float]:
        width, height = box["width"] / self.screen.columns, box["height"] / self.screen.lines
        return box["x"] + (cell[0] + 0.5) * width, box["y"] + (cell[1] + 0.5) * height

    def _failed(self, pattern: str) -> AssertionError:
        return AssertionError(f"The tab never showed {pattern!r}. It shows:\n{self.text()}")


class Tab(Screen):
    """A tab driven through Playwright's sync API."""

    def wait_for(self, pattern: str, seconds: float = 45.0) -> str:
        """The screen once it shows ``pattern`` (a regex); fails after ``seconds``."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if regex.search(self.text()):
                return self.text()
            # Playwright delivers the socket's frames only while it is called: wait in it.
            self.page.wait_for_timeout(100)  # type: ignore[attr-defined]
        raise self._failed(pattern)

    def wait_until(self, condition: Callable[[str], bool], what: str, seconds: float = 45.0) -> str:
        """The screen once ``condition`` holds of its text; fails after ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition(self.text()):
                return self.text()
            self.page.wait_for_timeout(100)  # type: ignore[attr-defined]
        raise AssertionError(f"The tab never showed {what}. It shows:\n{self.text()}")

    def focus(self) -> None:
        self.page.focus(".xterm-helper-textarea")  # type: ignore[attr-defined]

    def type(self, text: str) -> None:
        self.focus()
        self.page.keyboard.type(text)  # type: ignore[attr-defined]

    def press(self, key: str) -> None:
        self.focus()
        self.page.keyboard.press(key)  # type: ignore[attr-defined]

    def joins(self, host: Porch, invite: str) -> None:
        """From the start screen, bo joins with ``invite``, agrees and knocks; ``host``, in
        plain mode, admits them; returns once the tab shows the room."""
        self.type(invite)
        self.press("Enter")
        self.wait_for(r"Join a room")
        self.type("bo")
        self.press("Enter")
        self.wait_for(r"Agree and knock")
        self.press("a")
        host.expect(r"^bo is knocking\. Type /admit bo")
        host.send("/admit bo")
        self.wait_for(r"Room code: \d{4}")

    def click(self, text: str) -> None:
        """Click the middle of the first character of ``text``, as a person would."""
        box = self.page.locator(".xterm-screen").bounding_box()  # type: ignore[attr-defined]
        self.page.mouse.click(*self._point(box, self.cell_of(text)))  # type: ignore[attr-defined]


class AsyncTab(Screen):
    """A tab driven through Playwright's async API, beside an app in the same event loop."""

    async def wait_for(self, pattern: str, seconds: float = 45.0) -> str:
        regex = re.compile(pattern)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if regex.search(self.text()):
                return self.text()
            await asyncio.sleep(0.1)
        raise self._failed(pattern)

    async def focus(self) -> None:
        await self.page.focus(".xterm-helper-textarea")  # type: ignore[attr-defined]

    async def type(self, text: str) -> None:
        await self.focus()
        await self.page.keyboard.type(text)  # type: ignore[attr-defined]

    async def press(self, key: str) -> None:
        await self.focus()
        await self.page.keyboard.press(key)  # type: ignore[attr-defined]


def ask(
    port: int, path: str, *, address: str = "127.0.0.1", host: str | None = None,
    origin: str | None = None, cookie: str = "", socket: bool = False, method: str = "GET",
) -> http.client.HTTPResponse:  # fmt: skip
    """One raw request to ``address:port``, with exactly the headers given (an attacker
    chooses them all). The body is read into ``.body``; a socket stays open on
    ``.connection``."""
    connection = http.client.HTTPConnection(address, port, timeout=30)
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    connection.putheader("Host", host or f"{address}:{port}")
    if origin is not None:
        connection.putheader("Origin", origin)
    if cookie:
        connection.putheader("Cookie", cookie)
    if socket:
        connection.putheader("Upgrade", "websocket")
        connection.putheader("Connection", "Upgrade")
        connection.putheader("Sec-WebSocket-Version", "13")
        connection.putheader("Sec-WebSocket-Key", base64.b64encode(os.urandom(16)).decode())
    if method == "POST":
        connection.putheader("Content-Length", "0")
    connection.endheaders()
    response = connection.getresponse()
    response.body = response.read() if response.status != 101 else b""  # type: ignore[attr-defined]
    response.connection = connection  # type: ignore[attr-defined]
    return response


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name sits in parentheses and may hold spaces; the parent follows it.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def the_spare(pid: int, *, not_: int | None = None) -> int:
    """The one app process ``porch web`` (``pid``) keeps ready for the next tab, once it
    is the only one (and, with ``not_``, once it is not that one, which has ended)."""
    found: list[int] = []

    def one_spare() -> bool:
        found[:] = children(pid)
        return len(found) == 1 and found[0] != not_

    wait_until(one_spare, "porch web keeping one app ready for the next tab")
    return found[0]


def wait_until(condition: object, what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"Waited {seconds:g}s, but never saw: {what}")
