"""The pages `porch web` shows instead of the app: each says what happened and what to do."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from string import Template

from tui.web.guard import Refusal

_TEMPLATE = Template((Path(__file__).with_name("refusal.html")).read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class Page:
    title: str
    sentence: str

    def html(self) -> str:
        return _TEMPLATE.substitute(
            title=html.escape(self.title), sentence=html.escape(self.sentence)
        )


REFUSALS: dict[Refusal, Page] = {
    Refusal.WRONG_HOST: Page(
        "This address is not Porch's",
        "porch web answers only at the address it printed (127.0.0.1 or localhost and its "
        "port). Open the link porch web printed in your terminal.",
    ),
    Refusal.WRONG_ORIGIN: Page(
        "Another site tried to reach Porch",
        "A page from another site tried to open Porch on this computer, and was refused. "
        "Open Porch only from the link porch web printed.",
    ),
    Refusal.BAD_TOKEN: Page(
        "This link was used already, or is wrong",
        "Each link porch web prints works once, in one browser. If it was not you who "
        "used it, stop porch web (Ctrl+C) and start it again for a new link.",
    ),
    Refusal.NO_SESSION: Page(
        "This browser has no Porch session",
        "Open the link porch web printed in your terminal. It works once; "
        "start porch web again for a new one.",
    ),
}

CONFLICT = Page(
    "Porch is already open in another tab",
    "One browser tab holds the room at a time. Use the tab that is open, "
    "or close it (which leaves the room) and reload this one.",
)
