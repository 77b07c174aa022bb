"""The way into a room, before any connection: who comes in, and how.

Light on purpose: the first screens, the command line and plain mode check an
invite and read the default agreements without loading the client, the room's
protocol or a relay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from protocol.invite import InviteError, parse_invite
from protocol.limits import KNOCK_WAIT_S, MAX_OFFER_BYTES

DEFAULT_AGREEMENTS = """\
1. What is said here stays here.
2. Speak for yourself; listen to understand.
3. Share only what you choose to; ask before passing anything on.
4. Anyone can ask for a pause."""

# Said on the first screen in a browser tab, and in its help.
BROWSER_KEYS: Final = (
    "In a browser, Ctrl+W, Ctrl+T and Ctrl+N belong to the browser (they close the tab, "
    "open a tab or a window); Porch needs none of them. To delete a word, use Alt+Backspace."
)


class DoorError(ValueError):
    """The room could not be opened; the message is a full sentence for a person."""


@dataclass(frozen=True, slots=True)
class Door:
    """How this person comes in: opening a new room, or joining with an invite."""

    nick: str
    relay_url: str | None = None
    agreements: str | None = None
    invite: str | None = None
    knock_wait_s: int = KNOCK_WAIT_S  # how long a knock waits for an answer
    offer_limit: int = MAX_OFFER_BYTES  # the largest offer accepted, in bytes

    @property
    def opening(self) -> bool:
        return self.invite is None


def check_invite(invite: str) -> str:
    """The relay address in ``invite``, or DoorError with a sentence saying what is wrong."""
    try:
        return parse_invite(invite).relay_url
    except InviteError as exc:
        raise DoorError(str(exc)) from None
