"""Offering and saving: the sender's confirm, and the recipient's save dialog.

``OfferConfirm`` shows exactly who will be asked and what they will see first,
before anything is sent: True offers it, False (or Esc) drops it; text that came
from the composer stays there. ``SaveDialog`` asks where to write a file that
arrived, and asks again before replacing a file already there; it returns the
chosen path and whether to replace, or None.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from protocol.bodies.offer import OfferKind
from protocol.limits import TEXT_CHARS
from tui.offer_commands import Pending
from tui.offer_sentences import size_words
from tui.peer_text import name, shown


def and_names(names: tuple[str, ...]) -> str:
    shown_names = tuple(name(n) for n in names)
    if len(shown_names) <= 1:
        return shown_names[0] if shown_names else "nobody"
    return ", ".join(shown_names[:-1]) + " and " + shown_names[-1]


def why_an_offer(text: str) -> str:
    """Why what was written goes as an offer rather than a message."""
    lines = len(text.splitlines())
    if lines > 1:
        return f"What you wrote has {lines} lines, so it goes as an offer, not a message."
    return (
        f"What you wrote is {len(text):,} characters, longer than a message can be "
        f"({TEXT_CHARS:,}), so it goes as an offer."
    )


def seen_first(pending: Pending) -> str:
    """What those asked see before they accept: the note, never the content."""
    offer = pending.offer
    match offer.kind:
        case OfferKind.FILE:
            kind = f", {offer.mime}" if offer.mime else ""
            return f"{offer.note} ({size_words(len(offer.content))}{kind})"
        case OfferKind.LINK:
            return f"a link to {offer.note} (the domain only)"
    return f"a text of {len(offer.content):,} characters, starting “{offer.note}”"


class OfferConfirm(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "offer", "Offer"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, pending: Pending, *, why: str = "") -> None:
        super().__init__()
        self.pending = pending
        self.why = why

    def compose(self) -> ComposeResult:
        offer = self.pending.offer
        kind = {OfferKind.FILE: "file", OfferKind.LINK: "link"}.get(offer.kind, "text")
        to = and_names(self.pending.to)
        with Vertical(id="offer-confirm", classes="dialog"):
            yield Static(Content(f"Offer this {kind}?"), classes="title")
            if self.why:
                yield Static(Content(self.why), id="offer-why")
            yield Static(Content(f"This asks {to}."), id="offer-to")
            yield Static(
                Content(f"They see only {shown(seen_first(self.pending))}, until they accept."),
                id="offer-what",
            )
            if offer.kind is OfferKind.LINK:
                yield Static(Content(f"The link: {shown(offer.content.decode())}"))
            yield Static(
                Content(
                    "Each of them accepts or declines; a decline looks the same as no answer. "
                    "You will see who accepts. Nothing is sent until you offer it."
                ),
                classes="hint",
            )
            with Horizontal(classes="buttons"):
                yield Button("Offer (o)", variant="primary", id="offer")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()  # Enter on its own sends nothing

    @on(Button.Pressed, "#offer")
    def action_offer(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


@dataclass(frozen=True, slots=True)
class SaveChoice:
    path: Path
    replace: bool = False


def default_path(file_name: str) -> Path:
    """~/Downloads/NAME when there is such a folder, else NAME in the current folder."""
    downloads = Path.home() / "Downloads"
    folder = downloads if downloads.is_dir() else Path.cwd()
    return folder / file_name


class SaveDialog(ModalScreen[SaveChoice | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, file_name: str, size: int, *, start: Path | None = None) -> None:
        super().__init__()
        self.file_name = file_name  # sanitised by the endpoint: no folder, nothing hidden
        self.file_size = size
        self.start = start or default_path(file_name)
        self.replacing: Path | None = None  # asked once: the next Save replaces it

    def compose(self) -> ComposeResult:
        with Vertical(id="save", classes="dialog"):
            yield Static(Content(f"Save {shown(self.file_name)}"), classes="title")
            yield Static(
                Content(
                    f"It arrived whole and checked ({size_words(self.file_size)}). It is held in "
                    "memory only; nothing is written until you choose where."
                )
            )
            yield Input(str(self.start), id="save-path")
            yield Static(id="save-warning", classes="warning")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save-it")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#save-path", Input).focus()

    def _chosen(self) -> Path | None:
        typed = self.query_one("#save-path", Input).value.strip()
        if not typed:
            return None
        path = Path(typed).expanduser()
        return path / self.file_name if path.is_dir() else path

    @on(Input.Changed, "#save-path")
    def changed(self) -> None:
        if self.replacing is not None and self._chosen() != self.replacing:
            self.replacing = None
            self.query_one("#save-warning", Static).update("")
            self.query_one("#save-it", Button).label = "Save"

    @on(Input.Submitted, "#save-path")
    @on(Button.Pressed, "#save-it")
    def save(self) -> None:
        path = self._chosen()
        if path is None:
            self.query_one("#save-warning", Static).update("Say where to save it.")
            return
        if path == self.replacing:
            self.dismiss(SaveChoice(path, replace=True))
            return
        if path.exists():
            self.replacing = path
            self.query_one("#save-warning", Static).update(
                Content(
                    f"There is a file at {shown(str(path))} already. Press Replace to write "
                    "over it, or change the path."
                )
            )
            self.query_one("#save-it", Button).label = "Replace"
            return
        self.dismiss(SaveChoice(path))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class AskLine(ModalScreen[str | None]):
    """One line from the person, for the palette's offers: a path, a link, a contact."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, hint: str, *, placeholder: str = "", go: str = "Go on") -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint
        self.placeholder = placeholder
        self.go = go

    def compose(self) -> ComposeResult:
        with Vertical(id="ask-line", classes="dialog"):
            yield Static(Content(self.title_text), classes="title")
            yield Static(Content(self.hint))
            yield Input(placeholder=self.placeholder, id="line")
            with Horizontal(classes="buttons"):
                yield Button(self.go, variant="primary", id="go")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#line", Input).focus()

    @on(Input.Submitted, "#line")
    @on(Button.Pressed, "#go")
    def go_on(self) -> None:
        line = self.query_one("#line", Input).value.strip()
        if line:
            self.dismiss(line)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
