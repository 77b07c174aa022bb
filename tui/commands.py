"""The command palette (Ctrl+P): every action a screen offers, each screen its own.

A screen lists its providers in ``COMMANDS``; each provider is made here from a
function of that screen (``actions_from``) that says what can be done now. The
app's own providers (help, leave, quit) join every screen's.

Titles can hold peer names, and the palette renders plain strings as markup, so
every title is handed over as a literal ``Content``. Help lines are Porch's own
words and never carry peer text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.screen import Screen


@dataclass(frozen=True, slots=True)
class Action:
    title: str
    help: str
    run: Callable[[], object]


ActionSource = Callable[[Screen[Any]], Iterable[Action]]


def actions_from(source: ActionSource, name: str) -> type[Provider]:
    """A palette provider that lists ``source(screen)`` for the screen it is opened over."""

    class Actions(Provider):
        async def discover(self) -> Hits:
            for action in source(self.screen):
                yield DiscoveryHit(
                    Content(action.title), action.run, text=action.title, help=action.help
                )

        async def search(self, query: str) -> AsyncIterator[Hit]:
            matcher = self.matcher(query)
            for action in source(self.screen):
                score = matcher.match(action.title)
                if score > 0:
                    yield Hit(
                        score,
                        Content(action.title),
                        action.run,
                        text=action.title,
                        help=action.help,
                    )

    Actions.__name__ = Actions.__qualname__ = name
    return Actions
