"""`porch relay` as an admin runs it: the installed command, its help, and its mistakes."""

from __future__ import annotations

import asyncio
import gc
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest
from relay_peers import join, new_room_id

from relay.cli import collect_on_a_clock

PORCH = shutil.which("porch")


def porch(*args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    cmd = [PORCH] if PORCH else [sys.executable, "-m", "tui.cli"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=timeout)


def test_help_lists_the_subcommands_and_every_limit():
    top = porch("--help")
    assert top.returncode == 0
    assert "relay" in top.stdout
    relay = porch("relay", "--help")
    assert relay.returncode == 0
    for flag in (
        "--room-cap",
        "--max-payload",
        "--rate",
        "--burst",
        "--per-ip",
        "--max-connections",
        "--write-buffer",
        "--ping-interval",
        "--behind-proxy",
    ):
        assert flag in relay.stdout


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--room-cap", "13"], "at most 12"),
        (["--rate", "0"], "must be positive"),
        (["--max-payload", "70000"], "65536"),
    ],
)
def test_impossible_limits_are_refused_with_a_sentence(flags, says):
    result = porch("relay", "--port", "0", *flags)
    assert result.returncode == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_a_port_in_use_is_a_sentence_not_a_traceback():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = porch("relay", "--host", "127.0.0.1", "--port", str(port))
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(PORCH is None, reason="the porch command is not installed")
def test_the_installed_command_runs_a_relay_and_stops_on_sigterm():
    proc = subprocess.Popen(
        [PORCH, "relay", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("porch relay listening on ws://127.0.0.1:")
        assert "12 per room" in line
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        assert proc.stdout.read() == "" and proc.stderr.read() == ""
    finally:
        proc.kill()


@pytest.mark.parametrize("choice", ["auto", "asyncio"])
async def test_the_relay_runs_on_uvloop_where_installed_unless_told_otherwise(start_relay, choice):
    uvloop = pytest.importorskip("uvloop") if choice == "auto" else None
    relay = start_relay("--event-loop", choice)
    expected = "uvloop" if uvloop else "asyncio"
    assert f"event loop {expected})" in bytes(relay.output).decode()
    url = relay.room_url(new_room_id())
    ana, bo = await join(url), await join(url)
    await ana.pub(b"on either loop")
    assert (await bo.next_msg()).d == b"on either loop"
    body = urllib.request.urlopen(f"http://127.0.0.1:{relay.port}/healthz", timeout=5).read()
    assert f"uvloop {int(uvloop is not None)}\n".encode() in body
    await ana.close()
    await bo.close()


async def test_a_relay_process_collects_garbage_on_a_clock_and_never_on_its_own() -> None:
    thresholds = gc.get_threshold()
    before = gc.get_stats()[2]["collections"]
    try:
        collect_on_a_clock(asyncio.get_running_loop(), every=0.05)
        assert gc.get_freeze_count() > 0  # what the process held at start is left alone
        young, middle, oldest = gc.get_threshold()
        assert (young, middle) == thresholds[:2] and oldest >= 2**30
        # Three ticks of the clock; a loaded machine may take longer than 0.15 s to give them.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while gc.get_stats()[2]["collections"] < before + 3 and loop.time() < deadline:
            await asyncio.sleep(0.05)
        assert gc.get_stats()[2]["collections"] >= before + 3
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
