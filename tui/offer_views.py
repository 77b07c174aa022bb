"""What the terminal app shows of offers, folded from room events.

The endpoint tells each step of an offer once (``OfferEvent``); the room keeps
the latest of each open offer here, as a small frozen value the offer panel
draws from. Nothing of an offer's content is here before it arrived, and a link
or a text that arrived is held only as the literal text shown. An offer leaves
the panel when it is cancelled, fails, is declined, or the person sets it aside;
ours, also when no one it asked was shown it (they had too many of ours open).

    theirs   OFFERED (accept or decline) → ACCEPTED (coming in) → ARRIVED
    mine     ASKING (who accepted, who has it all, the pieces sent)
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from protocol import events as ev
from protocol.events import OfferStage
from protocol.room.offers import chunk_count

GONE = frozenset((OfferStage.CANCELLED, OfferStage.FAILED, OfferStage.TOO_LARGE))


@dataclass(frozen=True, slots=True)
class OfferView:
    """One open offer: the note it came with, and how far it got."""

    offer: ev.OfferEvent  # the first event: what it is, from whom, to whom
    stage: OfferStage  # OFFERED, ACCEPTED or ARRIVED for theirs; ASKING for ours
    accepted: tuple[str, ...] = ()  # ours: who accepted
    delivered: tuple[str, ...] = ()  # ours: who has it all
    done: int = 0
    chunks: int = 0
    text: str = ""  # a link or a text that arrived: peer text, shown literally

    @property
    def number(self) -> int:
        return self.offer.number

    @property
    def mine(self) -> bool:
        return self.offer.mine

    @property
    def kind(self) -> str:
        return self.offer.kind

    @property
    def total(self) -> int:
        return self.chunks or chunk_count(self.offer.size)


def offers_after(views: tuple[OfferView, ...], event: ev.OfferEvent) -> tuple[OfferView, ...]:
    """The open offers once ``event`` is shown."""
    number = event.number
    found = next((v for v in views if v.number == number), None)
    rest = tuple(v for v in views if v.number != number)
    match event.stage:
        case OfferStage.OFFERED | OfferStage.ASKING if found is None:
            return (*views, OfferView(event, event.stage))
        case stage if stage in GONE:
            return rest
        case OfferStage.NOT_SHOWN if not event.to:
            return rest  # nobody left who was shown it
    if found is None:
        return views
    match event.stage:
        case OfferStage.ACCEPTED:
            changed = replace(found, accepted=(*found.accepted, event.by))
        case OfferStage.DELIVERED:
            changed = replace(found, delivered=(*found.delivered, event.by))
        case OfferStage.NOT_SHOWN:  # asked no more: the rest still are
            changed = replace(found, offer=replace(found.offer, to=event.to))
        case OfferStage.PROGRESS:
            changed = replace(found, done=event.done, chunks=event.chunks)
        case OfferStage.ARRIVED:
            stage = OfferStage.ARRIVED
            changed = replace(found, stage=stage, done=event.chunks, chunks=event.chunks)
            changed = replace(changed, text=event.text)
        case _:
            return views
    return tuple(changed if v.number == number else v for v in views)


def answered(views: tuple[OfferView, ...], number: int, *, accept: bool) -> tuple[OfferView, ...]:
    """We accepted an offer (it is coming in) or declined it (it goes)."""
    if not accept:
        return set_aside(views, number)
    return tuple(
        replace(v, stage=OfferStage.ACCEPTED)
        if v.number == number and v.stage is OfferStage.OFFERED
        else v
        for v in views
    )


def set_aside(views: tuple[OfferView, ...], number: int) -> tuple[OfferView, ...]:
    return tuple(v for v in views if v.number != number)
