"""Progress reporting: a rich display on a terminal, silence otherwise.

Staging runs in CI and in Kubernetes jobs as often as at a desk; logs there should hold the outcome and the warnings
(retries), not thousands of progress lines. So the live display (total and per-file bytes and throughput) is drawn
on stderr only when stderr is a terminal, and nothing at all is reported per file otherwise.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID


class Reporter(Protocol):
    def start(self, files: int, total_bytes: int) -> None: ...

    def file_started(self, path: str, size: int) -> None: ...

    def advance(self, path: str, nbytes: int) -> None: ...

    def file_skipped(self, path: str, size: int) -> None: ...

    def file_finished(self, path: str) -> None: ...

    def stop(self) -> None: ...


class QuietReporter:
    """Reports nothing: the command prints the result at the end and warnings go through logging."""

    def start(self, files: int, total_bytes: int) -> None:
        pass

    def file_started(self, path: str, size: int) -> None:
        pass

    def advance(self, path: str, nbytes: int) -> None:
        pass

    def file_skipped(self, path: str, size: int) -> None:
        pass

    def file_finished(self, path: str) -> None:
        pass

    def stop(self) -> None:
        pass


class RichReporter:
    """One bar for the whole run plus one bar per file in flight (removed when the file is done)."""

    def __init__(self, console: Console) -> None:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}", justify="left"),
            BarColumn(),
            DownloadColumn(binary_units=True),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._lock = threading.Lock()
        self._tasks: dict[str, TaskID] = {}
        self._done: dict[str, int] = {}
        self._total: TaskID | None = None

    def start(self, files: int, total_bytes: int) -> None:
        self._progress.start()
        self._total = self._progress.add_task(f"total ({files} files)", total=total_bytes)

    def file_started(self, path: str, size: int) -> None:
        with self._lock:
            redone = self._done.pop(path, 0)
            if redone and self._total is not None:  # a restarted file counts again from zero
                self._progress.advance(self._total, -redone)
            if path in self._tasks:
                self._progress.reset(self._tasks[path], total=size)
            else:
                self._tasks[path] = self._progress.add_task(path, total=size)

    def advance(self, path: str, nbytes: int) -> None:
        with self._lock:
            self._done[path] = self._done.get(path, 0) + nbytes
            self._progress.advance(self._tasks[path], nbytes)
            if self._total is not None:
                self._progress.advance(self._total, nbytes)

    def file_skipped(self, path: str, size: int) -> None:
        if self._total is not None:
            self._progress.advance(self._total, size)

    def file_finished(self, path: str) -> None:
        with self._lock:
            task = self._tasks.pop(path, None)
            if task is not None:
                self._progress.remove_task(task)

    def stop(self) -> None:
        self._progress.stop()


def make_reporter(console: Console) -> Reporter:
    return RichReporter(console) if console.is_terminal else QuietReporter()
