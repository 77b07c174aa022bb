"""Rooms of real endpoints behind the in-memory hostile relay, and ways to forge frames.

Helpers for the protocol tests; every room is built fresh for the test that asks.
"""

from __future__ import annotations

from dataclasses import replace

from nacl.signing import SigningKey

from protocol import commands as cmd
from protocol import events as ev
from protocol import wire
from protocol.bodies import Say, decode_content, encode_content
from protocol.bodies.commit import ChangeKind, CommitBody, Member
from protocol.bodies.door import KnockBody
from protocol.crypto import ExchangeKey, pad, seal, sign, unpad, unseal
from protocol.endpoint import Endpoint
from protocol.frames import GroupFrame, Kind, RoomFrame, group_header, parse
from protocol.keys.chains import SendingChain, ratchet
from protocol.keys.sender import Voice
from protocol.membership.evidence import consent_statement, goodbye_statement
from protocol.membership.roomwide import open_roomwide, roomwide_frame
from protocol.membership.roster import admitting, removing
from tests.protocol.harness import HostileRelay, Seat

NICKS = ("ana", "bo", "cy", "di", "ed", "flo", "gus", "hal", "ivy", "jo", "kit", "lu", "mo")


def open_room(
    size: int,
    agreements: str = "Be kind.",
    grace_ms: int = 10_000,
    relay: HostileRelay | None = None,
) -> tuple[HostileRelay, list[Seat]]:
    """A room of ``size`` members, each admitted by the host, all quiet afterwards."""
    relay = relay or HostileRelay()
    host = Endpoint.host("ws://127.0.0.1:8765", NICKS[0], agreements, grace_ms=grace_ms)
    seats = [relay.connect(host)]
    for nick in NICKS[1:size]:
        seats.append(knock_and_enter(relay, seats[0], nick, grace_ms))
    return relay, seats


def knock_and_enter(relay: HostileRelay, host: Seat, nick: str, grace_ms: int = 10_000) -> Seat:
    joiner = Endpoint.joining(host.endpoint.invite, nick, grace_ms=grace_ms)
    seat = relay.connect(joiner)
    seat.send(cmd.Agree())
    relay.pump()
    host.send(cmd.Admit(seat.peer))
    relay.pump()
    return seat


def knocking(relay: HostileRelay, host: Seat, nick: str, wait_s: int = 600) -> Seat:
    """``nick`` agrees and knocks; nobody answers yet."""
    seat = relay.connect(Endpoint.joining(host.endpoint.invite, nick, knock_wait_s=wait_s))
    seat.send(cmd.Agree())
    relay.pump()
    return seat


def stamped(relay: HostileRelay, seat: Seat, kind: Kind) -> wire.Msg:
    """The last frame of ``kind`` that ``seat`` published, as the relay stamped it."""
    room = seat.endpoint.room
    return [
        m
        for m in relay.log
        if m.sender == seat.peer
        and isinstance(frame := parse(m.d, room), RoomFrame)
        and frame.kind is kind
    ][-1]


def said(seat: Seat) -> list[tuple[str, str]]:
    return [(e.nick, e.text) for e in seat.events if isinstance(e, ev.Said)]


def of(seat: Seat, kind: type[object]) -> list[object]:
    return [e for e in seat.events if isinstance(e, kind)]


def alarms(seat: Seat) -> list[tuple[ev.Alarm, tuple[str, ...]]]:
    """Every piece of evidence ``seat`` was shown: (kind, who)."""
    return [(e.alarm, e.who) for e in seat.events if isinstance(e, ev.Tampering)]


def raised(seat: Seat, alarm: ev.Alarm, *who: str) -> bool:
    """Whether ``seat`` was shown ``alarm`` naming ``who`` (in that order, if given)."""
    return any(a is alarm and (not who or w == who) for a, w in alarms(seat))


def notes(seat: Seat) -> list[tuple[ev.Note, str]]:
    return [(e.note, e.who) for e in seat.events if isinstance(e, ev.Notice)]


# --- forging frames ---------------------------------------------------------------


def roomwide(ep: Endpoint, kind: Kind, body: bytes, signer: SigningKey) -> bytes:
    """A lobby, knock or commit sealed under the room's join key and signed by ``signer``."""
    return roomwide_frame(kind, body, ep.room, ep.join_key, signer)


def answering(seat: Seat) -> bytes:
    """What a knock names: the Commit ``seat`` holds now, as a lobby would show it."""
    roster = seat.endpoint.roster
    assert roster is not None
    return roster.commit_hash


def publish_as(relay: HostileRelay, seat: Seat, d: bytes) -> None:
    relay.publish(seat.peer, d)
    relay.pump()


def fake_member(slot: int) -> Member:
    return Member(
        slot, f"x{slot}", bytes(SigningKey.generate().verify_key), ExchangeKey().public, 900 + slot
    )


def group_frame(
    ep: Endpoint, chain: SendingChain, slot: int, text: str, signer: SigningKey
) -> bytes:
    index, key = chain.next_key()
    header = group_header(ep.room, chain.epoch, slot, chain.gen, index)
    signed = header + seal(key, pad(encode_content(Say(text))), header)
    return signed + sign(signer, signed)


def sent_by(relay: HostileRelay, seat: Seat, kind: type[object]) -> list[wire.Msg]:
    """Every frame of ``kind`` that ``seat`` published, oldest first."""
    return [
        msg
        for msg in relay.log
        if msg.sender == seat.peer and isinstance(parse(msg.d, seat.endpoint.room), kind)
    ]


# --- a relay that hides its drops -------------------------------------------------


class CarefulRelay(HostileRelay):
    """A hostile relay that hides its drops: each member's numbers rise by one."""

    def __init__(self) -> None:
        super().__init__()
        self.numbers: dict[int, int] = {}

    def deliver(self, seat: Seat, frame: bytes) -> None:
        event = wire.decode_server(frame)
        if isinstance(event, wire.Msg | wire.Join | wire.Leave):
            number = self.numbers[seat.peer] = self.numbers.get(seat.peer, event.seq - 1) + 1
            frame = wire.encode(replace(event, seq=number))
        super().deliver(seat, frame)


def two_in_turn_swapped_for(relay: HostileRelay, seat: Seat) -> None:
    """Release what ``relay`` holds, showing ``seat`` its two frames in the other order."""
    held, relay.held = relay.held, []
    relay.hold = False
    waiting: list[bytes] = []

    def swapped(peer: int, msg: wire.Msg) -> list[bytes]:
        if peer != seat.peer:
            return [wire.encode(msg)]
        waiting.append(wire.encode(msg))
        if len(waiting) == 2:
            first, second = waiting
            return [second, first]
        return []

    relay.tamper = swapped
    for sender, payload in held:
        relay.publish(sender, payload)
    relay.pump()
    relay.tamper = None


def careful_room(size: int, grace_ms: int = 10_000) -> tuple[CarefulRelay, list[Seat]]:
    relay = CarefulRelay()
    open_room(size, grace_ms=grace_ms, relay=relay)
    return relay, list(relay.seats.values())


def fingerprint(ep: Endpoint) -> dict[str, object]:
    """Every part's whole state, but for our count of the relay's numbering.

    Every relay frame moves that count on, accepted or not (an honest relay
    numbers every room event), and a number out of turn is said once;
    everything else must stay as it was when a frame is refused.
    """
    picture = ep.snapshot()
    picture["presence"] = (ep.presence.mine, tuple(sorted(ep.presence.present)))
    picture["told"] = tuple(
        sorted((t for t in ep.told if t[0] is not ev.Alarm.OUT_OF_ORDER), key=repr)
    )
    return picture


def new_chain(seat: Seat) -> None:
    """``seat`` draws a new chain generation now, as it does every few hundred messages."""
    ep = seat.endpoint
    assert ep.roster is not None and ep.my_slot is not None
    voice = Voice(ep.room, ep.my_slot, ep.identity, ep.join_key)
    keys = ep.sender.start_chain(voice, ep.roster, ep.pairs, seat.relay.now)
    assert keys is not None
    ep.publish(keys)


def admission(
    holder: Seat, by: Seat, nick: str, identity: bytes, exchange: bytes, peer: int
) -> CommitBody:
    """The next Commit of ``holder``'s room admitting these keys with ``by``'s real consent,
    as a sequencer would write it (whoever then signs it)."""
    ep = holder.endpoint
    assert ep.roster is not None and by.endpoint.my_slot is not None
    consent = sign(by.endpoint.identity, consent_statement(ep.room, identity, exchange, nick))
    slot = by.endpoint.my_slot
    return admitting(ep.roster, nick, identity, exchange, peer, slot, consent, ep.chain.tickets)


def goodbye(seat: Seat) -> bytes:
    """``seat``'s signed goodbye, the evidence a Commit of its leaving carries."""
    ep = seat.endpoint
    return sign(ep.identity, goodbye_statement(ep.room, bytes(ep.identity.verify_key)))


def departure(
    holder: Seat, slot: int, reason: ChangeKind, by: int, evidence: bytes = b""
) -> CommitBody:
    """The next Commit of ``holder``'s room without ``slot``, signed later by seat ``by``."""
    ep = holder.endpoint
    assert ep.roster is not None
    return removing(ep.roster, slot, reason, by, evidence, ep.chain.tickets)


def readable_by_a_kept_chain(
    relay: HostileRelay, seat: Seat, kept: tuple[bytes, tuple[int, int, int], int]
) -> list[str]:
    """What someone holding ``seat``'s old chain (key, (slot, epoch, gen), next index) reads."""
    chain_key, at, start = kept
    read = []
    for msg in relay.log:
        frame = parse(msg.d, seat.endpoint.room)
        if not isinstance(frame, GroupFrame) or (frame.slot, frame.epoch, frame.gen) != at:
            continue
        if frame.index < start:
            continue
        key = chain_key
        for _ in range(frame.index - start):
            key = ratchet(key)[1]
        content = decode_content(unpad(unseal(ratchet(key)[0], frame.sealed, frame.header)))
        if isinstance(content, Say):
            read.append(content.text)
    return read


def later(relay: HostileRelay, ms: int, steps: int = 1) -> None:
    """Time passes, ``steps`` times ``ms``, for the relay's clock and every endpoint's."""
    for _ in range(steps):
        relay.clock += ms
        relay.tick(relay.now + ms)
        relay.pump()


def slot_of(seat: Seat) -> int:
    mine = seat.endpoint.my_slot
    assert mine is not None
    return mine


# --- knocks as the relay carried them ----------------------------------------------


def knocks_by(relay: HostileRelay, seat: Seat) -> list[wire.Msg]:
    """Every knock frame ``seat`` published, as the relay stamped it, oldest first."""
    room = seat.endpoint.room
    return [
        m
        for m in relay.log
        if m.sender == seat.peer
        and isinstance(frame := parse(m.d, room), RoomFrame)
        and frame.kind is Kind.KNOCK
    ]


def body_of(seat: Seat, msg: wire.Msg) -> KnockBody:
    frame = parse(msg.d, seat.endpoint.room)
    assert isinstance(frame, RoomFrame)
    body = open_roomwide(frame, seat.endpoint.join_key)
    assert body is not None
    return KnockBody.decode(body)


def shown(seat: Seat, nick: str) -> list[ev.Knocked]:
    return [e for e in seat.events if isinstance(e, ev.Knocked) and e.nick == nick]


def drop_knocks_to(relay: HostileRelay, knocker: Seat, seat: Seat) -> None:
    """The relay keeps ``knocker``'s knocks from ``seat`` from now on."""

    def tamper(peer: int, msg: wire.Msg) -> list[bytes]:
        if peer == seat.peer and msg.sender == knocker.peer:
            frame = parse(msg.d, seat.endpoint.room)
            if isinstance(frame, RoomFrame) and frame.kind is Kind.KNOCK:
                return []
        return [wire.encode(msg)]

    relay.tamper = tamper
