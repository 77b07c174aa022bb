"""One budget for every frame we send, under the relay's limit, shared by file chunks.

The writer takes a token per frame (``protocol.pace``); the endpoint makes a chunk
only when the budget holds more than the talk's reserve beyond what waits. These
tests drive a simulated clock and check every send against the relay's own token
bucket (``relay.limits.TokenBucket``) at its default limits.
"""

from __future__ import annotations

from collections import deque

import pytest

import relay.limits as relay_limits
from protocol import commands as cmd
from protocol import events as ev
from protocol import wire
from protocol.bodies.offer import CHUNK, OfferKind
from protocol.crypto import random_bytes
from protocol.pace import BURST, RESERVE, Pace
from relay.limits import Limits, TokenBucket
from tests.protocol.rooms import open_room


class RelayClock:
    """The relay's bucket, on the test's clock instead of the machine's."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now_ms = 0
        monkeypatch.setattr(relay_limits.time, "monotonic", lambda: self.now_ms / 1000)
        limits = Limits()
        self.bucket = TokenBucket(limits.rate, limits.burst)


def test_a_burst_of_frames_goes_out_under_the_relays_default_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = RelayClock(monkeypatch)
    pace = Pace()
    waiting = 1_000  # a pasted script: far more than any burst
    sent = 0
    for now in range(0, 60_000, 5):  # bounded: a minute of the test's clock
        clock.now_ms = now
        while waiting and pace.wait_ms(now) == 0:
            assert pace.take(now)
            assert clock.bucket.take(), f"the relay would close us at frame {sent}"
            waiting, sent = waiting - 1, sent + 1
        if not waiting:
            break
    assert sent == 1_000


def test_the_first_frames_go_at_once_and_then_at_the_rate() -> None:
    pace = Pace()
    assert [pace.take(0) for _ in range(BURST)] == [True] * BURST
    assert not pace.take(0)
    assert pace.wait_ms(0) > 0
    assert pace.take(pace.wait_ms(0))


def test_a_chunk_waits_while_the_talk_needs_its_reserve() -> None:
    pace = Pace()
    assert pace.spare(0)
    pace.queued = BURST - RESERVE  # that many frames wait for the writer
    assert not pace.spare(0)  # a chunk now would eat into the talk's reserve
    assert pace.spare_at(0) > 0
    pace.queued = 0
    assert pace.spare(0, pending=BURST - RESERVE - 1)
    assert not pace.spare(0, pending=BURST - RESERVE)


def test_a_file_waits_while_the_talk_uses_the_budget_and_never_goes_over_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pasted burst fills the writer mid-transfer: no chunk goes out until every line
    typed, the one typed last too, has gone, and the relay never sees too much."""
    clock = RelayClock(monkeypatch)
    relay, (ana, bo) = open_room(2)
    pace = Pace()
    ana.endpoint.pace = pace
    content = random_bytes(240 * CHUNK)
    ana.send(cmd.Offer(OfferKind.FILE, "notes.bin", content))
    relay.pump()
    offered = next(e for e in bo.events if isinstance(e, ev.OfferEvent))
    bo.send(cmd.Accept(offered.number))
    relay.pump()

    backlog: deque[bytes] = deque()
    order: list[str] = []  # what went out, in order: "line", "last" or "chunk"
    kinds: dict[bytes, str] = {}

    def typed(text: str, kind: str, now: int) -> None:
        ana.endpoint.send(cmd.Say(text), now)
        for frame in ana.endpoint.data_to_send():
            kinds[frame] = kind
            backlog.append(frame)
            pace.queued += 1

    start = relay.now
    arrived = False
    for step in range(4_000):  # bounded: 40 s of the test's clock, 10 ms a step
        now = start + 10 * step
        relay.now = clock.now_ms = now
        ana.endpoint.tick(now)
        if step == 100:  # the file is on its way: a script is pasted
            for n in range(100):
                typed(f"line {n}", "line", now)
        if step == 120:  # and one more line, while the script is still going out
            typed("the last word", "last", now)
        for frame in ana.endpoint.data_to_send():
            backlog.append(frame)
            pace.queued += 1
        while backlog and pace.take(now):
            frame = backlog.popleft()
            pace.queued -= 1
            assert clock.bucket.take(), "the relay would close the connection"
            relay.publish(ana.peer, wire.decode_client(frame).d)
            # A chunk is one large frame; acks and keys frames are small.
            order.append(kinds.get(frame, "chunk" if len(frame) > CHUNK else "other"))
        relay.pump()
        bo.events.extend(bo.endpoint.events_received())
        if any(
            isinstance(e, ev.OfferEvent) and e.stage is ev.OfferStage.ARRIVED for e in bo.events
        ):
            arrived = True
            break
    assert arrived
    first, last = order.index("line"), order.index("last")
    assert "chunk" in order[:first]  # the file was moving before the script came
    assert "chunk" not in order[first:last]  # and waited until every line had gone
    assert order[first:last].count("line") == 100
    heard = [e.text for e in bo.events if isinstance(e, ev.Said)]
    assert heard == [f"line {n}" for n in range(100)] + ["the last word"]
