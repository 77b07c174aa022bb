"""The limits a person can meet in a room, each named once.

Everything that checks a nickname, a message or the size of a room reads these,
so the number a person is told in a sentence is the number the code enforces.
"""

from __future__ import annotations

from typing import Final

from protocol import wire

SEATS: Final = wire.ROOM_CAP  # people in one room: the relay's cap and the roster's
NICK_CHARS: Final = 32
TEXT_CHARS: Final = 4000  # one message
AGREEMENTS_CHARS: Final = 4000
REACTION_CHARS: Final = 16  # one reaction: a symbol or an emoji sequence
# How long a knock waits for an answer before it expires, on every screen alike:
# the knock says it (``KnockBody.wait``), within these bounds.
KNOCK_WAIT_S: Final = 600
KNOCK_WAIT_MIN_S: Final = 10
KNOCK_WAIT_MAX_S: Final = 30 * 60
# The largest file a person accepts when someone offers one, unless they choose another.
MAX_OFFER_BYTES: Final = 64 * 1024 * 1024
