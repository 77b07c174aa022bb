"""The relay benchmark: the Porch relay side by side with bare websockets and Node ws relays.

    python -m bench.relay_bench            full run, a few minutes
    python -m bench.relay_bench --quick    smoke run, under a minute
    python -m bench.relay_bench --relays porch,websockets --scenarios equal
    python -m bench.relay_bench --before /tmp/porch-main    before/after, in one run

Each relay runs alone, as its own process pinned to one core; the load
generators run on the other cores, one process per core (processes sharing a
core only add wake-ups and wait for each other), connect every participant,
then follow an open-loop schedule (see bench/loadgen.py). The
table reports what the generators measured and what /proc says about the relay.
Generator CPU and send lag are printed too: when they are high, the numbers
describe the generator as much as the relay.
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from bench import loadgen, nginx, relays
from bench.histogram import Histogram
from bench.report import LEGEND, Row, format_row, header, verdicts


@dataclass(frozen=True)
class Scenario:
    name: str
    rooms: int
    per_room: int
    rate: float  # messages per second per participant; 0 measures idle connections
    duration: float
    warmup: float = 2.0
    drain: float = 10.0  # how long deliveries may trail the last send before they count as lost


SCENARIOS = {
    "equal": Scenario("equal", rooms=50, per_room=12, rate=5.0, duration=20),
    "light": Scenario("light", rooms=10, per_room=12, rate=1.0, duration=20),
    "memory": Scenario("memory", rooms=167, per_room=12, rate=0.0, duration=0, warmup=0),
    "scale": Scenario("scale", rooms=417, per_room=12, rate=1.0, duration=20),
}
# Which relays each scenario compares, by default (--relays narrows it further).
LINEUP = {
    "equal": (
        "porch",
        "porch-asyncio",
        "porch-each",
        "porch-before",
        "websockets",
        "node-ws",
        "porch-nginx3",
    ),
    "light": ("porch", "porch-each", "porch-before", "websockets"),
    "memory": ("porch", "porch-before", "websockets", "node-ws"),
    "scale": ("porch", "porch-each", "porch-before", "websockets", "node-ws"),
}
QUIET_PERCENT = 25.0  # machine load, in % of one core, that a run waits to fall below
QUICK = {"equal": 6.0, "light": 6.0, "memory": 0.0, "scale": 6.0}
TINY = {"equal": Scenario("equal", rooms=4, per_room=12, rate=5.0, duration=2, warmup=0.5)}


def split_rooms(count: int, workers: int) -> list[tuple[str, ...]]:
    ids = [os.urandom(16).hex() for _ in range(count)]
    return [tuple(ids[w::workers]) for w in range(workers) if ids[w::workers]]


def run_one(
    scenario: Scenario,
    relay_name: str,
    cores: tuple[set[int] | None, set[int] | None],
    workers: int,
    payload: int,
    node_modules: Path | None,
    patience: float,
    before: Path | None = None,
) -> Row:
    relay_cores, gen_cores = cores
    load = relays.wait_for_quiet(QUIET_PERCENT, patience) if patience else 0.0
    if load > QUIET_PERCENT:
        print(
            f"note: the machine is busy with other work ({load:.0f}% of a core) before "
            f"{scenario.name}/{relay_name}; see other CPU%",
            flush=True,
        )
    relay = relays.start_any(relay_name, relay_cores, node_modules, before)
    ctx = multiprocessing.get_context("fork")
    procs: list[multiprocessing.process.BaseProcess] = []
    pipes = []
    try:
        time.sleep(0.5)
        rss_before = relay.rss_kib()
        for worker, room_ids in enumerate(split_rooms(scenario.rooms, workers)):
            plan = loadgen.Plan(
                relay.host,
                relay.port,
                worker,
                room_ids,
                scenario.per_room,
                scenario.rate,
                payload,
                scenario.warmup,
                scenario.duration,
                scenario.drain,
            )
            ours, theirs = ctx.Pipe()
            proc = ctx.Process(target=loadgen.main, args=(plan, theirs, gen_cores), daemon=True)
            proc.start()
            theirs.close()
            procs.append(proc)
            pipes.append(ours)
        connected = sum(_expect(pipe, "connected", 180) for pipe in pipes)
        time.sleep(1.0)  # let handshake garbage be collected before reading RSS
        rss_after = relay.rss_kib()
        t0 = time.monotonic_ns() + 300_000_000
        for pipe in pipes:
            pipe.send(t0)
        window_start = t0 + int(scenario.warmup * 1e9)
        window_end = window_start + int(scenario.duration * 1e9)
        relays.wait_until(window_start)
        syscalls = relays.SyscallCount(relay.pids()) if scenario.duration else None
        cpu_start, busy_start = relay.cpu_seconds(), relays.machine_busy_seconds()
        relays.wait_until(window_end)
        cpu_end, busy_end = relay.cpu_seconds(), relays.machine_busy_seconds()
        sends = syscalls.total() if syscalls else None
        budget = scenario.drain + 60
        results = [_expect(pipe, "result", budget) for pipe in pipes]
    finally:
        for proc in procs:
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join()
        relay.stop()
    relay_user, relay_sys = (end - start for start, end in zip(cpu_start, cpu_end, strict=True))
    row = _row(
        scenario,
        relay_name,
        results,
        connected,
        rss_after - rss_before,
        relay_user + relay_sys,
        len(gen_cores or {0}),
    )
    row.relay_sys = relay_sys / scenario.duration * 100 if scenario.duration else float("nan")
    if sends is not None and row.delivered:
        row.sends_per_delivery = sends / (row.delivered * scenario.duration)
    if scenario.duration:
        ours = relay_user + relay_sys + sum(r["cpu_seconds"] for r in results)
        row.other_cpu = (busy_end - busy_start - ours) / scenario.duration * 100
    return row


def _expect(pipe, kind: str, timeout: float):  # type: ignore[no-untyped-def]
    if not pipe.poll(timeout):
        raise RuntimeError(f"a load generator sent no {kind!r} within {timeout:.0f} s")
    got, value = pipe.recv()
    if got != kind:
        raise RuntimeError(f"a load generator failed: {value}")
    return value


def _row(scenario, relay_name, results, connected, rss_grown, relay_cpu, gen_core_count):  # type: ignore[no-untyped-def]
    latency, lag = Histogram(), Histogram()
    for result in results:
        latency.merge(result["latency"])
        lag.merge(result["send_lag"])
    window = scenario.duration or float("nan")
    gen_cpu = sum(r["cpu_seconds"] for r in results) / window / gen_core_count * 100
    return Row(
        scenario=scenario.name,
        relay=relay_name,
        participants=connected,
        rooms=scenario.rooms,
        offered=sum(r["sent_in_window"] for r in results) / window,
        delivered=sum(r["delivered_in_window"] for r in results) / window,
        p50=latency.percentile_ms(0.50),
        p99=latency.percentile_ms(0.99),
        p999=latency.percentile_ms(0.999),
        lost=sum(r["lost"] for r in results),
        duplicates=sum(r["duplicates"] for r in results),
        out_of_order=sum(r["out_of_order"] for r in results),
        closed_early=sum(r["closed_early"] for r in results),
        rss_per_conn_kib=rss_grown / connected if connected else float("nan"),
        relay_cpu=relay_cpu / window * 100,
        gen_cpu=gen_cpu,
        send_lag_p99=lag.percentile_ms(0.99),
    )


def plan_cores() -> tuple[set[int] | None, set[int] | None, str]:
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return None, None, f"{len(cores)} core: relay and generators share it (nothing pinned)"
    relay, rest = {cores[0]}, set(cores[1:])
    return (
        relay,
        rest,
        f"{len(cores)} cores: relay on core {cores[0]}, generators on {sorted(rest)}",
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.relay_bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    scale = parser.add_mutually_exclusive_group()
    scale.add_argument("--quick", action="store_true", help="short smoke run (under a minute)")
    scale.add_argument(
        "--tiny", action="store_true", help="a few seconds: 4 rooms, equal load only"
    )
    parser.add_argument("--duration", type=float, help="seconds of measurement per run")
    parser.add_argument(
        "--relays",
        default=",".join(relays.RELAYS),
        help="comma-separated, from: %(default)s (each scenario runs those of its lineup)",
    )
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help="comma-separated, from: %(default)s"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="run each relay this many times, interleaved"
    )
    parser.add_argument(
        "--before",
        type=Path,
        metavar="DIR",
        help="also run the relay of the checkout in DIR as porch-before, for a before/after "
        "in one run (make one with: git worktree add DIR main)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="load generator processes (default: one per core the relay is not pinned to)",
    )
    parser.add_argument("--payload", type=int, default=160, help="bytes per message payload")
    parser.add_argument(
        "--priority",
        type=int,
        default=0,
        metavar="N",
        help="lower the benchmark's nice value by N (root only), so other work "
        "on a shared machine disturbs the relays and generators less",
    )
    return parser.parse_args(argv)


def chosen_scenarios(args: argparse.Namespace) -> list[Scenario]:
    if args.tiny:
        return list(TINY.values())
    names = [n for n in args.scenarios.split(",") if n]
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        raise SystemExit(
            f"unknown scenario(s) {', '.join(sorted(unknown))}; choose from {', '.join(SCENARIOS)}"
        )
    chosen = []
    for name in names:
        scenario = SCENARIOS[name]
        if args.quick:
            scenario = replace(scenario, duration=QUICK[name], warmup=1.0, drain=3.0)
        if args.duration and scenario.rate > 0:
            scenario = replace(scenario, duration=args.duration)
        chosen.append(scenario)
    return chosen


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so every finally block stops its relay.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    names = [n for n in args.relays.split(",") if n]
    for name in names:
        if name not in relays.RELAYS:
            raise SystemExit(f"unknown relay {name!r}; choose from {', '.join(relays.RELAYS)}")
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by relays too
    relay_cores, gen_cores, core_note = plan_cores()
    if args.workers is None:
        args.workers = len(gen_cores) if gen_cores else 2
    if args.priority:
        try:
            os.nice(-args.priority)  # relays and generators inherit it
            core_note += f"; nice {os.nice(0)}"
            # With autogroup scheduling, nice only ranks tasks inside one session;
            # the session's own nice ranks it against other sessions.
            Path("/proc/self/autogroup").write_text(str(-args.priority))
            core_note += " (and its autogroup)"
        except OSError:
            core_note += "; --priority needs root and autogroup, partly applied"
    scenarios = chosen_scenarios(args)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"Porch relay benchmark, {now}; {core_note}; {args.workers} generator "
        f"process{'es' if args.workers > 1 else ''};"
        f" {args.payload}-byte payloads; open files limit {hard}",
        flush=True,
    )
    if args.before is None and "porch-before" in names:
        names.remove("porch-before")
    elif args.before is not None and not (args.before / "relay" / "__main__.py").is_file():
        raise SystemExit(f"{args.before} holds no relay/__main__.py: is it a Porch checkout?")
    if "porch-nginx3" in names and not nginx.available():
        print("note: skipping porch-nginx3: nginx is not installed", flush=True)
        names.remove("porch-nginx3")
    with tempfile.TemporaryDirectory(prefix="porch-bench-node-") as workdir:
        node_modules = None
        if "node-ws" in names:
            node_modules, how = relays.install_node_ws(Path(workdir))
            if node_modules is None:
                print(f"note: skipping the node-ws relay: {how}", flush=True)
                names.remove("node-ws")
            else:
                print(f"node-ws: ws from {how}", flush=True)
        rows: list[Row] = []
        print(header(), flush=True)
        for scenario in scenarios:
            lineup = [n for n in names if n in LINEUP.get(scenario.name, names)]
            if args.tiny:
                lineup = names
            for name in lineup * max(1, args.rounds):
                cores = (relay_cores, gen_cores)
                patience = 0.0 if args.tiny else 10.0 if args.quick else 30.0
                row = run_one(
                    scenario,
                    name,
                    cores,
                    args.workers,
                    args.payload,
                    node_modules,
                    patience,
                    args.before,
                )
                rows.append(row)
                print(format_row(row), flush=True)
    print()
    for line in verdicts(rows):
        print(line)
    print(LEGEND)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted; every relay started was stopped")
