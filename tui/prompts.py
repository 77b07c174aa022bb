"""What `porch new` and `porch join` ask before the room: the invite, and a name.

The invite is the key to the room. Typed on the command line it lands in the
shell's history and in every other user's view of the process list, so Porch
asks for it instead when none is given:

- on a terminal, with hidden input (``getpass``), as for a password; a wrong or
  damaged invite is said in a sentence and asked for again;
- in plain mode without a terminal, from the first line of stdin; every line
  after it is what the person types in the room (``porch join --plain < file``);
- from a file the person names (``--invite-file PATH``).

A name is asked on a terminal and never guessed: a script says ``--name``.
Every answer goes through the same checks as ``--name``, so the sentence for a
name too long is the same on every path.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Final, TextIO

from protocol.invite import InviteError, parse_invite
from protocol.limits import NICK_CHARS
from protocol.names import refusal

TRIES: Final = 3  # a person who pastes three wrong invites is told to check it, not asked forever
INVITE_FILE_CHARS: Final = 64 * 1024  # far above any invite: a file larger is something else
PASTE_INVITE: Final = "Paste the invite and press Enter (it stays hidden, like a password): "
ASK_NAME: Final = "What name should the room know you by?"
NAME_NEEDED: Final = (
    f"A name is needed to enter a room: add --name NAME (1 to {NICK_CHARS} characters)."
)


class Unanswered(Exception):
    """Nothing usable was given; ``str()`` is the sentence to end with."""


def invite_from_terminal(tries: int = TRIES) -> str:
    """The invite, pasted with hidden input; asked again after a sentence if it is wrong."""
    for _ in range(tries):
        try:
            pasted = getpass.getpass(PASTE_INVITE)
        except EOFError:
            raise Unanswered("No invite was given, so Porch did not knock.") from None
        try:
            parse_invite(pasted)
        except InviteError as exc:
            print(f"{exc}", file=sys.stderr, flush=True)
            continue
        return pasted
    raise Unanswered(
        f"None of the {tries} invites pasted could be used. Ask for the invite again, "
        "and copy it whole."
    )


def invite_from_stdin(stream: TextIO) -> str:
    """The invite on the first line of ``stream``; the lines after it stay for the room."""
    line = stream.readline(INVITE_FILE_CHARS)
    if not line.strip():
        raise Unanswered(
            "No invite came on stdin. Without a terminal, porch join --plain reads the "
            "invite from the first line of stdin (or give --invite-file PATH)."
        )
    return checked(line)


def invite_from_file(path: str) -> str:
    try:
        with Path(path).expanduser().open(encoding="utf-8") as handle:
            text = handle.read(INVITE_FILE_CHARS + 1)
    except (OSError, UnicodeDecodeError) as exc:
        raise Unanswered(f"The invite file {path!r} cannot be read ({exc}).") from None
    if len(text) > INVITE_FILE_CHARS:
        raise Unanswered(f"The file {path!r} is far too large to be an invite.")
    return checked(text)


def checked(invite: str) -> str:
    """``invite``, if it can be used; else Unanswered with the sentence saying what is wrong."""
    try:
        parse_invite(invite)
    except InviteError as exc:
        raise Unanswered(str(exc)) from None
    return invite


def name_from_terminal(stream: TextIO, out: TextIO, tries: int = TRIES) -> str:
    """A name typed on the terminal; asked again, after the sentence why, if it cannot be one."""
    for _ in range(tries):
        out.write(ASK_NAME + "\n")
        out.flush()
        line = stream.readline()
        if not line:
            break
        nick = line.strip()
        problem = refusal(nick)
        if problem is None:
            return nick
        out.write(problem + "\n")
    raise Unanswered(NAME_NEEDED)
