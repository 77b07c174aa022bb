"""The driver of a tab's app: textual-serve's ``WebDriver``, with two things kept right.

- The tab's size, in order. A tab's app starts before its tab (``tui.web.process``),
  at a stand-in size, and the tab's own size may reach it before the app has applied
  the stand-in. ``WebDriver`` posts the stand-in from the app's loop but a later size
  from its input thread, by two different routes, so the later one could be applied
  first and then undone. Here every size takes the same route, in the order it came.
- The end of `porch web`. ``WebDriver`` keeps running when its input ends; here the
  app leaves the room and exits, as on SIGTERM, so that no app outlives `porch web`
  (even one killed outright, which cannot stop its apps itself).
"""

from __future__ import annotations

import asyncio

from textual import events, messages
from textual.drivers.web_driver import WebDriver
from textual.geometry import Size


class TabDriver(WebDriver):
    def on_meta(self, packet_type: str, payload: dict[str, object]) -> None:
        width, height = payload.get("width"), payload.get("height")
        if packet_type != "resize" or not isinstance(width, int) or not isinstance(height, int):
            super().on_meta(packet_type, payload)
            return
        self._size = (width, height)
        size = Size(width, height)
        # The route the stand-in took (``start_application_mode``), from the app's loop.
        asyncio.run_coroutine_threadsafe(
            self._app._post_message(events.Resize(size, size)), loop=self._loop
        )

    def run_input_thread(self) -> None:
        super().run_input_thread()
        if not self.exit_event.is_set():  # the input ended, not the app: porch web is gone
            self._app.post_message(messages.ExitApp())
