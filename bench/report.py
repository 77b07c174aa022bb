"""The benchmark's table and its verdicts against the design's performance targets."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass
class Row:
    scenario: str
    relay: str
    participants: int
    rooms: int
    offered: float
    delivered: float
    p50: float
    p99: float
    p999: float
    lost: int
    duplicates: int
    out_of_order: int
    closed_early: int
    rss_per_conn_kib: float
    relay_cpu: float
    gen_cpu: float
    send_lag_p99: float
    relay_sys: float = float("nan")
    other_cpu: float = float("nan")  # everything else on the machine, all cores
    sends_per_delivery: float = float("nan")  # send system calls (perf) per delivery

    @property
    def cpu_per_delivery_us(self) -> float:
        """Relay CPU per delivery: a cost that other load on the machine barely changes."""
        return self.relay_cpu * 1e4 / self.delivered if self.delivered else float("nan")


COLUMNS = (
    ("scenario", "{:<8}"),
    ("relay", "{:<13}"),
    ("particip.", "{:>9}"),
    ("rooms", "{:>5}"),
    ("offered/s", "{:>9}"),
    ("deliv./s", "{:>9}"),
    ("p50 ms", "{:>7}"),
    ("p99 ms", "{:>7}"),
    ("p99.9 ms", "{:>8}"),
    ("loss", "{:>5}"),
    ("dup", "{:>4}"),
    ("ooo", "{:>4}"),
    ("KiB/conn", "{:>8}"),
    ("relay CPU%", "{:>10}"),
    ("(sys)", "{:>5}"),
    ("us/deliv", "{:>8}"),
    ("gen CPU%", "{:>8}"),
    ("lag p99", "{:>7}"),
    ("other CPU%", "{:>10}"),
    ("sends/deliv", "{:>11}"),
)


def _num(value: float, digits: int = 1) -> str:
    return "-" if value != value else f"{value:.{digits}f}"  # NaN prints as "-"


def format_row(row: Row) -> str:
    idle = row.offered != row.offered
    cells = (
        row.scenario,
        row.relay,
        str(row.participants),
        str(row.rooms),
        _num(row.offered, 0),
        _num(row.delivered, 0),
        _num(row.p50, 2),
        _num(row.p99, 2),
        _num(row.p999, 2),
        "-" if idle else str(row.lost),
        "-" if idle else str(row.duplicates),
        "-" if idle else str(row.out_of_order),
        _num(row.rss_per_conn_kib),
        _num(row.relay_cpu),
        _num(row.relay_sys, 0),
        _num(row.cpu_per_delivery_us),
        _num(row.gen_cpu),
        _num(row.send_lag_p99, 2),
        _num(row.other_cpu, 0),
        _num(row.sends_per_delivery, 3),
    )
    return " ".join(fmt.format(cell) for (_, fmt), cell in zip(COLUMNS, cells, strict=True))


def header() -> str:
    line = " ".join(fmt.format(name) for name, fmt in COLUMNS)
    return f"{line}\n{'-' * len(line)}"


def median(rows: list[Row], scenario: str, relay: str, attr: str) -> float:
    """The median of one column over a scenario's repeated runs of one relay; NaN if none."""
    values = [getattr(r, attr) for r in rows if (r.scenario, r.relay) == (scenario, relay)]
    return statistics.median(values) if values else float("nan")


BEFORE_AFTER = (
    ("us per delivery", "cpu_per_delivery_us", 1),
    ("relay CPU%", "relay_cpu", 0),
    ("sends per delivery", "sends_per_delivery", 3),
    ("p50 ms", "p50", 2),
    ("p99 ms", "p99", 2),
    ("KiB per connection", "rss_per_conn_kib", 1),
)
GEN_LIMIT = 70.0  # % of its core above which a generator may be what is measured


def verdicts(rows: list[Row]) -> list[str]:
    """The design's targets, judged on medians where a run was repeated (--rounds)."""
    out: list[str] = []
    ran = {(r.scenario, r.relay) for r in rows}

    def med(scenario: str, relay: str, attr: str) -> float:
        return median(rows, scenario, relay, attr)

    def ratio(scenario: str, relay: str, base: str, attr: str) -> float:
        return med(scenario, relay, attr) / med(scenario, base, attr)

    if {("equal", "porch"), ("equal", "websockets")} <= ran:
        throughput = ratio("equal", "porch", "websockets", "delivered")
        cost = ratio("equal", "porch", "websockets", "cpu_per_delivery_us")
        p99 = ratio("equal", "porch", "websockets", "p99")
        out.append(
            _verdict(
                throughput >= 0.9,
                f"throughput at equal load {throughput:.2f}x bare websockets (target >= 0.9x)",
            )
        )
        out.append(
            _verdict(
                cost <= 0.75,
                f"relay CPU per delivery {cost:.2f}x bare websockets (target <= 0.75x)",
            )
        )
        out.append(
            _verdict(p99 <= 1.2, f"p99 at equal load {p99:.2f}x bare websockets (target <= 1.2x)")
        )
    if {("equal", "porch"), ("equal", "node-ws")} <= ran:
        cost = ratio("equal", "porch", "node-ws", "cpu_per_delivery_us")
        out.append(
            _verdict(cost < 1.0, f"relay CPU per delivery {cost:.2f}x Node ws (target < 1x)")
        )
    if {("equal", "porch"), ("equal", "porch-asyncio")} <= ran:
        ours = med("equal", "porch", "cpu_per_delivery_us")
        theirs = med("equal", "porch-asyncio", "cpu_per_delivery_us")
        out.append(f"A/B   uvloop: {ours:.1f} us per delivery, asyncio's loop: {theirs:.1f} us")
    for name in ("equal", "light", "scale"):
        if {(name, "porch"), (name, "porch-each")} <= ran:
            out.append(
                f"A/B   {name}: one write per reader per loop turn vs every frame at once: "
                f"{med(name, 'porch', 'sends_per_delivery'):.3f} vs "
                f"{med(name, 'porch-each', 'sends_per_delivery'):.3f} sends per delivery, "
                f"{med(name, 'porch', 'cpu_per_delivery_us'):.1f} vs "
                f"{med(name, 'porch-each', 'cpu_per_delivery_us'):.1f} us per delivery, "
                f"p50 {med(name, 'porch', 'p50'):.2f} vs {med(name, 'porch-each', 'p50'):.2f} ms, "
                f"p99 {med(name, 'porch', 'p99'):.2f} vs {med(name, 'porch-each', 'p99'):.2f} ms"
            )
    for name in ("equal", "light", "memory", "scale"):
        if {(name, "porch"), (name, "porch-before")} <= ran:
            out.append(
                f"A/B   {name}: this checkout vs --before: "
                + ", ".join(
                    f"{label} {med(name, 'porch', attr):.{digits}f} vs "
                    f"{med(name, 'porch-before', attr):.{digits}f}"
                    for label, attr, digits in BEFORE_AFTER
                )
            )
    if {("equal", "porch"), ("equal", "porch-nginx3")} <= ran:
        throughput = ratio("equal", "porch-nginx3", "porch", "delivered")
        p99 = ratio("equal", "porch-nginx3", "porch", "p99")
        cost = ratio("equal", "porch-nginx3", "porch", "cpu_per_delivery_us")
        out.append(
            f"nginx equal load through nginx to three relays vs one relay directly: throughput "
            f"{throughput:.2f}x, p99 {p99:.2f}x ({med('equal', 'porch-nginx3', 'p99'):.2f} vs "
            f"{med('equal', 'porch', 'p99'):.2f} ms), CPU per delivery {cost:.2f}x"
            " (nginx and the relays on one core)"
        )
    for name in ("memory", "scale"):
        if (name, "porch") in ran:
            kib = med(name, "porch", "rss_per_conn_kib")
            out.append(
                _verdict(
                    kib <= 16, f"{name}: {kib:.1f} KiB relay RSS per connection (target <= 16)"
                )
            )
    if ("scale", "porch") in ran:
        p99, cpu = med("scale", "porch", "p99"), med("scale", "porch", "relay_cpu")
        gen = med("scale", "porch", "gen_cpu")
        valid = "" if gen < GEN_LIMIT else f"; NOT VALID: the generators used {gen:.0f}%"
        out.append(
            _verdict(
                p99 < 20 and cpu < 70,
                f"5,000 participants at 1 msg/s: relay {cpu:.0f}% of its core (target < 70%),"
                f" p99 {p99:.2f} ms (target < 20 ms){valid}",
            )
        )
    for row in rows:
        where = f"{row.scenario}/{row.relay}"
        if row.lost or row.duplicates or row.out_of_order or row.closed_early:
            out.append(
                f"CHECK {where}: {row.lost} lost, {row.duplicates} dup, "
                f"{row.out_of_order} out of order, {row.closed_early} closed early"
            )
        if row.gen_cpu >= GEN_LIMIT:
            out.append(
                f"NOTE  {where}: NOT VALID as a figure of the relay: the load generators used "
                f"{row.gen_cpu:.0f}% of their core (limit {GEN_LIMIT:.0f}%)"
            )
        elif row.send_lag_p99 > 2:
            out.append(
                f"NOTE  {where}: the generators sent late (send lag p99 "
                f"{row.send_lag_p99:.2f} ms); latencies include that"
            )
        if row.other_cpu > 25:
            out.append(
                f"NOTE  {where}: other work on the machine took {row.other_cpu:.0f}% of a"
                " core meanwhile; its latencies say more about that than the relay"
            )
    return out


def _verdict(ok: bool, text: str) -> str:
    return f"{'MET ' if ok else 'MISS'}  {text}"


LEGEND = (
    "latency: scheduled send -> delivery, sender included. loss: not delivered by the end.\n"
    "lag: scheduled -> actual send in the generators. KiB/conn: relay RSS growth / connections.\n"
    "CPU%: of one core over the window; (sys): the kernel's part of it; us/deliv: relay CPU per\n"
    "delivery. other CPU%: the rest of the machine (all cores), which is not this benchmark.\n"
    "sends/deliv: the relay's send system calls (perf tracepoints) per delivery."
)
