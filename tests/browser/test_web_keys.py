"""The keys a browser keeps for itself: Ctrl+W, Ctrl+T and Ctrl+N close a tab, open one,
open a window, and a page never sees them. Nothing a person needs in Porch may hang on them.

Every binding is checked, Porch's own and every Textual widget's and screen's (the
composer is Textual's ``Input``). Two are on Ctrl+W: deleting the word before the cursor,
in ``Input`` and ``TextArea``. In a browser that one is Alt+Backspace: the terminal sends
ESC DEL for it, which Textual reads as Ctrl+W. A real tab shows it working.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from textual._xterm_parser import XTermParser
from textual.binding import Binding
from textual.dom import DOMNode
from textual.events import Key

import tui.screens
import tui.widgets
from tests.browser.tabs import Tab, needs_chromium

RESERVED = {"ctrl+w", "ctrl+t", "ctrl+n"}
# (class, key, action): the word before the cursor, reachable as Alt+Backspace.
REACHABLE_OTHERWISE = {
    ("Input", "ctrl+w", "delete_left_word"),
    ("TextArea", "ctrl+w", "delete_word_left"),
}


def every_binding_class() -> list[type[DOMNode]]:
    """Porch's apps, screens and widgets, and every Textual one they may put on screen."""
    import textual.command
    import textual.screen
    import textual.widgets

    for name in textual.widgets.__all__:
        getattr(textual.widgets, name)  # textual.widgets imports its widgets lazily
    importlib.import_module("tui.app")
    for package in (tui.screens, tui.widgets):
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
    assert textual.command.CommandPalette and textual.screen.ModalScreen
    found: list[type[DOMNode]] = []
    unseen: list[type[DOMNode]] = [DOMNode]
    while unseen:
        cls = unseen.pop()
        found.append(cls)
        unseen.extend(cls.__subclasses__())
    return found


def test_no_binding_a_person_needs_is_on_a_key_the_browser_keeps() -> None:
    classes = every_binding_class()
    names = {cls.__name__ for cls in classes}
    assert {"PorchApp", "Composer", "RoomScreen", "Input", "TextArea", "CommandPalette"} <= names
    on_reserved = set()
    for cls in classes:
        for binding in vars(cls).get("BINDINGS", []):
            keys, action = (
                (binding.key, binding.action)
                if isinstance(binding, Binding)
                else (binding[0], binding[1])
            )
            for key in keys.split(","):
                if key.strip() in RESERVED:
                    on_reserved.add((cls.__name__, key.strip(), action))
    assert on_reserved == REACHABLE_OTHERWISE


def test_alt_backspace_arrives_as_the_word_deleting_key() -> None:
    """What xterm.js sends for Alt+Backspace (ESC DEL), read the way Textual reads it."""
    keys = [event.key for event in XTermParser().feed("\x1b\x7f") if isinstance(event, Key)]
    assert keys == ["ctrl+w"]


@needs_chromium
@pytest.mark.timeout(240)
def test_in_a_tab_alt_backspace_deletes_a_word_and_the_app_names_the_browsers_keys(
    start_web, context
) -> None:
    web = start_web()
    page = context.new_page()
    tab = Tab(page)
    page.goto(web.link)
    screen = tab.wait_for(r"Open a new room")
    said = " ".join(screen.split())
    assert "Ctrl+W, Ctrl+T and Ctrl+N belong to the browser" in said, screen
    assert "Porch needs none of them" in said and "Alt+Backspace" in said, screen

    tab.type("one two three")
    tab.wait_for(r"▊  one two three")
    tab.press("Alt+Backspace")
    tab.wait_for(r"▊  one two\s+▎")
    assert "three" not in tab.text()

    tab.press("F1")
    help_screen = " ".join(tab.wait_for(r"Porch help").split())
    assert "Porch needs none of them" in help_screen
