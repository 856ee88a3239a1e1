"""Retry policy shared by the Hub and GCS sides.

Transient failures (HTTP 429 and 5xx, connection resets, timeouts) are retried with exponential backoff and jitter,
for a bounded number of consecutive attempts that make no progress: a long download that drops several times but
advances every time is not abandoned, while a dead endpoint fails in seconds. Permanent errors are never retried.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

from tenacity import RetryCallState

log = logging.getLogger("hfkit.stage")

TRANSIENT_STATUS: frozenset[int] = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts`: tries per operation without progress; waits grow from `initial_wait` to `max_wait` seconds."""

    attempts: int = 6
    initial_wait: float = 0.5
    max_wait: float = 20.0

    def wait_for(self, failures: int, retry_after: float | None = None) -> float:
        """Backoff before retry number `failures` (1-based); a server's Retry-After is honoured up to max_wait."""
        backoff = min(self.max_wait, self.initial_wait * 2 ** (failures - 1))
        backoff *= 0.5 + random.random() / 2
        if retry_after is not None:
            backoff = max(backoff, min(retry_after, self.max_wait))
        return backoff


class TransientError(Exception):
    """A failure worth retrying; carries the server's Retry-After when it sent one."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class ProgressAwareBackoff:
    """tenacity stop+wait that count only failures since the last progress (`progress()` must grow on progress)."""

    def __init__(self, policy: RetryPolicy, progress: Callable[[], int], what: str) -> None:
        self.policy = policy
        self.progress = progress
        self.what = what
        self._last_progress = progress()
        self.failures = 0

    def _note(self) -> None:
        now = self.progress()
        if now != self._last_progress:
            self._last_progress = now
            self.failures = 0

    def stop(self, state: RetryCallState) -> bool:
        self._note()
        self.failures += 1
        return self.failures >= self.policy.attempts

    def wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        return self.policy.wait_for(self.failures, retry_after)

    def before_sleep(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.warning(
            "%s: %s; retrying in %.1fs (attempt %d of %d)",
            self.what,
            exc,
            state.upcoming_sleep,
            self.failures + 1,
            self.policy.attempts,
        )


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
