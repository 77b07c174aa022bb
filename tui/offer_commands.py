"""Offers as typed commands, for the plain mode (and the composer's words).

These words are a contract (scripts type them): ``/offer PATH`` and
``/link URL`` (then ``/confirm`` or ``/cancel``, after a line naming who will
be asked), ``/accept N``, ``/decline N``, ``/save N PATH``, ``/offers``, and
``/cancel N`` to withdraw an offer or stop a transfer. A message too long to
send becomes an offer the same way, so nothing typed is lost.

Reading the file offered and writing the one saved are the only disk access
a client makes, each on the person's word; a save never overwrites a file
unless the person, asked, chose to replace it.
"""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from protocol import commands as cmd
from protocol.bodies.offer import OfferKind
from protocol.room import offers as of
from tui.offer_sentences import size_words
from tui.peer_text import name, shown

WORDS: Final = frozenset({"offer", "link", "confirm", "cancel", "accept", "decline", "save"})


@dataclass(frozen=True, slots=True)
class Pending:
    """An offer waiting for the person's confirm, and who it will ask."""

    offer: cmd.Offer
    to: tuple[str, ...]


def _and(names: tuple[str, ...]) -> str:
    if len(names) <= 1:
        return names[0] if names else "nobody"
    return ", ".join(names[:-1]) + " and " + names[-1]


def asking(pending: Pending) -> str:
    """The line that names exactly who will be asked, before anything is sent."""
    offer = pending.offer
    match offer.kind:
        case OfferKind.FILE:
            what = f"{shown(offer.note)} ({size_words(len(offer.content))})"
        case OfferKind.LINK:
            what = f"a link to {shown(offer.note)}"
        case _:
            what = f"a text of {len(offer.content)} characters"
    to = _and(tuple(name(n) for n in pending.to))
    return f"This offers {what} to {to}. /confirm sends the offer; /cancel drops it."


def file_offer(path_text: str, limit: int) -> cmd.Offer | str:
    """The offer of the file at ``path_text``, or a sentence saying why not."""
    path = Path(path_text).expanduser()
    if not path_text.strip():
        return "Say which file: /offer PATH."
    if not path.is_file():
        return f"There is no file at {shown(path_text)}."
    size = path.stat().st_size
    if size > limit:
        return (
            f"{shown(path.name)} is {size_words(size)}, larger than the limit of "
            f"{size_words(limit)}; nothing was offered."
        )
    try:
        content = path.read_bytes()
    except OSError as exc:
        return f"Porch could not read {shown(path_text)} ({shown(exc.strerror or str(exc))})."
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return cmd.Offer(OfferKind.FILE, of.safe_name(path.name), content, mime)


def link_offer(url: str) -> cmd.Offer | str:
    domain = of.link_domain(url)
    if domain is None:
        return "That is not an http or https link: /link URL."
    return cmd.Offer(OfferKind.LINK, domain, url.strip().encode())


def text_offer(text: str) -> cmd.Offer:
    return cmd.Offer(OfferKind.TEXT, of.preview(text), text.encode())


@dataclass(frozen=True, slots=True)
class Saved:
    """What a save said, and where the file went (None when nothing was written)."""

    said: str
    path: Path | None = None


def save(content: bytes, path_text: str, *, file_name: str, overwrite: bool = False) -> Saved:
    """Write ``content`` to the path the person chose, never over an existing file
    unless the person said to replace it (``overwrite``, after the save dialog asked).
    A folder (or a path ending in a separator) means the offer's own ``file_name`` in it,
    as the save dialog reads it."""
    if not path_text.strip():
        return Saved("Say where: /save N PATH.")
    path, told = Path(path_text).expanduser(), path_text
    if path.is_dir():
        path = path / of.safe_name(file_name)
        told = str(path)
    elif path_text.endswith(("/", os.sep)):
        return Saved(f"There is no folder at {shown(path_text)}; choose another path.")
    try:
        with path.open("wb" if overwrite else "xb") as out:
            out.write(content)
    except FileExistsError:
        return Saved(f"There is a file at {shown(told)} already; choose another path.")
    except OSError as exc:
        return Saved(f"Porch could not write {shown(told)} ({shown(exc.strerror or str(exc))}).")
    return Saved(f"Saved {size_words(len(content))} to {shown(str(path))}.", path)
