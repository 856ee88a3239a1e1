"""How many transfer streams run at once: grown from the link's answer, capped so memory stays bounded.

A stream moves one part: a ranged GET from the Hub feeding a PUT to GCS. Each connection has its own throughput
ceiling and round trip, so one stream rarely fills a link; how many it takes depends on the link, not on the number
of files. The governor starts with a few streams and doubles them while each doubling still raised the measured
throughput by at least `GROWTH`; when a doubling stops paying, it stays where it is (dropping streams again would
only open a gap while the surplus drains). The cap (`--max-streams`) is what bounds memory (see pipeline.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

INITIAL_STREAMS = 8
# A doubling must buy this much throughput to be kept: below it the extra streams only cost memory and connections.
GROWTH = 0.10
# Throughput is judged over windows of this length (seconds), counted from the first byte at each stream count.
WINDOW = 0.5


class StreamGovernor:
    """`limit` streams may run; `moved(n)` counts bytes; `tick()` (called often) decides whether to grow.

    A window starts when the streams start and at every change of the count, never at a byte: a window that began
    at a read's completion would then also count the other streams' reads already under way (up to one read per
    stream, +16% on a 0.5 s window at 16 streams and 100 MiB/s). The first window includes the streams' first round
    trips, which is what more streams cost.
    """

    def __init__(self, cap: int, initial: int = INITIAL_STREAMS, clock: Callable[[], float] = time.monotonic) -> None:
        self.cap = cap
        self._clock = clock
        self.limit = max(1, min(initial, cap))
        self.settled = self.limit >= cap
        self._best: tuple[int, float] | None = None  # (streams, bytes/s) of the best window so far
        self._lock = threading.Lock()
        self._bytes = 0
        self._window_start: float | None = None
        self._window_bytes = 0
        self._saturated = True  # every stream of the window had work
        self.history: list[tuple[int, float]] = []  # (streams, MiB/s) per judged window

    def start(self) -> None:
        """The streams start now: the first window opens."""
        self._open_window()

    def _open_window(self) -> None:
        with self._lock:
            self._window_start = self._clock()
            self._window_bytes = self._bytes
            self._saturated = True

    def moved(self, nbytes: int) -> None:
        with self._lock:
            self._bytes += nbytes

    def starved(self) -> None:
        """Fewer parts were waiting than streams allowed: this window says nothing about more streams."""
        self._saturated = False

    def tick(self) -> None:
        if self.settled or self._window_start is None:
            return
        with self._lock:
            elapsed = self._clock() - self._window_start
            if elapsed < WINDOW:
                return
            rate = (self._bytes - self._window_bytes) / elapsed
            saturated = self._saturated
        if saturated:
            self.history.append((self.limit, rate / 2**20))
            if self._best is None or rate >= self._best[1] * (1 + GROWTH):
                self._best = (self.limit, rate)
                if self.limit >= self.cap:
                    self.settled = True
                else:
                    self.limit = min(self.cap, self.limit * 2)
            else:
                self.settled = True  # no longer paying, but fewer streams now would only make a gap
        self._open_window()
