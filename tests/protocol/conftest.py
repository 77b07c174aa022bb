"""Rooms of real endpoints behind the in-memory hostile relay."""

from __future__ import annotations

from protocol import events as ev
from protocol.endpoint import Endpoint
from tests.protocol.harness import HostileRelay, Seat

NICKS = ("ana", "bo", "cy", "di", "ed", "flo", "gus", "hal", "ivy", "jo", "kit", "lu", "mo")


def open_room(
    size: int, agreements: str = "Be kind.", grace_ms: int = 10_000
) -> tuple[HostileRelay, list[Seat]]:
    """A room of ``size`` members, each admitted by the host, all quiet afterwards."""
    relay = HostileRelay()
    host = Endpoint.host("ws://127.0.0.1:8765", NICKS[0], agreements, grace_ms=grace_ms)
    seats = [relay.connect(host)]
    for nick in NICKS[1:size]:
        seats.append(knock_and_enter(relay, seats[0], nick, grace_ms))
    return relay, seats


def knock_and_enter(relay: HostileRelay, host: Seat, nick: str, grace_ms: int = 10_000) -> Seat:
    joiner = Endpoint.joining(host.endpoint.invite, nick, grace_ms=grace_ms)
    seat = relay.connect(joiner)
    joiner.agree()
    relay.pump()
    host.endpoint.admit(seat.peer)
    relay.pump()
    return seat


def said(seat: Seat) -> list[tuple[str, str]]:
    return [(e.nick, e.text) for e in seat.events if isinstance(e, ev.Said)]


def of(seat: Seat, kind: type[object]) -> list[object]:
    return [e for e in seat.events if isinstance(e, kind)]


def fingerprint(ep: Endpoint) -> tuple[object, ...]:
    """Everything a frame could change in an endpoint, for 'nothing changed' checks."""
    chains = tuple(
        sorted(
            (s, c.epoch, c.gen, c.next_index, c.running, c._chain_key) for s, c in ep.chains.items()
        )
    )
    previous = tuple(
        sorted((s, c.epoch, c.gen, c.next_index, c._chain_key) for s, (c, _) in ep.previous.items())
    )
    sending = (ep.sending.epoch, ep.sending.gen, ep.sending.index) if ep.sending else None
    return (
        ep.epoch,
        ep.room_code,
        ep.my_slot,
        chains,
        previous,
        sending,
        len(ep.pending),
        tuple(sorted(ep.knocks)),
        ep.state,
        tuple(ep.lineage),
        ep.trusted_sequencer,
        ep.in_flight,
        tuple(sorted(ep.leaving.items())),
        ep.closed,
    )
