"""Invites: one string in, a room out, or a sentence saying what to do."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol.crypto import random_bytes
from protocol.invite import Invite, InviteError, new_invite, parse_invite

URL = "ws://127.0.0.1:8765"


def make() -> str:
    return new_invite(URL, random_bytes(32)).text


def test_an_invite_round_trips() -> None:
    invite = new_invite("wss://relay.example.org/porch", random_bytes(32))
    parsed = parse_invite(invite.text)
    assert parsed == invite
    assert parsed.room_url == "wss://relay.example.org/porch/v1/rooms/" + invite.room_id
    assert len(invite.room_id) == 32


def test_the_secret_is_not_in_the_room_url_nor_the_repr() -> None:
    invite = new_invite(URL, random_bytes(32))
    fragment = invite.text.split("#", 1)[1]
    assert fragment not in invite.room_url
    assert invite.secret.hex() not in invite.room_url + repr(invite)
    assert "secret" not in repr(invite)


def test_wrapped_lines_and_spaces_are_forgiven() -> None:
    text = make()
    wrapped = "  " + text[:30] + "\n" + text[30:70] + " \r\n" + text[70:] + "\n"
    assert parse_invite(wrapped) == parse_invite(text)


def test_a_copy_from_the_invite_box_in_a_terminal_is_forgiven() -> None:
    text = make()
    boxed = f"│ {text[:50]} │\n│ {text[50:]}      │"
    assert parse_invite(boxed) == parse_invite(text)


@pytest.mark.parametrize(
    ("mangle", "says"),
    [
        (lambda t: "", "empty"),
        (lambda t: t[: t.index("#")], "missing"),
        (lambda t: t[:-5], "5 characters too short"),
        (lambda t: t[:-1], "1 character too short"),
        (lambda t: t + "xyz", "3 characters too many"),
        (lambda t: t.replace("ws://", "http://"), "starts with ws://"),
        (lambda t: t[:-3] + ("A" if t[-3] != "A" else "B") + t[-2:], "does not check out"),
        (lambda t: t[:-4] + "!" + t[-3:], "'!'"),
        (lambda t: t.replace("porch1.", "porch9."), "newer version"),
        (lambda t: t.replace("porch1.", "other."), "not a Porch invite"),
        (lambda t: t.replace("8765", "87x5"), "port"),
        (lambda t: t.replace("8765", "8766"), "does not check out"),
    ],
)
def test_a_damaged_invite_says_what_is_wrong_and_what_to_do(mangle: object, says: str) -> None:
    with pytest.raises(InviteError) as caught:
        parse_invite(mangle(make()))  # type: ignore[operator]
    sentence = str(caught.value)
    assert says in sentence
    assert sentence[0].isupper() and sentence.endswith(".")
    assert any(verb in sentence for verb in ("Copy", "Paste", "Update"))


@given(st.text(max_size=200))
def test_any_text_parses_or_gives_a_sentence(text: str) -> None:
    try:
        parse_invite(text)
    except InviteError as exc:
        assert str(exc).endswith(".")


@given(st.data())
def test_any_single_change_to_an_invite_is_caught(data: st.DataObject) -> None:
    text = make()
    at = data.draw(st.integers(0, len(text) - 1))
    char = data.draw(
        st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    )
    changed = text[:at] + char + text[at + 1 :]
    if changed == text:
        return
    try:
        parsed = parse_invite(changed)
    except InviteError:
        return
    # base64 has spare bits in the last character; only those may change silently.
    assert parsed == parse_invite(text)


@pytest.mark.parametrize("address", ["localhost:8765", "http://relay.example.org", "ws://", ""])
def test_opening_a_room_on_a_bad_relay_address_says_how_to_write_one(address: str) -> None:
    with pytest.raises(InviteError) as caught:
        new_invite(address, random_bytes(32))
    assert "like ws://127.0.0.1:8765." in str(caught.value)


@pytest.mark.parametrize(
    "address",
    [
        "ws://127.0.0.1:9/\x1b]0;PWNED\x07",  # retitles the terminal
        "ws://127.0.0.1:9/\x1b]52;c;Y3VybA==\x07",  # writes the clipboard
        "ws://127.0.0.1:9/\x9b2J",  # C1 CSI clears the screen
        "ws://127.0.0.1:9/a\u202eb",  # reads backwards
        "ws://bücher.example:9",  # a host name outside ASCII
    ],
)
def test_an_invite_that_checks_out_is_refused_if_its_relay_address_would_reach_the_terminal(
    address: str,
) -> None:
    # Anyone can make an invite whose check holds: the check is not a secret.
    forged = Invite(address, random_bytes(32), random_bytes(32)).text
    with pytest.raises(InviteError) as caught:
        parse_invite(forged)
    sentence = str(caught.value)
    assert "holds a character no relay address has" in sentence
    assert sentence.isprintable() and "\u202e" not in sentence
    with pytest.raises(InviteError):
        new_invite(address, random_bytes(32))
