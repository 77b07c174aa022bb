"""A fixed-bucket latency histogram: cheap to fill, cheap to ship between processes, mergeable.

10 µs buckets up to 100 ms, then 1 ms buckets up to 10 s; slower samples land
in the last bucket. Percentiles are therefore exact to 10 µs where it matters.
"""

from __future__ import annotations

FINE_US = 10
FINE_BUCKETS = 10_000  # up to 100 ms
COARSE_US = 1_000
COARSE_BUCKETS = 9_900  # up to 10 s
_FINE_LIMIT_NS = FINE_US * FINE_BUCKETS * 1000


class Histogram:
    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts = [0] * (FINE_BUCKETS + COARSE_BUCKETS)

    def add_ns(self, ns: int) -> None:
        if ns < _FINE_LIMIT_NS:
            self.counts[max(ns, 0) // (FINE_US * 1000)] += 1
        else:
            coarse = (ns - _FINE_LIMIT_NS) // (COARSE_US * 1000)
            self.counts[FINE_BUCKETS + min(coarse, COARSE_BUCKETS - 1)] += 1

    def merge(self, counts: list[int]) -> None:
        self.counts = [a + b for a, b in zip(self.counts, counts, strict=True)]

    @property
    def total(self) -> int:
        return sum(self.counts)

    def percentile_ms(self, fraction: float) -> float:
        """The upper edge of the bucket holding the given fraction of samples, in ms."""
        total = self.total
        if not total:
            return float("nan")
        rank = fraction * total
        seen = 0
        for index, count in enumerate(self.counts):
            seen += count
            if seen >= rank:
                return _upper_edge_us(index) / 1000
        return _upper_edge_us(len(self.counts) - 1) / 1000


def _upper_edge_us(index: int) -> int:
    if index < FINE_BUCKETS:
        return (index + 1) * FINE_US
    return FINE_US * FINE_BUCKETS + (index - FINE_BUCKETS + 1) * COARSE_US
