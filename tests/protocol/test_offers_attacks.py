"""Offers and contact cards from a modified member's side.

An accepter whose sender moved asks for the rest wherever the sender is now,
with a proof it was given the key. The proof binds the asker's identity key, so
a decliner or a newcomer it reached cannot use it to be sent the key. A contact
card's commitment cannot be replaced after seeing the other's card.
"""

from __future__ import annotations

from protocol import commands as cmd
from protocol import events as ev
from protocol.bodies.offer import CHUNK, CardNote, OfferKind, OfferNote, Say, private_aad
from protocol.crypto import random_bytes, unseal
from protocol.endpoint import Endpoint
from protocol.room.reveal import commitment
from tests.protocol.rooms import knock_and_enter, open_room
from tests.protocol.test_offers_room import back_again, later, number, slot_of


def _spy(monkeypatch, watched: list[Endpoint]) -> dict[int, list[OfferNote]]:
    """What a modified client reads: every offer note sealed to it, opened with its pair key."""
    seen: dict[int, list[OfferNote]] = {id(e): [] for e in watched}
    original = Endpoint._private

    def spying(self, member, sealed, *, late):  # type: ignore[no-untyped-def]
        if id(self) in seen:
            key = self._pair_key(member, sending=False)
            roster, mine = self.chain.roster, self.chain.my_slot
            if key is not None and roster is not None and mine is not None:
                try:
                    plain = unseal(
                        key, sealed, private_aad(self.me.room, roster.epoch, member.slot, mine)
                    )
                    seen[id(self)].append(OfferNote.decode(plain))
                except Exception:
                    pass
        return original(self, member, sealed, late=late)

    monkeypatch.setattr(Endpoint, "_private", spying)
    return seen


def test_a_resume_proof_that_reached_a_newcomer_gets_them_no_key(monkeypatch) -> None:
    relay, (ana, bo, cy) = open_room(3, grace_ms=1_000)
    content = random_bytes(60 * CHUNK)
    bo.send(cmd.Offer(OfferKind.FILE, "secret.bin", content))
    relay.pump()
    ana.send(cmd.Accept(number(ana)))  # ana accepts; cy does not (declines: sends nothing)
    relay.pump()
    later(relay, 50, 20)
    di = knock_and_enter(relay, ana, "di")  # a newcomer, never asked
    seen = _spy(monkeypatch, [cy.endpoint, di.endpoint])
    bo = back_again(relay, bo)  # bo's connection drops; ana asks "wherever bo is"
    later(relay, 1_000, 6)
    out = next(iter(bo.endpoint.offers.mine.values()))
    proofs = [n for n in seen[id(di.endpoint)] if n.say is Say.ACCEPT and n.digest]
    assert proofs  # di (and cy) were sent ana's proof, asking wherever bo is
    # di, a modified client, shows bo that proof as its own.
    di.endpoint._tell(slot_of(bo), OfferNote(out.offer, Say.ACCEPT, 0, digest=proofs[0].digest))
    relay.pump()
    keys = [n for n in seen[id(di.endpoint)] if n.say is Say.KEY]
    assert slot_of(di) not in out.accepted, "bo now sends its chunks for di too"
    assert not keys, "di, never asked, was sent the offer's key (the chunks reach everyone)"


def test_a_card_cannot_change_after_seeing_the_others() -> None:
    relay, (ana, bo, _cy) = open_room(3)
    ana.send(cmd.Reveal(slot_of(bo), "ana@example.org"))
    relay.pump()
    # bo, a modified client, commits to one card: ana then opens hers.
    bo.endpoint._tell(slot_of(ana), CardNote(commitment(bytes(16), "bo-first")))
    relay.pump()
    # Having seen ana's card, bo commits again, to another, and opens that one.
    bo.endpoint._tell(slot_of(ana), CardNote(commitment(bytes(16), "tailored to ana")))
    bo.endpoint._tell(slot_of(ana), CardNote(b"", bytes(16), "tailored to ana"))
    relay.pump()
    shown = [
        e.card
        for e in ana.events
        if isinstance(e, ev.RevealEvent) and e.stage is ev.RevealStage.REVEALED
    ]
    assert "tailored to ana" not in shown, "bo changed its card after seeing ana's"
