"""The room screen's part in the people's typed words, read as the plain mode reads them
(``tui.people_commands``): ``/admit NAME`` and ``/notnow NAME`` answer a knock,
``/verify NAME`` marks a member verified, and ``/who``'s lines go into the talk.
A sentence saying why nothing was sent shows as a toast."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.messages import Ask, PeopleAsked
from tui.people_commands import knock_answer, verify_command, who_lines

if TYPE_CHECKING:
    from tui.screens.room import RoomScreen


def answer_people(screen: RoomScreen, asked: PeopleAsked) -> None:
    if asked.word == "who":
        for line in who_lines(screen.seats, screen.room.knocking):
            screen.talk.add_note(line)
        return
    if asked.word == "verify":
        verify = verify_command(asked.rest, screen.seats)
        if isinstance(verify, str):
            screen.notify(verify, markup=False)
            return
        command, told = verify
        screen.post_message(Ask(command))
        screen.notify(told, markup=False)
        return
    answer = knock_answer(asked.rest, screen.room.knocking, admit=asked.word == "admit")
    if isinstance(answer, str):
        screen.notify(answer, markup=False)
    else:
        screen.post_message(Ask(answer))
