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

An ack is a member's word, and a member's client can lie, so the sentences
name every party that could have caused a difference, not only the relay.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from protocol.bodies import Ack
from protocol.chains import ReceivingChain
from protocol.room_state import RoomState


def split(nick: str) -> str:
    return (
        f"{nick} is in another version of this room than you: two different membership "
        "changes were made for the same step, so the room has split. Read the room code "
        "aloud; if it differs, open a new room."
    )


def discrepancies(
    ack: Ack,
    nick: str,
    epoch: int,
    commits: Mapping[int, bytes],
    state: RoomState,
    chains: Mapping[int, ReceivingChain],
    name_of: Callable[[int], str],
) -> list[str]:
    """Sentences for every way ``nick``'s ack contradicts what we hold (none: agreement)."""
    held = commits.get(ack.epoch)
    if held is not None and held != ack.commit_hash:
        return [split(nick)]
    if ack.epoch != epoch:
        # A late ack from the epoch before: its chains and state are gone with it.
        return []
    found = []
    ours = state.logged(ack.state_count)
    if ack.state_count > state.log_count or (ours is not None and ours != ack.state_hash):
        found.append(
            f"{nick}'s room state differs from yours: the relay, or a member's client, "
            "gave you different events or put them in another order."
        )
    for heard in ack.heard:
        chain = chains.get(heard.slot)
        name = name_of(heard.slot)
        if chain is not None and heard.gen < chain.gen:
            continue  # a generation that ended: its last index came with the next keys
        if chain is not None and heard.gen == chain.gen and heard.check != chain.check:
            found.append(
                f"{name}'s client gave you and {nick} different keys: it may be showing "
                "members different messages."
            )
        elif chain is None or heard.gen > chain.gen or heard.index >= chain.next_index:
            found.append(
                f"{nick} received messages from {name} that never reached you. The relay "
                "may be holding them back, or a member's client is not telling the truth."
            )
        elif (running := chain.running_at(heard.index)) is not None and running != heard.running:
            found.append(
                f"You and {nick} received different messages from {name}. The relay or "
                f"{name}'s client may be showing members different things."
                if not chain.gapped
                else f"You and {nick} hold different records of {name}'s messages: some "
                f"never reached one of you, or the relay or {name}'s client showed you "
                "different things."
            )
    return found
