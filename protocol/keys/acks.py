"""Acks: what one member heard, compared with what we heard.

Every few seconds a member who heard something sends an ``Ack``: the epoch and
hash of the Commit it holds, the count and running hash of the room-state
events it applied since that Commit, and for every chain the generation, the
last index, a running hash of the frames, and the chain key's check. Because
the relay fixes one total order for everyone, any difference is evidence:

- another Commit hash for an epoch we held: the room has split in two;
- another state log at the same count: members were fed different states;
- another key check for the same chain: the sender handed out different keys;
- an index we never received: it was held back from us;
- another running hash at the same index: we were shown different frames.

A gap in our own chain does not stop the comparison: what we did receive is
still compared, and a later withholding still shows.

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
from protocol.keys.chains import ReceivingChain
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
    chains: Mapping[int, ReceivingChain],
    name_of: Callable[[int], str],
) -> list[Finding]:
    """Every way ``nick``'s ack contradicts what we hold (none: agreement)."""
    held = commits.get(ack.epoch)
    if held is not None and held != ack.commit_hash:
        return [(Alarm.SPLIT, (nick,))]
    if ack.epoch != epoch:
        # A late ack from the epoch before: its chains and state are gone with it.
        return []
    found: list[Finding] = []
    ours = state.logged(ack.state_count)
    if ack.state_count > state.log_count or (ours is not None and ours != ack.state_hash):
        found.append((Alarm.STATE_DIFFERS, (nick,)))
    for heard in ack.heard:
        chain = chains.get(heard.slot)
        name = name_of(heard.slot)
        if chain is not None and heard.gen < chain.gen:
            continue  # a generation that ended: its last index came with the next keys
        if chain is not None and heard.gen == chain.gen and heard.check != chain.check:
            found.append((Alarm.DIFFERENT_KEYS, (name, nick)))
        elif chain is None or heard.gen > chain.gen or heard.index >= chain.next_index:
            found.append((Alarm.WITHHELD, (nick, name)))
        elif (running := chain.running_at(heard.index)) is not None and running != heard.running:
            alarm = Alarm.DIFFERENT_RECORDS if chain.gapped else Alarm.DIFFERENT_MESSAGES
            found.append((alarm, (nick, name)))
    return found
