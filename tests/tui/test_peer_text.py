"""Peer text never reaches a screen or stdout as markup or as terminal control."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from protocol import events as ev
from protocol.bodies.commit import ChangeKind
from protocol.names import ignorable
from protocol.room.amend import numbered
from tui.peer_text import name, shown
from tui.sentences import sentence
from tui.vote_sentences import repair_agreements

ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"


def test_escape_sequences_become_visible_pictures() -> None:
    assert shown("\x1b[31mred\x1b[0m") == "␛[31mred␛[0m"
    assert shown("bell\x07") == "bell␇"


def test_bidi_overrides_are_replaced() -> None:
    assert "\u202e" not in shown("abc\u202edef")


def test_names_stay_on_one_line_and_short() -> None:
    assert "\n" not in name("ana\nbo")
    assert len(name("x" * 500)) == len("x" * 32 + " (key kxqd)")
    assert name("x" * 32 + " (key kxqd)") == "x" * 32 + " (key kxqd)"  # a mark is never cut
    assert name("") == "(no name)"


def test_a_name_shows_what_would_draw_as_nothing() -> None:
    """A look-alike built from invisible characters does not look like the original."""
    assert name("ana\u034f") != name("ana") and name("\u3164") == "\ufffd"
    assert name("👩\u200d💻") == "👩\u200d💻"  # emoji sequences stay whole


def test_a_message_shows_what_would_draw_as_nothing_or_break_a_line() -> None:
    """Words hidden in tag characters or variation selectors show; so does a line
    separator, which would break the line on one screen and not on another."""
    assert shown("one\u2028two\u2029three", multiline=True) == "one␤two¶three"
    assert shown("x\u200by\u00adz") == "x\ufffdy\ufffdz"
    assert "\U000e0041" not in shown("hi\U000e0041\U000e0042") == "hi\ufffd\ufffd"
    assert shown("hi\U000e0041" + ENGLAND) == "hi\ufffd" + ENGLAND  # a flag stays whole
    assert shown("\U0001f3f4\U000e0041\U000e007f") == "\U0001f3f4\ufffd\ufffd"  # no flag
    assert shown("a\U000e0100b") == "a\ufffdb"  # a variation selector carries no word
    for kept in ("👩\u200d💻", "❤\ufe0f", "☺\ufe0e", "می\u200cخواهم"):
        assert shown(kept, multiline=True) == kept


@given(st.text())
def test_a_message_breaks_only_at_a_newline_and_hides_nothing(text: str) -> None:
    # A subdivision flag is spelt with tag characters, and stays.
    flagless = re.sub(
        "\U0001f3f4[\U000e0030-\U000e007a]+\U000e007f", "", shown(text, multiline=True)
    )
    for ch in flagless:
        assert ch == "\n" or len(f"a{ch}b".splitlines()) == 1, repr(ch)
        assert not ignorable(ch) or ch in "\u200c\u200d\ufe0e\ufe0f", repr(ch)


def test_agreements_break_into_lines_only_at_a_newline() -> None:
    """As the terminal app's consent screen shows them: "\\n" alone ends an agreement."""
    text = "1. We take turns.\u20282. We repair harm.\x1c3. x\n2. We listen."
    assert repair_agreements(text) == ["1. We take turns.␤2. We repair harm.␜3. x"]
    assert numbered(text, "We rest.") == "3. We rest."


def test_message_bodies_keep_their_newlines_when_asked() -> None:
    assert shown("one\ntwo", multiline=True) == "one\ntwo"
    assert shown("one\ntwo") == "one␊two"


@given(st.text())
def test_nothing_shown_is_a_control_character(text: str) -> None:
    for ch in shown(text):
        assert unicodedata.category(ch) != "Cc"


@given(st.text(), st.text())
def test_sentences_are_single_lines_without_controls(nick: str, text: str) -> None:
    for event in (
        ev.Said(seq=1, ts=0, slot=1, nick=nick, text=text, mine=False),
        ev.Knocked(knock=1, nick=nick),
        ev.Admitted(nick=nick, by_nick=text),
        ev.Departed(nick=nick, reason=ChangeKind.LEFT),
        ev.KnockSetAside(knock=1, nick=nick, by_nick=text, mine=False),
        ev.KnockExpired(knock=1, nick=nick),
        ev.Notice(ev.Note.WAITING_FOR, text),
        ev.Tampering(ev.Alarm.DIFFERENT_MESSAGES, (nick, text)),
    ):
        line = sentence(event)
        assert line is not None
        assert not any(unicodedata.category(ch) == "Cc" for ch in line)


def test_a_knock_names_the_person_knocking() -> None:
    assert sentence(ev.Knocked(knock=3, nick="cy")) == "cy is knocking. Admit them, or say not now."


def test_the_door_in_sentences() -> None:
    assert sentence(ev.AskedToWait()) == "Not just yet — someone in the room asked you to wait."
    assert sentence(ev.KnockSetAside(knock=3, nick="cy", by_nick="bo", mine=False)) == (
        "bo asked cy to wait. Anyone can still admit them."
    )
    assert sentence(ev.KnockExpired(knock=3, nick="cy")) == (
        "Nobody answered cy's knock; it has expired."
    )
    for waited, words in (
        (600, "10 minutes"),
        (60, "1 minute"),
        (10, "10 seconds"),
        (90, "1 minute and 30 seconds"),
    ):
        assert sentence(ev.Closed(ev.Ending.UNANSWERED, waited_s=waited)) == (
            f"Nobody answered your knock in {words}. You can knock again later."
        )
