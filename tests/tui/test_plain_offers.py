"""Every share is an offer, as people meet it in plain mode: real processes, a real relay.

ana offers a 5 MiB file to the three others: two accept and get it intact (the
same SHA-256), the one who declines gets nothing, the file is written only
where the person chose (strace: no other file), and never over a file already
there. A link shows its domain until accepted; a message too long to send
becomes an offer instead of being lost.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from tests.tui.processes import Porch, file_writes, files_in, plain_room

STRACE = shutil.which("strace")


def room(
    porches: list[Porch], tmp_path: Path, nicks: tuple[str, ...], traced: str = ""
) -> list[Porch]:
    def prefix(who: str) -> list[str]:
        if who != traced or STRACE is None:
            return []
        return [STRACE, "-f", "-qq", "-e", "trace=%file", "-o", str(tmp_path / f"{who}.trace")]

    return plain_room(porches, tmp_path, nicks, prefix)


def test_a_file_offer_reaches_those_who_accept_intact_and_is_written_only_where_chosen(
    porches: list[Porch], tmp_path: Path
) -> None:
    ana, bo, cy, di = room(porches, tmp_path, ("bo", "cy", "di"), traced="cy")
    content = os.urandom(5 * 1024 * 1024)
    (tmp_path / "ana" / "work" / "report.pdf").write_bytes(content)
    ana.send("/offer report.pdf")
    ana.expect(r"^This offers report\.pdf \(5\.2 MB\) to bo, cy and di\. /confirm sends the offer")
    ana.send("/confirm")
    ana.expect(
        r"^You offered report\.pdf \(5\.2 MB, application/pdf\) to bo, cy and di \(offer 1\)"
    )
    for person in (bo, cy, di):
        person.expect(
            r"^ana offers report\.pdf \(5\.2 MB, application/pdf\) to (you|bo), (you|cy) and "
            r"(you|di)\. /accept 1 or /decline 1\.$"
        )
    bo.send("/save 1 early.pdf")  # nothing has arrived: nothing is written
    bo.expect(r"^Offer 1 has not arrived, or did not check out; nothing to save\.$")
    bo.send("/accept 1")
    cy.send("/accept 1")
    di.send("/decline 1")
    di.expect(r"^You declined offer 1\. Nothing was sent")
    ana.expect_each(
        r"^bo accepted your offer 1; it is on its way\.$",
        r"^cy accepted your offer 1; it is on its way\.$",
        r"^Offer 1: \d+ % sent",
    )
    for person in (bo, cy):
        person.expect(r"^Offer 1 from ana: \d+ % received\.$", seconds=60)
        person.expect(
            r"^report\.pdf \(5\.2 MB, application/pdf\) from ana is here, and checked", seconds=60
        )
    (tmp_path / "bo" / "work" / "taken.pdf").write_bytes(b"already here")
    bo.send("/save 1 taken.pdf")
    bo.expect(r"^There is a file at taken\.pdf already; choose another path\.$")
    assert (tmp_path / "bo" / "work" / "taken.pdf").read_bytes() == b"already here"
    bo.send("/save 1 kept.pdf")
    bo.expect(r"^Saved 5\.2 MB to kept\.pdf\.$")
    cy.send("/save 1 mine.pdf")
    cy.expect(r"^Saved 5\.2 MB to mine\.pdf\.$")
    digest = hashlib.sha256(content).hexdigest()
    for who, name in (("bo", "kept.pdf"), ("cy", "mine.pdf")):
        saved = tmp_path / who / "work" / name
        assert hashlib.sha256(saved.read_bytes()).hexdigest() == digest
    ana.expect(r"^(bo|cy) has all of your offer 1\.$")
    di.send("/save 1 nothing.pdf")
    di.expect(r"^Offer 1 has not arrived, or did not check out; nothing to save\.$")
    assert files_in(tmp_path / "di") == []
    assert files_in(tmp_path / "cy") == ["work/mine.pdf"]
    cy.close_stdin()
    assert cy.finish(30) == 0
    if STRACE is not None:
        writes = file_writes(tmp_path / "cy.trace")
        assert writes and all("mine.pdf" in call for call in writes), writes


def test_a_link_shows_its_domain_first_and_a_too_long_message_becomes_an_offer(
    porches: list[Porch], tmp_path: Path
) -> None:
    ana, bo = room(porches, tmp_path, ("bo",))
    ana.send("/link https://example.org/private/path?token=abc")
    ana.expect(r"^This offers a link to example\.org to bo\.")
    ana.send("/confirm")
    bo.expect(r"^ana offers a link to example\.org to you\. /accept 1 or /decline 1\.$")
    assert not any("private/path" in line for line in bo.seen)
    bo.send("/accept 1")
    bo.expect(r"^The link from ana: https://example\.org/private/path\?token=abc$")
    long = "a long paste " * 400
    ana.send(long)
    ana.expect(r"^That is longer than 4000 characters, so it becomes an offer\.$")
    ana.expect(r"^This offers a text of 5200 characters to bo\.")
    ana.send("/confirm")
    bo.expect(r"^ana offers a text of 5200 characters, starting “a long paste a long paste a")
    bo.send("/offers")
    bo.expect(r"^  1\. ")
    bo.expect(r"^  2\. ana offers a text of 5200 characters")
    bo.send("/accept 2")
    seen = bo.expect(r"^The text from ana: a long paste")
    assert seen == "The text from ana: " + long  # whole, as typed: nothing was lost


def test_an_amendment_needs_everyones_consent_and_an_objection_blocks_it(
    porches: list[Porch], tmp_path: Path
) -> None:
    ana, bo, cy = room(porches, tmp_path, ("bo", "cy"))
    bo.send("/amend We start on time.")
    for person in (ana, cy):
        person.expect(
            r"^bo proposed adding to the agreements: “5\. We start on time\.”\. It needs the "
            r"consent of all 3 here; silence is not consent\. "
            r"/consent to agree, or /object REASON\.$"
        )
    ana.send("/consent")
    bo.expect(r"^2 of 3 consented to adding “5\. We start on time\.”\.$")
    cy.send("/object I am often late from work")
    for person in (ana, bo, cy):
        person.expect(r"objected to adding “5\. We start on time\.”: I am often late from work\.")
    cy.send("/amend We end on time.")
    for person in (ana, bo):
        person.expect(r"^cy proposed adding to the agreements: “5\. We end on time\.”")
        person.send("/consent")
    for person in (ana, bo, cy):
        person.expect(r"^Everyone consented: the agreements now include “5\. We end on time\.”\.")
    bo.send("/agreements")
    bo.expect(r"^  5\. We end on time\.$")
