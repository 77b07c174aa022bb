"""Two people with the same name are told apart on every screen, knocking or seated.

A knock has no seat yet: when its name looks like another one here, it carries
a short mark of the knocker's key, the same on every screen. A name that ends
the way those marks do, or the way a status shown beside names does ("✓",
"(host)"), is refused, here and from a modified client at the door; so is one
with spaces at its ends, which is drawn like the name without them.
"""

from __future__ import annotations

import pytest
from nacl.signing import SigningKey

from protocol import commands as cmd
from protocol import events as ev
from protocol.bodies.door import KnockBody
from protocol.crypto import ExchangeKey
from protocol.endpoint import Endpoint, agreements_hash
from protocol.frames import Kind
from protocol.limits import NICK_CHARS
from protocol.names import (
    MARK_LETTERS,
    MARK_SIZE,
    alike,
    carries_mark,
    carries_status,
    key_mark,
    refusal,
)
from tests.protocol.harness import HostileRelay, Seat
from tests.protocol.rooms import answering, of, open_room, publish_as, roomwide


def knock_as(relay: HostileRelay, host: Seat, nick: str) -> tuple[Seat, str]:
    """``nick`` knocks; returns their seat in the relay and their key mark."""
    endpoint = Endpoint.joining(host.endpoint.invite, nick)
    seat = relay.connect(endpoint)
    seat.send(cmd.Agree())
    relay.pump()
    return seat, key_mark(bytes(endpoint.identity.verify_key))


def test_two_knocks_with_one_name_carry_their_key_marks_on_every_screen() -> None:
    relay, (ana, bo) = open_room(2)
    first, first_mark = knock_as(relay, ana, "cy")
    assert of(bo, ev.Knocked)[-1] == ev.Knocked(first.peer, "cy")  # nobody else is called cy
    second, second_mark = knock_as(relay, ana, "Cy")
    assert first_mark != second_mark
    for member in (ana, bo):
        assert of(member, ev.Knocked)[-1] == ev.Knocked(
            second.peer, f"Cy (key {second_mark})", looks_like=f"cy (key {first_mark})"
        )
        knocking = member.endpoint.knocking
        assert [(k.knock, k.nick, k.name, k.mark) for k in knocking] == [
            (first.peer, f"cy (key {first_mark})", "cy", first_mark),
            (second.peer, f"Cy (key {second_mark})", "Cy", second_mark),
        ]
    ana.send(cmd.Admit(second.peer))
    relay.pump()
    # The other cy still knocks: the one let in is named with their new seat.
    assert of(bo, ev.Admitted)[-1] == ev.Admitted("Cy (seat 3)", "ana")
    bo.send(cmd.NotNow(first.peer))
    relay.pump()
    told = of(ana, ev.KnockSetAside)[-1]
    # Seated now, Cy still looks like the cy knocking: the knock keeps its mark.
    assert told == ev.KnockSetAside(first.peer, f"cy (key {first_mark})", "bo", mine=False)
    assert [(k.nick, k.asked_to_wait) for k in ana.endpoint.knocking] == [
        (f"cy (key {first_mark})", True)
    ]
    relay.disconnect(first.peer)
    relay.pump()
    gone = of(ana, ev.KnockWithdrawn)[-1]
    assert gone == ev.KnockWithdrawn(first.peer, f"cy (key {first_mark})")


def test_a_knock_alone_at_the_door_needs_no_mark_once_its_look_alike_goes() -> None:
    relay, (ana, _) = open_room(2)
    first, _ = knock_as(relay, ana, "cy")
    knock_as(relay, ana, "cy")
    relay.disconnect(first.peer)
    relay.pump()
    assert [k.nick for k in ana.endpoint.knocking] == ["cy"]


def test_a_knock_named_like_a_member_carries_its_mark_until_it_has_a_seat() -> None:
    relay, (ana, bo) = open_room(2)
    twin, mark = knock_as(relay, ana, "bo")
    assert of(ana, ev.Knocked)[-1] == ev.Knocked(twin.peer, f"bo (key {mark})", looks_like="bo")
    ana.send(cmd.Admit(twin.peer))
    relay.pump()
    assert ev.Admitted("bo (seat 3)", "ana") in of(bo, ev.Admitted)
    seats = [(s.nick, s.name) for s in bo.endpoint.seats]
    assert seats == [("ana", "ana"), ("bo (seat 2)", "bo"), ("bo (seat 3)", "bo")]


def test_a_key_mark_is_four_letters_that_pass_for_no_digit() -> None:
    marks = {key_mark(bytes(SigningKey.generate().verify_key)) for _ in range(200)}
    assert len(marks) > 190  # spread out, so honest look-alikes are told apart
    for mark in marks:
        assert len(mark) == MARK_SIZE and set(mark) <= set(MARK_LETTERS)
        assert not set(mark) & set("ilo0123456789")


@pytest.mark.parametrize(
    "nick", ["ana#2", "ana #kxqd", "ana (seat 1)", "ana (key kxqd)", "ana (\u0455eat 1)"]
)
def test_a_name_that_ends_like_a_mark_is_refused_here_and_at_the_door(nick: str) -> None:
    """Defence: "ana (seat 1)" as a name would pass for the first of two anas."""
    assert carries_mark(nick)
    relay, (ana,) = open_room(1)
    with pytest.raises(ValueError, match="Porch adds those itself"):
        Endpoint.joining(ana.endpoint.invite, nick)
    seat = relay.connect(Endpoint.joining(ana.endpoint.invite, "x"))
    identity = SigningKey.generate()
    knock = KnockBody(
        nick,
        bytes(identity.verify_key),
        ExchangeKey().public,
        agreements_hash("Be kind."),
        answers=answering(ana),
    )
    publish_as(relay, seat, roomwide(ana.endpoint, Kind.KNOCK, knock.encode(), identity))
    assert seat.peer not in ana.endpoint.knocks and not of(ana, ev.Knocked)


def knocks_through_a_modified_client(relay: HostileRelay, host: Seat, nick: str) -> bool:
    """Whether a knock named ``nick``, sent by a client that checks no name, is seen."""
    seat = relay.connect(Endpoint.joining(host.endpoint.invite, "x"))
    identity = SigningKey.generate()
    knock = KnockBody(
        nick,
        bytes(identity.verify_key),
        ExchangeKey().public,
        agreements_hash("Be kind."),
        answers=answering(host),
    )
    publish_as(relay, seat, roomwide(host.endpoint, Kind.KNOCK, knock.encode(), identity))
    return seat.peer in host.endpoint.knocks or any(
        k.knock == seat.peer for k in of(host, ev.Knocked)
    )


@pytest.mark.parametrize("nick", ["c#", "bo #", "#1fan club", "jo, she/her", "ana :)", "cy (2"])
def test_names_that_only_look_a_little_like_a_mark_are_fine(nick: str) -> None:
    assert refusal(nick) is None
    relay, (ana,) = open_room(1)
    assert knocks_through_a_modified_client(relay, ana, nick)


STATUSES = [
    "bo ✓",
    "bo✔",
    "bo ✔\ufe0f",
    "bo ✅",
    "bo ☑",
    "bo √",
    "bo ✓\u0301",  # an accent drawn over the check mark
    "bo ✓\u034f",  # an invisible character after it
    "cy (host)",
    "cy （host）",
    "cy \u2768host\u2769",
    "cy \u207dhost\u207e",
    "dee (verified)",
    "dee (v\u0435rified)",  # a Cyrillic e
    "eve (you)",
    "fay (asked to wait)",
    "jo (she/her)",
]


@pytest.mark.parametrize("nick", STATUSES)
def test_a_name_that_ends_like_a_status_is_refused_here_and_at_the_door(nick: str) -> None:
    """Defence: "bo ✓" or "cy (host)" as a name would pass for a bo someone verified, or
    for the host, in the roster and in /who."""
    assert carries_status(nick)
    said = refusal(nick)
    assert said is not None and "Porch shows those beside names itself" in said
    assert 'write "jo, she/her"' in said  # what to write instead
    relay, (ana,) = open_room(1)
    with pytest.raises(ValueError, match="Porch shows those beside names itself"):
        Endpoint.joining(ana.endpoint.invite, nick)
    assert not knocks_through_a_modified_client(relay, ana, nick)


@pytest.mark.parametrize("nick", ["ana ", " ana", "ana  bo", "ana\u00a0"])
def test_a_name_with_space_at_its_ends_is_tidied_here_and_refused_at_the_door(nick: str) -> None:
    """Defence: "ana " is drawn like "ana" and would pass for her without a seat mark."""
    relay, (ana,) = open_room(1)
    if nick.isprintable():
        assert Endpoint.joining(ana.endpoint.invite, nick).nick == " ".join(nick.split())
    assert not knocks_through_a_modified_client(relay, ana, nick)


def test_names_that_differ_only_in_blank_space_look_alike() -> None:
    assert alike("ana", "ana ") and alike("ana bo", "ana  bo") and alike(" ana", "ana")
    assert alike("ana", "ana\u2800")  # a braille blank is drawn as nothing
    assert refusal("\u2800 \u2800") == (
        "A name cannot be empty or show as nothing on a screen. Choose a name people can read."
    )
    assert not alike("ana bo", "anabo")


def test_a_name_too_long_is_refused_with_the_limit_in_the_sentence() -> None:
    said = refusal("x" * (NICK_CHARS + 8))
    assert said == (
        f"That name is {NICK_CHARS + 8} characters long; a name is at most {NICK_CHARS}. "
        "Choose a shorter one."
    )
    assert refusal("x" * NICK_CHARS) is None
    _, (ana,) = open_room(1)
    with pytest.raises(ValueError, match=f"at most {NICK_CHARS}"):
        Endpoint.joining(ana.endpoint.invite, "x" * (NICK_CHARS + 1))
