"""Attacks on talk, acks and room state at the edges: epochs, generations, gaps, numbering.

Most tests use a careful hostile relay that renumbers what it shows each
member, so every member sees its ``seq`` rise by exactly one however much is
dropped or reordered: the coarse numbering check stays quiet, and the defence
each test names has to hold on its own. Each was checked to fail with that
defence removed (``tests/protocol/check_defences.py`` does it again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from protocol import commands as cmd
from protocol import events as ev
from protocol import wire
from protocol.bodies import Say, encode_content
from protocol.crypto import pad, random_bytes, seal, sign
from protocol.endpoint import Endpoint
from protocol.events import Alarm, Note
from protocol.frames import (
    GroupFrame,
    KeysFrame,
    Kind,
    RoomFrame,
    group_header,
    keys_body,
    keys_header,
    parse,
)
from protocol.keys.chains import key_check, ratchet
from protocol.keys.pairs import pair_context
from protocol.keys.receiver import PREVIOUS_WINDOW_MS
from tests.protocol.harness import HostileRelay, Seat, restamp
from tests.protocol.rooms import (
    admission,
    alarms,
    careful_room,
    knock_and_enter,
    new_chain,
    notes,
    of,
    open_room,
    publish_as,
    raised,
    readable_by_a_kept_chain,
    roomwide,
    said,
    two_in_turn_swapped_for,
)


def kind_of(seat: Seat, msg: wire.Msg) -> object:
    return parse(msg.d, seat.endpoint.room)


def is_commit(frame: object) -> bool:
    return isinstance(frame, RoomFrame) and frame.kind is Kind.COMMIT


# --- a Commit withheld from one member (H3) ---------------------------------------


def test_a_member_kept_from_a_commit_is_told_and_says_nothing_a_removed_member_could_read() -> None:
    """Defence: a signed frame from a later epoch means a Commit was withheld; we stop sending.

    The relay withholds from cy the Commit that removes di. di still holds cy's
    chain. ana and bo rekey; their keys frames name the new epoch, so cy learns
    it is behind, says so, and sends nothing di could read.
    """
    relay, (ana, _bo, cy, di) = careful_room(4, grace_ms=1_000)
    cy_slot = cy.endpoint.my_slot or 0
    held = di.endpoint.receiver.chains[cy_slot]
    kept = (held._chain_key, (cy_slot, held.epoch, held.gen), held.next_index)

    def withhold_commit(peer: int, msg: wire.Msg) -> list[bytes]:
        if peer == cy.peer and is_commit(kind_of(ana, msg)):
            return []
        return [wire.encode(msg)]

    relay.tamper = withhold_commit
    relay.disconnect(di.peer)
    relay.tick(5_000)
    assert ana.endpoint.epoch == cy.endpoint.epoch + 1
    cy.say("after di was removed")
    relay.pump()
    relay.tick(15_000)
    assert raised(cy, Alarm.COMMIT_WITHHELD), alarms(cy)
    assert (Note.HELD_BACK, "") in notes(cy)
    assert readable_by_a_kept_chain(relay, cy, kept) == []
    assert ("cy", "after di was removed") not in said(ana)


def test_a_member_still_speaking_in_the_old_epoch_is_named_and_not_shown() -> None:
    """Defence: a staying member's old chain is taken only for a short window after a Commit.

    The relay withholds the Commit and everything after it from cy, so cy never
    learns it is behind and keeps talking under a chain the removed di holds.
    ana and bo take it only within the window, then refuse it and say why.
    """
    relay, (ana, bo, cy, di) = careful_room(4, grace_ms=1_000)
    cut = {"from": None}

    def isolate_cy(peer: int, msg: wire.Msg) -> list[bytes]:
        if cut["from"] is None and is_commit(kind_of(ana, msg)):
            cut["from"] = msg.seq
        if peer == cy.peer and cut["from"] is not None and msg.sender != cy.peer:
            return []
        return [wire.encode(msg)]

    relay.tamper = isolate_cy
    relay.disconnect(di.peer)
    relay.tick(5_000)
    assert ana.endpoint.epoch == cy.endpoint.epoch + 1
    cy.say("just after the change")
    relay.pump()
    relay.tick(5_000 + PREVIOUS_WINDOW_MS)
    cy.say("long after the change")
    relay.pump()
    for seat in (ana, bo):
        assert ("cy", "just after the change") in said(seat)  # could have been on its way
        assert ("cy", "long after the change") not in said(seat)
        assert raised(seat, Alarm.SPEAKS_IN_OLD_EPOCH, "cy"), alarms(seat)


def test_a_takeover_after_a_goodbye_withheld_from_one_member_holds_it_back() -> None:
    """Defence: a successor ahead of us after the sequencer's goodbye took over with our
    blessing, so the Commit was withheld from us: we hold back, we do not go on.

    ana says goodbye but her connection stays; the relay keeps bo's takeover
    from cy, whose chain ana (who left) still holds.
    """
    relay, (ana, bo, cy) = careful_room(3)

    def withhold_from_cy(peer: int, msg: wire.Msg) -> list[bytes]:
        if peer == cy.peer and is_commit(kind_of(ana, msg)):
            return []
        return [wire.encode(msg)]

    relay.tamper = withhold_from_cy
    ana.send(cmd.Leave())
    relay.pump()
    assert bo.endpoint.is_sequencer and cy.endpoint.epoch + 1 == bo.endpoint.epoch
    cy.say("only for those still here")
    relay.pump()
    assert (Note.HELD_BACK, "") in notes(cy), notes(cy)
    assert raised(cy, Alarm.COMMIT_WITHHELD, "bo") and not raised(cy, Alarm.AHEAD_BY_TAKEOVER)


def drop_keys(relay: HostileRelay, sender: Seat | None, to: Seat | None) -> None:
    """Drop keys frames: ``sender``'s to everyone, or everyone's to ``to``."""

    def hook(peer: int, msg: wire.Msg) -> list[bytes]:
        frame = parse(msg.d, relay.seats[peer].endpoint.room)
        hit = isinstance(frame, KeysFrame) and (
            (sender is not None and msg.sender == sender.peer)
            or (to is not None and peer == to.peer and msg.sender != to.peer)
        )
        return [] if hit else [wire.encode(msg)]

    relay.tamper = hook


def test_a_member_muted_by_withheld_keys_is_told_and_so_is_everyone_else() -> None:
    """Defence: a signed frame of this epoch under a chain we hold no keys of means its
    keys were withheld; acks say what each member lacks, so the sender hears it too.

    The relay drops only bo's keys frames (their clear header gives them away)
    and forwards all else: without this, bo talks into the void, unseen.
    """
    relay, (ana, bo, cy) = careful_room(3)
    drop_keys(relay, bo, None)
    new_chain(bo)
    relay.pump()
    bo.say("can anyone hear me?")
    relay.pump()
    for seat in (ana, cy):
        assert ("bo", "can anyone hear me?") not in said(seat)
        assert raised(seat, Alarm.KEYS_NEVER_CAME, "bo"), alarms(seat)
    relay.tamper = None  # the drop stops: what bo's client sends next gets through
    relay.tick(relay.now + 1)  # the next acks go out at once: something was seen
    assert raised(bo, Alarm.NOT_REACHING, "ana", "cy"), alarms(bo)
    bo.say("and now?")  # bo's client drew new keys on hearing it
    relay.pump()
    for seat in (ana, cy):
        assert said(seat)[-1] == ("bo", "and now?")
        gaps = [g for g in of(seat, ev.Gap) if isinstance(g, ev.Gap) and g.nick == "bo"]
        assert gaps and gaps[-1].missing >= 1  # what the withheld keys sealed is lost, visibly


def test_keys_withheld_from_one_member_show_in_the_others_acks_before_anyone_speaks() -> None:
    """Defence: acks list every chain held, even one nothing came under yet."""
    relay, (ana, bo, cy) = careful_room(3)

    def bo_keys_not_to_cy(peer: int, msg: wire.Msg) -> list[bytes]:
        frame = parse(msg.d, ana.endpoint.room)
        if peer == cy.peer and msg.sender == bo.peer and isinstance(frame, KeysFrame | GroupFrame):
            return []  # and nothing bo says: cy sees no frame it cannot open
        return [wire.encode(msg)]

    relay.tamper = bo_keys_not_to_cy
    new_chain(bo)
    relay.pump()
    ana.say("bo, are you with us?")  # ana acks: she holds bo's new chain
    relay.pump()
    relay.tick(relay.now + 1)
    assert raised(cy, Alarm.KEYS_NEVER_CAME, "bo"), alarms(cy)


def test_a_newcomer_deafened_by_withheld_keys_is_told_and_so_are_the_others() -> None:
    """Defence: the mirror image. The relay drops every keys frame to the newcomer."""
    relay, (ana, _bo) = careful_room(2)
    di = Endpoint.joining(ana.endpoint.invite, "di")
    di_seat = relay.connect(di)
    di_seat.send(cmd.Agree())
    relay.pump()
    drop_keys(relay, None, di_seat)
    ana.send(cmd.Admit(di_seat.peer))
    relay.pump()
    assert di.roster is not None
    ana.say("welcome, di")
    relay.pump()
    assert raised(di_seat, Alarm.KEYS_NEVER_CAME, "ana"), alarms(di_seat)
    relay.tick(relay.now + 1)
    assert raised(ana, Alarm.NOT_REACHING, "di"), alarms(ana)


# --- a split room (H2, the acks) -------------------------------------------------


def test_two_commits_for_one_epoch_are_caught_by_acks_as_a_split() -> None:
    """Defence: acks carry the Commit hash, not only the roster hash.

    A sequencer signs two Commits for the same epoch (a modified client, or a
    relay that made an honest one sign twice); they differ only in their nonce,
    so the rosters are equal. The relay shows one to bo and the other to cy.
    """
    relay, (ana, bo, cy) = careful_room(3)
    roster = ana.endpoint.roster
    assert roster is not None
    newcomer = Endpoint.joining(ana.endpoint.invite, "di")
    di = relay.connect(newcomer)
    identity = bytes(newcomer.identity.verify_key)
    first = admission(ana, ana, "di", identity, newcomer.pairs.public, di.peer)
    second = replace(first, nonce=random_bytes(16))
    to_bo = roomwide(ana.endpoint, Kind.COMMIT, first.encode(), ana.endpoint.identity)
    to_cy = roomwide(ana.endpoint, Kind.COMMIT, second.encode(), ana.endpoint.identity)

    def fork(peer: int, msg: wire.Msg) -> list[bytes]:
        if msg.d == to_bo and peer == cy.peer:
            return [restamp(msg, msg.seq, d=to_cy)]
        return [wire.encode(msg)]

    relay.tamper = fork
    publish_as(relay, ana, to_bo)
    assert bo.endpoint.epoch == cy.endpoint.epoch == roster.epoch + 1
    assert bo.endpoint.roster and cy.endpoint.roster
    assert bo.endpoint.roster.roster_hash == cy.endpoint.roster.roster_hash
    bo.say("on one side")
    cy.say("on the other")
    relay.pump()
    relay.tick(10_000)
    for seat in (bo, cy):
        assert raised(seat, Alarm.SPLIT), alarms(seat)


# --- gaps must not switch acks off (M1) -------------------------------------------


def keys_to_each(
    relay: HostileRelay, sender: Seat, keys: list[tuple[Seat, bytes]], announced: bytes | None
) -> None:
    """``sender`` hands each seat its own chain key for a new generation.

    With ``announced`` one frame carries them all under that check; without,
    each seat gets its own frame, each with the check of its own key.
    """
    ep = sender.endpoint
    assert ep.sender.chain is not None and ep.roster is not None and ep.my_slot is not None
    gen = ep.sender.chain.gen + 1
    frames: list[tuple[bytes, dict[int, bytes]]] = []
    for seat, chain_key in keys:
        member = ep.roster.by_identity(bytes(seat.endpoint.identity.verify_key))
        assert member is not None
        check = announced if announced is not None else key_check(chain_key)
        header = keys_header(ep.room, ep.epoch, ep.my_slot, gen, check)
        pair = ep.pairs.with_member(member.exchange)
        assert pair is not None
        sealed = seal(
            pair.sending(pair_context(ep.room, ep.epoch)),
            chain_key,
            header + bytes((member.slot,)),
        )
        if announced is not None and frames:
            frames[0][1][member.slot] = sealed
        else:
            frames.append((header, {member.slot: sealed}))
    for header, entries in frames:
        signed = header + keys_body(entries)
        publish_as(relay, sender, signed + sign(ep.identity, signed))


def message(sender: Seat, chain_key: bytes, gen: int, index: int, text: str) -> bytes:
    """A group message from ``sender`` at ``index`` of the chain that starts at ``chain_key``."""
    ep = sender.endpoint
    assert ep.my_slot is not None
    for _ in range(index):
        chain_key = ratchet(chain_key)[1]
    header = group_header(ep.room, ep.epoch, ep.my_slot, gen, index)
    signed = header + seal(ratchet(chain_key)[0], pad(encode_content(Say(text))), header)
    return signed + sign(ep.identity, signed)


def test_a_member_handing_out_different_keys_is_caught_even_behind_a_gap() -> None:
    """Defence: acks compare each chain's key check, gapped or not.

    bo sends ana and cy each their own keys frame for one generation, each
    consistent on its own, then one message per key at index 1: each sees one
    missing message and a different text. The relay works with bo and shows
    each keys frame only to the one it is for.
    """
    relay, (ana, bo, cy) = careful_room(3)
    assert bo.endpoint.sender.chain is not None
    gen = bo.endpoint.sender.chain.gen + 1
    k_ana, k_cy = random_bytes(32), random_bytes(32)
    relay.tamper = only_to_whom_it_is_for(relay)
    keys_to_each(relay, bo, [(ana, k_ana), (cy, k_cy)], None)
    relay.tamper = None
    publish_as(relay, bo, message(bo, k_ana, gen, 1, "the vote is tonight"))
    publish_as(relay, bo, message(bo, k_cy, gen, 1, "the vote is cancelled"))
    assert ("bo", "the vote is tonight") in said(ana)
    assert ("bo", "the vote is cancelled") in said(cy)
    relay.tick(10_000)
    for seat in (ana, cy):
        assert raised(seat, Alarm.DIFFERENT_KEYS), alarms(seat)
        assert all(who[0] == "bo" for a, who in alarms(seat) if a is Alarm.DIFFERENT_KEYS)


def only_to_whom_it_is_for(relay: HostileRelay) -> Callable[[int, wire.Msg], list[bytes]]:
    """A tamper hook: each keys frame reaches only the seats it holds an entry for."""

    def hook(peer: int, msg: wire.Msg) -> list[bytes]:
        seat = relay.seats[peer]
        frame = parse(msg.d, seat.endpoint.room)
        if isinstance(frame, KeysFrame) and seat.endpoint.my_slot not in frame.sealed:
            return []
        return [wire.encode(msg)]

    return hook


def test_two_keys_announced_for_one_chain_are_named_at_once() -> None:
    """Defence: every member sees every keys frame; two for one chain is equivocation.

    bo hands ana and cy different keys for one generation, in two frames; the
    relay shows both to everyone, so cy sees two keys announced for one chain
    before bo says anything, and takes neither as the true one.
    """
    relay, (ana, bo, cy) = careful_room(3)
    assert bo.endpoint.sender.chain is not None
    gen = bo.endpoint.sender.chain.gen + 1
    k_ana, k_cy = random_bytes(32), random_bytes(32)
    keys_to_each(relay, bo, [(ana, k_ana), (cy, k_cy)], None)
    publish_as(relay, bo, message(bo, k_cy, gen, 0, "the vote is cancelled"))
    assert raised(cy, Alarm.TWO_KEYS, "bo"), alarms(cy)
    assert ("bo", "the vote is cancelled") not in said(cy)


def test_keys_handed_out_differently_cannot_hide_behind_a_rotation() -> None:
    """Defence: acks compare ended generations too.

    bo hands ana and cy different keys for one generation (the relay shows each
    frame only to its addressee), says one thing under each, and rotates at
    once: the chains compared are the new ones, which agree.
    """
    relay, (ana, bo, cy) = careful_room(3)
    assert bo.endpoint.sender.chain is not None
    gen = bo.endpoint.sender.chain.gen + 1
    k_ana, k_cy = random_bytes(32), random_bytes(32)
    relay.tamper = only_to_whom_it_is_for(relay)
    keys_to_each(relay, bo, [(ana, k_ana), (cy, k_cy)], None)
    relay.tamper = None
    publish_as(relay, bo, message(bo, k_ana, gen, 0, "keep the money"))
    publish_as(relay, bo, message(bo, k_cy, gen, 0, "give the money back"))
    bo.endpoint.sender.chain.gen = gen  # bo's client rotates past the lie
    new_chain(bo)
    relay.pump()
    bo.say("so that is settled")
    relay.pump()
    assert said(ana)[-2:] == [("bo", "keep the money"), ("bo", "so that is settled")]
    assert said(cy)[-2:] == [("bo", "give the money back"), ("bo", "so that is settled")]
    relay.tick(10_000)
    for seat in (ana, cy):
        assert raised(seat, Alarm.DIFFERENT_KEYS), alarms(seat)


def test_a_key_other_than_the_one_announced_is_refused_and_named() -> None:
    """Defence: the keys frame signs a check of the chain key; each recipient compares it."""
    relay, (ana, bo, cy) = careful_room(3)
    assert bo.endpoint.sender.chain is not None
    gen = bo.endpoint.sender.chain.gen + 1
    k_ana, k_cy = random_bytes(32), random_bytes(32)
    keys_to_each(relay, bo, [(ana, k_ana), (cy, k_cy)], key_check(k_ana))
    publish_as(relay, bo, message(bo, k_cy, gen, 0, "only cy can read this"))
    assert ("bo", "only cy can read this") not in said(cy)
    assert raised(cy, Alarm.KEY_NOT_ANNOUNCED, "bo"), alarms(cy)
    assert not raised(ana, Alarm.KEY_NOT_ANNOUNCED)


def test_withholding_after_one_gap_is_still_caught_by_acks() -> None:
    """Defence: a gapped chain is still compared: indices we lack show as withheld."""
    relay, (_ana, bo, cy) = careful_room(3)

    def gap_then_withhold(peer: int, msg: wire.Msg) -> list[bytes]:
        frame = kind_of(bo, msg)
        to_cy = peer == cy.peer and msg.sender == bo.peer
        if to_cy and isinstance(frame, GroupFrame) and frame.index != 1:
            return []
        return [wire.encode(msg)]

    relay.tamper = gap_then_withhold
    for text in ("zero", "one", "two", "three"):
        bo.say(text)
        relay.pump()
    relay.tick(10_000)
    assert said(cy).count(("bo", "one")) == 1 and ("bo", "three") not in said(cy)
    assert [g.missing for g in of(cy, ev.Gap)] == [1]
    assert raised(cy, Alarm.WITHHELD, "ana", "bo"), alarms(cy)


# --- drops at a chain's end (M2) --------------------------------------------------


def drop_bo_to_cy(relay: HostileRelay, ana: Seat, bo: Seat, cy: Seat) -> dict[str, bool]:
    dropping = {"on": True}

    def drop(peer: int, msg: wire.Msg) -> list[bytes]:
        frame = kind_of(ana, msg)
        to_cy = dropping["on"] and peer == cy.peer and msg.sender == bo.peer
        if to_cy and isinstance(frame, GroupFrame):
            return []
        return [wire.encode(msg)]

    relay.tamper = drop
    return dropping


def test_messages_dropped_just_before_an_epoch_change_show_as_a_gap() -> None:
    """Defence: the first keys of a new epoch say how many messages the last chain held."""
    relay, (ana, bo, cy) = careful_room(3)
    dropping = drop_bo_to_cy(relay, ana, bo, cy)
    bo.say("meet at the back door at nine")
    bo.say("bring the papers")
    relay.pump()
    dropping["on"] = False
    knock_and_enter(relay, ana, "di")
    bo.say("see you")
    relay.pump()
    assert said(cy)[-1] == ("bo", "see you")
    assert [(g.nick, g.missing) for g in of(cy, ev.Gap)] == [("bo", 2)]


def test_messages_dropped_just_before_a_new_generation_show_as_a_gap() -> None:
    """Defence: a new generation's keys say how many messages the one before held."""
    relay, (ana, bo, cy) = careful_room(3)
    bo.say("heard by all")
    relay.pump()
    dropping = drop_bo_to_cy(relay, ana, bo, cy)
    bo.say("the last of this chain")
    relay.pump()
    dropping["on"] = False
    new_chain(bo)
    bo.say("on a new chain")
    relay.pump()
    assert said(cy) == [("bo", "heard by all"), ("bo", "on a new chain")]
    assert [(g.nick, g.missing) for g in of(cy, ev.Gap)] == [("bo", 1)]


# --- the relay's numbering and the room state (M8) -------------------------------


def test_a_wild_relay_number_is_reported_and_does_not_freeze_the_room_state() -> None:
    """Defence: members check that the relay's seq rises by one and keep their own count."""
    relay = HostileRelay()
    host = Endpoint.host("ws://127.0.0.1:8765", "ana", "Be kind.")
    ana = relay.connect(host)
    bo = knock_and_enter(relay, ana, "bo")
    cy = knock_and_enter(relay, ana, "cy")

    def wild(peer: int, msg: wire.Msg) -> list[bytes]:
        if peer == cy.peer and msg.sender == bo.peer:
            return [restamp(msg, 2**62)]
        return [wire.encode(msg)]

    relay.tamper = wild
    bo.send(cmd.React("+"))
    relay.pump()
    relay.tamper = None
    for emoji in ("!", "?"):
        ana.send(cmd.React(emoji))
        relay.pump()
    assert [r.emoji for r in cy.endpoint.state.reactions] == ["+", "!", "?"]
    assert cy.endpoint.state.log_hash == ana.endpoint.state.log_hash
    assert raised(cy, Alarm.OUT_OF_ORDER), alarms(cy)
    assert not alarms(ana) and not alarms(bo)


def test_reactions_shown_in_another_order_are_caught_by_acks() -> None:
    """Defence: acks carry the room-state log; the same count with another hash is a fork.

    Each sender's chain is untouched (no gap, no withheld index): only the
    interleaving of two senders differs, which only the room state records.
    """
    relay, (ana, bo, cy) = careful_room(3)
    relay.hold = True
    ana.send(cmd.React("+"))
    bo.send(cmd.React("!"))
    relay.pump()
    held, relay.held = relay.held, []
    relay.hold = False
    swapped: dict[int, list[bytes]] = {}

    def swap_for_cy(peer: int, msg: wire.Msg) -> list[bytes]:
        if peer != cy.peer:
            return [wire.encode(msg)]
        swapped.setdefault(peer, []).append(wire.encode(msg))
        if len(swapped[peer]) == 2:
            first, second = swapped.pop(peer)
            return [second, first]
        return []

    relay.tamper = swap_for_cy
    for sender, payload in held:
        relay.publish(sender, payload)
    relay.pump()
    relay.tamper = None
    assert [r.emoji for r in ana.endpoint.state.reactions] == ["+", "!"]
    assert [r.emoji for r in cy.endpoint.state.reactions] == ["!", "+"]
    relay.tick(10_000)
    assert raised(cy, Alarm.STATE_DIFFERS), alarms(cy)


def test_two_senders_messages_interleaved_differently_are_caught_by_acks() -> None:
    """Defence: the room-state log covers messages, not only reactions.

    ana asks, bo answers. The relay shows cy the question first and di the
    answer first: each sender's chain is untouched (no gap, nothing withheld,
    the same frames), so only the order across senders differs, and with it
    what "Yes." answers.
    """
    relay, (ana, bo, cy, di) = careful_room(4)
    relay.hold = True
    ana.say("Should we keep the money?")
    bo.say("Yes.")
    relay.pump()
    two_in_turn_swapped_for(relay, di)  # the answer first, for di alone
    assert said(cy)[-2:] == [("ana", "Should we keep the money?"), ("bo", "Yes.")]
    assert said(di)[-2:] == [("bo", "Yes."), ("ana", "Should we keep the money?")]
    assert not of(di, ev.Gap) and not alarms(di)
    relay.tick(10_000)
    assert raised(di, Alarm.STATE_DIFFERS), alarms(di)
    assert raised(cy, Alarm.STATE_DIFFERS), alarms(cy)


def test_a_message_crossing_a_commit_raises_no_false_alarm_for_the_newcomer() -> None:
    """Guard: a message sealed before a newcomer came in stays out of the compared log."""
    relay, (ana, bo) = careful_room(2)
    cy = Endpoint.joining(ana.endpoint.invite, "cy")
    cy_seat = relay.connect(cy)
    cy.send(cmd.Agree(), relay.now)
    relay.pump()
    relay.hold = True
    ana.send(cmd.Admit(cy_seat.peer))
    bo.say("sealed in the old epoch, stamped after the Commit")
    relay.pump()
    commit = [h for h in relay.held if h[0] == ana.peer]
    message = [h for h in relay.held if h[0] == bo.peer]
    relay.held = commit + message
    relay.release()
    assert cy.epoch == ana.endpoint.epoch
    assert ("bo", "sealed in the old epoch, stamped after the Commit") in said(ana)
    assert ("bo", "sealed in the old epoch, stamped after the Commit") not in said(cy_seat)
    for seat in (ana, bo, cy_seat):
        seat.say(f"from {seat.endpoint.nick} in the new epoch")
        relay.pump()
    relay.tick(10_000)
    for seat in (ana, bo, cy_seat):
        assert not raised(seat, Alarm.STATE_DIFFERS), alarms(seat)
    assert ana.endpoint.state.log_hash == cy.state.log_hash


def test_a_reaction_crossing_a_commit_raises_no_false_alarm_for_the_newcomer() -> None:
    """Guard: what was sealed before a newcomer came in stays out of the compared state log."""
    relay, (ana, bo) = careful_room(2)
    cy = Endpoint.joining(ana.endpoint.invite, "cy")
    cy_seat = relay.connect(cy)
    cy.send(cmd.Agree(), relay.now)
    relay.pump()
    relay.hold = True
    ana.send(cmd.Admit(cy_seat.peer))
    bo.send(cmd.React("+"))  # sealed in the old epoch, stamped after the Commit
    relay.pump()
    commit = [h for h in relay.held if h[0] == ana.peer]
    reaction = [h for h in relay.held if h[0] == bo.peer]
    relay.held = commit + reaction
    relay.release()
    assert cy.epoch == ana.endpoint.epoch
    assert [r.emoji for r in ana.endpoint.state.reactions] == ["+"]
    for seat in (ana, bo, cy_seat):
        seat.send(cmd.React("!"))
        relay.pump()
    relay.tick(10_000)
    for seat in (ana, bo, cy_seat):
        assert not raised(seat, Alarm.STATE_DIFFERS), alarms(seat)


# --- sizes of room-wide frames (L3) -----------------------------------------------


def test_room_wide_frames_tell_the_relay_no_nickname_or_agreements_length() -> None:
    """Defence: lobby, knock and Commit bodies are padded to a power of two (512 at least)."""
    sizes = {}
    for nick, agreements in (
        ("al", "Be kind."),
        ("alexandra-the-great", "Be kind. Listen fully. Speak for yourself. Keep it here."),
    ):
        relay, (ana,) = open_room(1, agreements)
        joiner = Endpoint.joining(ana.endpoint.invite, nick)
        seat = relay.connect(joiner)
        joiner.send(cmd.Agree(), relay.now)
        relay.pump()
        ana.send(cmd.Admit(seat.peer))
        relay.pump()
        kinds = [(kind_of(ana, msg), msg) for msg in relay.log]
        lobby = next(m for f, m in kinds if isinstance(f, RoomFrame) and f.kind is Kind.LOBBY)
        knock = next(m for f, m in kinds if isinstance(f, RoomFrame) and f.kind is Kind.KNOCK)
        commit = [m for f, m in kinds if is_commit(f)][-1]
        assert joiner.epoch == ana.endpoint.epoch
        sizes[nick] = (len(lobby.d), len(knock.d), len(commit.d))
    assert sizes["al"] == sizes["alexandra-the-great"]


def test_a_message_crossing_the_commit_within_the_window_raises_no_alarm() -> None:
    """Guard: a message sealed just before its sender saw a Commit is shown, unalarmed,
    when it arrives within the window after the Commit."""
    relay, (ana, bo) = careful_room(2)
    cy = Endpoint.joining(ana.endpoint.invite, "cy")
    cy_seat = relay.connect(cy)
    cy.send(cmd.Agree(), relay.now)
    relay.pump()
    relay.hold = True
    ana.send(cmd.Admit(cy_seat.peer))
    bo.say("sealed before bo saw cy come in")
    relay.pump()
    (commit,) = [d for sender, d in relay.held if sender == ana.peer]
    (late,) = [d for sender, d in relay.held if sender == bo.peer]
    relay.held = []
    relay.publish(ana.peer, commit)  # everyone's answers to it stay held
    relay.pump()
    assert cy.epoch == ana.endpoint.epoch
    relay.tick(relay.now + PREVIOUS_WINDOW_MS - 1)
    relay.publish(bo.peer, late)  # before bo's new keys, as the race had it
    relay.release()
    assert ("bo", "sealed before bo saw cy come in") in said(ana)
    for seat in (ana, bo, cy_seat):
        assert not raised(seat, Alarm.SPEAKS_IN_OLD_EPOCH), alarms(seat)
