"""Who is knocking, as the room screen shows it: folded from the room's events.

The knock bar and the palette draw from one tuple of ``KnockView`` held by the
room screen; nothing else keeps a copy. Loads no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from protocol import events as ev


@dataclass(frozen=True, slots=True)
class KnockView:
    knock: int
    nick: str  # untrusted peer text: shown through ``peer_text``
    asked_to_wait: bool = False  # someone said "not now"; anyone may still admit


def knocks_after(knocks: tuple[KnockView, ...], event: ev.Event) -> tuple[KnockView, ...]:
    """The knocks shown once ``event`` has happened."""
    match event:
        case ev.Knocked(knock=knock, nick=nick):
            if any(view.knock == knock for view in knocks):
                return knocks
            return (*knocks, KnockView(knock, nick))
        case ev.KnockWithdrawn(knock=knock) | ev.KnockExpired(knock=knock):
            return without(knocks, knock)
        case ev.KnockSetAside(knock=knock):
            return tuple(replace(v, asked_to_wait=True) if v.knock == knock else v for v in knocks)
        case ev.Admitted(nick=nick, returning=False):
            first = next((view for view in knocks if view.nick == nick), None)
            return without(knocks, first.knock) if first is not None else knocks
        case ev.Closed(ending=ending) if ending is not ev.Ending.STEPPED_OUT:
            return ()
    return knocks


def without(knocks: tuple[KnockView, ...], knock: int) -> tuple[KnockView, ...]:
    return tuple(view for view in knocks if view.knock != knock)
