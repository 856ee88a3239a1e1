"""How many transfer streams run at once: grown from the link's answer, capped so memory stays bounded.

A stream moves one part: a ranged GET from the Hub feeding a PUT to GCS. Each connection has its own throughput
ceiling and round trip, so one stream rarely fills a link; how many it takes depends on the link, not on the number
of files. The governor starts with a few streams and doubles them while each doubling still raised the measured
throughput by at least `GROWTH`; when a doubling stops paying, it goes back to the best count and stays there. When
the process itself is bound by the CPU (`CPU_BOUND`), as on a fast local link, it halves the streams instead (not
below `FEWEST_STREAMS`) and stays. The cap (`--max-streams`) is what bounds memory (see pipeline.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

INITIAL_STREAMS = 8
FEWEST_STREAMS = 4
# A doubling must buy this much throughput to be kept: below it the extra streams only cost memory and connections.
GROWTH = 0.10
# Throughput is judged over windows of this length (seconds), opened when the streams start and at each change.
WINDOW = 0.25
# A process that used this much CPU time per second of a window is bound by the CPU (its Python work holds the GIL,
# so one core is its ceiling whatever the machine): more streams then only add contention, and fewer do better
# (bench/stage.py on 2 cores: 16 streams 525 MiB/s, 8 streams 619, 4 streams 641).
CPU_BOUND = 0.9


class StreamGovernor:
    """`limit` streams may run; `moved(n)` counts bytes; `tick()` (called often) decides whether to grow.

    A window starts when the streams start and at every change of the count, never at a byte: a window that began
    at a read's completion would then also count the other streams' reads already under way (up to one read per
    stream, +16% on a 0.5 s window at 16 streams and 100 MiB/s). The first window includes the streams' first round
    trips, which is what more streams cost.
    """

    def __init__(
        self,
        cap: int,
        initial: int = INITIAL_STREAMS,
        clock: Callable[[], float] = time.monotonic,
        cpu_clock: Callable[[], float] = time.process_time,
    ) -> None:
        self.cap = cap
        self._clock = clock
        self._cpu_clock = cpu_clock
        self._window_cpu = 0.0
        self.limit = max(1, min(initial, cap))
        self.settled = self.limit >= cap
        self._best: tuple[int, float] | None = None  # (streams, bytes/s) of the best window so far
        self._lock = threading.Lock()
        self._bytes = 0
        self._window_start: float | None = None
        self._window_bytes = 0
        self._saturated = True  # every stream of the window had work
        self.history: list[tuple[int, float, float]] = []  # (streams, MiB/s, CPU s per s) per judged window

    def start(self) -> None:
        """The streams start now: the first window opens."""
        self._open_window()

    def _open_window(self) -> None:
        with self._lock:
            self._window_start = self._clock()
            self._window_cpu = self._cpu_clock()
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
            cpu = (self._cpu_clock() - self._window_cpu) / elapsed
            saturated = self._saturated
        if cpu >= CPU_BOUND:
            self.history.append((self.limit, rate / 2**20, cpu))
            self.limit = max(min(FEWEST_STREAMS, self.limit), self.limit // 2)
            self.settled = True
        elif saturated:
            self.history.append((self.limit, rate / 2**20, cpu))
            if self._best is None or rate >= self._best[1] * (1 + GROWTH):
                self._best = (self.limit, rate)
                if self.limit >= self.cap:
                    self.settled = True
                else:
                    self.limit = min(self.cap, self.limit * 2)
            else:
                self.limit = self._best[0]
                self.settled = True
        self._open_window()
