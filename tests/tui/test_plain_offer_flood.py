"""One member offering without end, as plain mode shows it: real processes, a real relay.

ana sees four of bo's open offers and one line saying later ones are not shown;
bo is told at once which offers ana was not shown. ``/offers`` keeps the open
offers and only the last few that ended, however many bo makes.
"""

from __future__ import annotations

import re
from pathlib import Path

from protocol.room.offers import KEPT_ENDED, OPEN_PER_SENDER
from tests.tui.processes import Porch, plain_room


def offer_link(bo: Porch, n: int) -> None:
    bo.send(f"/link https://example.org/{n}")
    bo.expect(r"^This offers a link to example\.org to ana\.")
    bo.send("/confirm")
    bo.expect(r"^You offered a link to example\.org to ana \(offer \d+\)")


def listed(ana: Porch) -> list[str]:
    ana.send("/offers")
    ana.send("/code")  # its answer marks the end of the list
    lines = []
    while not (line := ana.expect(r".")).startswith("The room code is"):
        lines.append(line)
    return [line for line in lines if re.match(r"^  \d+\. ", line)]


def test_a_flood_of_offers_shows_four_says_so_once_and_the_list_stays_bounded(
    porches: list[Porch], tmp_path: Path
) -> None:
    ana, bo = plain_room(porches, tmp_path, ("bo",))
    for n in range(OPEN_PER_SENDER + 2):
        offer_link(bo, n)
    not_shown = r"^ana was not shown your offer \d+: they have 4 of your offers open"
    while sum(bool(re.match(not_shown, line)) for line in bo.seen) < 2:
        bo.expect(not_shown)
    numbers = []
    for _ in range(OPEN_PER_SENDER):
        line = ana.expect(r"^bo offers a link to example\.org to you\. /accept (\d+)")
        numbers.append(int(re.findall(r"/accept (\d+)", line)[0]))
    ana.expect(r"^bo has 4 offers open here already; later ones are not shown until one ends")
    for number in numbers:
        ana.send(f"/decline {number}")
        ana.expect(rf"^You declined offer {number}\.")
    for n in range(KEPT_ENDED + 2):
        offer_link(bo, 100 + n)
        line = ana.expect(r"^bo offers a link to example\.org to you\. /accept (\d+)")
        number = int(re.findall(r"/accept (\d+)", line)[0])
        ana.send(f"/decline {number}")
        ana.expect(rf"^You declined offer {number}\.")
    assert not [line for line in ana.seen if "later ones are not shown" in line][1:]
    assert len(listed(ana)) == KEPT_ENDED
