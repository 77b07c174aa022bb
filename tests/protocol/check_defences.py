# ruff: noqa: E501
"""Remove one defence at a time, run the test that claims it, and expect it to fail.

    python tests/protocol/check_defences.py [name ...]

Each mutant edits the source in place, runs one test, and restores the file,
so run it on a clean tree. Where a defence has two independent layers, the
mutant removes both and says so in its name. Not collected by pytest.
"""

import pathlib
import subprocess
import sys

R = pathlib.Path(__file__).resolve().parents[2]
T = "tests/protocol/test_attacks.py::"
MUTANTS = [
    (
        "keys for the epoch before are refused",
        "protocol/talk.py",
        "late = frame.epoch + 1 == roster.epoch",
        "late = False",
        None,
        None,
        None,
        "tests/protocol/test_membership.py::test_keys_and_messages_sent_just_before_a_commit_still_open",
    ),
    (
        "a dropped member's identity forgotten",
        "protocol/membership.py",
        "self.dropped[before.identity] = before.nick",
        "pass",
        None,
        None,
        None,
        "tests/protocol/test_membership.py::test_a_host_back_after_the_handover_comes_in_without_asking",
    ),
    (
        "a return claim without checking its vouch",
        "protocol/door.py",
        "        if not verify(knock.was, return_statement(self.room, knock), knock.vouch):\n            return None\n",
        "",
        None,
        None,
        None,
        "tests/protocol/test_membership.py::test_a_stranger_cannot_claim_a_members_seat_on_return",
    ),
    (
        "moved header: chain picked by seat 1 whatever the header says, no signature, no AAD",
        "protocol/talk.py",
        "        chain = self.chains.get(frame.slot)\n        if chain is not None and chain.epoch == frame.epoch and chain.gen == frame.gen:",
        "        chain = self.chains.get(1)\n        if chain is not None:",
        "protocol/talk.py",
        "        if not verify(identity, frame.signed, frame.sig):\n            return\n",
        "",
        T + "test_a_message_moved_to_another_epoch_seat_or_generation_is_refused",
        [
            (
                "protocol/talk.py",
                "unseal(message_key, frame.sealed, frame.header)",
                "unseal(message_key, frame.sealed, b'')",
            ),
            (
                "protocol/talk.py",
                "seal(message_key, pad(encode_content(content)), header)",
                "seal(message_key, pad(encode_content(content)), b'')",
            ),
        ],
    ),
    (
        "ordinary member commit",
        "protocol/membership.py",
        "candidates = [m for m in (base.sequencer, base.successor) if m is not None]",
        "candidates = list(base.members)",
        "protocol/roster.py",
        'raise CommitRefused("it is not signed by the room\'s sequencer")',
        "return",
        T + "test_a_commit_signed_by_an_ordinary_member_is_refused",
    ),
    (
        "successor admits",
        "protocol/roster.py",
        'raise CommitRefused("it is not signed by the room\'s sequencer")',
        "return",
        None,
        None,
        None,
        T + "test_the_successor_cannot_admit_while_the_host_is_there",
    ),
    (
        "replayed commit",
        "protocol/roster.py",
        "if body.epoch != old.epoch + 1:",
        "if False:",
        "protocol/roster.py",
        "if body.prev != current.commit_hash:",
        "if False:",
        T + "test_a_replayed_commit_is_refused",
    ),
    (
        "13 members",
        "protocol/roster.py",
        "if len(members) > MAX_SLOTS:",
        "if False:",
        "protocol/roster.py",
        "if any(s >= MAX_SLOTS for s in slots) or",
        "if",
        T + "test_a_commit_of_thirteen_is_refused_even_from_the_sequencer",
    ),
    (
        "epoch skip",
        "protocol/roster.py",
        "if body.epoch != old.epoch + 1:",
        "if False:",
        None,
        None,
        None,
        T + "test_a_commit_that_skips_an_epoch_is_refused",
    ),
    (
        "key swap",
        "protocol/roster.py",
        "if before is not None and before != member:",
        "if False:",
        None,
        None,
        None,
        T + "test_a_commit_that_swaps_a_members_keys_is_refused",
    ),
    (
        "forged lobby",
        "protocol/door.py",
        "if not verify(shown.sequencer.identity, frame.signed, frame.sig):",
        "if False:",
        None,
        None,
        None,
        T + "test_a_forged_lobby_shows_no_agreements",
    ),
    (
        "forged welcome: no signature check, and check_next's signer rule gone",
        "protocol/membership.py",
        "signer = next((m for m in candidates if verify(m.identity, frame.signed, frame.sig)), None)",
        "signer = next((m for m in candidates if verify(m.identity, frame.signed, frame.sig)), candidates[0])",
        "protocol/roster.py",
        'raise CommitRefused("it is not signed by the room\'s sequencer")',
        "return",
        T + "test_a_newcomer_refuses_a_welcome_not_signed_by_the_sequencer",
    ),
    (
        "replayed knock",
        "protocol/door.py",
        "        for m in self.roster.members:\n            if knock.identity == m.identity or knock.exchange == m.exchange:\n                return False\n",
        "",
        None,
        None,
        None,
        T + "test_a_replayed_knock_is_not_shown_again",
    ),
    (
        "low-order knock",
        "protocol/door.py",
        "        except CryptoFailure:\n            return  # an exchange key no channel can be built on",
        "        except CryptoFailure:\n            pass",
        None,
        None,
        None,
        T + "test_a_knock_with_a_low_order_exchange_key_is_not_shown",
    ),
    (
        "replay: keys kept after use",
        "protocol/chains.py",
        "        self.next_index = index + 1\n        self._chain_key = chain_key\n",
        "",
        None,
        None,
        None,
        T + "test_a_replayed_message_is_shown_once",
    ),
    (
        "duplicates: keys kept after use",
        "protocol/chains.py",
        "        self.next_index = index + 1\n        self._chain_key = chain_key\n",
        "",
        None,
        None,
        None,
        T + "test_duplicated_frames_change_nothing",
    ),
    (
        "reorder: gap hidden",
        "protocol/talk.py",
        "self.events.append(Gap(frame.slot, member.nick, skipped))",
        "pass",
        None,
        None,
        None,
        T + "test_reordered_messages_show_a_gap_and_refuse_the_late_one",
    ),
    (
        "reorder: late one taken (keys kept)",
        "protocol/chains.py",
        "if index < self.next_index:",
        "if False:",
        "protocol/chains.py",
        "        self.next_index = index + 1\n        self._chain_key = chain_key\n",
        "        self.next_index = index + 1\n",
        T + "test_reordered_messages_show_a_gap_and_refuse_the_late_one",
    ),
    (
        "drop: gap hidden",
        "protocol/talk.py",
        "self.events.append(Gap(frame.slot, member.nick, skipped))",
        "pass",
        None,
        None,
        None,
        T + "test_a_dropped_message_shows_a_gap",
    ),
    (
        "other room",
        "protocol/frames.py",
        "if frame_room != room:",
        "if False:",
        None,
        None,
        None,
        T + "test_a_frame_from_another_room_is_refused",
    ),
    (
        "late previous-epoch message",
        "protocol/talk.py",
        "        self.previous.pop(frame.slot, None)\n",
        "",
        None,
        None,
        None,
        T + "test_a_late_message_from_the_previous_epoch_is_refused_once_its_sender_rekeyed",
    ),
    (
        "impersonation: no signature check",
        "protocol/talk.py",
        "        if not verify(identity, frame.signed, frame.sig):\n            return\n",
        "",
        None,
        None,
        None,
        T + "test_a_member_cannot_speak_in_anothers_seat",
    ),
    (
        "reflection: one shared key both ways (like Box) and no sender/recipient in the AAD",
        "protocol/crypto.py",
        'return kdf(self.tx, b"porch-pair", context)\n\n    def receiving(self, context: bytes) -> bytes:\n        return kdf(self.rx, b"porch-pair", context)',
        'return kdf(min(self.rx, self.tx), b"porch-pair", context)\n\n    def receiving(self, context: bytes) -> bytes:\n        return kdf(min(self.rx, self.tx), b"porch-pair", context)',
        "protocol/frames.py",
        "return header + bytes((to,))",
        "return b''",
        T + "test_a_reflected_or_forwarded_chain_key_does_not_open",
    ),
    (
        "reflection unit: one key both ways",
        "protocol/crypto.py",
        'return kdf(self.rx, b"porch-pair", context)',
        'return kdf(self.tx, b"porch-pair", context)',
        None,
        None,
        None,
        "tests/protocol/test_crypto.py::test_a_pairwise_seal_cannot_be_reflected_to_its_sender",
    ),
    (
        "replayed key distribution",
        "protocol/talk.py",
        "if held is not None and held.epoch == frame.epoch and frame.gen <= held.gen:",
        "if False:",
        None,
        None,
        None,
        T + "test_a_replayed_key_distribution_cannot_rewind_a_chain",
    ),
    (
        "fork: running hashes not compared",
        "protocol/talk.py",
        "if ours is not None and ours != heard.running:",
        "if False:",
        None,
        None,
        None,
        T + "test_different_messages_to_different_members_are_caught_by_acks",
    ),
    (
        "withheld: ack index not compared",
        "protocol/talk.py",
        "withheld = heard.index >= chain.next_index",
        "withheld = False",
        None,
        None,
        None,
        T + "test_withheld_messages_are_caught_by_acks",
    ),
    (
        "removed member's chains kept",
        "protocol/talk.py",
        "if stays is not None and stays.identity == member.identity:",
        "if True:",
        "protocol/talk.py",
        "        member = roster.seat(frame.slot)\n        if member is None:",
        "        member = roster.seat(frame.slot) or Member(frame.slot, 'cy', identity, bytes(32), 0)\n        if member is None:",
        T + "test_a_removed_members_keys_stop_working",
    ),
    (
        "huge counters: no skip bound",
        "protocol/chains.py",
        "if index - self.next_index > MAX_SKIP:",
        "if False:",
        None,
        None,
        None,
        T + "test_huge_counters_are_refused_and_change_nothing",
    ),
    (
        "lineage dropped from the lobby",
        "protocol/door.py",
        "for at in range(0, len(links), 2):",
        "for at in range(0, 0, 2):",
        None,
        None,
        None,
        T + "test_the_lineage_carries_a_room_past_its_hosts_departure",
    ),
    (
        "key ratchet stalls",
        "protocol/chains.py",
        "message_key, self._chain_key = ratchet(self._chain_key)",
        "message_key, _ = ratchet(self._chain_key)",
        None,
        None,
        None,
        "tests/protocol/test_crypto.py::test_no_key_or_key_nonce_pair_repeats_over_100k_messages",
    ),
    (
        "bit flips: signature unchecked",
        "protocol/talk.py",
        "        if not verify(identity, frame.signed, frame.sig):\n            return\n",
        "",
        None,
        None,
        None,
        "tests/protocol/test_properties.py",
    ),
]
D = "tests/protocol/test_review_door.py::"
MUTANTS += [
    (
        "a later lobby moves the newcomer's anchor",
        "protocol/door.py",
        "        if self.watching is not None:\n            if shown.commit_hash",
        "        if False:\n            if shown.commit_hash",
        None,
        None,
        None,
        D + "test_a_forged_handover_in_a_second_lobby_warns_the_newcomer_and_moves_nothing",
    ),
    (
        "a newcomer takes any Commit its sequencer or successor signs",
        "protocol/membership.py",
        "            check_next(base, body, signer)\n",
        "            if self.roster is not None:\n                check_next(base, body, signer)\n",
        None,
        None,
        None,
        D + "test_a_once_named_successor_cannot_lead_a_newcomer_into_a_copy_of_the_room",
    ),
    (
        "members do not check who greets",
        "protocol/door.py",
        "            self._check_greeter(frame, lobby)\n",
        "",
        None,
        None,
        None,
        D + "test_the_first_key_cannot_greet_newcomers_after_the_handover",
    ),
    (
        "Commits before the lobby are not kept",
        "protocol/membership.py",
        "                self.early.append((seq, frame))",
        "                pass",
        None,
        None,
        None,
        D + "test_a_newcomer_follows_commits_from_its_lobby_and_those_just_before_it",
    ),
    (
        "a short room code",
        "protocol/roster.py",
        "ROOM_CODE_GROUPS: Final = 5",
        "ROOM_CODE_GROUPS: Final = 4",
        None,
        None,
        None,
        D + "test_the_room_code_is_five_groups_of_four_digits",
    ),
]
MUTANTS += [
    (
        "a withheld Commit is rebuilt after the resend delay",
        "protocol/membership.py",
        "if waiting is not None and waiting[0] == roster.epoch + 1:",
        "if waiting is not None and waiting[0] == roster.epoch + 1 and self.now_ms - waiting[1] < RESEND_AFTER_MS:",
        None,
        None,
        None,
        D + "test_a_withheld_commit_is_sent_again_byte_for_byte_never_rebuilt",
    ),
]
MUTANTS += [
    (
        "a knock reusing a member's exchange key is shown",
        "protocol/door.py",
        "if knock.identity == m.identity or knock.exchange == m.exchange:",
        "if knock.identity == m.identity:",
        None,
        None,
        None,
        D + "test_a_knock_reusing_a_members_exchange_key_is_not_shown",
    ),
    (
        "the sequencer signs an admission without checking it",
        "protocol/membership.py",
        "                    self._check_own(roster, body)\n",
        "",
        None,
        None,
        None,
        D + "test_the_sequencer_drops_an_admission_no_member_could_accept",
    ),
]
MUTANTS += [
    (
        "a member who speaks after a leave is still removed",
        "protocol/membership.py",
        "        self._still_here(member)\n",
        "",
        None,
        None,
        None,
        D + "test_a_host_who_keeps_talking_is_not_removed_by_a_leave_told_to_one_member",
    ),
    (
        "a takeover is taken while the sequencer is still connected",
        "protocol/membership.py",
        "        if said_bye or sequencer.peer not in self.present:",
        "        if True:",
        None,
        None,
        None,
        D + "test_members_refuse_a_takeover_while_they_still_see_the_host",
    ),
]
MUTANTS += [
    (
        "a return ticket is never used up",
        "protocol/membership.py",
        "            self.dropped.pop(knock.was, None)\n            self.returned.add(knock.was)",
        "            pass",
        None,
        None,
        None,
        D + "test_an_old_key_brings_back_one_person_once_and_vouches_for_no_stranger",
    ),
    (
        "a return under another name",
        "protocol/door.py",
        "if nick is None or nick != knock.nick:",
        "if nick is None:",
        None,
        None,
        None,
        D + "test_an_old_key_cannot_bring_someone_back_under_another_name",
    ),
]
only = sys.argv[1:]
results = []
for name, f1, a1, b1, f2, a2, b2, test, *extra in MUTANTS:
    if only and not any(o in name for o in only):
        continue
    saved = {}
    ok = True
    for f, a, b in ((f1, a1, b1), (f2, a2, b2), *(extra[0] if extra else ())):
        if f is None:
            continue
        p = R / f
        if a not in p.read_text():
            # Code moves between modules; find the one file that holds the pattern.
            holders = [q for q in (R / "protocol").glob("*.py") if a in q.read_text()]
            if len(holders) == 1:
                p, f = holders[0], str(holders[0].relative_to(R))
        text = saved.get(f) or p.read_text()
        saved.setdefault(f, text)
        cur = p.read_text()
        if a not in cur:
            ok = False
            results.append((name, "NOT APPLIED"))
            break
        p.write_text(cur.replace(a, b, 1))
    try:
        if ok:
            r = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-x",
                    "-q",
                    "-p",
                    "no:randomly",
                    "--timeout",
                    "20",
                    test,
                ],
                cwd=R,
                capture_output=True,
                text=True,
                timeout=300,
            )
            failed = r.returncode != 0
            results.append((name, "FAILS (good)" if failed else "STILL PASSES"))
    finally:
        for f, text in saved.items():
            (R / f).write_text(text)
for n, r in results:
    print(f"{r:14} {n}")
