"""The floor's reducer on its own: go-rounds, stacks, pauses, timers, and that it is total."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.room import floor as fl
from protocol.room.floor import Act, Floor, FloorAct, HandKind, Mode, Why

ANA, BO, CY, DI = 0, 1, 2, 3


class Room:
    """Acts applied one after another, numbered and stamped like the relay does."""

    def __init__(self, seats: tuple[int, ...] = (ANA, BO, CY, DI)) -> None:
        self.floor, _ = fl.seated(Floor(), seats, 0)
        self.seq = 0
        self.ts = 1_000_000
        self.changes: list[fl.FloorChange] = []

    def act(self, slot: int, act: Act, arg: str | int | bool = "", after_ms: int = 1_000):
        self.seq += 1
        self.ts += after_ms
        self.floor, changes = fl.step(self.floor, FloorAct(act, arg), slot, self.seq, self.ts)
        self.changes.extend(changes)
        return changes


def turns(changes: list[fl.FloorChange]) -> list[int | None]:
    return [c.speaker for c in changes if isinstance(c, fl.Turn)]


def test_a_go_round_passes_seat_by_seat_from_whoever_started_it() -> None:
    room = Room()
    room.act(BO, Act.ROUND)
    assert room.floor.mode is Mode.ROUND and room.floor.speaker == BO
    assert room.floor.queue == (CY, DI, ANA)
    room.act(BO, Act.DONE)
    room.act(CY, Act.PASS)  # the piece moves on, no turn counted
    room.act(DI, Act.LATER)  # come back to me
    assert room.floor.speaker == ANA and room.floor.queue == (DI,)
    room.act(ANA, Act.DONE, after_ms=30_000)
    room.act(DI, Act.DONE, after_ms=10_000)
    assert turns(room.changes) == [BO, CY, DI, ANA, DI]
    ended = [c for c in room.changes if isinstance(c, fl.Ended)]
    assert len(ended) == 1 and ended[0].mode is Mode.ROUND
    shared = {t.slot: (t.ms, t.turns) for t in ended[0].balance}
    assert shared[ANA] == (30_000, 1) and shared[DI][1] == 1 and shared[CY] == (1_000, 0)
    assert room.floor.mode is Mode.OPEN and room.floor.talk == ()  # cleared at the end


def test_only_the_speaker_can_say_done_and_nobody_passes_for_another() -> None:
    room = Room()
    room.act(ANA, Act.ROUND)
    for slot, act in ((BO, Act.DONE), (CY, Act.PASS)):
        [refused] = room.act(slot, act)
        assert refused == fl.Refused(slot, FloorAct(act), Why.NOT_THE_SPEAKER)
    assert room.floor.speaker == ANA


def test_someone_away_is_skipped_in_a_round() -> None:
    room = Room()
    room.act(ANA, Act.ROUND)
    room.floor = fl.away(room.floor, BO)
    room.act(ANA, Act.DONE)
    assert room.floor.speaker == CY and room.floor.queue == (BO, DI)  # bo keeps his place
    room.act(CY, Act.DONE)
    room.act(DI, Act.DONE)
    assert isinstance(room.changes[-1], fl.Ended)  # nobody here is left in the round


def test_a_stack_takes_hands_in_the_order_the_relay_numbered_them() -> None:
    room = Room()
    room.act(ANA, Act.STACK)
    room.act(CY, Act.HAND, HandKind.HAND)  # nobody speaks: cy has the floor at once
    room.act(DI, Act.HAND, HandKind.HAND)
    room.act(BO, Act.HAND, HandKind.HAND)
    assert room.floor.speaker == CY
    assert [h.slot for h in room.floor.next_hands()] == [DI, BO]
    room.act(ANA, Act.HAND, HandKind.REPLY)  # a direct reply to cy: right after cy
    room.act(BO, Act.HAND, HandKind.PROCESS)  # a point of process: to the front
    assert [(h.slot, h.kind) for h in room.floor.next_hands()] == [
        (BO, HandKind.PROCESS),
        (ANA, HandKind.REPLY),
        (DI, HandKind.HAND),
        (BO, HandKind.HAND),
    ]
    room.act(CY, Act.DONE)
    assert room.floor.speaker == BO and room.floor.speaker_process
    room.act(BO, Act.DONE)  # a point of process is not a turn
    assert room.floor.talk_of(BO).turns == 0
    assert room.floor.speaker == ANA
    room.act(DI, Act.LOWER)  # lowered while waiting: skipped
    room.act(ANA, Act.DONE)
    assert room.floor.speaker == BO


def test_a_reply_is_once_per_speaker_and_a_hand_once_per_person() -> None:
    room = Room()
    room.act(ANA, Act.STACK)
    room.act(BO, Act.HAND, HandKind.HAND)
    room.act(CY, Act.HAND, HandKind.REPLY)
    assert room.act(CY, Act.HAND, HandKind.REPLY)[-1] == fl.Refused(
        CY, FloorAct(Act.HAND, HandKind.REPLY), Why.ALREADY
    )
    room.act(DI, Act.HAND, HandKind.HAND)
    assert room.act(DI, Act.HAND, HandKind.HAND)[-1].why is Why.ALREADY  # type: ignore[union-attr]


def test_progressive_order_puts_whoever_spoke_least_first() -> None:
    room = Room()
    room.act(ANA, Act.PROGRESSIVE, True)
    room.act(ANA, Act.STACK)
    room.act(BO, Act.HAND, HandKind.HAND)  # the stack was empty: bo has the floor at once
    room.act(BO, Act.DONE, after_ms=60_000)  # and speaks long
    room.act(DI, Act.HAND, HandKind.HAND)
    room.act(BO, Act.HAND, HandKind.HAND)  # bo raises first, cy after
    room.act(CY, Act.HAND, HandKind.HAND)
    assert room.floor.speaker == DI
    assert [h.slot for h in room.floor.next_hands()] == [CY, BO]
    room.act(ANA, Act.PROGRESSIVE, False)  # waits for di's done
    room.act(DI, Act.DONE)
    assert room.floor.speaker == BO  # in the order raised again


def test_a_setting_waits_for_the_speakers_done() -> None:
    room = Room()
    room.act(ANA, Act.ROUND)
    held = room.act(CY, Act.STACK)
    assert held == (fl.Held(CY, FloorAct(Act.STACK)),) and room.floor.mode is Mode.ROUND
    room.act(CY, Act.TIMER, 90)
    assert room.floor.timer_s == 0
    room.act(ANA, Act.DONE)
    assert room.floor.mode is Mode.STACK and room.floor.timer_s == 90
    assert room.floor.speaker is None and room.floor.waiting == ()


def test_a_pause_freezes_the_floor_and_the_timer_and_a_majority_resumes_it() -> None:
    room = Room()
    room.act(ANA, Act.TIMER, 60)
    room.act(ANA, Act.ROUND)
    since = room.floor.since
    room.act(CY, Act.PAUSE, after_ms=10_000)
    assert room.act(ANA, Act.DONE)[-1].why is Why.PAUSED  # type: ignore[union-attr]
    assert fl.cue_at(room.floor, 0) is None  # no cue while paused
    assert isinstance(room.act(ANA, Act.RESUME)[-1], fl.ResumeAsked)
    assert isinstance(room.act(BO, Act.RESUME)[-1], fl.ResumeAsked)
    resumed = room.act(DI, Act.RESUME, after_ms=20_000)  # 3 of 4: a majority
    assert resumed[-1] == fl.Resumed(DI, 3)
    assert room.floor.paused is None
    assert room.floor.since == since + 23_000  # the pause, from its call to its end, does not count
    assert fl.cue_at(room.floor, 0) == (room.floor.since + 48_000, 80)


def test_a_pause_ends_by_itself_and_each_person_has_three_an_hour() -> None:
    room = Room()
    for _ in range(fl.PAUSES_PER_HOUR):
        room.act(BO, Act.PAUSE)
        room.act(BO, Act.RESUME)
    [refused] = room.act(BO, Act.PAUSE)
    assert refused.why is Why.TOO_MANY_PAUSES  # type: ignore[union-attr]
    room.act(CY, Act.PAUSE)
    changes = room.act(ANA, Act.ROUND, after_ms=fl.PAUSE_MAX_MS)
    assert changes[0] == fl.Resumed(None) and room.floor.mode is Mode.ROUND
    room.act(BO, Act.PAUSE, after_ms=fl.HOUR_MS)  # an hour later: allowed again
    assert room.floor.paused is not None


def test_whoever_leaves_the_roster_leaves_the_floor() -> None:
    room = Room()
    room.act(BO, Act.ROUND)
    room.floor, moved = fl.seated(room.floor, (ANA, CY, DI), room.ts)
    assert room.floor.speaker == CY and moved == (fl.Turn(CY, BO),)
    assert BO not in room.floor.queue
    [refused] = room.act(BO, Act.HAND, HandKind.PROCESS)
    assert refused.why is Why.NOT_SEATED  # type: ignore[union-attr]


# --- properties ---------------------------------------------------------------------

SLOTS = st.integers(min_value=0, max_value=5)
ARGS = st.one_of(
    st.sampled_from(["", "hand", "reply", "process", "bogus"]),
    st.integers(min_value=-5, max_value=fl.MAX_TIMER_S + 5),
    st.booleans(),
)
ACTS = st.tuples(SLOTS, st.sampled_from(list(Act)), ARGS, st.integers(0, fl.PAUSE_MAX_MS))


def run(acts: list[tuple[int, Act, object, int]], seats: tuple[int, ...]) -> Floor:
    room = Room(seats)
    for slot, act, arg, after in acts:
        room.act(slot, act, arg, after)  # type: ignore[arg-type]
    return room.floor


@settings(max_examples=300, deadline=None)
@given(st.lists(ACTS, max_size=40), st.lists(SLOTS, min_size=1, max_size=5, unique=True))
def test_the_reducer_is_total_and_keeps_its_invariants(acts, seats) -> None:
    seats = tuple(seats)
    floor = run(acts, seats)
    assert floor.speaker is None or floor.speaker in seats
    assert set(floor.queue) <= set(seats) and len(set(floor.queue)) == len(floor.queue)
    kinds = [(h.slot, h.kind) for h in floor.hands]
    assert len(kinds) == len(set(kinds)) and all(h.slot in seats for h in floor.hands)
    assert (floor.mode is Mode.OPEN) <= (floor.speaker is None)
    assert 0 <= floor.timer_s <= fl.MAX_TIMER_S
    assert floor == run(acts, seats)  # the same acts in the same order: the same floor


@settings(max_examples=200, deadline=None)
@given(st.lists(ACTS, max_size=30), st.integers(0, 3))
def test_a_departed_member_is_dropped_the_same_way_by_everyone(acts, gone) -> None:
    seats = (ANA, BO, CY, DI)
    before = run(acts, seats)
    stay = tuple(s for s in seats if s != gone)
    after, _ = fl.seated(before, stay, 10**9)
    again, _ = fl.seated(run(acts, seats), stay, 10**9)
    assert after == again
    assert after.speaker != gone and gone not in after.queue
    assert all(h.slot != gone for h in after.hands)
    assert all(t.slot != gone for t in after.talk)
