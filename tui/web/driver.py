"""The driver of a tab's app: textual-serve's ``WebDriver``, with the tab's size kept in order.

A tab's app starts before its tab (``tui.web.process``), at a stand-in size, and the
tab's own size may reach it before the app has applied the stand-in. ``WebDriver``
posts the stand-in from the app's loop but a later size from its input thread, by
two different routes, so the later one could be applied first and then undone.
Here every size takes the same route, so they are applied in the order they came.
"""

from __future__ import annotations

import asyncio

from textual import events
from textual.drivers.web_driver import WebDriver
from textual.geometry import Size


class TabDriver(WebDriver):
    _loop: asyncio.AbstractEventLoop | None = None

    def start_application_mode(self) -> None:
        self._loop = asyncio.get_running_loop()
        super().start_application_mode()

    def on_meta(self, packet_type: str, payload: dict[str, object]) -> None:
        width, height = payload.get("width"), payload.get("height")
        if packet_type != "resize" or not isinstance(width, int) or not isinstance(height, int):
            super().on_meta(packet_type, payload)
            return
        self._size = (width, height)
        size = Size(width, height)
        if self._loop is not None:
            asyncio.run_coroutine_threadsafe(
                self._app._post_message(events.Resize(size, size)), loop=self._loop
            )
