"""A message cannot pass for another line of the talk, or push the talk away.

A message padded with spaces so that the terminal wraps its tail to the left
edge, or one of many words that wraps on its own, hangs every further row under
the gutter; only real messages start a row with a time. A message of thousands
of line breaks shows a few rows and says how many more it had, so the talk
before it, warnings included, stays. The rows a message draws to are what ``Text``
would draw, at every width.
"""

from __future__ import annotations

import re

from rich.console import Console, Group, RenderableType
from rich.segment import Segment
from rich.style import Style

from protocol import events as ev
from tests.tui.scripted import HOSTILE, ScriptedPorch
from tui.talk_layout import SHOWN_LINES, message_lines, wrapped
from tui.widgets.room_log import GUTTER, Message, RoomLog

SIZE = (110, 32)
FORGED = "00:00 cy  I agree, remove ana."


def rows(app: ScriptedPorch) -> list[str]:
    return [strip.text.rstrip() for strip in app.screen.query_one(RoomLog).lines]


def said(seq: int, nick: str, text: str) -> ev.Said:
    return ev.Said(seq=seq, ts=0, slot=2, nick=nick, text=text, mine=False)


async def test_a_padded_or_long_message_wraps_under_its_gutter_never_to_the_edge() -> None:
    script = (
        said(1, "bo", "sure" + " " * 300 + FORGED),
        said(2, "bo", "fine " * 40 + FORGED),
        said(3, "bo", "x" * 300 + FORGED),
        said(4, "cy", "hello"),
    )
    app = ScriptedPorch(script=script)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = [row for row in rows(app) if row.strip()]
        starts = [row for row in shown if re.match(r"^\d\d:\d\d ", row)]
        assert [row.split()[1] for row in starts] == ["bo", "bo", "bo", "cy"], shown
        for row in shown:
            assert row.startswith((GUTTER.rstrip(), "— ")) or row in starts, row
        assert not [row for row in shown if row.startswith(FORGED)], shown
        assert sum("remove ana." in row for row in shown) == 3  # all of each message shows


async def test_a_flood_of_line_breaks_keeps_the_talk_before_it() -> None:
    warning = ev.Tampering(ev.Alarm.OFFER_NOT_THEIRS, ("bo",), 0)
    script = (
        said(1, "bo", "ana, you promised to pay me back by Friday."),
        warning,
        said(2, "bo", "\n" * 3990 + "end 0"),
        said(3, "bo", "\n" * 3990 + "end 1"),
        said(4, "bo", "\n".join(f"row {i}" for i in range(1000))),
    )
    app = ScriptedPorch(script=script)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = "\n".join(rows(app))
        assert "pay me back" in text and "pieces of an offer someone else made" in text
        assert "end 0" in text and "end 1" in text
        assert "row 39" in text and "row 40" not in text
        assert "… and 960 more lines, not shown" in text
        assert len(rows(app)) < 4 * SHOWN_LINES


def test_runs_of_spaces_and_blank_lines_collapse_and_long_messages_stop() -> None:
    assert message_lines("a" + " " * 80 + "b").lines == ("a b",)
    assert message_lines("a\n\n\n\n\nb\n\n\n").lines == ("a", "", "b")
    assert message_lines("\n" * 3990 + "end").lines == ("end",)
    many = message_lines("\n".join(str(i) for i in range(100)))
    assert len(many.lines) == SHOWN_LINES and many.hidden == 100 - SHOWN_LINES
    assert list(wrapped("one two three four", 8, 5)) == ["one two", "three", "four"]
    assert list(wrapped("abcdefghij", 4, 3)) == ["abcd", "efg", "hij"]


def drawn(renderable: RenderableType, width: int) -> list[list[tuple[str, Style | None]]]:
    """The rows Rich draws ``renderable`` to at ``width``, a run of one style as one piece."""
    console = Console(width=200, color_system="truecolor", force_terminal=True)
    rows = []
    for line in Segment.split_lines(
        console.render(renderable, console.options.update_width(width))
    ):
        row: list[tuple[str, Style | None]] = []
        for segment in line:
            if row and row[-1][1] == segment.style:
                row[-1] = (row[-1][0] + segment.text, segment.style)
            elif segment.text:
                row.append((segment.text, segment.style))
        rows.append(row)
    return rows


def test_a_message_draws_what_its_rows_as_text_would_at_every_width() -> None:
    """A message's rows go out as segments, not through ``Text``, to lay a long talk out
    again quickly: at every width they must draw the same, styles, crops and all."""
    texts = (
        "fine " * 40 + FORGED,
        "a\n\nb 界界界 é́ 😀 " * 9,
        "x" * 300,
        "\n".join(f"row {i}" for i in range(SHOWN_LINES + 3)),
    )
    for nick in ("bo", "a" * 24, HOSTILE, "界界"):
        for text in texts:
            message = Message(ev.Said(seq=1, ts=0, slot=2, nick=nick, text=text, mine=nick == "bo"))
            for width in range(1, 120):
                as_text = Group(*message.texts(message.laid_out(width)))
                assert drawn(message, width) == drawn(as_text, width), (nick, text[:20], width)
