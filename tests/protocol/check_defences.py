# ruff: noqa: E501
"""Remove one defence at a time, run the test that claims it, and expect it to fail.

    python tests/protocol/check_defences.py [--jobs N] [name ...]

Each ``Mutant`` is a name, the edits that remove one defence (exact text,
found exactly once in its file), and the test that must then fail. Where a
defence has two independent layers, the mutant removes both and says so in
its name. The check runs on copies of the checkout, never on the tree itself,
and exits non-zero if any mutant survives or no longer applies (code moved:
update the edit). It takes a few minutes, so it is a script, not part of the
suite.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Edit:
    file: str  # relative to the checkout
    find: str  # exact text, present exactly once
    replace: str = ""


@dataclass(frozen=True, slots=True)
class Mutant:
    name: str
    edits: tuple[Edit, ...]
    test: str  # a pytest node id


def E(file: str, find: str, replace: str = "") -> Edit:
    return Edit(file, find, replace)


A = "tests/protocol/test_attacks.py::"
M = "tests/protocol/test_attacks_membership.py::"
T = "tests/protocol/test_attacks_talk.py::"
S = "tests/protocol/test_membership.py::"
R = "tests/protocol/test_reopen.py::"
FS = "tests/protocol/test_forward_secrecy.py::"
FL = "tests/protocol/test_floor_room.py::"
FR = "tests/protocol/test_floor.py::"
V = "tests/protocol/test_votes_room.py::"
VA = "tests/protocol/test_votes_attacks.py::"
OF = "tests/protocol/test_offers_room.py::"
AM = "tests/protocol/test_amend_room.py::"
OA = "tests/protocol/test_offers_attacks.py::"
OFL = "tests/protocol/test_offers_flood.py::"
AA = "tests/protocol/test_amend_attacks.py::"
STATE = "protocol/room/state.py"
EVIDENCE = "protocol/membership/evidence.py"
VOTES = "protocol/room/votes.py"
NN = "tests/protocol/test_not_now.py::"
CL = "tests/protocol/test_closing.py::"
N = "tests/protocol/test_names.py::"
LD = "tests/protocol/test_late_door.py::"
LA = "tests/protocol/test_late_door_attacks.py::"

ENDPOINT = "protocol/endpoint.py"
CHAIN = "protocol/membership/chain.py"
DOOR = "protocol/membership/door.py"
ENTRY = "protocol/membership/entry.py"
ROSTER = "protocol/membership/roster.py"
SEQUENCER = "protocol/membership/sequencer.py"
PRESENCE = "protocol/membership/presence.py"
ROOMWIDE = "protocol/membership/roomwide.py"
REOPEN = "protocol/membership/reopen.py"
EVIDENCE = "protocol/membership/evidence.py"
RECEIVER = "protocol/keys/receiver.py"
SENDER = "protocol/keys/sender.py"
CHAINS = "protocol/keys/chains.py"
ACKS = "protocol/keys/acks.py"
PAIRS = "protocol/keys/pairs.py"
STATE = "protocol/room/state.py"
FLOOR = "protocol/room/floor.py"
CRYPTO = "protocol/crypto.py"
FRAMES = "protocol/frames.py"

NOT_SIGNED = E(ROSTER, 'raise CommitRefused("it is not signed by the room\'s sequencer")', "return")
NO_GROUP_SIGNATURE = E(
    RECEIVER, "        if not verify(identity, frame.signed, frame.sig):\n            return None\n"
)
KEYS_KEPT = E(CHAINS, "        self.next_index = index + 1\n        self._chain_key = chain_key\n")
GAP_HIDDEN = E(
    ENDPOINT,
    "                self.events.append(ev.Gap(member.slot, self._label(member), heard.skipped))",
    "                pass",
)
NOTHING_ENDED = E(RECEIVER, "missing = self._missing(member, frame.ended)", "missing = 0")
GAPPED_SKIPPED = E(
    ACKS,
    "        if row.check != chain.check:\n",
    "        if chain.gapped:\n            continue\n        if row.check != chain.check:\n",
)

MUTANTS = [
    # --- membership: the Commit chain -------------------------------------------------
    Mutant(
        "ordinary member commit",
        (
            E(
                CHAIN,
                "candidates = [m for m in (base.sequencer, base.successor) if m is not None]",
                "candidates = list(base.members)",
            ),
            NOT_SIGNED,
        ),
        A + "test_a_commit_signed_by_an_ordinary_member_is_refused",
    ),
    Mutant(
        "successor admits",
        (NOT_SIGNED,),
        A + "test_the_successor_cannot_admit_while_the_host_is_there",
    ),
    Mutant(
        "replayed commit",
        (
            E(ROSTER, "if body.epoch != old.epoch + 1:", "if False:"),
            E(ROSTER, "if body.prev != current.commit_hash:", "if False:"),
        ),
        A + "test_a_replayed_commit_is_refused",
    ),
    Mutant(
        "13 members",
        (
            E(ROSTER, "if len(members) > SEATS:", "if False:"),
            E(ROSTER, "if any(s >= SEATS for s in slots) or", "if"),
        ),
        A + "test_a_commit_of_thirteen_is_refused_even_from_the_sequencer",
    ),
    Mutant(
        "epoch skip",
        (E(ROSTER, "if body.epoch != old.epoch + 1:", "if False:"),),
        A + "test_a_commit_that_skips_an_epoch_is_refused",
    ),
    Mutant(
        "key swap: those who stay are not held to their seat, name and keys",
        (E(ROSTER, "        if before is None:\n            continue\n", "        continue\n"),),
        A + "test_a_commit_that_swaps_a_members_keys_is_refused",
    ),
    Mutant(
        "forged welcome: no signature check and check_next's signer rule gone",
        (
            E(
                CHAIN,
                "signer = next((m for m in candidates if verify(m.identity, frame.signed, frame.sig)), None)",
                "signer = next((m for m in candidates if verify(m.identity, frame.signed, frame.sig)), candidates[0])",
            ),
            NOT_SIGNED,
        ),
        A + "test_a_newcomer_refuses_a_welcome_not_signed_by_the_sequencer",
    ),
    Mutant(
        "a newcomer takes any Commit its sequencer or successor signs (check_next)",
        (
            E(
                CHAIN,
                "            check_next(base, body, signer, ctx.room, self.tickets, exchanges, former)\n",
                "            if self.roster is not None:\n                check_next(base, body, signer, ctx.room, self.tickets, exchanges, former)\n",
            ),
        ),
        M + "test_a_once_named_successor_cannot_lead_a_newcomer_into_a_copy_of_the_room",
    ),
    Mutant(
        "Commits before the lobby are not kept",
        (E(CHAIN, "                self.early.append((seq, ts, frame))", "                pass"),),
        M + "test_a_newcomer_follows_commits_from_its_lobby_and_those_just_before_it",
    ),
    Mutant(
        "a short room code",
        (E(ROSTER, "ROOM_CODE_GROUPS: Final = 5", "ROOM_CODE_GROUPS: Final = 4"),),
        M + "test_the_room_code_is_five_groups_of_four_digits",
    ),
    Mutant(
        "a withheld Commit is rebuilt after the resend delay",
        (
            E(
                ENDPOINT,
                "        if self.sequencer.awaits(roster.epoch + 1):\n            frame = self.sequencer.resend(self.now)",
                "        if self.sequencer.awaits(roster.epoch + 1) and self.now - self.sequencer.in_flight.sent_ms < 5_000:\n            frame = self.sequencer.resend(self.now)",
            ),
        ),
        M + "test_a_withheld_commit_is_sent_again_byte_for_byte_never_rebuilt",
    ),
    Mutant(
        "the sequencer signs an admission without checking it",
        (E(SEQUENCER, "                check_next(roster, body, me, room, tickets, exchanges)\n"),),
        M + "test_the_sequencer_drops_an_admission_no_member_could_accept",
    ),
    Mutant(
        "a member who speaks after a leave is still removed",
        (
            E(
                ENDPOINT,
                "        if self.departures.still_here(member, self.presence.present):\n            self._alarm(ev.Alarm.SPEAKS_AFTER_LEAVE, (self._label(member),))\n",
            ),
        ),
        M + "test_a_host_who_keeps_talking_is_not_removed_by_a_leave_told_to_one_member",
    ),
    Mutant(
        "a takeover is taken while the sequencer is still connected",
        (
            E(
                CHAIN,
                "                return TakeoverRefused(signer.nick, gone.nick, gone.identity == ctx.me)\n",
                "                continue\n",
            ),
        ),
        M + "test_members_refuse_a_takeover_while_they_still_see_the_host",
    ),
    Mutant(
        "a newcomer takes a seat bound to another connection",
        (E(CHAIN, " or mine.peer != ctx.peer:", ":"),),
        M + "test_a_newcomer_refuses_a_seat_bound_to_another_connection",
    ),
    Mutant(
        "the successor is the lowest other seat",
        (
            E(
                ROSTER,
                "return next((m.slot for m in roster if m.slot != sequencer), NO_SLOT)",
                "return next((m.slot for m in sorted(roster, key=lambda m: m.slot) if m.slot != sequencer), NO_SLOT)",
            ),
        ),
        M + "test_the_successor_is_the_longest_seated_not_the_lowest_free_seat",
    ),
    Mutant(
        "Commits may reorder the roster and name any successor",
        (
            E(
                ROSTER,
                "    if [m.identity for m in body.roster[: len(kept)]] != kept:",
                "    if False:",
            ),
            E(
                ROSTER,
                "    if body.successor != eldest_other(body.roster, body.sequencer):",
                "    if False:",
            ),
        ),
        M + "test_the_successor_is_the_longest_seated_not_the_lowest_free_seat",
    ),
    # --- the door: lobbies, knocks, return tickets --------------------------------
    Mutant(
        "forged lobby",
        (
            E(
                ENDPOINT,
                "if not verify(shown.sequencer.identity, frame.signed, frame.sig):",
                "if False:",
            ),
        ),
        A + "test_a_forged_lobby_shows_no_agreements",
    ),
    Mutant(
        "lineage dropped from the lobby",
        (E(DOOR, "for at in range(0, len(links), 2):", "for at in range(0, 0, 2):"),),
        A + "test_the_lineage_carries_a_room_past_its_hosts_departure",
    ),
    Mutant(
        "a later lobby moves the newcomer's anchor",
        (
            E(
                ENDPOINT,
                "        if self.chain.watching is not None:\n            if shown.commit_hash",
                "        if False:\n            if shown.commit_hash",
            ),
        ),
        M + "test_a_forged_handover_in_a_second_lobby_warns_the_newcomer_and_moves_nothing",
    ),
    Mutant(
        "members do not check who greets",
        (E(ENDPOINT, "            self._greeted_by(frame, lobby, roster)\n"),),
        M + "test_the_first_key_cannot_greet_newcomers_after_the_handover",
    ),
    Mutant(
        "replayed knock (and a seated knock not kept as let go)",
        (
            E(
                DOOR,
                "        for m in roster.members:\n            if knock.identity == m.identity or knock.exchange == m.exchange:\n                return False\n",
            ),
            E(
                DOOR,
                "            if knock.identity in on_roster:\n                self._let_go(knock.identity)\n",
                "            pass\n",
            ),
        ),
        A + "test_a_replayed_knock_is_not_shown_again",
    ),
    Mutant(
        "low-order knock",
        (
            E(
                DOOR,
                "        if not pairs.usable(knock.exchange):\n            return None  # an exchange key no channel can be built on\n",
            ),
        ),
        A + "test_a_knock_with_a_low_order_exchange_key_is_not_shown",
    ),
    Mutant(
        "a knock reusing a member's exchange key is shown",
        (
            E(
                DOOR,
                "if knock.identity == m.identity or knock.exchange == m.exchange:",
                "if knock.identity == m.identity:",
            ),
        ),
        M + "test_a_knock_reusing_a_members_exchange_key_is_not_shown",
    ),
    Mutant(
        "knocks not merged by identity, connections uncapped",
        (
            E(
                DOOR,
                "        for k in self.knocks.values():\n            if knock.identity == k.identity or knock.exchange == k.exchange:\n                return False\n",
            ),
            E(PRESENCE, "        if len(self.present) > MAX_PRESENT:", "        if False:"),
        ),
        M + "test_a_knock_replayed_under_invented_connections_is_shown_once",
    ),
    Mutant(
        "a return claim without checking its vouch",
        (
            E(
                DOOR,
                "        if not verify(knock.was, vouch_statement(room, knock), knock.vouch):\n            return None\n",
            ),
        ),
        S + "test_a_stranger_cannot_claim_a_members_seat_on_return",
    ),
    Mutant(
        "a dropped member gets no return ticket",
        (E(EVIDENCE, "            kept.append(Ticket(gone.identity, gone.nick))\n"),),
        S + "test_a_host_back_after_the_handover_comes_in_without_asking",
    ),
    Mutant(
        "a return ticket is never used up",
        (
            E(
                EVIDENCE,
                "    kept = [t for t in tickets if t.identity not in used]",
                "    kept = list(tickets)",
            ),
        ),
        M + "test_an_old_key_brings_back_one_person_once_and_vouches_for_no_stranger",
    ),
    Mutant(
        "a return under another name",
        (E(DOOR, "if nick is None or nick != knock.nick:", "if nick is None:"),),
        M + "test_an_old_key_cannot_bring_someone_back_under_another_name",
    ),
    Mutant(
        "a lobby per connection",
        (E(SEQUENCER, "        if not can or self.lobby_tokens <= 0:", "        if not can:"),),
        M + "test_connection_churn_cannot_make_the_sequencer_flood_the_relay",
    ),
    Mutant(
        "greeted connections never forgotten",
        (
            E(SEQUENCER, "        self.greeted &= present\n"),
            E(SEQUENCER, "        self.greeted.discard(peer)\n"),
        ),
        M + "test_connection_churn_cannot_make_the_sequencer_flood_the_relay",
    ),
    Mutant(
        "room-wide bodies not padded",
        (
            E(ROOMWIDE, "seal(join_key, pad_bucket(body), header)", "seal(join_key, body, header)"),
            E(
                ROOMWIDE,
                "unpad_bucket(unseal(join_key, frame.sealed, frame.header))",
                "unseal(join_key, frame.sealed, frame.header)",
            ),
        ),
        T + "test_room_wide_frames_tell_the_relay_no_nickname_or_agreements_length",
    ),
    # --- messages: the fixed order of checks --------------------------------------
    Mutant(
        "moved header: chain picked by seat 1 whatever the header says, no signature, no AAD",
        (
            E(
                RECEIVER,
                "        chain = self.chains.get(frame.slot)\n        if chain is not None and chain.epoch == frame.epoch and chain.gen == frame.gen:",
                "        chain = self.chains.get(1)\n        if chain is not None:",
            ),
            NO_GROUP_SIGNATURE,
            E(
                RECEIVER,
                "unseal(message_key, frame.sealed, frame.header)",
                "unseal(message_key, frame.sealed, b'')",
            ),
            E(
                SENDER,
                "seal(message_key, pad(encode_content(content)), header)",
                "seal(message_key, pad(encode_content(content)), b'')",
            ),
        ),
        A + "test_a_message_moved_to_another_epoch_seat_or_generation_is_refused",
    ),
    Mutant(
        "impersonation: no signature check",
        (NO_GROUP_SIGNATURE,),
        A + "test_a_member_cannot_speak_in_anothers_seat",
    ),
    Mutant(
        "bit flips: signature unchecked", (NO_GROUP_SIGNATURE,), "tests/protocol/test_properties.py"
    ),
    Mutant(
        "replay: keys kept after use", (KEYS_KEPT,), A + "test_a_replayed_message_is_shown_once"
    ),
    Mutant(
        "duplicates: keys kept after use", (KEYS_KEPT,), A + "test_duplicated_frames_change_nothing"
    ),
    Mutant(
        "reorder: gap hidden",
        (GAP_HIDDEN,),
        A + "test_reordered_messages_show_a_gap_and_refuse_the_late_one",
    ),
    Mutant(
        "reorder: late one taken (keys kept)",
        (
            E(CHAINS, "if index < self.next_index:", "if False:"),
            E(
                CHAINS,
                "        self.next_index = index + 1\n        self._chain_key = chain_key\n",
                "        self.next_index = index + 1\n",
            ),
        ),
        A + "test_reordered_messages_show_a_gap_and_refuse_the_late_one",
    ),
    Mutant("drop: gap hidden", (GAP_HIDDEN,), A + "test_a_dropped_message_shows_a_gap"),
    Mutant(
        "other room",
        (E(FRAMES, "if frame_room != room:", "if False:"),),
        A + "test_a_frame_from_another_room_is_refused",
    ),
    Mutant(
        "huge counters: no skip bound",
        (E(CHAINS, "if index - self.next_index > MAX_SKIP:", "if False:"),),
        A + "test_huge_counters_are_refused_and_change_nothing",
    ),
    Mutant(
        "key ratchet stalls",
        (
            E(
                CHAINS,
                "message_key, self._chain_key = ratchet(self._chain_key)",
                "message_key, _ = ratchet(self._chain_key)",
            ),
        ),
        "tests/protocol/test_crypto.py::test_no_key_or_key_nonce_pair_repeats_over_100k_messages",
    ),
    # --- keys and epochs ------------------------------------------------------------
    Mutant(
        "keys for the epoch before are refused",
        (E(RECEIVER, "late = frame.epoch + 1 == roster.epoch", "late = False"),),
        S + "test_keys_and_messages_sent_just_before_a_commit_still_open",
    ),
    Mutant(
        "late previous-epoch message",
        (E(RECEIVER, "            self.previous.pop(frame.slot, None)\n"),),
        A + "test_a_late_message_from_the_previous_epoch_is_refused_once_its_sender_rekeyed",
    ),
    Mutant(
        "reflection: one shared key both ways (like Box) and no sender/recipient in the AAD",
        (
            E(
                CRYPTO,
                'return kdf(self.tx, b"porch-pair", context)\n\n    def receiving(self, context: bytes) -> bytes:\n        return kdf(self.rx, b"porch-pair", context)',
                'return kdf(min(self.rx, self.tx), b"porch-pair", context)\n\n    def receiving(self, context: bytes) -> bytes:\n        return kdf(min(self.rx, self.tx), b"porch-pair", context)',
            ),
            E(FRAMES, "return header + bytes((to,))", "return b''"),
        ),
        A + "test_a_reflected_or_forwarded_chain_key_does_not_open",
    ),
    Mutant(
        "reflection unit: one key both ways",
        (
            E(
                CRYPTO,
                'return kdf(self.rx, b"porch-pair", context)',
                'return kdf(self.tx, b"porch-pair", context)',
            ),
        ),
        "tests/protocol/test_crypto.py::test_a_pairwise_seal_cannot_be_reflected_to_its_sender",
    ),
    Mutant(
        "replayed key distribution",
        (
            E(
                RECEIVER,
                "if held is not None and held.epoch == frame.epoch and frame.gen <= held.gen:",
                "if False:",
            ),
        ),
        A + "test_a_replayed_key_distribution_cannot_rewind_a_chain",
    ),
    Mutant(
        "removed member's chains kept",
        (
            E(RECEIVER, "if stays is not None and stays.identity == member.identity:", "if True:"),
            E(
                RECEIVER,
                "        member = roster.seat(frame.slot)\n        if member is None:\n            return None\n        skipped",
                "        member = roster.seat(frame.slot) or Member(frame.slot, 'cy', identity, bytes(32), 0)\n        if member is None:\n            return None\n        skipped",
            ),
        ),
        A + "test_a_removed_members_keys_stop_working",
    ),
    Mutant(
        "a frame from a later epoch ignored",
        (E(RECEIVER, "ahead = epoch > roster.epoch", "ahead = False"),),
        T + "test_a_member_kept_from_a_commit_is_told_and_says_nothing_a_removed_member_could_read",
    ),
    Mutant(
        "previous-epoch chains taken past the window",
        (E(RECEIVER, "return now - self.turned_ms >= PREVIOUS_WINDOW_MS", "return False"),),
        T + "test_a_member_still_speaking_in_the_old_epoch_is_named_and_not_shown",
    ),
    Mutant(
        "key check not compared by its recipient",
        (E(RECEIVER, "if key_check(chain_key) != frame.check:", "if False:"),),
        T + "test_a_key_other_than_the_one_announced_is_refused_and_named",
    ),
    Mutant(
        "end of a chain not counted (epoch)",
        (NOTHING_ENDED,),
        T + "test_messages_dropped_just_before_an_epoch_change_show_as_a_gap",
    ),
    Mutant(
        "end of a chain not counted (generation)",
        (NOTHING_ENDED,),
        T + "test_messages_dropped_just_before_a_new_generation_show_as_a_gap",
    ),
    Mutant(
        "relay seq trusted",
        (
            E(
                PRESENCE,
                "expected = seq if self.last_seq is None else self.last_seq + 1",
                "expected = seq",
            ),
        ),
        T + "test_a_wild_relay_number_is_reported_and_does_not_freeze_the_room_state",
    ),
    # --- acks and the room-state log -------------------------------------------------
    Mutant(
        "fork: running hashes not compared",
        (E(ACKS, "            and running != row.running\n", "            and False\n"),),
        A + "test_different_messages_to_different_members_are_caught_by_acks",
    ),
    Mutant(
        "withheld: ack index not compared",
        (E(ACKS, "elif row.count > chain.next_index:", "elif False:"),),
        A + "test_withheld_messages_are_caught_by_acks",
    ),
    Mutant(
        "split: acks compare the roster, not the Commit",
        (E(ACKS, "if held is not None and held != ack.commit_hash:", "if False:"),),
        T + "test_two_commits_for_one_epoch_are_caught_by_acks_as_a_split",
    ),
    Mutant(
        "gapped chains skipped in acks (keys)",
        (GAPPED_SKIPPED,),
        T + "test_a_member_handing_out_different_keys_is_caught_even_behind_a_gap",
    ),
    Mutant(
        "gapped chains skipped in acks (withheld)",
        (GAPPED_SKIPPED,),
        T + "test_withholding_after_one_gap_is_still_caught_by_acks",
    ),
    Mutant(
        "room-state log not compared",
        (
            E(
                ACKS,
                "if ack.state_count > state.log_count or (ours is not None and ours != ack.state_hash):",
                "if False:",
            ),
        ),
        T + "test_reactions_shown_in_another_order_are_caught_by_acks",
    ),
    Mutant(
        "messages left out of the room-state log",
        (
            E(
                STATE,
                "            return _logged(state, applied, row, authors=authors), (change,)",
                "            return replace(state, seq=seq, authors=authors), (change,)",
            ),
        ),
        T + "test_two_senders_messages_interleaved_differently_are_caught_by_acks",
    ),
    Mutant(
        "what crossed a Commit is logged, so a newcomer's log differs",
        (E(STATE, "    if applied.logged:", "    if True:"),),
        T + "test_a_message_crossing_a_commit_raises_no_false_alarm_for_the_newcomer",
    ),
    # --- what a hostile relay or member could still do unseen, closed --------------
    Mutant(
        "a padded body of any length opens",
        (E(CRYPTO, "if len(padded) % PAD_BLOCK or not end", "if not end"),),
        "tests/protocol/test_crypto.py::test_a_padded_body_of_the_wrong_length_is_refused",
    ),
    Mutant(
        "a return claim that does not check out holds up the real one",
        (
            E(
                DOOR,
                "if not knock.was or knock.was in self.returns.values():",
                "if not knock.was or any(k.was == knock.was for k in self.knocks.values()):",
            ),
        ),
        M + "test_a_stranger_naming_a_members_old_key_cannot_hold_up_their_return",
    ),
    Mutant(
        "a successor ahead after the sequencer's goodbye is taken for a refused takeover",
        (E(ENDPOINT, "            and not self.departures.said_goodbye(sequencer.identity)\n"),),
        T + "test_a_takeover_after_a_goodbye_withheld_from_one_member_holds_it_back",
    ),
    Mutant(
        "the sequencer decides to reopen before the relay numbered its arrival",
        (
            E(
                "protocol/membership/entry.py",
                "            if not self.seen_own_join and now < (self.arrived_ms or now) + OWN_JOIN_WAIT_MS:\n                return None  # the relay has not said all it will yet\n",
            ),
        ),
        R + "test_the_reopening_decision_waits_for_our_own_join",
    ),
    Mutant(
        "a goodbye carries anything, not exactly its signature",
        (
            E(
                "protocol/bodies/door.py",
                "        (goodbye,) = args\n        return Bye(key(goodbye, 64))",
                '        return Bye(args[0] if args else b"")',
            ),
        ),
        "tests/protocol/test_bodies.py::test_malformed_content_is_refused",
    ),
    Mutant(
        "a sequencer that left goes on sequencing",
        (
            E(
                ENDPOINT,
                "                self._leave(ends_room=ends_room)\n        if not self.closed:\n",
                "                self._leave(ends_room=ends_room)\n        if True:\n",
            ),
        ),
        S + "test_nothing_but_the_goodbye_goes_out_after_leaving",
    ),
    Mutant(
        "a former member's key may knock again (and a seated knock not kept as let go)",
        (
            E(
                DOOR,
                "if knock.answers not in recent or knock.identity in self.former:",
                "if knock.answers not in recent:",
            ),
            E(
                DOOR,
                "            if knock.identity in on_roster:\n                self._let_go(knock.identity)\n",
                "            pass\n",
            ),
        ),
        M + "test_a_knock_replayed_after_its_knocker_left_raises_no_ghost",
    ),
    Mutant(
        "a knock need not answer a recent lobby",
        (
            E(
                DOOR,
                "if knock.answers not in recent or knock.identity in self.former:",
                "if knock.identity in self.former:",
            ),
        ),
        M + "test_a_knock_answering_no_recent_lobby_of_this_room_is_not_shown",
    ),
    Mutant(
        "look-alike names pass for different ones",
        (
            E(
                "protocol/names.py",
                "    return skeleton(one) == skeleton(other)",
                "    return one == other",
            ),
        ),
        M + "test_a_look_alike_name_is_flagged_at_the_door_and_told_apart_inside",
    ),
    Mutant(
        "a blank-looking name comes through the door",
        (
            E(
                "protocol/bodies/codec.py",
                " or looks_blank(name) or carries_mark(name):",
                " or carries_mark(name):",
            ),
        ),
        M + "test_a_name_that_draws_as_nothing_is_refused",
    ),
    Mutant(
        "a name ending like a seat or key mark comes through the door",
        (E("protocol/bodies/codec.py", " or carries_mark(name):", ":"),),
        N + "test_a_name_that_ends_like_a_mark_is_refused_here_and_at_the_door",
    ),
    Mutant(
        "a name ending like a status (✓, (host)) comes through the door",
        (E("protocol/bodies/codec.py", "    if carries_status(name):", "    if False:"),),
        N + "test_a_name_that_ends_like_a_status_is_refused_here_and_at_the_door",
    ),
    Mutant(
        "a name with a space at its end comes through the door",
        (E("protocol/bodies/codec.py", "    if name != tidy(name):", "    if False:"),),
        N + "test_a_name_with_space_at_its_ends_is_tidied_here_and_refused_at_the_door",
    ),
    Mutant(
        "two knocks with look-alike names show the same",
        (
            E(
                ENDPOINT,
                "        if any(names.alike(knock.nick, other) for other in others):",
                "        if False:",
            ),
        ),
        N + "test_two_knocks_with_one_name_carry_their_key_marks_on_every_screen",
    ),
    Mutant(
        "frames under a chain we hold no keys of are dropped unseen",
        (
            E(
                RECEIVER,
                "            if frame.epoch == roster.epoch:\n                return self._unkeyed(someone, frame)\n",
            ),
        ),
        T + "test_a_member_muted_by_withheld_keys_is_told_and_so_is_everyone_else",
    ),
    Mutant(
        "acks say nothing of the keys their sender lacks",
        (
            E(
                ENDPOINT,
                "heard, lacking = self.receiver.heard(), self.receiver.lacking()",
                "heard, lacking = self.receiver.heard(), ()",
            ),
        ),
        T + "test_a_newcomer_deafened_by_withheld_keys_is_told_and_so_are_the_others",
    ),
    Mutant(
        "acks skip chains the acker holds and we lack",
        (
            E(
                ACKS,
                "                found.append((Alarm.KEYS_NEVER_CAME, (name,)))",
                "                pass",
            ),
        ),
        T + "test_keys_withheld_from_one_member_show_in_the_others_acks_before_anyone_speaks",
    ),
    Mutant(
        "ended generations left out of acks",
        (
            E(
                RECEIVER,
                "held = [*self.chains.values(), *(c for c, _ in self.previous.values()), *self.ended]",
                "held = [*self.chains.values()]",
            ),
        ),
        T + "test_keys_handed_out_differently_cannot_hide_behind_a_rotation",
    ),
    Mutant(
        "two keys announced for one chain go unnoticed",
        (E(RECEIVER, "if self.announced.get(chain_id, frame.check) != frame.check:", "if False:"),),
        T + "test_two_keys_announced_for_one_chain_are_named_at_once",
    ),
    Mutant(
        "an admission without the admitting member's consent",
        (
            E(
                EVIDENCE,
                "    if admitter is None or not verify(admitter.identity, statement, change.evidence):",
                "    if admitter is None:",
            ),
        ),
        M + "test_the_sequencer_cannot_say_someone_admitted_who_did_not",
    ),
    Mutant(
        "a return without a ticket of the room",
        (
            E(
                EVIDENCE,
                "        if ticket is None or ticket.nick != newcomer.nick or len(vouch) != SIG_SIZE:",
                "        if len(vouch) != SIG_SIZE:",
            ),
        ),
        M + "test_the_sequencer_cannot_dress_an_admission_as_a_return",
    ),
    Mutant(
        "newcomers without their admission",
        (
            E(
                EVIDENCE,
                "    if sorted(admits) != sorted(m.slot for m in added):",
                "    if False:",
            ),
        ),
        M + "test_the_sequencer_cannot_hide_an_admission",
    ),
    Mutant(
        "the tickets' hash taken on the sequencer's word",
        (
            E(
                EVIDENCE,
                "    if tickets is not None and body.tickets != tickets_hash(",
                "    if False and body.tickets != tickets_hash(",
            ),
        ),
        M + "test_the_sequencer_cannot_hide_an_admission",
    ),
    Mutant(
        "a departure without the leaver's goodbye",
        (
            E(
                EVIDENCE,
                "        if not verify(gone.identity, goodbye_statement(room, gone.identity), change.evidence):",
                "        if False:",
            ),
        ),
        M + "test_the_sequencer_cannot_say_someone_left_who_stayed",
    ),
    Mutant(
        "a drop of someone still connected is taken",
        (
            E(
                CHAIN,
                "            if gone.identity != ctx.me:\n                return DropRefused(signer.nick, gone.nick)\n",
            ),
        ),
        M + "test_the_sequencer_cannot_say_someone_left_who_stayed",
    ),
    Mutant(
        "a member evicted while connected stops for good",
        (E(CHAIN, "            self.evicted = any(", "            self.evicted = False and any("),),
        M + "test_a_member_the_relay_evicts_while_connected_comes_back_and_the_room_is_told",
    ),
    Mutant(
        "the room is not told of an eviction",
        (
            E(
                ENDPOINT,
                "                if knock.evicted:\n                    self._alarm(ev.Alarm.EVICTED_WHILE_HERE, (back,))\n",
            ),
        ),
        M + "test_a_member_the_relay_evicts_while_connected_comes_back_and_the_room_is_told",
    ),
    Mutant(
        "a lobby signed by someone who left the room is not reported",
        (
            E(
                DOOR,
                "    for identity, nick in former.items():\n        if verify(identity, frame.signed, frame.sig):\n            return Greeter.FORMER, nick\n",
            ),
        ),
        M + "test_a_successor_who_left_and_outruns_the_ration_is_reported_and_the_newcomer_told",
    ),
    Mutant(
        "the invite's key is reported only when its lobby claims the current epoch",
        (
            E(
                DOOR,
                "    if verify(host_key, frame.signed, frame.sig):",
                "    if lobby.epoch >= roster.epoch and verify(host_key, frame.signed, frame.sig):",
            ),
        ),
        M + "test_the_first_key_is_reported_whatever_epoch_its_lobby_claims",
    ),
    Mutant(
        "the sequencer does not greet again after a lure",
        (E(ENDPOINT, "            self.sequencer.greet_again()\n"),),
        M + "test_a_successor_who_left_and_outruns_the_ration_is_reported_and_the_newcomer_told",
    ),
    Mutant(
        "members do not vouch for their room after a lure",
        (
            E(
                ENDPOINT,
                "        self.publish(self._roomwide(Kind.VOUCH, Vouch(self.me.key, roster.commit_hash).encode()))\n",
            ),
        ),
        M + "test_the_first_key_is_reported_whatever_epoch_its_lobby_claims",
    ),
    Mutant(
        "a vouch is counted without its signature",
        (
            E(
                ENDPOINT,
                "        if vouch is None or not verify(vouch.identity, frame.signed, frame.sig):",
                "        if vouch is None:",
            ),
        ),
        M + "test_a_vouch_with_a_borrowed_name_counts_for_nothing",
    ),
    Mutant(
        "a lobby from a key nobody's lineage reaches alarms the room",
        (
            E(
                ENDPOINT,
                "                if signer is None or not verify(signer.identity, frame.signed, frame.sig):",
                "                if shown is None:",
            ),
        ),
        M + "test_a_lobby_that_proves_nothing_raises_no_alarm",
    ),
    # --- the exchange key turns with the epoch ----------------------------------------
    Mutant(
        "the exchange key never turns",
        (
            E(
                PAIRS,
                "        if self.next is not None and listed == self.next.public:",
                "        if False:",
            ),
        ),
        FS + "test_a_key_taken_from_memory_opens_nothing_sealed_before_the_last_epoch_change",
    ),
    Mutant(
        "the exchange key of the epoch before stays in memory",
        (
            E(
                ENDPOINT,
                "            self.pairs.forget_previous()  # no key sealed before the Commit can come now\n",
                "            pass\n",
            ),
        ),
        FS + "test_a_key_taken_from_memory_opens_nothing_sealed_before_the_last_epoch_change",
    ),
    Mutant(
        "a Commit may give a member any exchange key",
        (
            E(
                ROSTER,
                "            if exchanges.get(identity) != member.exchange:",
                "            if False:",
            ),
        ),
        A + "test_a_commit_that_swaps_a_members_keys_is_refused",
    ),
    Mutant(
        "the sequencer lists its new key before the room heard it",
        (
            E(
                ENDPOINT,
                "if self.pairs.next is not None and self.pairs.heard:",
                "if self.pairs.next is not None:",
            ),
        ),
        S + "test_keys_and_messages_sent_just_before_a_commit_still_open",
    ),
    Mutant(
        "keys sealed in the epoch before are opened on the current exchange key",
        (
            E(
                RECEIVER,
                "            pair = pairs.with_member(before, before=True)",
                "            pair = pairs.with_member(member.exchange)",
            ),
        ),
        FS + "test_keys_sealed_just_before_the_commit_that_turned_the_keys_still_open",
    ),
    # --- the floor ---------------------------------------------------------------------
    Mutant(
        "anyone's done or pass moves the floor",
        (
            E(
                FLOOR,
                "            if floor.speaker != slot:\n                return Why.NOT_THE_SPEAKER\n",
            ),
        ),
        FL + "test_a_modified_clients_done_for_someone_else_changes_nothing_and_is_named",
    ),
    Mutant(
        "pauses without limit",
        (E(FLOOR, "            if len(recent) >= PAUSES_PER_HOUR:", "            if False:"),),
        FL + "test_pause_after_pause_is_refused_and_named",
    ),
    Mutant(
        "a message out of turn is shown as a message",
        (
            E(
                STATE,
                "            out_of_turn = not aside and state.out_of_turn(slot, ts)",
                "            out_of_turn = False",
            ),
        ),
        FL + "test_a_modified_clients_message_out_of_turn_shows_as_an_aside_and_is_named",
    ),
    Mutant(
        "floor acts stay out of the room log",
        (
            E(
                STATE,
                '            row = ["floor", slot, str(act.act), act.arg]',
                '            row = ["floor"]',
            ),
        ),
        FL + "test_raises_shown_in_different_orders_are_caught_by_acks",
    ),
    Mutant(
        "the floor shown to a newcomer stays out of the room log",
        (
            E(
                STATE,
                '            row = ["floorstate", at, digest(pack(floor_fields(standing)), b"porch-floor")]',
                '            row = ["floorstate", at]',
            ),
        ),
        FL + "test_a_sequencer_that_shows_a_newcomer_another_floor_is_caught_by_acks",
    ),
    Mutant(
        "a floor act from the epoch before is applied",
        (
            E(
                ENDPOINT,
                "                if late:\n                    # Sealed in the epoch before",
                "                if False:\n                    # Sealed in the epoch before",
            ),
        ),
        FL + "test_a_floor_act_from_the_epoch_before_is_applied_by_no_one_and_sent_again",
    ),
    Mutant(
        "a returning member's place is not taken again",
        (
            E(
                ENDPOINT,
                "                back.append((c.slot, c.evidence[:KEY_SIZE]))  # the old key, on its ticket\n",
                "                pass\n",
            ),
        ),
        FL + "test_a_hand_survives_a_dropped_connection_and_is_skipped_while_away",
    ),
    Mutant(
        "a newcomer is not shown the floor",
        (
            E(
                ENDPOINT,
                "            self._speak(FloorState(change.seq, self.state.floor))  # for whoever just came in\n",
                "            pass\n",
            ),
        ),
        FL + "test_a_newcomer_holds_the_same_floor_as_everyone",
    ),
    # --- the relay restarts -----------------------------------------------------------
    Mutant(
        "a returning sequencer ignores the members still on the relay",
        (E(REOPEN, "        return bool(named & (present - {me}))", "        return False"),),
        R + "test_a_sequencer_dropped_alone_waits_for_the_room_the_others_hold",
    ),
    Mutant(
        "a sequencer back after the grace period reopens as soon as a fresh one",
        (E(REOPEN, "        return now - self.dropped_at >= grace_ms", "        return False"),),
        R + "test_a_sequencer_back_late_lets_its_successor_open_the_room_first",
    ),
    Mutant(
        "a late sequencer takes anyone's word, for any Commit, that nobody took over",
        (
            E(
                REOPEN,
                "        return (identity, commit) in self.unsucceeded",
                "        return True",
            ),
        ),
        R + "test_a_forged_or_stale_word_from_the_successor_does_not_hasten_the_reopening",
    ),
    Mutant(
        "a late sequencer takes a member's word that could not have taken over",
        (
            E(
                REOPEN,
                "        return (identity, commit) in self.unsucceeded",
                "        return True",
            ),
        ),
        R + "test_only_the_successors_word_for_our_commit_hastens_a_late_sequencer",
    ),
    # --- a room whose relay closes with a member -------------------------------------
    Mutant(
        "a closing counts under anyone's signature",
        (
            E(
                ENDPOINT,
                "        if not verify(closing.identity, frame.signed, frame.sig):",
                "        if False:",
            ),
        ),
        CL + "test_a_closing_under_another_signature_ends_nothing",
    ),
    Mutant(
        "a closing from another point of the room counts",
        (
            E(
                ENDPOINT,
                "        if closing.commit not in self._recent_commits(room):",
                "        if False:",
            ),
        ),
        CL + "test_a_closing_replayed_from_an_earlier_point_of_the_room_ends_nothing",
    ),
    Mutant(
        "a closing from someone not in the room counts",
        (
            E(
                ENDPOINT,
                "        if member is None:\n            return  # only someone in the room",
                "        if False:\n            return  # only someone in the room",
            ),
        ),
        CL + "test_someone_holding_the_invite_but_not_in_the_room_cannot_end_it",
    ),
    Mutant(
        "a closing ends the room however long after it the connection closes",
        (
            E(
                ENDPOINT,
                "        return who if now_ms - at <= CLOSING_HOLDS_MS else None",
                "        return who",
            ),
        ),
        CL + "test_the_word_ends_the_room_only_if_the_connection_closes_soon_after",
    ),
    Mutant(
        "a removal needs no majority, by the evidence or by one's own count (both layers)",
        (
            E(EVIDENCE, "    if 2 * len(counted) <= len(voters):", "    if False:"),
            E(
                CHAIN,
                "            if key is None or ctx.verdicts.get(key) is not True:",
                "            if key is None:",
            ),
        ),
        V + "test_a_sequencers_removal_without_a_quorum_is_refused_by_every_member_and_named",
    ),
    Mutant(
        "a removal's votes are counted without checking whose they are (both layers)",
        (
            E(
                EVIDENCE,
                "        if who is None or who in counted or not verify(who, yes, sig):",
                "        if who is None:",
            ),
            E(
                CHAIN,
                "            if key is None or ctx.verdicts.get(key) is not True:",
                "            if key is None:",
            ),
        ),
        V + "test_a_sequencers_removal_without_a_quorum_is_refused_by_every_member_and_named",
    ),
    Mutant(
        "a removal is taken before the vote closed",
        (
            E(
                CHAIN,
                "            if key is None or ctx.verdicts.get(key) is not True:",
                "            if key is None:",
            ),
        ),
        V + "test_a_removal_committed_before_the_vote_closed_is_refused_by_those_who_saw_the_vote",
    ),
    Mutant(
        "a second ballot counts again",
        (
            E(
                VOTES,
                "            if any(b.slot == slot for b in m.ballots):\n                return votes, (VoteRefused(slot, key, Why.ALREADY),)  # counted once\n",
            ),
        ),
        V + "test_a_member_voting_twice_counts_once_and_is_named",
    ),
    Mutant(
        "a motion may name its own voters",
        (
            E(
                VOTES,
                "    if sorted(voters) != sorted(present) or mover not in voters:",
                "    if mover not in voters:",
            ),
        ),
        V + "test_a_motion_listing_only_some_of_those_present_as_voters_is_refused_everywhere",
    ),
    Mutant(
        "the door does not wait while the room votes",
        (
            E(
                ENDPOINT,
                "            consents={} if holding else self.sequencer.consents,",
                "            consents=self.sequencer.consents,",
            ),
        ),
        V + "test_while_the_room_votes_the_door_waits_and_opens_after",
    ),
    # --- not now, and a knock's expiry --------------------------------------------
    Mutant(
        "a not now signed by anyone is shown to members",
        (
            E(
                DOOR,
                "        if not verify(member.identity, frame.signed, frame.sig):\n            return None\n        by = ",
                "        by = ",
            ),
            E(
                DOOR,
                "        member = roster.by_identity(body.identity)\n",
                "        member = roster.members[0]\n",
            ),
        ),
        NN + "test_a_not_now_signed_by_someone_not_on_the_roster_is_dropped",
    ),
    Mutant(
        "a not now signed by anyone reaches the knocker",
        (
            E(
                "protocol/membership/entry.py",
                "        if not verify(member.identity, frame.signed, frame.sig):\n            return False\n",
            ),
        ),
        NN + "test_a_not_now_signed_by_someone_not_on_the_roster_is_dropped",
    ),
    Mutant(
        "a not now for another knock reaches this knocker",
        (E("protocol/membership/entry.py", " or body.knock != knock.identity:", ":"),),
        NN + "test_a_not_now_for_another_knock_tells_this_knocker_nothing",
    ),
    Mutant(
        "a replayed not now is shown again",
        (E(DOOR, "        if member.identity in by:\n            return None\n"),),
        NN + "test_a_not_now_replayed_by_the_relay_is_shown_once",
    ),
    Mutant(
        "a knock expires by the time a member saw it, not by the relay's",
        (
            E(
                ENDPOINT,
                "recent, tickets, ts=ts\n",
                "recent, tickets, ts=self._relay_now()\n",
            ),
        ),
        NN + "test_a_knock_shown_late_expires_at_the_same_moment_of_the_relays_clock",
    ),
    # --- votes, beyond the Commit's evidence --------------------------------------
    Mutant(
        "a removal by a motion nobody saw, by voters who are no members, is taken (both layers)",
        (
            E(
                CHAIN,
                "            if key is None or ctx.verdicts.get(key) is not True:",
                "            if key is not None and ctx.verdicts.get(key) is False:",
            ),
            E(
                EVIDENCE,
                "    if on_roster is not None and not set(voters) <= on_roster:",
                "    if False:",
            ),
        ),
        V + "test_a_sequencers_removal_without_a_quorum_is_refused_by_every_member_and_named",
    ),
    Mutant(
        "the relay's time stays out of the vote log",
        (
            E(
                STATE,
                "            row = [*_vote_row(event, slot), ts]",
                "            row = _vote_row(event, slot)",
            ),
        ),
        VA + "test_a_relay_stamping_the_deciding_ballot_late_for_some_is_caught_by_the_acks",
    ),
    Mutant(
        "someone the relay said dropped stays away though they speak",
        (
            E(
                STATE,
                "        state = replace(state, floor=replace(state.floor, away=state.floor.away - {slot}))",
                "        pass",
            ),
        ),
        VA + "test_a_relay_leave_proved_false_still_keeps_the_member_out_of_every_later_vote",
    ),
    Mutant(
        "a ticket brings back someone the room voted out",
        (
            E(
                ENDPOINT,
                "            if was in self.state.votes.removed_by(now) and knock is not None:",
                "            if False:",
            ),
        ),
        VA + "test_the_person_named_cannot_escape_a_vote_by_dropping_and_coming_back_on_a_ticket",
    ),
    Mutant(
        "a passed removal that never comes is not named",
        (
            E(
                ENDPOINT,
                "            if by is not None and by.slot != self.chain.my_slot:",
                "            if False:",
            ),
        ),
        VA + "test_a_sequencer_that_sits_on_a_passed_removal_is_named_to_the_room",
    ),
    # --- offers ---------------------------------------------------------------------
    Mutant(
        "pieces of an offer are taken from anyone",
        (
            E(
                ENDPOINT,
                "        if inc.sender != member.slot:\n            self._alarm(ev.Alarm.OFFER_NOT_THEIRS, (self._label(member),))\n            return\n",
            ),
        ),
        OF + "test_a_broken_chunk_another_members_chunk_or_more_than_offered_is_refused_and_named",
    ),
    Mutant(
        "a piece past the end announced is taken",
        (E(ENDPOINT, "        if body.index >= inc.chunks:", "        if False:"),),
        OF + "test_a_broken_chunk_another_members_chunk_or_more_than_offered_is_refused_and_named",
    ),
    Mutant(
        "anyone in an old seat is given an offer",
        (
            E(
                ENDPOINT,
                "                    if note.digest != resume_proof(out.file_key, out.offer, member.identity):\n                        return\n",
                "",
            ),
        ),
        OF + "test_someone_new_in_an_old_seat_cannot_take_an_offer_they_were_never_given",
    ),
    Mutant(
        "a link is shown whatever its note said",
        (
            E(
                ENDPOINT,
                "            if inc.kind is OfferKind.LINK and of.link_domain(text) != inc.note:",
                "            if False:",
            ),
        ),
        OF + "test_a_link_that_goes_elsewhere_than_its_note_is_named",
    ),
    Mutant(
        "a link offer shows any note as its domain",
        (
            E(
                ENDPOINT,
                "        if body.kind is OfferKind.LINK and not of.is_domain(body.note):",
                "        if False:",
            ),
        ),
        OFL + "test_a_link_offered_under_a_note_that_is_no_domain_is_refused_on_arrival",
    ),
    Mutant(
        "one sender may keep any number of offers open",
        (E(ENDPOINT, "        if not self.offers.room_for(member.slot):", "        if False:"),),
        OFL + "test_a_flood_of_offers_shows_a_few_says_so_once_and_tells_the_sender",
    ),
    Mutant(
        "offers that ended are kept for ever",
        (E(ENDPOINT, "        self.offers.forget_ended()\n"),),
        OFL + "test_offers_that_ended_are_forgotten_past_the_last_few",
    ),
    Mutant(
        "a withdrawn offer stays on the screens of those who did not answer",
        (
            E(
                ENDPOINT,
                "            for seat in found.to:  # those who did not answer too",
                "            for seat in found.waiting():  # those who did not answer too",
            ),
        ),
        OFL + "test_a_withdrawn_offer_leaves_the_screens_of_those_who_did_not_answer",
    ),
    Mutant(
        "an amendment needs only some members' consent, by its evidence or one's own state (both layers)",
        (
            E(EVIDENCE, "    if len(signed) != len(old):", "    if not signed:"),
            E(
                CHAIN,
                "        if refused is None and self.roster is not None:\n            refused = _unconsented(body, signer, ctx)\n",
            ),
        ),
        AM + "test_a_sequencer_changing_the_agreements_without_everyones_consent_changes_nothing",
    ),
    Mutant(
        "a silent member's consent is taken for granted",
        (
            E(
                "protocol/room/amend.py",
                "        return self.objection is None and len(self.consents) == len(self.asked)",
                "        return self.objection is None and len(self.consents) >= 2",
            ),
        ),
        AM + "test_an_amendment_everyone_consents_to_changes_the_agreements_and_the_room_code",
    ),
    Mutant(
        "a resume proof is the same for everyone",
        (
            E(
                "protocol/bodies/offer.py",
                '    return digest(file_key + offer + asker, b"porch-resume")',
                '    return digest(file_key + offer, b"porch-resume")',
            ),
        ),
        OA + "test_a_resume_proof_that_reached_a_newcomer_gets_them_no_key",
    ),
    Mutant(
        "a contact card's commitment can be replaced",
        (
            E(
                "protocol/room/reveal.py",
                "        if ex is not None and ex.theirs:\n            return ex, False\n",
            ),
        ),
        OA + "test_a_card_cannot_change_after_seeing_the_others",
    ),
    Mutant(
        "an amendment is taken on its signatures alone",
        (
            E(
                CHAIN,
                "        if refused is None and self.roster is not None:\n            refused = _unconsented(body, signer, ctx)\n",
            ),
        ),
        AA + "test_a_blocked_amendment_committed_anyway_is_refused_and_named",
    ),
    Mutant(
        "a decline tells the sender",
        (
            E(
                ENDPOINT,
                "            inc.stage = of.Stage.DECLINED  # nothing is sent: no answer looks the same",
                "            inc.stage = of.Stage.DECLINED\n            self._tell(inc.sender, OfferNote(inc.offer, OfferSay.CANCEL))",
            ),
        ),
        OF + "test_a_file_reaches_only_those_who_accept_intact_and_the_relay_sees_none_of_it",
    ),
    # --- the door for members seated late: a knock said again -----------------------
    Mutant(
        "a knock is not said again for whoever is seated",
        (E(ENTRY, "            self.say_again = True", "            pass"),),
        LD + "test_a_member_seated_after_a_knock_sees_it_and_can_let_them_in",
    ),
    Mutant(
        "a knock on its way is not said again once back",
        (
            E(
                ENDPOINT,
                "            self._knock_again()  # someone may have been seated while it was on its way\n",
            ),
        ),
        LD + "test_a_knock_still_on_its_way_when_someone_is_seated_is_said_again_once_back",
    ),
    Mutant(
        "the newcomer's wait starts at the repeat",
        (E(DOOR, "since = ts if knock.since is None else min(ts, knock.since)", "since = ts"),),
        LD + "test_a_member_seated_after_a_knock_sees_it_and_can_let_them_in",
    ),
    Mutant(
        "the newcomer believes the claimed start of a knock",
        (
            E(
                DOOR,
                "since = ts if knock.since is None else min(ts, knock.since)",
                "since = ts if knock.since is None else knock.since",
            ),
        ),
        LD + "test_a_knocker_claiming_a_later_start_waits_no_longer_for_the_newcomer",
    ),
    Mutant(
        "a repeat after the knock ran out is shown",
        (E(DOOR, "if since + knock.wait * 1000 <= ts:", "if False:"),),
        LD + "test_a_knock_said_again_after_it_ran_out_is_dropped",
    ),
    Mutant(
        "a knock that ran out is shown again when said anew",
        (E(DOOR, "if knock.identity in self.let_go:", "if False:"),),
        LD + "test_a_knock_that_ran_out_is_not_shown_again_even_said_anew",
    ),
    Mutant(
        "a withdrawn knock is shown again, said from another connection",
        (E(DOOR, "if knock.identity in self.let_go:", "if False:"),),
        LA + "test_a_withdrawn_knock_said_again_from_another_connection_is_not_shown",
    ),
    Mutant(
        "a knock whose connection left is not kept as let go",
        (
            E(
                DOOR,
                "        knock = self.knocks.pop(peer, None)\n        if knock is not None:\n            self._let_go(knock.identity)\n",
                "        knock = self.knocks.pop(peer, None)\n",
            ),
            E(
                DOOR,
                "            self.withdraw(peer)\n",
                "            self._let_go(self.withdraw(peer).identity)  # type: ignore[union-attr]\n",
            ),
        ),
        LA + "test_a_knock_that_ran_out_as_its_knocker_left_is_not_shown_again",
    ),
    Mutant(
        "a knock said again is shown from any connection",
        (E(DOOR, "if knock.since is not None and knock.peer != peer:", "if False:"),),
        LA + "test_a_knock_said_again_from_a_connection_not_the_knockers_is_not_shown",
    ),
    Mutant(
        "a knock said again carries the not-nows of those who left",
        (
            E(
                ENTRY,
                "told = [d for who, d in self.asked_to_wait.items() if room.by_identity(who) is not None]",
                "told = list(self.asked_to_wait.values())",
            ),
            E(
                ENTRY,
                "told_now = room.commit_hash, tuple(told[:MAX_TOLD])",
                "told_now = room.commit_hash, tuple(told)",
            ),
        ),
        LA + "test_a_knock_told_to_wait_by_more_than_a_room_holds_still_reaches_newcomers",
    ),
    Mutant(
        "a knock said again is not padded to one size",
        (
            E(
                "protocol/bodies/door.py",
                'body["pad"] = bytes(max(0, fill - (fill >= 256)))',
                "pass",
            ),
        ),
        LA + "test_every_knock_said_again_is_one_size_to_the_relay",
    ),
    Mutant(
        "a carried not-now counts for any standing knock",
        (
            E(
                DOOR,
                "if asked is not None and asked.knock == knock.identity:",
                "if asked is not None:",
            ),
        ),
        LA + "test_a_carried_not_now_counts_only_for_the_knock_that_carries_it",
    ),
    Mutant(
        "members who hold a knock take its repeat as a new knock",
        (
            E(ENDPOINT, "        if sender in self.door.knocks:\n            return\n"),
            E(
                DOOR,
                "        for k in self.knocks.values():\n            if knock.identity == k.identity or knock.exchange == k.exchange:\n                return False\n",
            ),
        ),
        LD + "test_the_knock_said_again_changes_nothing_for_members_who_hold_it",
    ),
    Mutant(
        "a carried not-now counts unchecked",
        (
            E(
                DOOR,
                "            if asked is not None and asked.knock == knock.identity:\n                self.set_aside_by(frame, asked, roster)",
                "            if asked is not None and asked.knock == knock.identity:\n                self.set_aside.setdefault(peer, set()).add(asked.identity)",
            ),
        ),
        LD + "test_a_knock_said_again_cannot_carry_a_not_now_nobody_in_the_room_said",
    ),
    Mutant(
        "a carried not-now is not shown",
        (
            E(
                ENDPOINT,
                "                self.door.told_before(peer, roster, room, self.me.join_key)\n",
            ),
        ),
        LD + "test_a_not_now_said_before_the_member_came_in_shows_for_them",
    ),
    Mutant(
        "the first knock replayed to a newcomer shows (no recent lobby needed)",
        (
            E(
                DOOR,
                "if knock.answers not in recent or knock.identity in self.former:",
                "if knock.identity in self.former:",
            ),
        ),
        LD + "test_the_first_knock_replayed_to_the_newcomer_is_dropped",
    ),
]


def apply(tree: Path, mutant: Mutant) -> dict[Path, str] | str:
    """Apply the edits in ``tree``; the originals to restore, or why they do not apply."""
    saved: dict[Path, str] = {}
    for edit in mutant.edits:
        path = tree / edit.file
        text = path.read_text()
        saved.setdefault(path, text)
        if text.count(edit.find) != 1:
            for original_path, original in saved.items():
                original_path.write_text(original)
            return f"{edit.file}: found {text.count(edit.find)} times: {edit.find[:60]!r}"
        path.write_text(text.replace(edit.find, edit.replace, 1))
    return saved


def run(tree: Path, mutant: Mutant) -> tuple[str, str]:
    applied = apply(tree, mutant)
    if isinstance(applied, str):
        return "NOT APPLIED", applied
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-x",
                "-q",
                "-p",
                "no:cacheprovider",
                "--timeout",
                "60",
                mutant.test,
            ],
            cwd=tree,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        for path, text in applied.items():
            path.write_text(text)
    if result.returncode == 1:
        return "FAILS (good)", ""
    if result.returncode == 0:
        return "STILL PASSES", ""
    return "ERROR", (result.stdout + result.stderr)[-400:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("names", nargs="*", help="run only mutants whose name holds one of these")
    args = parser.parse_args()
    chosen = [m for m in MUTANTS if not args.names or any(n in m.name for n in args.names)]
    ignore = shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", ".venv", "node_modules")
    with tempfile.TemporaryDirectory(prefix="porch-defences-") as scratch:
        trees = []
        for n in range(max(1, args.jobs)):
            tree = Path(scratch) / f"tree{n}"
            shutil.copytree(REPO, tree, ignore=ignore)
            trees.append(tree)
        lanes = [chosen[n :: len(trees)] for n in range(len(trees))]

        def lane(n: int) -> list[tuple[Mutant, str, str]]:
            return [(m, *run(trees[n], m)) for m in lanes[n]]

        with ThreadPoolExecutor(len(trees)) as pool:
            results = [r for rows in pool.map(lane, range(len(trees))) for r in rows]
    results.sort(key=lambda r: chosen.index(r[0]))
    for mutant, verdict, detail in results:
        print(f"{verdict:14} {mutant.name}" + (f"\n               {detail}" if detail else ""))
    bad = [r for r in results if r[1] != "FAILS (good)"]
    print(
        f"\n{len(results) - len(bad)} of {len(results)} defences are held by a test that fails without them."
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
