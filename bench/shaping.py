"""Link shaping for the benchmark's local servers: what a real Hub CDN and GCS look like from one VM.

Three properties, each configurable:
- every connection has its own throughput ceiling (a token bucket per connection);
- all connections to one server share a total ceiling (one token bucket per server), like the VM's NIC;
- every response waits a fixed latency before its first byte, like a round trip plus server time.

A body is paced in slices: each slice first waits for its connection's bucket, then for the server's, so the
shared bucket is only charged when the bytes really go and cannot be reserved ahead by a connection that is held
back by its own ceiling. Buckets follow the generic cell rate algorithm: a bucket remembers the time at which it
will next be idle and allows a burst of one slice, so long transfers run at exactly the rate and short ones are not
penalised by sleep granularity.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

MiB = 1024 * 1024
SLICE = 128 * 1024  # bytes paced at a time


class TokenBucket:
    """`rate` bytes per second with a burst of `burst` bytes."""

    def __init__(self, rate: float, burst: int = SLICE) -> None:
        self.rate = rate
        self.burst = burst
        self._idle_at = 0.0  # theoretical time at which everything charged so far has been sent
        self._lock = threading.Lock()

    def take(self, nbytes: int) -> None:
        """Block until `nbytes` may go."""
        with self._lock:
            now = time.monotonic()
            self._idle_at = max(self._idle_at, now) + nbytes / self.rate
            wait = self._idle_at - now - self.burst / self.rate
        if wait > 0:
            time.sleep(wait)


@dataclass
class Link:
    """The shape of one server's link: per-connection and total rates (bytes/s) and latency (seconds)."""

    per_connection: float
    total: float
    latency: float
    _shared: TokenBucket | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._shared = TokenBucket(self.total)

    def connection(self) -> TokenBucket:
        """A new connection's own bucket."""
        return TokenBucket(self.per_connection)

    def pace(self, bucket: TokenBucket, nbytes: int) -> None:
        bucket.take(nbytes)
        assert self._shared is not None
        self._shared.take(nbytes)

    def wait_first_byte(self) -> None:
        if self.latency > 0:
            time.sleep(self.latency)

    @classmethod
    def parse(cls, text: str) -> Link:
        """`PER_CONN_MIB,TOTAL_MIB,LATENCY_MS`, e.g. `25,100,20`."""
        per_connection, total, latency = (float(x) for x in text.split(","))
        return cls(per_connection * MiB, total * MiB, latency / 1000)

    def __str__(self) -> str:
        return (
            f"{self.per_connection / MiB:g} MiB/s per connection, {self.total / MiB:g} MiB/s in total, "
            f"{self.latency * 1000:g} ms before each response"
        )
