"""Every action in the command palette (Ctrl+P), including one line per person knocking.

Titles can hold peer names, and the palette renders plain strings as markup, so
every title is handed over as a literal ``Content``. Help lines are Porch's own
words and never carry peer text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content


@dataclass(frozen=True, slots=True)
class Action:
    title: str
    help: str
    run: Callable[[], object]


class RoomCommands(Provider):
    def _actions(self) -> list[Action]:
        actions = getattr(self.app, "palette_actions", None)
        return list(actions(self.screen)) if actions else []

    async def discover(self) -> Hits:
        for action in self._actions():
            yield DiscoveryHit(
                Content(action.title), action.run, text=action.title, help=action.help
            )

    async def search(self, query: str) -> AsyncIterator[Hit]:
        matcher = self.matcher(query)
        for action in self._actions():
            score = matcher.match(action.title)
            if score > 0:
                yield Hit(
                    score,
                    Content(action.title),
                    action.run,
                    text=action.title,
                    help=action.help,
                )
