"""porch web loads its server without the system's certificates, and nothing else goes without.

aiohttp builds its HTTPS client's contexts as it is imported, reading every
certificate of the system; porch web makes no HTTPS request, so OpenSSL is pointed
at none while the server loads (``tui.web.launch.no_system_certificates``). The
person's own setting is back afterwards, and the browser porch web opens gets the
person's environment, not that stand-in.
"""

from __future__ import annotations

import os
import ssl
import stat
from pathlib import Path

import pytest

from tui.web import launch

pytestmark = pytest.mark.timeout(120)


def certificates() -> int:
    return int(ssl.create_default_context().cert_store_stats()["x509_ca"])


@pytest.mark.parametrize("theirs", [None, "/etc/their-own.pem"], ids=["unset", "their own"])
def test_no_certificate_is_read_while_the_server_loads_then_the_setting_is_back(
    monkeypatch: pytest.MonkeyPatch, theirs: str | None
) -> None:
    if theirs is None:
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    else:
        monkeypatch.setenv("SSL_CERT_FILE", theirs)
    with launch.no_system_certificates():
        assert certificates() == 0
    assert os.environ.get("SSL_CERT_FILE") == theirs


def test_the_system_certificates_are_read_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    if certificates() == 0:
        pytest.skip("this system has no certificate bundle to leave out")
    with launch.no_system_certificates():
        pass
    assert certificates() > 0


def test_the_browser_porch_web_opens_gets_the_persons_own_environment(
    start_porch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = tmp_path / "fake-browser"
    browser.write_text('#!/bin/sh\necho "the browser was given: [${SSL_CERT_FILE:-unset}]"\n')
    browser.chmod(browser.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("BROWSER", str(browser))
    monkeypatch.setenv("DISPLAY", ":0")  # a graphical session, as far as porch web can tell
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    porch = start_porch(["web"], tmp_path / "web")
    porch.expect(r"^Opening it in your browser")
    assert porch.expect(r"^the browser was given: ").strip().endswith("[unset]")
