"""Offers as one person sees them: numbered in their own view, held back until accepted.

Nothing of an offer is fetched, opened or shown before its recipient accepts:
the note is all they see (``bodies.offer``). Content lives in memory only, on
both sides, until the person saves it somewhere they chose, or it goes.

    mine (Outgoing)      the content, its key and digest, who accepted, who has
                         it all, and the next chunk to send (paced, see
                         ``PACE_PER_S``; an accepter who lacks chunks asks again
                         from the first it lacks)
    theirs (Incoming)    the note, the key once sent, the chunks held; once
                         every chunk is in, the whole is checked against the
                         digest before it can be saved

One member cannot crowd another's screen: at most ``OPEN_PER_SENDER`` offers from
one sender are open (shown, or coming in) at a time; a later one is not shown, its
sender is told so (``Say.CROWDED``), and the receiver hears it once per burst.
Offers that ended are forgotten but the last ``KEPT_ENDED`` (and those that
arrived, which the person accepted one by one and may still save).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum, auto
from typing import Final

from protocol.bodies.offer import CHUNK, NOTE_CHARS, OfferKind
from protocol.limits import MAX_OFFER_BYTES

PACE_PER_S: Final = 30  # chunks a second: well under the relay's 50 frames, so talk flows
PACE_BURST: Final = 4
STALL_MS: Final = 4_000  # no chunk for this long while some are missing: ask again
PREVIEW_CHARS: Final = 40
PROGRESS_STEPS: Final = 20  # progress is told at every 5 %
OPEN_PER_SENDER: Final = 4  # offers from one sender shown or coming in at once
KEPT_ENDED: Final = 16  # declined, cancelled or failed offers still listed
NOBODY: Final = -1  # an offer's sender whose seat went: it may come back, on a new one

# Characters that change how text reads without being seen: bidirectional
# controls, and the zero-width ones.
_INVISIBLE: Final = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)


def safe_name(name: str) -> str:
    """A file name that cannot escape a folder or deceive: the last path part, no
    separators, no control or invisible characters, no leading dots, bounded."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(
        ch
        for ch in name
        if ch not in _INVISIBLE and unicodedata.category(ch)[0] != "C" and ch not in "/\\:"
    )
    kept = kept.strip().lstrip(".").strip()
    return kept[:NOTE_CHARS] or "file"


_LABEL: Final = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")


def is_domain(host: str) -> bool:
    """Whether ``host`` reads as a host name and nothing else: lower-case labels of
    letters, digits, hyphens (an internationalised name as IDNA allows it), or an IP
    address; no spaces, controls, brackets or words around it."""
    if host.startswith("[") and host.endswith("]"):
        try:
            return ipaddress.IPv6Address(host[1:-1]).version == 6
        except ValueError:
            return False
    if host != host.lower() or len(host) > 253:
        return False
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return all(_LABEL.fullmatch(label) for label in ascii_host.lower().split("."))


def link_domain(url: str) -> str | None:
    """The host a link goes to, lower-cased; None if it is no http(s) link, or its
    host is no host name (``is_domain``)."""
    scheme, sep, rest = url.strip().partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        return None
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = authority.rsplit("@", 1)[-1]
    host = host.split("]", 1)[0] + "]" if host.startswith("[") else host.split(":", 1)[0]
    host = host.lower().rstrip(".")
    if not host or any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in host):
        return None
    return host if is_domain(host) else None


def preview(text: str) -> str:
    """A text's first words, for the note."""
    words = " ".join(text.split())
    if len(words) <= PREVIEW_CHARS:
        return words
    return words[:PREVIEW_CHARS].rsplit(" ", 1)[0] + "…"


def chunk_count(size: int) -> int:
    """Every offer ends in a chunk that holds the end mark, so a size splits one way."""
    return size // CHUNK + 1


def piece(content: bytes, index: int) -> bytes:
    """The ``index``-th chunk's plaintext: exactly CHUNK bytes (the last padded)."""
    part = content[index * CHUNK : (index + 1) * CHUNK]
    if index == len(content) // CHUNK:
        part = part + b"\x80" + bytes(CHUNK - len(part) - 1)
    return part


def whole(pieces: dict[int, bytes], chunks: int) -> bytes | None:
    """The content from every chunk, or None if the end mark is not where it must be."""
    last = pieces[chunks - 1].rstrip(b"\x00")
    if not last.endswith(b"\x80"):
        return None
    return b"".join(pieces[i] for i in range(chunks - 1)) + last[:-1]


class Stage(Enum):
    OFFERED = auto()  # shown, not answered
    ACCEPTED = auto()  # we asked for it; chunks and the key are on their way
    ARRIVED = auto()  # every chunk in, and the digest checked out
    DECLINED = auto()  # by us (nothing was sent), or by our size limit
    CANCELLED = auto()  # by either side
    FAILED = auto()  # a chunk or the whole did not check out


OPEN: Final = (Stage.OFFERED, Stage.ACCEPTED)


@dataclass(slots=True)
class Incoming:
    number: int
    offer: bytes
    sender: int
    sender_identity: bytes
    kind: OfferKind
    note: str
    mime: str
    size: int
    chunks: int
    sender_nick: str = ""
    stage: Stage = Stage.OFFERED
    file_key: bytes = b""
    digest: bytes = b""
    sealed: dict[int, bytes] = field(default_factory=dict)  # before the key came
    pieces: dict[int, bytes] = field(default_factory=dict)
    content: bytes | None = None
    last_chunk_ms: int = 0
    told: int = 0  # progress steps told

    def first_missing(self) -> int:
        return next((i for i in range(self.chunks) if i not in self.pieces), self.chunks)


@dataclass(slots=True)
class Outgoing:
    number: int
    offer: bytes
    kind: OfferKind
    note: str
    mime: str
    content: bytes
    file_key: bytes
    digest: bytes
    to: tuple[int, ...]
    chunks: int
    accepted: set[int] = field(default_factory=set)
    have: set[int] = field(default_factory=set)
    cursor: int = 0  # the next chunk to send
    sending: bool = False
    cancelled: bool = False
    told: int = 0

    @property
    def size(self) -> int:
        return len(self.content)

    def waiting(self) -> set[int]:
        """Accepters who do not have it all yet."""
        return self.accepted - self.have


@dataclass(slots=True)
class Offers:
    mine: dict[bytes, Outgoing] = field(default_factory=dict)
    theirs: dict[bytes, Incoming] = field(default_factory=dict)
    numbered: int = 0
    tokens: float = PACE_BURST
    refilled_ms: int | None = None
    limit: int = MAX_OFFER_BYTES
    crowded: set[int] = field(default_factory=set)  # seats told of: "later ones not shown"

    def next_number(self) -> int:
        self.numbered += 1
        return self.numbered

    def by_number(self, number: int) -> Outgoing | Incoming | None:
        found: list[Outgoing | Incoming] = [*self.mine.values(), *self.theirs.values()]
        return next((offer for offer in found if offer.number == number), None)

    def open_from(self, slot: int) -> int:
        """How many offers from this seat are shown or coming in."""
        return sum(1 for inc in self.theirs.values() if inc.sender == slot and inc.stage in OPEN)

    def room_for(self, slot: int) -> bool:
        """Whether one more offer from this seat may be shown. When it may not, the
        seat is marked: the person is told once, until one of its offers ends."""
        if self.open_from(slot) < OPEN_PER_SENDER:
            self.crowded.discard(slot)
            return True
        return False

    def forget_ended(self) -> None:
        """Keep the last ``KEPT_ENDED`` offers that ended unanswered, cancelled or
        failed; older ones go (dicts keep the order they came in)."""
        ended = [
            key
            for key, inc in self.theirs.items()
            if inc.stage not in OPEN and inc.stage is not Stage.ARRIVED
        ]
        for key in ended[: max(0, len(ended) - KEPT_ENDED)]:
            del self.theirs[key]

    def sending(self) -> list[Outgoing]:
        return [o for o in self.mine.values() if o.sending and not o.cancelled]

    def take_token(self, now: int) -> bool:
        """Whether one more chunk may go now, under the pace."""
        if self.refilled_ms is None:
            self.refilled_ms = now
        self.tokens = min(PACE_BURST, self.tokens + (now - self.refilled_ms) * PACE_PER_S / 1000)
        self.refilled_ms = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def next_token_ms(self) -> int | None:
        if not self.sending() or self.refilled_ms is None:
            return None
        return self.refilled_ms + int(max(0.0, 1 - self.tokens) * 1000 / PACE_PER_S) + 1

    def seat_gone(self, slot: int, *, may_return: bool) -> list[Incoming]:
        """A seat went: it is asked nothing more (its seat may go to someone else). An
        offer from it ends, unless its connection only dropped and we hold the key:
        then it resumes once the sender is back and shows the key (``KEY``). The
        offers that ended are returned."""
        for out in self.mine.values():
            out.to = tuple(s for s in out.to if s != slot)
            out.accepted.discard(slot)
            out.have.discard(slot)
        ended = []
        for inc in self.theirs.values():
            if inc.sender != slot or inc.stage not in (Stage.OFFERED, Stage.ACCEPTED):
                continue
            inc.sender = NOBODY
            if not (may_return and inc.stage is Stage.ACCEPTED and inc.file_key):
                inc.stage, inc.pieces, inc.sealed = Stage.CANCELLED, {}, {}
                ended.append(inc)
        return ended

    def came_back(self) -> None:
        """We are back on a new connection, in a new seat: every seat we knew may be
        someone else's now. Our offers wait for accepters who show the key; offers to
        us resume from the chunks we hold once their sender shows the key."""
        for out in self.mine.values():
            out.to, out.accepted, out.have, out.cursor, out.sending = (), set(), set(), 0, False
        for inc in self.theirs.values():
            inc.sender = NOBODY
            if inc.stage is Stage.OFFERED or (inc.stage is Stage.ACCEPTED and not inc.file_key):
                inc.stage, inc.pieces, inc.sealed = Stage.CANCELLED, {}, {}
        self.tokens, self.refilled_ms = PACE_BURST, None
