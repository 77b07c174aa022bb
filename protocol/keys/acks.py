"""Acks: what one member heard, compared with what we heard.

Every few seconds a member who heard something sends an ``Ack``: the epoch and
hash of the Commit it holds, the count and running hash of the room-state
events it applied since that Commit, and for every chain the generation, the
last index, a running hash of the frames, and the chain key's check. Because
the relay fixes one total order for everyone, any difference is evidence:

- another Commit hash for an epoch we held: the room has split in two;
- another state log at the same count: members were fed different states;
- another key check for the same chain: the sender handed out different keys;
- more messages than we received: they were held back from us;
- another running hash at the same count: we were shown different frames;
- a chain of this epoch we hold no keys of: they were held back from us.

Chains are compared by epoch, seat and generation, ended ones included (the
last few, and the epoch before), so keys handed out differently cannot hide
behind a rotation or a Commit. A gap in our own chain does not stop the
comparison: what we did receive is still compared. And an ack says which
chains its sender saw frames of but lacks the keys to, so that whoever sealed
them learns its messages are not reaching that member.

An ack is a member's word, and a member's client can lie, so each alarm
names every party that could have caused a difference, not only the relay.

``Acks`` itself only keeps time: an ack goes out as soon as we heard something
after entering, then at most every ``ACK_EVERY_MS``, and only if we heard
something since the last one (acks themselves do not count, or a quiet room
would ack forever).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from protocol.bodies import Ack
from protocol.events import Alarm
from protocol.keys.receiver import Receiver
from protocol.room.state import RoomState

ACK_EVERY_MS: Final = 5_000

Finding = tuple[Alarm, tuple[str, ...]]


@dataclass(slots=True)
class Acks:
    entered_ms: int | None = None  # None before we are in the room
    last_ms: int | None = None  # when we last acked
    heard_since: bool = False

    def entered(self, now: int) -> None:
        if self.entered_ms is None:
            self.entered_ms = now

    def heard(self) -> None:
        self.heard_since = True

    def take_due(self, now: int) -> bool:
        """Whether an ack should go out now (and if so, it counts as sent)."""
        due = self.deadline()
        if due is None or now < due:
            return False
        self.last_ms, self.heard_since = now, False
        return True

    def deadline(self) -> int | None:
        if not self.heard_since or self.entered_ms is None:
            return None
        return self.entered_ms if self.last_ms is None else self.last_ms + ACK_EVERY_MS


def discrepancies(
    ack: Ack,
    nick: str,
    epoch: int,
    commits: Mapping[int, bytes],
    state: RoomState,
    receiver: Receiver,
    my_slot: int,
    name_of: Callable[[int], str],
) -> list[Finding]:
    """Every way ``nick``'s ack contradicts what we hold (none: agreement)."""
    held = commits.get(ack.epoch)
    if held is not None and held != ack.commit_hash:
        return [(Alarm.SPLIT, (nick,))]
    found: list[Finding] = []
    if ack.epoch == epoch:
        ours = state.logged(ack.state_count)
        if ack.state_count > state.log_count or (ours is not None and ours != ack.state_hash):
            found.append((Alarm.STATE_DIFFERS, (nick,)))
    for row in ack.heard:
        name = name_of(row.slot)
        chain = receiver.find(row.epoch, row.slot, row.gen)
        if chain is None:
            # A chain of this epoch the acker holds and we never got the keys of:
            # in the relay's one order its keys frame came to us before this ack.
            current = receiver.chains.get(row.slot)
            newer = current is None or current.gen < row.gen
            if ack.epoch == epoch == row.epoch and row.slot != my_slot and newer:
                found.append((Alarm.KEYS_NEVER_CAME, (name,)))
            continue
        if row.check != chain.check:
            found.append((Alarm.DIFFERENT_KEYS, (name, nick)))
        elif row.count > chain.next_index:
            found.append((Alarm.WITHHELD, (nick, name)))
        elif (
            row.count
            and (running := chain.running_at(row.count - 1)) is not None
            and running != row.running
        ):
            alarm = Alarm.DIFFERENT_RECORDS if chain.gapped else Alarm.DIFFERENT_MESSAGES
            found.append((alarm, (nick, name)))
    return found


def lacked(ack: Ack, my_slot: int) -> list[int]:
    """The generations of our chain whose frames the acker saw without their keys."""
    return [row.gen for row in ack.lacking if row.slot == my_slot]
