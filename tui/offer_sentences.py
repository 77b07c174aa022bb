"""The sentences of offers: every share is an offer, accepted one by one.

Names, notes and types came from a peer: each goes through ``peer_text``. A
link or a text is shown only once accepted, and then as literal text.
"""

from __future__ import annotations

from protocol import events as ev
from protocol.events import OfferStage
from protocol.room.offers import OPEN_PER_SENDER
from tui.peer_text import name, shown


def size_words(size: int) -> str:
    """ "512 bytes", "24 KB", "2.1 MB" (decimal units, as file managers show them)."""
    if size < 1000:
        return f"{size} bytes" if size != 1 else "1 byte"
    for unit, scale in (("KB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        if size < scale * 1000 or unit == "GB":
            value = size / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{size} bytes"


def what(event: ev.OfferEvent) -> str:
    """What is offered, as its note says: never the content."""
    note = shown(event.note)
    match event.kind:
        case "file":
            kind = f", {shown(event.mime)}" if event.mime else ""
            return f"{note} ({size_words(event.size)}{kind})"
        case "link":
            return f"a link to {note}"
    return f"a text of {event.size} characters, starting “{note}”"


def saved_sentence(event: ev.OfferEvent, where: str) -> str:
    """What ``/offers`` says of a file that arrived once it was saved, and where."""
    return f"{what(event)} from {name(event.sender)} is here, checked, and saved to {shown(where)}."


def _and(names: tuple[str, ...]) -> str:
    if len(names) <= 1:
        return names[0] if names else "nobody"
    return ", ".join(names[:-1]) + " and " + names[-1]


def offer_sentence(event: ev.OfferEvent) -> str:
    n = event.number
    sender = name(event.sender)
    match event.stage:
        case OfferStage.OFFERED:
            to = _and(tuple(name(t) if t != "you" else "you" for t in event.to))
            return f"{sender} offers {what(event)} to {to}. /accept {n} or /decline {n}."
        case OfferStage.ASKING:
            to = _and(tuple(name(t) for t in event.to))
            return (
                f"You offered {what(event)} to {to} (offer {n}). Each of them accepts or "
                f"declines; you will see who accepts. /cancel {n} withdraws it."
            )
        case OfferStage.ACCEPTED:
            return f"{name(event.by)} accepted your offer {n}; it is on its way."
        case OfferStage.TOO_LARGE:
            return (
                f"{sender} offered {what(event)}, larger than your limit; it was declined "
                "(nothing was fetched)."
            )
        case OfferStage.PROGRESS:
            percent = event.done * 100 // max(1, event.chunks)
            if event.mine:
                return f"Offer {n}: {percent} % sent ({event.done} of {event.chunks} pieces)."
            return f"Offer {n} from {sender}: {percent} % received."
        case OfferStage.ARRIVED:
            if event.kind == "file":
                return (
                    f"{what(event)} from {sender} is here, and checked. "
                    f"/save {n} PATH keeps it; nothing is written until you do."
                )
            if event.kind == "link":
                return f"The link from {sender}: {shown(event.text)}"
            return f"The text from {sender}: {shown(event.text)}"
        case OfferStage.DELIVERED:
            return f"{name(event.by)} has all of your offer {n}."
        case OfferStage.CANCELLED:
            if event.mine:
                return f"Your offer {n} is withdrawn."
            return f"Offer {n} from {sender} was cancelled; nothing of it is kept."
        case OfferStage.NOT_SHOWN:
            over = "" if event.to else " Nobody else was asked, so it is over."
            return (
                f"{name(event.by)} was not shown your offer {n}: they have "
                f"{OPEN_PER_SENDER} of your offers open already. Once they answer one, or "
                f"you withdraw one, offer it again.{over}"
            )
        case OfferStage.FAILED:
            return (
                f"Offer {n} from {sender} did not arrive intact, so it was thrown away; "
                "nothing of it is kept."
            )
    return ""


def reveal_sentence(event: ev.RevealEvent) -> str:
    who = name(event.who)
    match event.stage:
        case ev.RevealStage.ASKING:
            return (
                f"You offered {who} your contact details. Nothing is shown to either of you "
                f"unless {who} chooses to share theirs too."
            )
        case ev.RevealStage.ASKED:
            return (
                f"{who} would like to exchange contact details with you. "
                f"/reveal {who} CONTACT to share yours; you then see theirs at the same time. "
                "If you do nothing, nothing is shared and nobody is told."
            )
    return f"{who}'s contact details, shared with you as you shared yours: {shown(event.card)}"


def amend_sentence(event: ev.AmendEvent) -> str:
    by = "You" if event.mine else name(event.by)
    line = shown(event.line)
    match event.stage:
        case ev.AmendStage.PROPOSED:
            ask = "" if event.mine else " /consent to agree, or /object REASON."
            return (
                f"{by} proposed adding to the agreements: “{line}”. It needs the consent of "
                f"all {event.of} here; silence is not consent.{ask}"
            )
        case ev.AmendStage.CONSENTED:
            return f"{event.count} of {event.of} consented to adding “{line}”."
        case ev.AmendStage.OBJECTED:
            return (
                f"{by} objected to adding “{line}”: {shown(event.reason)}. "
                "The agreements stay as they are."
            )
        case ev.AmendStage.LAPSED:
            return (
                f"Not everyone consented to adding “{line}” in time, so the agreements stay "
                "as they are."
            )
    return (
        f"Everyone consented: the agreements now include “{line}”. "
        "The room code changed; read it aloud again."
    )
