"""The offer panel: every open offer, ours and those made to us, with what can be done.

An offer made to us shows its note only (a file's sanitised name, size and type; a
link's domain; a text's length and first words) with Accept and Decline; nothing
is fetched before Accept. Then a progress bar and Cancel; once it arrived, a file
has Save… and a link or a text is shown as literal text, never opened. Our own
offers show who accepted, who has it all, the pieces sent, and Withdraw; once
everyone asked has it all, Set aside instead, and no bar.

Names, notes and texts came from a peer: they go through ``peer_text`` into
``Content``, never markup.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Button, ProgressBar, Static

from protocol.events import OfferStage
from tui.messages import OfferChosen
from tui.offer_sentences import what
from tui.offer_views import OfferView
from tui.peer_text import name, shown
from tui.screens.offer import and_names

TEXT_SHOWN = 400  # of a text that arrived, in the panel (all of it is in the talk)
BUTTONS = (
    ("accept", "Accept", "success"),
    ("decline", "Decline", "default"),
    ("save", "Save…", "primary"),
    ("cancel", "Cancel", "warning"),
    ("dismiss", "Set aside", "default"),
)


def offer_what(view: OfferView) -> str:
    event = view.offer
    if view.mine:
        return f"{view.number}. You offer {what(event)} to {and_names(event.to)}"
    return f"{view.number}. {name(event.sender)} offers {what(event)}"


def offer_step(view: OfferView) -> str:
    if view.mine:
        if not view.accepted:
            return "Nobody has accepted yet. A decline looks the same as no answer."
        line = f"Accepted by {and_names(view.accepted)}"
        if view.delivered:
            has = "has" if len(view.delivered) == 1 else "have"
            line += f" · {and_names(view.delivered)} {has} it all"
        return line + f" · {view.done} of {view.total} pieces sent"
    match view.stage:
        case OfferStage.OFFERED:
            return "Nothing is fetched or shown until you accept."
        case OfferStage.ACCEPTED:
            return f"Coming in: {view.done} of {view.total} pieces"
    match view.kind:
        case "file":
            return "Here, and checked. Save… writes it where you choose; nothing is written before."
        case "link":
            return "The link, as sent (it is not opened):"
    return "The text, as sent:"


def finished(view: OfferView) -> bool:
    """Our offer, and everyone it asked has it all: nothing is left to withdraw or to
    show progress on, so its row is shorter and can be set aside."""
    return view.mine and bool(view.offer.to) and set(view.offer.to) <= set(view.delivered)


def choices(view: OfferView) -> frozenset[str]:
    """The buttons this offer shows now."""
    if view.mine:
        return frozenset({"dismiss"} if finished(view) else {"cancel"})
    match view.stage:
        case OfferStage.OFFERED:
            return frozenset({"accept", "decline"})
        case OfferStage.ACCEPTED:
            return frozenset({"cancel"})
    return frozenset({"save", "dismiss"} if view.kind == "file" else {"dismiss"})


def showing_bar(view: OfferView) -> bool:
    if view.mine:
        return bool(view.accepted) and not finished(view)
    return view.stage is not OfferStage.OFFERED


class OfferRow(Vertical):
    def __init__(self, view: OfferView) -> None:
        super().__init__(classes="offer")
        self.view = view

    def compose(self) -> ComposeResult:
        yield Static(classes="offer-what")
        yield Static(classes="offer-step")
        yield ProgressBar(total=self.view.total, show_eta=False, classes="offer-bar")
        yield Static(classes="offer-text")
        with Horizontal(classes="offer-choices"):
            for what_, label, variant in BUTTONS:
                yield Button(label, variant=variant, classes=what_, compact=True)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        self.show(self.view)

    def show(self, view: OfferView) -> None:
        self.view = view
        self.query_one(".offer-what", Static).update(Content(offer_what(view)))
        self.query_one(".offer-step", Static).update(Content(offer_step(view)))
        bar = self.query_one(ProgressBar)
        bar.display = showing_bar(view)
        bar.update(total=view.total, progress=view.done)
        text = self.query_one(".offer-text", Static)
        text.display = bool(view.text)
        text.update(Content(shown(view.text, multiline=True, limit=TEXT_SHOWN)))
        shown_now = choices(view)
        for what_, label, _variant in BUTTONS:
            button = self.query_one(f".{what_}", Button)
            button.display = what_ in shown_now
            if what_ == "cancel":
                button.label = "Withdraw" if view.mine else label

    @property
    def lines(self) -> list[str]:
        """The row as read on screen, for whoever checks what a person sees."""
        view = self.view
        lines = [offer_what(view), offer_step(view)]
        return lines + ([shown(view.text, multiline=True, limit=TEXT_SHOWN)] if view.text else [])

    @on(Button.Pressed)
    def chosen(self, pressed: Button.Pressed) -> None:
        pressed.stop()
        for what_, _label, _variant in BUTTONS:
            if pressed.button.has_class(what_):
                self.post_message(OfferChosen(self.view.number, what_))  # type: ignore[arg-type]


class OfferPanel(Vertical):
    """Hidden while there is no open offer."""

    offers: reactive[tuple[OfferView, ...]] = reactive(())

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: dict[int, OfferRow] = {}
        self.display = False

    def watch_offers(self, offers: tuple[OfferView, ...]) -> None:
        numbers = {view.number for view in offers}
        for number in [n for n in self.rows if n not in numbers]:
            self.rows.pop(number).remove()
        for view in offers:
            row = self.rows.get(view.number)
            if row is None:
                self.rows[view.number] = row = OfferRow(view)
                self.mount(row)
            elif row.view == view:
                continue  # only a row whose offer moved is drawn again
            elif row.is_mounted:
                row.show(view)
            else:
                row.view = view
        self.display = bool(offers)
        self.border_title = "Offers" if len(offers) != 1 else "An offer"

    @property
    def lines(self) -> list[str]:
        return [line for row in self.rows.values() for line in row.lines]
