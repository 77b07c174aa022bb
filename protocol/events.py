"""What a room endpoint tells the person in front of it: small frozen events.

The endpoint (``protocol.endpoint.Endpoint``) is sans-I/O, shaped like the
websockets ``Protocol``::

    ep.receive_frame(data)      # bytes of one relay frame (wire v1) in
    ep.tick(now_ms)             # timers: departure grace, periodic acks, rotation
    ep.events_received()        # -> list[Event], drained
    ep.data_to_send()           # -> list[bytes], wire v1 frames to send, drained

and person-level commands go in as method calls (``agree()``, ``say(text)``,
``admit(knock)``, ``not_now(knock)``, ``react(...)``, ``mark_verified(slot)``,
``leave()``). The TUI, the plain line mode, the tests, the benchmarks and the
hostile-relay harness all drive the same endpoint, so what one sees is what all
see.

Every field that came from a peer (``nick``, ``text``, ``agreements``) is
untrusted plain text: show it as a literal string, never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Seat:
    """One roster entry as a person sees it."""

    slot: int
    nick: str
    connected: bool
    verified: bool
    is_host: bool
    is_me: bool


# --- connection -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Connected:
    """The relay welcomed us into the room's channel (not yet into the roster)."""

    peer: int
    present: int  # connections in the room, us included


@dataclass(frozen=True, slots=True)
class Refused:
    """The relay refused or closed us; ``sentence`` says what happened and what to do."""

    code: str
    sentence: str


# --- entering ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgreementsOffered:
    """A joiner sees the room's agreements, signed by the host, before knocking."""

    text: str
    host_nick: str


@dataclass(frozen=True, slots=True)
class Waiting:
    """We knocked; a member must admit us."""


@dataclass(frozen=True, slots=True)
class Entered:
    """We are on the roster: the room is ours to speak in."""

    slot: int
    epoch: int
    room_code: str


# --- membership -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Knocked:
    """Someone holding the invite asks to come in. ``knock`` identifies it for admit/not_now."""

    knock: int
    nick: str


@dataclass(frozen=True, slots=True)
class KnockWithdrawn:
    knock: int
    nick: str


@dataclass(frozen=True, slots=True)
class Admitted:
    """Everyone sees who admitted whom.

    ``returning``: nobody did; they came back after their connection dropped,
    vouched for by their old key (``by_nick`` is then their own nickname).
    """

    nick: str
    by_nick: str
    returning: bool = False


@dataclass(frozen=True, slots=True)
class RosterChanged:
    """A new epoch: the roster, and a new room code to read aloud."""

    epoch: int
    seats: tuple[Seat, ...]
    room_code: str


@dataclass(frozen=True, slots=True)
class SeatsChanged:
    """Someone's connection or verification changed; the roster and epoch did not."""

    seats: tuple[Seat, ...]


@dataclass(frozen=True, slots=True)
class Departed:
    """Someone left the roster (they left, or their grace period ran out)."""

    nick: str
    reason: str  # "left" | "disconnected"


# --- talk -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Said:
    """A message, in the room's agreed order."""

    seq: int
    ts: int
    slot: int
    nick: str
    text: str
    mine: bool


@dataclass(frozen=True, slots=True)
class Reacted:
    """A reaction never takes the floor."""

    slot: int
    nick: str
    emoji: str


@dataclass(frozen=True, slots=True)
class Gap:
    """Messages we know were sent but never reached us: shown, never hidden."""

    slot: int
    nick: str
    missing: int


@dataclass(frozen=True, slots=True)
class Tampering:
    """Evidence that the relay dropped, forked or forged something; everyone is told."""

    sentence: str


@dataclass(frozen=True, slots=True)
class Notice:
    """Anything else a person should read: one full sentence."""

    sentence: str


@dataclass(frozen=True, slots=True)
class Closed:
    """The session is over for this endpoint (we left, or the room is gone)."""

    sentence: str


Event = (
    Connected
    | Refused
    | AgreementsOffered
    | Waiting
    | Entered
    | Knocked
    | KnockWithdrawn
    | Admitted
    | RosterChanged
    | SeatsChanged
    | Departed
    | Said
    | Reacted
    | Gap
    | Tampering
    | Notice
    | Closed
)
