"""The door: the lobby a newcomer sees, the knock it sends, and who may come back.

The sequencer greets every new connection with one lobby, sealed under the
join key and signed; a newcomer follows the lobby's lineage of handover
Commits from the invite's host key to today's sequencer before believing it.
A knock is shown to every member; one member's consent admits it. A knock
vouched for by a current member's old identity key is that member coming
back after a dropped connection, and comes in without asking again.
"""

from __future__ import annotations

from typing import Final

from nacl.signing import SigningKey

from protocol.bodies import BodyError, CommitBody, KnockBody, Lobby
from protocol.crypto import CryptoFailure, ExchangeKey, seal, sign, unseal, verify
from protocol.events import Knocked, Notice
from protocol.frames import FrameError, Kind, RoomFrame, parse, roomwide_header
from protocol.invite import Invite
from protocol.talk import Talk

RETURNING: Final = -1  # in ``admits``: a member back after a drop, admitted by the sequencer


def return_statement(room: bytes, knock: KnockBody) -> bytes:
    """What a returning member's old identity signs: these new keys are mine."""
    return b"porch-return" + room + knock.identity + knock.exchange


class Door(Talk):
    def __init__(
        self, invite: Invite, nick: str, identity: SigningKey, exchange: ExchangeKey, grace_ms: int
    ) -> None:
        super().__init__(invite, nick, identity, exchange, grace_ms)
        self.knocks: dict[int, KnockBody] = {}
        self.set_aside: set[int] = set()  # knocks this person said "not now" to
        self.greeted: set[int] = set()  # connections we sent a lobby to, as sequencer
        self.admits: dict[int, int] = {}  # knock peer -> slot of the member who admitted
        self.leaving: dict[bytes, tuple[int, str]] = {}  # identity -> (since ms, reason)
        self.knock_sent: KnockBody | None = None
        self.trusted_sequencer = invite.host_key
        # Handover Commits since the invite's host, for newcomers (see ``follow_lineage``).
        self.lineage: tuple[bytes, ...] = ()
        # Identities whose seat went when their connection dropped, for their return.
        self.dropped: dict[bytes, str] = {}

    # --- hooks the Endpoint fills in --------------------------------------------------

    def lobby_body(self) -> Lobby | None:
        raise NotImplementedError

    def on_lobby(self, lobby: Lobby) -> None:
        raise NotImplementedError

    @property
    def is_sequencer(self) -> bool:
        return self.roster is not None and self.my_slot == self.roster.commit.sequencer

    def send_roomwide(self, kind: Kind, body: bytes) -> None:
        header = roomwide_header(kind, self.room)
        signed = header + seal(self.join_key, body, header)
        self.publish(signed + sign(self.identity, signed))

    def send_knock(self, knock: KnockBody) -> None:
        self.knock_sent = knock
        self.send_roomwide(Kind.KNOCK, knock.encode())

    def greet_newcomers(self) -> None:
        """As sequencer, answer connections not yet greeted with one lobby for all of them."""
        roster = self.roster
        if roster is None or not self.is_sequencer:
            return
        waiting = {
            p
            for p in self.present
            if p != self.my_peer and roster.by_peer(p) is None and p not in self.knocks
        }
        if not waiting - self.greeted:
            return
        lobby = self.lobby_body()
        if lobby is not None:
            self.greeted |= waiting
            self.send_roomwide(Kind.LOBBY, lobby.encode())

    def open_roomwide(self, frame: RoomFrame) -> bytes | None:
        try:
            return unseal(self.join_key, frame.sealed, frame.header)
        except CryptoFailure:
            return None

    def on_lobby_frame(self, frame: RoomFrame) -> None:
        if self.roster is not None or self.knock_sent is not None:
            return
        # The lobby's signer is known only once its lineage is read, so here the
        # join key's seal is checked first, then the lineage, then the signature.
        body = self.open_roomwide(frame)
        try:
            lobby = Lobby.decode(body) if body is not None else None
        except BodyError:
            return
        if lobby is None:
            return
        sequencer = self.follow_lineage(lobby.lineage)
        if sequencer is None or not verify(sequencer, frame.signed, frame.sig):
            return
        self.trusted_sequencer = sequencer
        self.lineage = lobby.lineage
        self.on_lobby(lobby)

    def follow_lineage(self, lineage: tuple[bytes, ...]) -> bytes | None:
        """The sequencer key today, following handovers from the invite's key; None if broken."""
        key = self.invite_info.host_key
        for d in lineage:
            try:
                frame = parse(d, self.room)
            except FrameError:
                return None
            if not isinstance(frame, RoomFrame) or frame.kind is not Kind.COMMIT:
                return None
            if not verify(key, frame.signed, frame.sig):
                return None
            body_bytes = self.open_roomwide(frame)
            try:
                body = CommitBody.decode(body_bytes) if body_bytes is not None else None
            except BodyError:
                return None
            successor = (
                next((m for m in body.roster if m.slot == body.successor), None) if body else None
            )
            if successor is None:
                return None
            key = successor.identity
        return key

    def on_knock_frame(self, sender: int, frame: RoomFrame) -> None:
        if self.roster is None or sender in self.knocks:
            return
        body = self.open_roomwide(frame)
        try:
            knock = KnockBody.decode(body) if body is not None else None
        except BodyError:
            return
        if knock is None or not verify(knock.identity, frame.signed, frame.sig):
            return
        if knock.agreed != self.roster.commit.agreed or self.roster.by_identity(knock.identity):
            return  # they saw other agreements, or the relay replays an old knock
        if sender not in self.present or self.pair(knock.exchange) is None:
            return  # gone already, or an exchange key no channel can be built on
        self.knocks[sender] = knock
        back = self._returning(knock)
        if back is None:
            self.events.append(Knocked(sender, knock.nick))
            return
        # The same person, back on a new connection: their old seat goes now and
        # the new one comes in without asking anyone again.
        nick, identity = back
        self.events.append(Notice(f"{nick} lost the connection and is coming back."))
        if self.roster.by_identity(identity) is not None:
            self.leaving[identity] = (self.now_ms - self.grace_ms, "disconnected")
        self.admits.setdefault(sender, RETURNING)

    def _returning(self, knock: KnockBody) -> tuple[str, bytes] | None:
        """(nickname, old identity) of the member this knock proves to be, or None.

        A member counts while seated, or after their seat was let go because the
        connection dropped; not after they left on purpose.
        """
        if not knock.was or self.roster is None:
            return None
        seated = self.roster.by_identity(knock.was)
        nick = seated.nick if seated else self.dropped.get(knock.was)
        if nick is None:
            return None
        if not verify(knock.was, return_statement(self.room, knock), knock.vouch):
            return None
        return nick, knock.was
