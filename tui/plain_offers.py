"""The plain mode's offer list (``/offers``): the latest line told of each offer.

Open offers are few (a sender has at most ``OPEN_PER_SENDER`` open with us); of
those that ended, only the last ``KEPT_ENDED`` stay listed, so a member who
offers and offers again cannot grow it without end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from protocol import events as ev
from protocol.events import OfferStage
from protocol.room.offers import KEPT_ENDED
from tui.offer_sentences import saved_sentence

ENDED = frozenset((OfferStage.CANCELLED, OfferStage.FAILED, OfferStage.TOO_LARGE))
LISTED = frozenset((OfferStage.OFFERED, OfferStage.ASKING, OfferStage.TOO_LARGE))


@dataclass
class OfferLines:
    lines: dict[int, str] = field(default_factory=dict)  # by number
    ended: dict[int, None] = field(default_factory=dict)  # numbers, oldest first
    arrived: dict[int, ev.OfferEvent] = field(default_factory=dict)  # files here, by number

    def told(self, event: ev.OfferEvent, line: str) -> None:
        """The line a person read about ``event`` becomes its offer's line."""
        number, stage = event.number, event.stage
        if stage in LISTED or (stage is not OfferStage.PROGRESS and number in self.lines):
            self.lines[number] = line
        if stage is OfferStage.ARRIVED and event.kind == "file" and number in self.lines:
            self.arrived[number] = event
        if number in self.lines and (
            stage in ENDED or (stage is OfferStage.NOT_SHOWN and not event.to)
        ):
            self.end(number)

    def end(self, number: int) -> None:
        if number not in self.lines:
            return
        self.ended[number] = None
        while len(self.ended) > KEPT_ENDED:
            oldest = next(iter(self.ended))
            del self.ended[oldest], self.lines[oldest]
            self.arrived.pop(oldest, None)

    def saved(self, number: int, where: str) -> None:
        """The file of offer ``number`` was saved at ``where``: its line says so."""
        arrived = self.arrived.get(number)
        if arrived is not None and number in self.lines:
            self.lines[number] = saved_sentence(arrived, where)

    def listed(self) -> list[str]:
        return [f"  {number}. {self.lines[number]}" for number in sorted(self.lines)]
