"""Sealed bodies are decoded as strictly as the wire: exact keys, exact types, bounds."""

from __future__ import annotations

import msgpack
import pytest

from protocol.bodies import (
    Ack,
    Admit,
    Aside,
    BodyError,
    Bye,
    FloorBody,
    FloorState,
    Heard,
    Lacking,
    React,
    Say,
    decode_content,
    encode_content,
)
from protocol.bodies.commit import CommitBody, Ticket
from protocol.bodies.door import KnockBody, Lobby, SetAside
from protocol.crypto import random_bytes
from protocol.room.floor import Act, Floor, FloorAct, Hand, HandKind, Mode, Pause, Talk, Waiting


def packb(obj: object) -> bytes:
    return msgpack.packb(obj, use_bin_type=True)


@pytest.mark.parametrize(
    "content",
    [
        Say("hello"),
        React("+"),
        Admit(7, bytes(32), bytes(64)),
        Bye(bytes(64)),
        Ack(3, bytes(32), 7, bytes(16), (Heard(3, 1, 0, 5, bytes(16), bytes(16)),)),
        Ack(3, bytes(32), 7, bytes(16), (), (Lacking(2, 1),)),
        Aside("a word on the side"),
        FloorBody(FloorAct(Act.HAND, HandKind.REPLY)),
        FloorBody(FloorAct(Act.TIMER, 90)),
        FloorBody(FloorAct(Act.PROGRESSIVE, True)),
        FloorBody(FloorAct(Act.DONE)),
        FloorState(12, Floor()),
        FloorState(
            40,
            Floor(
                Mode.STACK,
                speaker=2,
                speaker_process=True,
                since=1_000,
                hands=(Hand(1, HandKind.REPLY, 33, 2), Hand(3, HandKind.HAND, 34)),
                timer_s=120,
                progressive=True,
                paused=Pause(1, 2_000, frozenset({3})),
                waiting=(Waiting(3, FloorAct(Act.ROUND)),),
                talk=(Talk(2, 5_000, 1),),
                pauses=((1, 2_000),),
                seats=(0, 1, 2, 3),
                away=frozenset({3}),
            ),
        ),
    ],
)
def test_content_round_trips(content: object) -> None:
    assert decode_content(encode_content(content)) == content  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "raw",
    [
        packb(["say", b"bytes, not text"]),
        packb(["say", "x" * 4001]),
        packb(["say"]),
        packb(["say", "a", "b"]),
        packb(["react", ""]),
        packb(["react", "\x1b[31m"]),
        packb(["admit", True, bytes(32), bytes(64)]),
        packb(["admit", -1, bytes(32), bytes(64)]),
        packb(["admit", 2**64 - 1, bytes(32), bytes(64)]),
        packb(["admit", 3, bytes(31), bytes(64)]),
        packb(["admit", 3, bytes(32)]),
        packb(["bye"]),
        packb(["ack", 2**40, bytes(32), []]),
        packb(["ack", 1, bytes(32), [[12, 0, 0, bytes(16)]]]),
        packb(["ack", 1, bytes(32), [[1, 0, 0]]]),
        packb(["ack", 1, bytes(32), 0, bytes(16), [[1, 12, 0, 0, bytes(16), bytes(16)]], []]),
        packb(["ack", 1, bytes(32), 0, bytes(16), [], [[1]]]),
        packb(["shout", "hi"]),
        packb({"say": "hi"}),
        packb([1, "hi"]),
        msgpack.packb(["say", msgpack.ExtType(1, b"x")]),
        msgpack.packb(msgpack.ExtType(5, b"boom")),
        b"\xc1",
        b"",
        packb(["say", "hi"]) + b"\x00",
        packb(["bye"] * 100),
        packb(["bye", 1, b"x" * 100]),
        packb(["bye", bytes(63)]),
        packb(["floor", "shout", ""]),
        packb(["floor", "hand", "wave"]),
        packb(["floor", "timer", 3601]),
        packb(["floor", "timer", True]),
        packb(["floor", "progressive", 1]),
        packb(["floor", "done", 0]),
        packb(["floor", "done"]),
        packb(["floorstate", 1, []]),
        packb(["floorstate", 1, ["loud", -1, False, 0, [], [], 0, False, [], [], [], [], [], []]]),
        packb(["floorstate", 1, ["open", 12, False, 0, [], [], 0, False, [], [], [], [], [], []]]),
        packb(["floorstate", 1, ["open", -1, 0, 0, [], [], 0, False, [], [], [], [], [], []]]),
        packb(
            ["floorstate", 1, ["open", -1, False, 0, [99], [], 0, False, [], [], [], [], [], []]]
        ),
        packb(
            [
                "floorstate",
                1,
                ["open", -1, False, 0, [], [[0, "wave", 1, -1]], 0, False, [], [], [], [], [], []],
            ]
        ),
        packb(
            [
                "floorstate",
                1,
                ["open", -1, False, 0, list(range(13)), [], 0, False, [], [], [], [], [], []],
            ]
        ),
    ],
)
def test_malformed_content_is_refused(raw: bytes) -> None:
    with pytest.raises(BodyError):
        decode_content(raw)


def test_knock_and_lobby_take_exactly_their_fields() -> None:
    knock = KnockBody(
        "bo", random_bytes(32), random_bytes(32), random_bytes(32), answers=random_bytes(32)
    )
    assert KnockBody.decode(knock.encode()) == knock
    for bad in (
        packb({"nick": "bo", "id": bytes(32), "kx": bytes(32)}),
        packb({"nick": "bo", "id": bytes(32), "kx": bytes(32), "agreed": bytes(32), "x": 1}),
        packb({"nick": "", "id": bytes(32), "kx": bytes(32), "agreed": bytes(32)}),
        packb({"nick": "bo\n", "id": bytes(32), "kx": bytes(32), "agreed": bytes(32)}),
        packb({"nick": "bo", "id": "x" * 32, "kx": bytes(32), "agreed": bytes(32)}),
    ):
        with pytest.raises(BodyError):
            KnockBody.decode(bad)
    lobby = Lobby("Be kind.", "ana", 3, (b"frame",), b"", (Ticket(random_bytes(32), "bo"),))
    assert Lobby.decode(lobby.encode()) == lobby
    with pytest.raises(BodyError):
        Lobby.decode(packb({"agreements": "x", "host": "ana", "epoch": 1, "lineage": [b""] * 9}))
    with pytest.raises(BodyError):
        Lobby.decode(
            packb(
                {
                    "agreements": "x",
                    "host": "ana",
                    "epoch": 1,
                    "lineage": [],
                    "commit": b"",
                    "tickets": [[bytes(32), "\u3164"]],
                }
            )
        )


def test_a_knock_says_how_long_it_waits_within_bounds() -> None:
    knock = KnockBody(
        "bo",
        random_bytes(32),
        random_bytes(32),
        random_bytes(32),
        answers=random_bytes(32),
        wait=10,
    )
    assert KnockBody.decode(knock.encode()).wait == 10
    good = msgpack.unpackb(knock.encode())
    for wait in (9, 1801, True, -1, 600.0, "600"):
        with pytest.raises(BodyError):
            KnockBody.decode(packb({**good, "wait": wait}))
    with pytest.raises(BodyError):
        KnockBody.decode(packb({k: v for k, v in good.items() if k != "wait"}))


def test_a_not_now_names_its_signer_and_the_knock() -> None:
    asked = SetAside(random_bytes(32), random_bytes(32))
    assert SetAside.decode(asked.encode()) == asked
    for bad in (
        packb({"id": bytes(32)}),
        packb({"id": bytes(32), "knock": bytes(31)}),
        packb({"id": bytes(32), "knock": bytes(32), "nick": "bo"}),
        packb({"id": "x" * 32, "knock": bytes(32)}),
    ):
        with pytest.raises(BodyError):
            SetAside.decode(bad)


def test_commit_bodies_refuse_wrong_shapes() -> None:
    good = {
        "epoch": 2,
        "prev": bytes(32),
        "roster": [[0, "ana", bytes(32), bytes(32), 1]],
        "agreed": bytes(32),
        "sequencer": 0,
        "successor": 255,
        "changes": [["admit", 0, 0, b""]],
        "nonce": bytes(16),
        "tickets": bytes(32),
    }
    assert CommitBody.decode(packb(good)).epoch == 2
    for key, value in [
        ("epoch", 2**33),
        ("epoch", "2"),
        ("roster", [[0, "ana", bytes(32), bytes(32)]]),
        ("roster", [[0, "ana", bytes(32), bytes(32), 1, 9]]),
        ("roster", [[True, "ana", bytes(32), bytes(32), 1]]),
        ("changes", [["crown", 0, 0, b""]]),
        ("changes", [["admit", 0, 0]]),
        ("changes", [["admit", 0, 0, b"x" * 200]]),
        ("tickets", bytes(31)),
        ("nonce", bytes(15)),
    ]:
        with pytest.raises(BodyError):
            CommitBody.decode(packb({**good, key: value}))
