"""The door: the lobby a newcomer sees, the knock it sends, and who may come back.

The sequencer greets new connections with a lobby, sealed under the join key
and signed. A newcomer believes the first lobby that proves itself from the
invite's host key, and only that one:

- the lobby's **lineage** is the room's handovers, two Commit frames each: the
  Commit that named a successor, signed by the sequencer of the day, and the
  Commit with which that successor removed it (``roster.check_next`` holds
  between them). The first is signed by the invite's key;
- the lobby carries the sequencer's **current Commit**, signed by the key the
  lineage ends at, and the lobby itself is signed by that key;
- from that Commit on, the newcomer follows every Commit by the same rules as
  the members (``check_next``), its own admission included. So the Commit that
  lets it in extends the room it was shown, from the sequencer of that room.

A later lobby never moves that anchor. If one that also proves itself names a
room we did not follow, someone is leading newcomers into a copy of the room,
and the person is told. Members check lobbies too: only the sequencer greets.

A knock is shown to every member; one member's consent admits it. A knock
vouched for by an old identity key of a member whose connection dropped is that
member coming back, and comes in without asking again, once per old key.
"""

from __future__ import annotations

from collections import deque
from typing import Final

from nacl.signing import SigningKey

from protocol.bodies import BodyError, CommitBody, KnockBody, Lobby
from protocol.crypto import (
    CryptoFailure,
    ExchangeKey,
    pad_bucket,
    seal,
    sign,
    unpad_bucket,
    unseal,
    verify,
)
from protocol.events import Knocked, Notice
from protocol.frames import MAX_SLOTS, FrameError, Kind, RoomFrame, parse, roomwide_header
from protocol.invite import Invite
from protocol.roster import CommitRefused, Roster, check_first, check_next, commit_hash
from protocol.talk import Talk

RETURNING: Final = -1  # in ``admits``: a member back after a drop, admitted by the sequencer
# The relay holds at most 12 connections per room; only a lying relay goes past this.
MAX_PRESENT: Final = 2 * MAX_SLOTS
# Lobbies: a burst for a room filling up, then a steady trickle, far below the
# relay's own limit of 50 frames a second, so churn cannot get us cut off.
LOBBY_BURST: Final = 16
LOBBY_EVERY_MS: Final = 500
# Commits seen before the lobby, kept to follow once the lobby anchors us.
EARLY_COMMITS: Final = 8
FOLLOWED: Final = 64


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
        self.lobby_tokens = LOBBY_BURST
        self.lobby_refilled_ms = 0
        self.admits: dict[int, int] = {}  # knock peer -> slot of the member who admitted
        self.leaving: dict[bytes, tuple[int, str]] = {}  # identity -> (since ms, reason)
        self.knock_sent: KnockBody | None = None
        self.trusted_sequencer = invite.host_key
        # Handover Commit pairs since the invite's host, for newcomers (``follow_lineage``).
        self.lineage: tuple[bytes, ...] = ()
        self.last_commit_frame: bytes | None = None
        # Before we are in: the room as followed from the lobby we believed.
        self.watching: Roster | None = None
        self.early: deque[tuple[int, RoomFrame]] = deque(maxlen=EARLY_COMMITS)
        self.followed: deque[bytes] = deque(maxlen=FOLLOWED)
        # Identities whose seat went when their connection dropped, for their return.
        self.dropped: dict[bytes, str] = {}
        self.returned: set[bytes] = set()  # old keys already used, whose seat is not gone yet
        # Our sequencer greeted from a later epoch than ours: the room went on
        # without us (it was opened again after the relay lost it), so we come back.
        self.left_behind = False

    # --- hooks the Endpoint and Membership fill in -----------------------------------

    def lobby_body(self) -> Lobby | None:
        raise NotImplementedError

    def on_lobby(self, lobby: Lobby) -> None:
        raise NotImplementedError

    def on_commit_frame(self, seq: int, frame: RoomFrame) -> None:
        raise NotImplementedError

    @property
    def is_sequencer(self) -> bool:
        return self.roster is not None and self.my_slot == self.roster.commit.sequencer

    # --- sending ----------------------------------------------------------------------

    def roomwide_frame(self, kind: Kind, body: bytes) -> bytes:
        header = roomwide_header(kind, self.room)
        signed = header + seal(self.join_key, pad_bucket(body), header)
        return signed + sign(self.identity, signed)

    def send_roomwide(self, kind: Kind, body: bytes) -> None:
        self.publish(self.roomwide_frame(kind, body))

    def send_knock(self, knock: KnockBody) -> None:
        self.knock_sent = knock
        self.send_roomwide(Kind.KNOCK, knock.encode())

    def greet_newcomers(self) -> None:
        """As sequencer, answer connections not yet greeted with one lobby for all of them.

        Lobbies are rationed: anyone who knows the room id can open and close
        connections, and a lobby per connection would get us cut off by the
        relay. Those still waiting when a lobby is due again share the next one.
        """
        roster = self.roster
        if roster is None or not self.is_sequencer:
            return
        waiting = {
            p
            for p in self.present
            if p != self.my_peer and roster.by_peer(p) is None and p not in self.knocks
        }
        self.greeted &= self.present
        if not waiting - self.greeted:
            return
        refill = (self.now_ms - self.lobby_refilled_ms) // LOBBY_EVERY_MS
        if refill > 0:
            self.lobby_tokens = min(LOBBY_BURST, self.lobby_tokens + refill)
            self.lobby_refilled_ms = self.now_ms
        lobby = self.lobby_body()
        if lobby is not None and self.lobby_tokens > 0:
            self.lobby_tokens -= 1
            self.greeted |= waiting
            self.send_roomwide(Kind.LOBBY, lobby.encode())

    # --- lobbies ----------------------------------------------------------------------

    def open_roomwide(self, frame: RoomFrame) -> bytes | None:
        try:
            return unpad_bucket(unseal(self.join_key, frame.sealed, frame.header))
        except CryptoFailure:
            return None

    def on_lobby_frame(self, frame: RoomFrame) -> None:
        # The lobby's signer is known only once its lineage is read, so here the
        # join key's seal is checked first, then the lineage, then the signature.
        body = self.open_roomwide(frame)
        try:
            lobby = Lobby.decode(body) if body is not None else None
        except BodyError:
            return
        if lobby is None:
            return
        if self.roster is not None:
            self._check_greeter(frame, lobby)
            return
        shown = self.follow_lineage(lobby)
        if shown is None or shown.sequencer is None:
            return
        if not verify(shown.sequencer.identity, frame.signed, frame.sig):
            return
        if self.watching is not None:
            if shown.commit_hash not in self.followed:
                self.tamper(
                    "A second lobby showed you a different room. Someone may be trying to "
                    "lead you into a copy of this room: read the room code aloud with the "
                    "others once you are in."
                )
            return
        self.watching = shown
        self.followed.append(shown.commit_hash)
        self.trusted_sequencer = shown.sequencer.identity
        self.lineage = lobby.lineage
        self.last_commit_frame = lobby.commit
        self.on_lobby(lobby)
        early, self.early = list(self.early), deque(maxlen=EARLY_COMMITS)
        for seq, commit in early:
            self.on_commit_frame(seq, commit)

    def _check_greeter(self, frame: RoomFrame, lobby: Lobby) -> None:
        """As a member: only the sequencer greets; a lobby from anyone else is a lure.

        A sequencer stops sequencing only by being removed, so a member on the
        roster who signs a lobby never sequenced this room. The invite's key may
        have, before a handover; its lobbies count as a lure only if they claim
        the epoch we are in.
        """
        roster = self.roster
        assert roster is not None
        sequencer = roster.sequencer
        if sequencer is not None and verify(sequencer.identity, frame.signed, frame.sig):
            if lobby.epoch > roster.epoch and not self.left_behind:
                self.left_behind = True
                self.events.append(
                    Notice(
                        f"{sequencer.nick} holds this room at a later point than you: it was "
                        "opened again, or Commits never reached you. Joining again to come back in."
                    )
                )
            return
        for member in roster.members:
            if verify(member.identity, frame.signed, frame.sig):
                self.tamper(
                    f"{member.nick} greeted a newcomer as if they ran the room, and they do "
                    "not. Read the room code aloud with anyone who joins."
                )
                return
        first_key = self.invite_info.host_key
        if lobby.epoch >= roster.epoch and verify(first_key, frame.signed, frame.sig):
            self.tamper(
                "Someone holding the key this room was opened with greeted a newcomer, but "
                "that key no longer runs the room. Read the room code aloud with anyone who joins."
            )

    def open_commit(self, d: bytes, signer: bytes) -> Roster | None:
        """The Commit in frame ``d`` if ``signer`` signed it and it is well formed."""
        try:
            frame = parse(d, self.room)
        except FrameError:
            return None
        if not isinstance(frame, RoomFrame) or frame.kind is not Kind.COMMIT:
            return None
        if not verify(signer, frame.signed, frame.sig):
            return None
        body_bytes = self.open_roomwide(frame)
        try:
            body = CommitBody.decode(body_bytes) if body_bytes is not None else None
            if body is not None:
                check_first(body)
        except (BodyError, CommitRefused):
            return None
        return Roster(body, commit_hash(body_bytes)) if body and body_bytes else None

    def follow_lineage(self, lobby: Lobby) -> Roster | None:
        """The room the lobby shows, proven from the invite's key; None if anything breaks."""
        key = self.invite_info.host_key
        floor = 0
        links = lobby.lineage
        if len(links) % 2:
            return None
        for at in range(0, len(links), 2):
            named = self.open_commit(links[at], key)
            if named is None or named.epoch < floor or named.sequencer is None:
                return None
            successor = named.successor
            if named.sequencer.identity != key or successor is None:
                return None
            took = self.open_commit(links[at + 1], successor.identity)
            if took is None or took.sequencer is None:
                return None
            try:
                # Signed by the successor, this holds only if it removes the sequencer.
                check_next(named, took.commit, successor)
            except CommitRefused:
                return None
            if took.sequencer.identity != successor.identity:
                return None
            key, floor = successor.identity, took.epoch
        current = self.open_commit(lobby.commit, key)
        if current is None or current.epoch < floor or current.sequencer is None:
            return None
        if current.sequencer.identity != key:
            return None
        return current

    def names_me(self, body: CommitBody) -> bool:
        return any(m.identity == bytes(self.identity.verify_key) for m in body.roster)

    def check_welcome(self, body: CommitBody) -> None:
        """A Commit that names a newcomer must name it with the keys it knocked with."""
        if not self.names_me(body):
            return
        knock = self.knock_sent
        mine = next((m for m in body.roster if m.identity == bytes(self.identity.verify_key)), None)
        if knock is None or mine is None:
            raise CommitRefused("it names us before we knocked")
        if mine.exchange != knock.exchange or mine.nick != knock.nick or mine.peer != self.my_peer:
            raise CommitRefused("it does not name us as we knocked")
        if body.agreed != knock.agreed:
            raise CommitRefused("other agreements than the ones we accepted")

    # --- knocks -----------------------------------------------------------------------

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
        if knock.agreed != self.roster.commit.agreed or sender not in self.present:
            return  # they saw other agreements, or they are gone already
        if not self._fresh(knock):
            return  # a replayed knock, or keys already in the room: no Commit could hold them
        try:
            self.exchange.pair(knock.exchange)  # not kept: a knock is not yet a member
        except CryptoFailure:
            return  # an exchange key no channel can be built on
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

    def _fresh(self, knock: KnockBody) -> bool:
        """No key of this knock is on the roster or in another knock.

        Anyone holding the invite reads the roster's public keys; a knock that
        reused one would make a Commit every member refuses. (A connection
        already seated is caught when the sequencer checks its own Commit.)
        """
        assert self.roster is not None
        for m in self.roster.members:
            if knock.identity == m.identity or knock.exchange == m.exchange:
                return False
        for k in self.knocks.values():
            if knock.identity == k.identity or knock.exchange == k.exchange:
                return False
        return knock.identity != knock.was

    def _returning(self, knock: KnockBody) -> tuple[str, bytes] | None:
        """(nickname, old identity) of the member this knock proves to be, or None.

        A member counts while seated, or after their seat was let go because the
        connection dropped; not after they left on purpose. An old key brings
        back one person, under the same name, once: it is a return ticket, not
        a key to the door. Its entry in ``dropped`` goes when its holder is
        back in, and a second knock on the same ticket is a stranger's.
        """
        if not knock.was or self.roster is None or knock.was in self.returned:
            return None
        if any(k.was == knock.was for k in self.knocks.values() if k is not knock):
            return None
        seated = self.roster.by_identity(knock.was)
        nick = seated.nick if seated else self.dropped.get(knock.was)
        if nick is None or nick != knock.nick:
            return None
        if not verify(knock.was, return_statement(self.room, knock), knock.vouch):
            return None
        return nick, knock.was
