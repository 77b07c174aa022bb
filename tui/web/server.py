"""The `porch web` server: textual-serve's app processes and terminal, with a gate in front.

Every request meets the gate (``tui.web.guard``) in one middleware before any
handler runs, so no app process starts for a request the gate refuses. Then:

- ``GET /`` is Porch's own page (no third-party request, a strict CSP);
- ``GET /static/NAME`` serves a fixed list of files: textual-serve's terminal
  (xterm.js) and font, and Porch's page script and style;
- ``POST /size`` takes the tab's size, measured by the page while it loads, for the
  app kept ready (below);
- ``GET /ws`` hands the tab an app process (``tui.web.process``), started with
  ``exec`` (no shell) and only the environment it needs. One live app per
  session: while a tab holds the seat, another tab's page or socket gets 409
  (after a short wait, so that a reload, whose old socket closes as the new page
  loads, is not refused).

An app takes as long to start as the terminal app, and a tab would wait for that
after its page has loaded. So one spare app starts as soon as the server listens
(and again whenever a tab lets its app go), and the next tab whose socket passes
the gate gets it, already drawn. The spare is reachable only through its pipes,
which only this server holds, and it is handed to nothing but a socket that has
passed every check.

Nothing is written to disk and nothing is logged: aiohttp's access log is off (it
would record the token), textual-serve's logging is never set up, and no download
route exists (Porch hands no file to the browser).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from string import Template

from aiohttp import WSMsgType, hdrs, web

from tui.web.files import (
    SECURITY_HEADERS,
    STATIC_FILES,
    terminal_script,
)
from tui.web.guard import (
    Exchange,
    Gate,
    Knock,
    Pass,
    Refusal,
    Refuse,
    served_hosts,
)
from tui.web.pages import CONFLICT, REFUSALS, Page
from tui.web.process import TabApp, tab_argv

HERE = Path(__file__).parent

HANDOVER_SECONDS = 3.0  # how long a new page or socket waits for the seat to be let go


def _size(value: object, default: int, *, low: int, high: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return default
    return max(low, min(high, number))


def _reloading(request: web.Request) -> bool:
    control = request.headers.get(hdrs.CACHE_CONTROL, "").lower()
    return request.method == "GET" and ("max-age=0" in control or "no-cache" in control)


class Seat:
    """One live app per session: the tab whose socket is open holds the seat."""

    def __init__(self) -> None:
        self._free = asyncio.Event()
        self._free.set()

    @property
    def taken(self) -> bool:
        return not self._free.is_set()

    async def wait_free(self, seconds: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._free.wait(), seconds)
        return self._free.is_set()

    def take(self) -> bool:
        if self.taken:
            return False
        self._free.clear()
        return True

    def release(self) -> None:
        self._free.set()


class PorchWeb:
    """The server for one person's browser, behind the gate.

    It serves what textual-serve's ``Server`` does, from its own routes, page and
    handlers, so it does not import that class (nor the templates and logging that
    come with it, which the tab would wait for on its way to the first screen).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        relay_url: str | None = None,
        on_ready: Callable[[PorchWeb], None] | None = None,
        spare: TabApp | None = None,
        listening: socket.socket | None = None,
        gate: Gate | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.argv = tab_argv(relay_url)
        self.on_ready = on_ready
        # Bound (and its link printed) by the caller before this module's imports, or here.
        self.listening = listening
        self.gate = gate
        self.seat = Seat()
        self.socket: web.WebSocketResponse | None = None
        self.tab: TabApp | None = None
        self.spare = spare  # started by the caller before this module's imports, or at listen
        self.closing = False
        self.page = Template((HERE / "page.html").read_text(encoding="utf-8"))
        self.stopping = asyncio.Event()
        self._terminal_script: bytes | None = None

    # -- the addresses served ---------------------------------------------------

    @property
    def link(self) -> str:
        assert self.gate is not None
        return self.gate.link()

    # -- the aiohttp application ----------------------------------------------

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard], client_max_size=64 * 1024)
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_tab, name="websocket"),
                web.get("/static/{name}", self.handle_static, name="static"),
                web.post("/size", self.handle_size, name="size"),
            ]
        )
        app.on_shutdown.append(self.on_shutdown)
        app.on_response_prepare.append(self._plain_server_header)
        return app

    @staticmethod
    async def _plain_server_header(request: web.Request, response: web.StreamResponse) -> None:
        # Like the relay, the server names no software and no version.
        response.headers[hdrs.SERVER] = "porch"

    @web.middleware
    async def guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if self.gate is None:
            return self._refused(Refusal.WRONG_HOST)
        verdict = self.gate.check(
            Knock(
                path=request.path,
                host=request.headers.get(hdrs.HOST),
                origin=request.headers.get(hdrs.ORIGIN),
                token=request.query.get("token"),
                cookie=request.cookies.get(self.gate.cookie),
                upgrade=request.path == "/ws",
            )
        )
        match verdict:
            case Refuse(reason=reason):
                response: web.StreamResponse = self._refused(reason)
            case Exchange(cookie=cookie):
                response = web.Response(status=303, headers={hdrs.LOCATION: "/"})
                response.set_cookie(
                    self.gate.cookie, cookie, path="/", httponly=True, samesite="Strict"
                )
            case Pass():
                try:
                    response = await handler(request)
                except web.HTTPException as refused:
                    response = web.Response(status=refused.status, text=refused.reason)
        if not response.prepared:
            response.headers.update(SECURITY_HEADERS)
        return response

    def _refused(self, reason: Refusal) -> web.Response:
        return self._page(REFUSALS[reason], status=403)

    def _page(self, page: Page, *, status: int) -> web.Response:
        return web.Response(
            status=status, text=page.html(), content_type="text/html", charset="utf-8"
        )

    async def handle_index(self, request: web.Request) -> web.Response:
        """The page; while a tab holds the seat, a second tab's page is refused (409).

        A reload is the exception: the page being reloaded lets the seat go only once
        this page arrives, so this one is sent at once; its socket waits for the seat.
        (A reload says ``Cache-Control: max-age=0`` or ``no-cache``; the page knows it
        was reloaded and starts nothing until asked.) The page's own ``HEAD /``, asking
        why its socket ended, is answered as things stand, without waiting.
        """
        if (
            self.seat.taken
            and not _reloading(request)
            and (request.method == "HEAD" or not await self.seat.wait_free(HANDOVER_SECONDS))
        ):
            return self._page(CONFLICT, status=409)
        html = self.page.substitute(
            websocket_url=f"ws://{request.host}/ws",
            font_size=_size(request.query.get("fontsize", "16"), 16, low=8, high=40),
        )
        return web.Response(text=html, content_type="text/html", charset="utf-8")

    async def handle_static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name == "textual.js":
            if self._terminal_script is None:
                self._terminal_script = terminal_script()
            return web.Response(body=self._terminal_script, content_type="text/javascript")
        path = STATIC_FILES.get(name)
        if path is None:
            raise web.HTTPNotFound()
        return web.FileResponse(path)

    async def handle_size(self, request: web.Request) -> web.Response:
        """The tab's size, measured by its page before its terminal connects: the app kept
        ready draws at that size meanwhile. Nothing else reaches the spare this way."""
        spare = self.spare
        if spare is not None and spare.usable:
            await spare.resize(
                _size(request.query.get("width", "80"), 80, low=20, high=500),
                _size(request.query.get("height", "24"), 24, low=8, high=200),
            )
        return web.Response(status=204)

    async def handle_tab(self, request: web.Request) -> web.StreamResponse:
        """The terminal socket of one tab, and the app process behind it."""
        if not await self.seat.wait_free(HANDOVER_SECONDS) or not self.seat.take():
            return self._page(CONFLICT, status=409)
        socket = web.WebSocketResponse(heartbeat=15, max_msg_size=1 << 20)
        tab: TabApp | None = None
        try:
            await socket.prepare(request)
            self.socket = socket
            tab = self.tab = await self._app_for_a_tab()
            await tab.hand_to(
                socket,
                _size(request.query.get("width", "80"), 80, low=20, high=500),
                _size(request.query.get("height", "24"), 24, low=8, high=200),
            )
            await self._process_messages(socket, tab)
        finally:
            # The tab is gone: the seat is free at once, and a spare starts for the next
            # tab, while this tab's app says goodbye.
            self.socket = None
            self.seat.release()
            if tab is not None:
                tab.let_go()
                await self._start_spare()
                await tab.stop()
            if self.tab is tab:
                self.tab = None
        return socket

    async def _app_for_a_tab(self) -> TabApp:
        """The spare, or a fresh app if there is none (or it failed)."""
        spare, self.spare = self.spare, None
        if spare is not None and spare.usable:
            return spare
        if spare is not None:
            await spare.stop()
        fresh = TabApp(self.argv)
        await fresh.start_spare()
        return fresh

    async def _start_spare(self) -> None:
        if self.spare is None and not self.closing:
            spare = TabApp(self.argv)
            await spare.start_spare()
            self.spare = spare

    async def _process_messages(self, websocket: web.WebSocketResponse, tab: TabApp) -> None:
        """The page's messages: keys, size, focus, ping. Anything malformed is ignored."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            match envelope:
                case ["stdin", str(keys)]:
                    await tab.send_bytes(keys.encode("utf-8", "replace"))
                case ["resize", {"width": int(width), "height": int(height)}]:
                    await tab.set_terminal_size(
                        _size(width, 80, low=20, high=500), _size(height, 24, low=8, high=200)
                    )
                case ["ping", str(stamp)]:
                    await websocket.send_json(["pong", stamp[:32]])
                case ["blur"]:
                    await tab.blur()
                case ["focus"]:
                    await tab.focus()

    async def on_shutdown(self, app: web.Application) -> None:
        socket = self.socket
        if socket is not None and not socket.closed:
            await socket.close(code=1001, message=b"porch web stopped")

    # -- running ------------------------------------------------------------------

    def request_exit(self) -> None:
        self.stopping.set()

    async def run(self) -> None:
        """Serve until Ctrl-C or SIGTERM, then leave the room and stop."""
        app = await self._make_app()
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            site: web.BaseSite = (
                web.TCPSite(runner, self.host, self.port)
                if self.listening is None
                else web.SockSite(runner, self.listening)
            )
            await site.start()
            if self.gate is None:
                self.gate = Gate.serving(served_hosts(self.host, int(runner.addresses[0][1])))
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(signum, self.request_exit)
            await self._start_spare()
            if self.on_ready is not None:
                self.on_ready(self)
            await self.stopping.wait()
        finally:
            self.closing = True
            await runner.cleanup()
            for tab in (self.tab, self.spare):
                if tab is not None:
                    await tab.stop()
