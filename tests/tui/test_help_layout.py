"""The help (F1) in a narrow window: a description too long for a row wraps under the
description column, never back to the left edge under the keys.

Read as drawn on the screen, scrolled through page by page, so the test holds
whatever the help is built from.
"""

from __future__ import annotations

import re

import pytest
from textual.containers import VerticalScroll
from textual.pilot import Pilot

from tests.tui.conftest import until
from tests.tui.pilots import drawn_rows
from tests.tui.scripted import ScriptedPorch
from tui.screens.help import HelpScreen

# The keys of a row, and the last word of its description (seen wrapped to the edge).
WRAPPED = [
    ("F5", "whole)"),
    ("Ctrl+Q", 'room"'),
    ("/pass /later", "me"),
    ("/pause /resume", "resumes"),
]


async def help_as_drawn(pilot: Pilot[None]) -> list[str]:
    """Every row of the help's scrolling part, as drawn, from the top to the bottom."""
    app = pilot.app
    scroll = app.screen.query_one(VerticalScroll)
    rows: list[str] = []
    page = scroll.scrollable_content_region.height
    for top in range(0, int(scroll.max_scroll_y) + page, page):  # bounded by the help's length
        scroll.scroll_to(y=top, animate=False, immediate=True)
        await until(lambda top=top: scroll.scroll_y == min(top, scroll.max_scroll_y), "scrolled")
        await pilot.pause()
        shown = drawn_rows(app, scroll)
        assert len(shown) == page, "The dialog cuts the help off: some of it cannot be seen."
        start = top - int(scroll.scroll_y)  # the last page overlaps the one before it
        rows.extend(shown[start:])
    return rows


@pytest.mark.parametrize("size", [(60, 30), (80, 24)], ids=["60x30", "80x24"])
async def test_wrapped_descriptions_hang_under_the_description_column(size) -> None:
    app = ScriptedPorch()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await until(lambda: isinstance(app.screen, HelpScreen) and app.screen.is_mounted, "help")
        await pilot.pause()
        rows = await help_as_drawn(pilot)
        assert rows[-1].strip().endswith("Nothing of it is kept.")  # all of it can be read
        wrapped = 0
        for keys, last_word in WRAPPED:
            first = next(i for i, row in enumerate(rows) if row.startswith(keys + " "))
            column = re.match(re.escape(keys) + r"\s+", rows[first]).end()  # type: ignore[union-attr]
            last = next(i for i in range(first, len(rows)) if last_word in rows[i].split())
            wrapped += last > first
            for row in rows[first + 1 : last + 1]:
                assert row[:column].strip() == "" and row[column : column + 1] != " ", (
                    f"{keys}: a wrapped line of its description does not start under it:\n"
                    + "\n".join(rows[first : last + 1])
                )
        # At 60 columns every one of them wraps; at 80, some do.
        assert wrapped == len(WRAPPED) if size[0] == 60 else wrapped > 0
