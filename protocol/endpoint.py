"""One person's end of a room, sans-I/O: relay frames in, events out; commands in, frames out.

    ep = Endpoint.host("ws://127.0.0.1:8765", "ana", "We listen. We keep it here.")
    ep.invite                      # the string to share
    ep.receive_frame(data)         # one relay frame (wire v1)
    ep.tick(now_ms)                # timers: departures, acks, rotation
    ep.events_received()           # -> list[Event] for the person
    ep.data_to_send()              # -> list[bytes], wire v1 pub frames

A joiner: ``Endpoint.joining(invite, "bo")``; it shows ``AgreementsOffered`` when
the room's sequencer answers its arrival, knocks on ``agree()``, and enters when
a Commit names it. Every check that fails drops the frame and changes nothing;
only what passed every check becomes an event, in the relay's order.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from nacl.signing import SigningKey

from protocol import wire
from protocol.bodies import Admit, Bye, Content, KnockBody, Lobby, React, Say
from protocol.crypto import ExchangeKey, digest, sign
from protocol.door import return_statement
from protocol.events import (
    AgreementsOffered,
    Closed,
    Connected,
    Event,
    Notice,
    Refused,
    Waiting,
)
from protocol.frames import Kind
from protocol.invite import Invite, InviteError, new_invite, parse_invite
from protocol.membership import Membership
from protocol.reopen import (
    REOPENED,
    WAITING_NOTICE_MS,
    Reopening,
    reopening_after_drop,
    waiting_sentence,
    who_may_return,
)
from protocol.roster import commit_hash

__all__ = ["Endpoint", "Invite", "InviteError", "parse_invite"]

GRACE_MS: Final = 10_000
ACK_EVERY_MS: Final = 5_000

REFUSALS: Final = {
    wire.ROOM_FULL: "This room already has 12 people. Ask the facilitator for another room.",
    wire.SERVER_FULL: "The relay is full or has too many connections from your address. "
    "Try again later.",
    wire.RATE_LIMITED: "Porch sent too much too fast and the relay closed the connection. "
    "Reconnecting joins the room again as a new member.",
    wire.SLOW_CONSUMER: "The connection fell too far behind the room and the relay closed it. "
    "Reconnecting joins the room again as a new member.",
    wire.TOO_LARGE: "A message was too large for the relay. Send something shorter.",
    wire.BAD_FRAME: "The relay did not understand this client. Update Porch and try again.",
}


def check_nick(nick: str) -> str:
    nick = nick.strip()
    if not nick or len(nick) > 32 or not nick.isprintable():
        raise ValueError("A nickname is 1 to 32 printable characters. Choose another one.")
    return nick


def agreements_hash(agreements: str) -> bytes:
    return digest(agreements.encode(), b"porch-agreements")


class Endpoint(Membership):
    """A room endpoint; see the module docstring for the contract."""

    @classmethod
    def host(
        cls, relay_url: str, nick: str, agreements: str, *, grace_ms: int = GRACE_MS
    ) -> Endpoint:
        """Open a new room; the invite names this endpoint's key as the first sequencer."""
        identity = SigningKey.generate()
        invite = new_invite(relay_url, bytes(identity.verify_key))
        return cls(invite, nick, identity, agreements, grace_ms)

    @classmethod
    def joining(
        cls,
        invite: Invite | str,
        nick: str,
        *,
        grace_ms: int = GRACE_MS,
        returning: tuple[SigningKey, bytes] | None = None,
    ) -> Endpoint:
        """A newcomer; ``returning`` (old identity, agreements hash) after a dropped connection."""
        parsed = invite if isinstance(invite, Invite) else parse_invite(invite)
        endpoint = cls(parsed, nick, SigningKey.generate(), None, grace_ms)
        endpoint._return_ticket = returning
        return endpoint

    def __init__(
        self, invite: Invite, nick: str, identity: SigningKey, agreements: str | None, grace_ms: int
    ) -> None:
        super().__init__(invite, check_nick(nick), identity, ExchangeKey(), grace_ms)
        self._hosting = agreements is not None
        self._agreements = agreements
        self._lobby: Lobby | None = None
        self._knocked = False
        self._closed = False
        self._last_ack_ms = 0
        self._return_ticket: tuple[SigningKey, bytes] | None = None
        # Before we are in: whom we wait for, since when, and (as the sequencer
        # who dropped) what we need to open the room again (``protocol.reopen``).
        self._awaited: str | None = None
        self._waiting_since: int | None = None
        self._told_waiting = False
        self._reopening: Reopening | None = None
        self._room_gone = False  # the relay shows that nobody here holds the room
        self._reopen_after = 0

    # --- what the UI reads ------------------------------------------------------------

    @property
    def invite(self) -> str:
        return self.invite_info.text

    @property
    def relay_url(self) -> str:
        return self.invite_info.relay_url

    @property
    def room_id(self) -> str:
        return self.invite_info.room_id

    @property
    def room_url(self) -> str:
        return self.invite_info.room_url

    @property
    def agreements(self) -> str | None:
        return self._agreements

    @property
    def is_host(self) -> bool:
        return self._hosting

    @property
    def closed(self) -> bool:
        return self._closed or self.removed

    def events_received(self) -> list[Event]:
        events, self.events = self.events, []
        return events

    def data_to_send(self) -> list[bytes]:
        frames, self.outbox = self.outbox, []
        return frames

    # --- frames in --------------------------------------------------------------------

    def receive_frame(self, data: bytes) -> None:
        if self.closed:
            return
        try:
            frame = wire.decode_server(data)
        except wire.WireError:
            return  # a relay that breaks the wire contract gets no reaction
        match frame:
            case wire.Welcome(you, peers):
                self.my_peer = you
                self.present = {*peers, you}
                self.events.append(Connected(you, len(self.present)))
                if self._hosting and self.roster is None:
                    assert self._agreements is not None
                    self.open_room(agreements_hash(self._agreements))
                    self.greet_newcomers()  # some may have arrived before us
                reopening = self._reopening
                if reopening is not None and not reopening.held_elsewhere(self.present, you):
                    self._room_gone = True
            case wire.Join(seq, _ts, peer):
                self.present.add(peer)
                reopening = self._reopening
                if reopening and peer == self.my_peer and reopening.numbered_again(seq):
                    self._room_gone = True
                self.on_join(self.place(seq), peer)
            case wire.Leave(seq, _ts, peer):
                self.present.discard(peer)
                self.on_leave(self.place(seq), peer)
            case wire.Msg(seq, ts, sender, d):
                self.on_message(self.place(seq), ts, sender, d)
            case wire.Err(code, msg):
                self._closed = True
                sentence = REFUSALS.get(code, f"The relay closed the connection ({msg[:120]}).")
                self.events.append(Refused(code, sentence))
        self.sequence()

    def tick(self, now_ms: int) -> None:
        self.now_ms = now_ms
        if not self._closed and self.roster is None:
            self._wait_for_lobby()
        if self._closed or self.roster is None:
            return
        if now_ms - self._last_ack_ms >= ACK_EVERY_MS:
            self._last_ack_ms = now_ms
            self.send_ack()
        self.sequence()

    # --- before a lobby: opening the room again, or saying whom we wait for -----------

    def _wait_for_lobby(self) -> None:
        if self.my_peer is None or self._lobby is not None:
            return
        reopening = self._reopening
        if self._waiting_since is None:
            self._waiting_since = self.now_ms
            if reopening is not None:
                if reopening.dropped_at is None:
                    reopening = self._reopening = replace(reopening, dropped_at=self.now_ms)
                self._reopen_after = reopening.wait(self.now_ms, self.grace_ms, self._room_gone)
        waited = self.now_ms - self._waiting_since
        if reopening is not None and waited >= self._reopen_after:
            self._reopen(reopening)
        elif waited >= WAITING_NOTICE_MS and not self._told_waiting:
            self._told_waiting = True
            self.events.append(Notice(waiting_sentence(reopening, self._awaited)))

    def _reopen(self, reopening: Reopening) -> None:
        """Open the room again as its sequencer, extending the chain we hold."""
        assert self.my_peer is not None
        self._reopening = self._return_ticket = None
        self.identity = reopening.identity  # the key newcomers trust through the lineage
        self.trusted_sequencer = bytes(reopening.identity.verify_key)
        self._hosting = (
            not reopening.lineage and self.trusted_sequencer == self.invite_info.host_key
        )
        self._agreements = reopening.agreements
        self.lineage = reopening.lineage
        self.dropped = dict(reopening.returning)
        body = reopening.commit(self.exchange.public, self.my_peer)
        body_bytes = body.encode()
        # Signed though never sent, like a new room's first Commit: lobbies carry it.
        self.last_commit_frame = self.roomwide_frame(Kind.COMMIT, body_bytes)
        self.events.append(Notice(REOPENED))
        self.apply_commit(0, body, commit_hash(body_bytes))

    # --- lobby hooks (Membership calls these) ----------------------------------------

    def lobby_body(self) -> Lobby | None:
        if self._agreements is None or self.roster is None or self.last_commit_frame is None:
            return None
        host = self.roster.sequencer
        return Lobby(
            self._agreements,
            host.nick if host else self.nick,
            self.roster.epoch,
            self.lineage,
            self.last_commit_frame,
        )

    def on_lobby(self, lobby: Lobby) -> None:
        if self._lobby is not None or self.roster is not None:
            return
        self._lobby = lobby
        self._agreements = lobby.agreements
        self._reopening = None  # someone holds the room: it is not ours to open again
        back = self._return_ticket
        if back is not None and back[1] == agreements_hash(lobby.agreements):
            self.agree()  # agreed already, before the connection dropped
            return
        self.events.append(AgreementsOffered(lobby.agreements, lobby.host_nick))

    # --- commands ---------------------------------------------------------------------

    def agree(self) -> None:
        """Accept the agreements shown and knock."""
        if self._lobby is None or self._knocked or self.my_peer is None:
            self.events.append(Notice("There is nothing to agree to yet. Wait for the agreements."))
            return
        self._knocked = True
        knock = KnockBody(
            self.nick,
            bytes(self.identity.verify_key),
            self.exchange.public,
            agreements_hash(self._lobby.agreements),
        )
        if self._return_ticket is not None:
            old = self._return_ticket[0]
            knock = replace(knock, was=bytes(old.verify_key))
            knock = replace(knock, vouch=sign(old, return_statement(self.room, knock)))
        self.send_knock(knock)
        self.events.append(Waiting())

    def say(self, text: str) -> None:
        if not text.strip():
            return
        if len(text) > 4000:
            self.events.append(Notice("That message is longer than 4000 characters. Split it up."))
            return
        self._send_content(Say(text))

    def react(self, emoji: str) -> None:
        if not emoji or len(emoji) > 16 or not emoji.isprintable():
            self.events.append(Notice("A reaction is one short symbol, like + or a single emoji."))
            return
        self._send_content(React(emoji))

    def admit(self, knock: int) -> None:
        body = self.knocks.get(knock)
        if body is None:
            self.events.append(Notice("That knock is gone: they left before being let in."))
            return
        if self.is_sequencer:
            self.want_admit(knock, self.my_slot)
            self.sequence()
        else:
            self._send_content(Admit(knock, body.identity))

    def not_now(self, knock: int) -> None:
        """Decline a knock for now, on this screen only.

        Admission takes one member's consent, so another member may still admit
        them, and so may we later: the knock stays known until it is withdrawn.
        """
        if knock in self.knocks:
            self.set_aside.add(knock)

    def mark_verified(self, slot: int) -> None:
        member = self.roster.seat(slot) if self.roster else None
        if member is not None:
            self.verified.add(member.identity)
            self.announce_seats()

    def leave(self) -> None:
        if self._closed:
            return
        if self.roster is not None and self.my_slot is not None:
            self._send_content(Bye())
        self._closed = True
        self.events.append(Closed("You left the room. Nothing from it was kept."))

    def _send_content(self, content: Content) -> None:
        if self.sending is None or self._closed:
            self.events.append(Notice("You can speak once you are in the room."))
            return
        self.send_group(content)

    def fresh(self) -> Endpoint:
        """A new endpoint for the same room after a reconnect: a new member with new keys.

        A host alone in its room opens it again with the same key, so the invite
        still works. Anyone else knocks again, vouched for by their old identity
        key, so the room lets them back in without asking and drops the old seat.
        The sequencer knocks too, and opens the room again if the relay lost it
        (``protocol.reopen`` says when).
        """
        alone = self.roster is not None and len(self.roster.members) == 1
        if self._hosting and self.is_sequencer and alone and self._agreements is not None:
            return Endpoint(
                self.invite_info, self.nick, self.identity, self._agreements, self.grace_ms
            )
        returning = None
        if self.roster is not None and self.my_slot is not None and self._agreements is not None:
            returning = (self.identity, agreements_hash(self._agreements))
        elif self._return_ticket is not None:
            returning = self._return_ticket  # dropped again before getting back in
        endpoint = Endpoint.joining(
            self.invite_info, self.nick, grace_ms=self.grace_ms, returning=returning
        )
        roster = self.roster
        sequencer = roster.sequencer if roster is not None else None
        if roster is not None and sequencer is not None and self.my_slot is not None:
            # Those who come back after us are recognised too, not shown as strangers.
            endpoint.dropped = who_may_return(self, roster)
            if self.is_sequencer and self._agreements is not None:
                endpoint._reopening = reopening_after_drop(self, self._agreements, self.now_ms)
            endpoint._awaited = None if endpoint._reopening else sequencer.nick
        else:
            endpoint._reopening, endpoint._awaited = self._reopening, self._awaited
            endpoint.dropped = dict(self.dropped)
        return endpoint
