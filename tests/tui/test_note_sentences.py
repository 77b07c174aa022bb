"""Every note the room can give a person is a sentence: a note without one shows nothing."""

from __future__ import annotations

import pytest

from protocol.events import Note
from tui.sentences import note_sentence


@pytest.mark.parametrize("note", list(Note), ids=lambda note: note.name)
def test_every_note_is_a_sentence(note: Note) -> None:
    said = note_sentence(note, "bo")
    assert said, f"{note.name} has no sentence"
    assert said.endswith((".", "…", "?")), said


def test_a_change_this_porch_cannot_read_says_whose_and_what_to_do() -> None:
    said = note_sentence(Note.CHANGE_UNREADABLE, "ana")
    assert said.startswith("ana's Porch changed who is in the room")
    assert "cannot read" in said and "same version of Porch" in said
    assert "relay" not in said  # it is nobody's tampering
    typed = note_sentence(Note.NOT_SENT_UNREADABLE, "ana")
    assert typed.startswith("Not sent:") and "same version of Porch" in typed
