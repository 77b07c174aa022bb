"""The talk follows the window's width: a real room, a window made narrower and wider.

Each message is laid out again at the log's new width once the width settles: its
rows fit, still hang under the gutter and hold every word in order; a person at the
end stays at the end, one who scrolled up keeps the message they were reading; a
change of height alone lays nothing out again. Someone scrolled up to read is not
pulled to the end by what others write, only by what they send themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from textual.pilot import Pilot

from protocol import commands as cmd
from tests.tui.conftest import until
from tests.tui.headless import Member, Members
from tests.tui.pilots import let_in, open_room, type_line
from tui.app import Plan, PorchApp
from tui.widgets.room_log import GUTTER, RoomLog

WIDE, NARROW = (130, 32), (72, 32)
HEAD = re.compile(r"^\d\d:\d\d (\S+)  ")
WORDS = " ".join(f"w{n:02d}" for n in range(70))  # several rows wide, even in a wide log


def rows(log: RoomLog) -> list[str]:
    return [strip.text.rstrip() for strip in log.lines]


def message_rows(log: RoomLog, first_word: str) -> list[str]:
    """The rows of the message whose text starts with ``first_word``: its head row, and
    every row hanging under the gutter after it."""
    shown = rows(log)
    start = next(i for i, row in enumerate(shown) if HEAD.sub("", row).startswith(first_word))
    end = start + 1
    while end < len(shown) and shown[end].startswith(GUTTER.rstrip()):
        end += 1
    return shown[start:end]


def words_of(message: list[str]) -> list[str]:
    head, *rest = message
    text = [HEAD.sub("", head), *(row.removeprefix(GUTTER.rstrip()) for row in rest)]
    return " ".join(text).split()


def fits(log: RoomLog) -> bool:
    """Whether every row of the log fits the width it has now."""
    width = log.scrollable_content_region.width
    return bool(log.lines) and all(strip.cell_length <= width for strip in log.lines)


async def room_with_bo(pilot: Pilot[None], members: Members) -> Member:
    invite = await open_room(pilot, "ana")
    return await let_in(pilot, members, invite, "bo")


def host_log(app: PorchApp) -> RoomLog:
    room = app.room_screen()
    assert room is not None
    return room.query_one(RoomLog)


async def thirty_from_bo(pilot: Pilot[None], bo: Member, words: Callable[[int], int]) -> RoomLog:
    """bo says m00 to m29, message ``n`` with ``words(n)`` characters of WORDS after its
    name; the host's log once all thirty are in it."""
    for n in range(30):
        bo.send(cmd.Say(f"m{n:02d} " + WORDS[: words(n)]))
    log = host_log(pilot.app)  # type: ignore[arg-type]
    await until(lambda: "m29" in "\n".join(rows(log)), "bo's thirty messages")
    await pilot.pause()
    return log


async def test_a_narrower_window_rewraps_the_talk_and_a_wider_one_joins_it(
    relay_url: str, members: Members
) -> None:
    app = PorchApp(Plan(relay_url=relay_url))
    async with app.run_test(size=WIDE) as pilot:
        bo = await room_with_bo(pilot, members)
        for n in range(20):  # more talk than the log has rows: its end is somewhere to be
            bo.send(cmd.Say(f"m{n:02d} " + WORDS[: 100 + 10 * n]))
        bo.send(cmd.Say(WORDS))
        log = host_log(app)
        # The last of bo's messages, the only one that starts with "w00": the others start
        # "m00 w00 …", and the longest of them reach w69 too.
        await until(lambda: any(HEAD.sub("", row).startswith("w00") for row in rows(log)), "")
        await until(lambda: words_of(message_rows(log, "w00")) == WORDS.split(), "all of it")
        assert log.max_scroll_y > 0
        wide = message_rows(log, "w00")
        assert len(wide) > 1 and words_of(wide) == WORDS.split()

        await pilot.resize_terminal(*NARROW)
        await until(lambda: fits(log) and len(message_rows(log, "w00")) > len(wide), "new rows")
        narrow = message_rows(log, "w00")
        width = log.scrollable_content_region.width
        assert all(len(row) <= width for row in narrow), narrow
        head = HEAD.match(narrow[0])
        assert head is not None and head.group(1) == "bo"
        assert all(row.startswith(GUTTER) for row in narrow[1:]), narrow
        assert words_of(narrow) == WORDS.split()  # every word, in order, none cut off
        assert log.scroll_y == log.max_scroll_y  # ana was at the end, and still is

        await pilot.resize_terminal(*WIDE)
        await until(lambda: message_rows(log, "w00") == wide, "the rows joined again")
        assert log.laid_out and log.scroll_x == 0 and log.scroll_y == log.max_scroll_y > 0


async def test_a_person_who_scrolled_up_keeps_the_message_they_were_reading(
    relay_url: str, members: Members
) -> None:
    app = PorchApp(Plan(relay_url=relay_url))
    async with app.run_test(size=WIDE) as pilot:
        bo = await room_with_bo(pilot, members)
        log = await thirty_from_bo(pilot, bo, lambda n: 120 + 40 * (n % 5))

        def top() -> str:
            """The message whose row is at the top of the log now."""
            shown = rows(log)
            y = round(log.scroll_y)
            while y > 0 and not HEAD.match(shown[y]):
                y -= 1
            return HEAD.sub("", shown[y]).split()[0]

        reading = next(i for i, row in enumerate(rows(log)) if "m12 " in row)
        wide = message_rows(log, "m12")
        log.scroll_to(y=reading, animate=False, immediate=True)  # ana scrolls up to read m12
        await pilot.pause()
        assert top() == "m12" and log.scroll_y < log.max_scroll_y

        await pilot.resize_terminal(*NARROW)
        await until(lambda: fits(log), "the talk laid out at the narrower width")
        assert top() == "m12" and len(message_rows(log, "m12")) > len(wide)
        assert HEAD.sub("", rows(log)[round(log.scroll_y)]).startswith("m12 ")
        assert 0 < log.scroll_y < log.max_scroll_y  # neither thrown to the top nor the end

        await pilot.resize_terminal(*WIDE)
        await until(lambda: log.laid_out and message_rows(log, "m12") == wide, "m12 joined again")
        assert top() == "m12"


async def test_a_change_of_height_alone_lays_nothing_out_again(
    relay_url: str, members: Members
) -> None:
    app = PorchApp(Plan(relay_url=relay_url))
    async with app.run_test(size=WIDE) as pilot:
        bo = await room_with_bo(pilot, members)
        bo.send(cmd.Say(WORDS))
        log = host_log(app)
        await until(lambda: "w69" in "\n".join(rows(log)), "bo's long message")
        await pilot.pause()
        before, height = list(log.lines), log.size.height

        await pilot.resize_terminal(WIDE[0], WIDE[1] - 8)
        await until(lambda: log.size.height < height, "the log shorter")
        assert not log.settling
        await pilot.pause(0.5)  # longer than a width takes to settle
        assert all(now is then for now, then in zip(log.lines, before, strict=False))
        assert log.scroll_y == log.max_scroll_y


async def test_someone_reading_further_up_is_not_pulled_to_the_end_by_new_messages(
    relay_url: str, members: Members
) -> None:
    app = PorchApp(Plan(relay_url=relay_url))
    async with app.run_test(size=WIDE) as pilot:
        bo = await room_with_bo(pilot, members)
        log = await thirty_from_bo(pilot, bo, lambda n: 200)
        assert log.scroll_y == log.max_scroll_y > 0  # at the end while nobody scrolled

        reading = next(i for i, row in enumerate(rows(log)) if "m05 " in row)
        log.scroll_to(y=reading, animate=False, immediate=True)  # ana scrolls up to read m05
        await pilot.pause()
        bo.send(cmd.Say("m30 while ana reads"))
        await until(lambda: "m30 while ana reads" in "\n".join(rows(log)), "bo's next message")
        await pilot.pause()
        assert log.scroll_y == reading < log.max_scroll_y  # still reading m05

        await type_line(pilot, "my own line")  # what ana sends takes her to the end
        await until(lambda: "my own line" in "\n".join(rows(log)), "ana's line")
        await until(lambda: log.scroll_y == log.max_scroll_y, "ana at the end")
        bo.send(cmd.Say("m31 while ana is at the end"))
        await until(lambda: "m31 while" in "\n".join(rows(log)), "bo's message after")
        await until(lambda: log.scroll_y == log.max_scroll_y, "ana kept at the end")
