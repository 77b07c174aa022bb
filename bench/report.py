"""The benchmark's table and its verdicts against the design's performance targets."""

from __future__ import annotations

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

    @property
    def cpu_per_delivery_us(self) -> float:
        """Relay CPU per delivery: a cost that other load on the machine barely changes."""
        return self.relay_cpu * 1e4 / self.delivered if self.delivered else float("nan")


COLUMNS = (
    ("scenario", "{:<8}"),
    ("relay", "{:<10}"),
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
    )
    return " ".join(fmt.format(cell) for (_, fmt), cell in zip(COLUMNS, cells, strict=True))


def header() -> str:
    line = " ".join(fmt.format(name) for name, fmt in COLUMNS)
    return f"{line}\n{'-' * len(line)}"


def verdicts(rows: list[Row]) -> list[str]:
    """The design's targets, where this run measured what they need."""
    found = {(r.scenario, r.relay): r for r in rows}
    out = []
    porch, bare = found.get(("equal", "porch")), found.get(("equal", "websockets"))
    if porch and bare:
        ratio = porch.delivered / bare.delivered if bare.delivered else float("nan")
        out.append(
            _verdict(
                ratio >= 0.9,
                f"throughput at equal load {ratio:.2f}x bare websockets (target >= 0.9x)",
            )
        )
        cost = porch.cpu_per_delivery_us / bare.cpu_per_delivery_us
        out.append(
            f"INFO  relay CPU per delivery {cost:.2f}x bare websockets "
            f"({porch.cpu_per_delivery_us:.1f} vs {bare.cpu_per_delivery_us:.1f} µs): "
            "capacity on one core, robust to other load"
        )
        ratio = porch.p99 / bare.p99 if bare.p99 else float("nan")
        out.append(
            _verdict(
                ratio <= 1.2, f"p99 at equal load {ratio:.2f}x bare websockets (target <= 1.2x)"
            )
        )
    for name in ("memory", "scale"):
        row = found.get((name, "porch"))
        if row:
            out.append(
                _verdict(
                    row.rss_per_conn_kib <= 16,
                    f"{name}: {row.rss_per_conn_kib:.1f} KiB RSS per connection (target <= 16)",
                )
            )
    scale = found.get(("scale", "porch"))
    if scale:
        out.append(
            _verdict(
                scale.p99 < 20,
                f"{scale.participants} participants at 1 msg/s: "
                f"p99 {scale.p99:.2f} ms (target < 20 ms)",
            )
        )
    for row in rows:
        if row.lost or row.duplicates or row.out_of_order or row.closed_early:
            out.append(
                f"CHECK {row.scenario}/{row.relay}: {row.lost} lost, {row.duplicates} dup, "
                f"{row.out_of_order} out of order, {row.closed_early} closed early"
            )
        if row.gen_cpu > 85 or row.send_lag_p99 > 2:
            out.append(
                f"NOTE  {row.scenario}/{row.relay}: the load generator may be limiting "
                f"(CPU {row.gen_cpu:.0f}%, send lag p99 {row.send_lag_p99:.2f} ms)"
            )
    return out


def _verdict(ok: bool, text: str) -> str:
    return f"{'MET ' if ok else 'MISS'}  {text}"


LEGEND = (
    "latency: scheduled send -> delivery, sender included. loss: not delivered by the end.\n"
    "lag: scheduled -> actual send in the generators. KiB/conn: relay RSS growth / connections.\n"
    "CPU%: of one core over the window; (sys): the kernel's part of it; us/deliv: relay CPU per\n"
    "delivery. other CPU%: the rest of the machine (all cores), which is not this benchmark."
)
