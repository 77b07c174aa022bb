"""The room screen's part in offers: offering after a confirm, answering, saving.

``OfferDesk`` is composed into the room screen and is the only writer of its
``offers`` (folded by ``tui.offer_views``; the offer panel is bound to them).
It turns the person's choices into commands:

- ``Propose`` (the composer's long or many-lined text, ``/offer PATH``,
  ``/link URL``, the palette) opens the confirm dialog naming exactly who is
  asked; if the room changed meanwhile it asks again. Text from the composer
  leaves it only once offered.
- ``OfferChosen`` (the panel's buttons, ``/accept N`` …) accepts, declines,
  cancels, sets aside, lists, or saves: a typed path never overwrites; the save
  dialog asks before it replaces a file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.notifications import Notification, Notify

from protocol import commands as cmd
from protocol import events as ev
from protocol.events import OfferStage, RevealStage
from tui import offer_commands as offering
from tui.commands import Action
from tui.messages import Ask, OfferChosen, Propose
from tui.offer_sentences import reveal_sentence, what
from tui.offer_views import answered, offers_after, set_aside
from tui.peer_text import name
from tui.screens.offer import AskLine, OfferConfirm, SaveChoice, SaveDialog, why_an_offer
from tui.sentences import sentence
from tui.widgets.composer import Composer
from tui.widgets.offer_panel import OfferPanel

if TYPE_CHECKING:
    from tui.screens.room import RoomScreen

OFFER_TOAST_S = 10


class OfferDesk:
    def __init__(self, screen: RoomScreen) -> None:
        self.screen = screen
        self.toast: Notification | None = None  # the latest offer's, while it shows

    # -- what the room shows ----------------------------------------------------------

    def show(self, event: ev.OfferEvent) -> None:
        screen = self.screen
        screen.offers = offers_after(screen.offers, event)
        match event.stage:
            case OfferStage.OFFERED:
                self._toast_offer(event)
            case OfferStage.ARRIVED if event.kind == "file":
                screen.notify(sentence(event) or "", title="It is here", markup=False)
            case OfferStage.TOO_LARGE | OfferStage.FAILED:
                screen.notify(sentence(event) or "", markup=False, severity="warning")

    def _toast_offer(self, event: ev.OfferEvent) -> None:
        """One bell and one toast for a burst of offers: while an offer's toast shows,
        later offers join the panel (and the talk) quietly."""
        if self.toast is not None and not self.toast.has_expired:
            return
        screen, n = self.screen, event.number
        waiting = sum(1 for v in screen.offers if not v.mine and v.stage is OfferStage.OFFERED)
        more = f" {waiting - 1} more wait there." if waiting > 1 else ""
        self.toast = Notification(
            f"{name(event.sender)} offers {what(event)}. Accept or Decline in the offer "
            f"panel, or /accept {n}, /decline {n}. Nothing is fetched before.{more}",
            "An offer",
            timeout=OFFER_TOAST_S,
            markup=False,
        )
        screen.app.bell()
        screen.app.post_message(Notify(self.toast))

    def show_reveal(self, event: ev.RevealEvent) -> None:
        if event.stage is not RevealStage.ASKING:
            self.screen.app.bell()
            self.screen.notify(reveal_sentence(event), title="Contact details", markup=False)

    def others_here(self) -> tuple[str, ...]:
        return tuple(s.nick for s in self.screen.seats if not s.is_me and s.connected)

    # -- offering ---------------------------------------------------------------------

    def propose(self, proposed: Propose) -> None:
        screen = self.screen
        offer, kept = proposed.offer, proposed.from_composer
        still = " What you wrote is still in the composer." if kept else ""
        if isinstance(offer, str):
            screen.notify(offer, markup=False)
            return
        to = self.others_here()
        if not to:
            screen.notify("Nobody else is here to offer it to." + still, markup=False)
            return
        pending = offering.Pending(offer, to)
        why = why_an_offer(offer.content.decode()) if kept else ""
        screen.app.push_screen(
            OfferConfirm(pending, why=why), partial(self._confirmed, pending, kept)
        )

    def _confirmed(self, pending: offering.Pending, kept: bool, yes: bool | None) -> None:
        screen = self.screen
        if not yes:
            still = " What you wrote is still in the composer." if kept else ""
            screen.notify("Nothing was offered." + still, markup=False)
            return
        if self.others_here() != pending.to:  # the room changed: say again who is asked
            screen.post_message(Propose(pending.offer, from_composer=kept))
            return
        screen.post_message(Ask(pending.offer))
        if kept and not screen.stepped_out:
            screen.query_one(Composer).clear()

    # -- answering, cancelling, saving --------------------------------------------------

    def chosen(self, chosen: OfferChosen) -> None:
        screen = self.screen
        n = chosen.number
        match chosen.what:
            case "accept":
                screen.post_message(Ask(cmd.Accept(n)))
            case "decline":
                screen.post_message(Ask(cmd.Decline(n)))
            case "cancel":
                screen.post_message(Ask(cmd.CancelOffer(n)))
            case "dismiss":
                screen.offers = set_aside(screen.offers, n)
            case "save":
                self.save(n, chosen.path)
            case "list":
                lines = screen.query_one(OfferPanel).lines
                screen.notify("\n".join(lines) or "There are no offers.", markup=False)

    def answered(self, number: int, *, accept: bool) -> None:
        """Our answer goes to the room (the app sends it): the panel follows."""
        screen = self.screen
        if not accept and any(v.number == number for v in screen.offers):
            screen.talk.add_note(
                f"You declined offer {number}. Nothing was sent: to the sender it looks the "
                "same as no answer."
            )
        screen.offers = answered(screen.offers, number, accept=accept)

    def save(self, number: int, path: str = "") -> None:
        screen = self.screen
        kept = screen.room.offer_content(number)
        if kept is None:
            screen.notify(
                f"Offer {number} has not arrived, or did not check out; nothing to save.",
                markup=False,
            )
            return
        file_name, content = kept
        if path:  # typed, as in the plain mode: never over a file already there
            self._saved(offering.save(content, path, file_name=file_name).said)
            return
        dialog = SaveDialog(file_name, len(content))
        screen.app.push_screen(dialog, partial(self._save, content, file_name))

    def _save(self, content: bytes, file_name: str, choice: SaveChoice | None) -> None:
        if choice is not None:
            path = str(choice.path)
            saved = offering.save(content, path, file_name=file_name, overwrite=choice.replace)
            self._saved(saved.said)

    def _saved(self, said: str) -> None:
        self.screen.talk.add_note(said)
        self.screen.notify(said, markup=False)

    # -- the palette ------------------------------------------------------------------

    def actions(self) -> Iterator[Action]:
        screen = self.screen

        def chosen(number: int, word: str) -> Callable[[], object]:
            return partial(screen.post_message, OfferChosen(number, word))  # type: ignore[arg-type]

        yield Action("Offer a file…", "Those here accept or decline it", self._ask_file)
        yield Action("Offer a link…", "They see its domain until they accept", self._ask_link)
        for view in screen.offers:
            n = view.number
            if view.mine:
                yield Action(
                    f"Withdraw offer {n}", "Nothing more of it is sent", chosen(n, "cancel")
                )
            elif view.stage is OfferStage.OFFERED:
                yield Action(f"Accept offer {n}", "Then it is sent to you", chosen(n, "accept"))
                yield Action(f"Decline offer {n}", "Nothing is sent", chosen(n, "decline"))
            elif view.stage is OfferStage.ACCEPTED:
                yield Action(f"Cancel offer {n}", "Stop it coming in", chosen(n, "cancel"))
            elif view.kind == "file":
                yield Action(f"Save offer {n}…", "Choose where to write it", chosen(n, "save"))
        for seat in screen.seats:
            if not seat.is_me:
                yield Action(
                    f"Reveal contact to {name(seat.nick)}…",
                    "Shown to both only once both chose",
                    partial(self._ask_contact, seat),
                )

    def _ask_file(self) -> None:
        screen = self.screen

        def picked(path: str | None) -> None:
            if path:
                offer = offering.file_offer(path, screen.room.offer_limit)
                screen.post_message(Propose(offer))

        line = AskLine("Offer a file", "Which file?", placeholder="~/notes.pdf", go="Next")
        screen.app.push_screen(line, picked)

    def _ask_link(self) -> None:
        screen = self.screen

        def picked(url: str | None) -> None:
            if url:
                screen.post_message(Propose(offering.link_offer(url)))

        line = AskLine("Offer a link", "Which link?", placeholder="https://…", go="Next")
        screen.app.push_screen(line, picked)

    def _ask_contact(self, seat: ev.Seat) -> None:
        screen = self.screen

        def given(card: str | None) -> None:
            if card:
                screen.post_message(Ask(cmd.Reveal(seat.slot, card)))

        who = name(seat.nick)
        hint = (
            f"How {who} can reach you. Nothing is shown to either of you unless {who} "
            "shares theirs too; then both are shown together."
        )
        screen.app.push_screen(AskLine(f"Your contact, for {who}", hint, go="Offer it"), given)
