"""A browser tab made narrower and wider: the talk follows the window's width.

A real `porch web` tab in headless Chromium, in a room with a real
`porch new --plain`. What the tab shows is read from its own frames through a
terminal emulator, as in the other browser tests.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.tabs import Tab, needs_chromium

pytestmark = [needs_chromium, pytest.mark.timeout(240)]

WORDS = [f"w{n:02d}" for n in range(70)]
WORD = re.compile(r"\bw\d\d\b")


def rows_with_words(screen: str) -> list[str]:
    return [row for row in screen.splitlines() if WORD.search(row)]


def every_word_in_order(screen: str) -> bool:
    return WORD.findall(screen) == WORDS


def test_a_narrower_tab_rewraps_the_talk_so_every_word_shows(
    plain_host, start_web, context
) -> None:
    host, invite = plain_host
    web = start_web()
    page = context.new_page()
    tab = Tab(page)
    page.goto(web.link)
    tab.wait_for(r"ws://…#porch1\.…")
    tab.joins(host, invite)

    host.send(" ".join(WORDS))
    wide = tab.wait_until(every_word_in_order, "ana's long message, whole")
    columns = tab.screen.columns

    page.set_viewport_size({"width": 560, "height": 700})  # type: ignore[attr-defined]
    narrow = tab.wait_until(
        lambda screen: tab.screen.columns < columns and every_word_in_order(screen),
        "every word of the message in the narrower tab",
    )
    assert len(rows_with_words(narrow)) > len(rows_with_words(wide))

    page.set_viewport_size({"width": 1100, "height": 700})  # type: ignore[attr-defined]
    tab.wait_until(
        lambda screen: (
            every_word_in_order(screen)
            and len(rows_with_words(screen)) == len(rows_with_words(wide))
        ),
        "the message's rows joined again",
    )
