"""Read one byte range of a Hub file as a pull stream that survives dropped connections and expired CDN URLs.

A file is fetched in ranges over several connections at once (see pipeline.py); each range is read by one
`RangeReader`. The upload pulls its bytes (`read(n)`) while it sends them, so no thread or queue sits between the two
sides. A dropped or stalled connection is reopened with an HTTP Range request from the byte reached, so a resume never
re-reads what was already handed out; a server that ignores Range has the bytes before the one wanted skipped.

LFS bytes come from the CDN URL the Hub redirected to, which is signed and expires (the Hub's CDN and Xet bridges
answer 401/403 once it has: e.g. huggingface.js "Refetch reconstruction info if presigned url is expired",
https://github.com/huggingface/huggingface.js/issues/1277, read 2026-12-02). Such an answer is not trusted as a denial:
the file is resolved again at the Hub (which does judge access) and the range continues from the same byte.

Failures are retried only while they come without progress (`ProgressAwareBackoff`); Hub answers that need the user
(gated, missing) stop at once. Bytes are read from urllib3 without content decoding (`Accept-Encoding: identity`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor
from contextlib import suppress

import requests
from tenacity import Retrying, retry_if_exception_type
from urllib3.exceptions import HTTPError as Urllib3Error

from scripts.stage.errors import IntegrityError, StageError
from scripts.stage.hub import HubClient, HubErrors, RepoFile, RepoSnapshot, Source, check_commit
from scripts.stage.retry import ProgressAwareBackoff, TransientError

SKIP_READ_SIZE = 1024 * 1024  # bytes discarded per read when a server ignored Range


class Cancelled(Exception):
    """Another file failed permanently; this transfer stops so the run can end quickly."""


class FileSource:
    """A file's download URL, shared by every range of the file and resolved again (once) when it expires."""

    def __init__(self, hub: HubClient, snapshot: RepoSnapshot, file: RepoFile, known: Source | None = None) -> None:
        self.hub = hub
        self.snapshot = snapshot
        self.file = file
        self._source = known
        self._lock = threading.Lock()
        self._prefetching = False
        self.resolutions = 0

    def prefetch(self, executor: Executor) -> None:
        """Resolve in the background, so the file's first range does not wait a round trip for it."""
        if self.file.lfs and self._source is None and not self._prefetching:
            self._prefetching = True
            executor.submit(self._quietly)

    def _quietly(self) -> None:
        with suppress(Exception):  # the range that needs it resolves again and reports the failure itself
            self.get()

    def get(self) -> Source:
        with self._lock:
            if self._source is None:
                self._source = self.hub.resolve(self.snapshot, self.file)
                self.resolutions += 1
            return self._source

    def expired(self, stale: Source) -> None:
        """`stale` was refused by its CDN: forget it, unless another range already replaced it."""
        with self._lock:
            if self._source == stale:
                self._source = None


class _Expired(TransientError):
    def __init__(self, source: Source, status: int) -> None:
        super().__init__(f"the download URL answered HTTP {status} (expired); resolving the file again")
        self.source = source


class RangeReader:
    """`read(n)` returns the next 1..n bytes of [start, end) of the file (b"" once all were read), in order, once."""

    def __init__(self, source: FileSource, start: int, end: int, cancelled: Callable[[], bool]) -> None:
        hub, snapshot, file = source.hub, source.snapshot, source.file
        self._hub = hub
        self._source = source
        self._file = file
        self._snapshot = snapshot
        self._end = end
        self._cancelled = cancelled
        self._where = f"'{file.path}' from {snapshot.repo_id}@{snapshot.commit[:12]}"
        self._errors = HubErrors(hub.endpoint, snapshot.repo_id, hub.has_token)
        self.offset = start
        self._response: requests.Response | None = None
        self._skip = 0
        backoff = ProgressAwareBackoff(hub.policy, lambda: self.offset, f"download of '{file.path}'")
        self._retrying = Retrying(
            stop=backoff.stop,
            wait=lambda s: 0.0 if isinstance(s.outcome and s.outcome.exception(), _Expired) else backoff.wait(s),
            retry=retry_if_exception_type(TransientError),
            before_sleep=backoff.before_sleep,
            reraise=True,
        )

    def read(self, n: int) -> bytes:
        if self.offset >= self._end:
            self.close()
            return b""
        if self._cancelled():
            self.close()
            raise Cancelled()
        try:
            return self._retrying(self._read_once, n)
        except TransientError as exc:
            self.close()
            raise StageError(
                f"giving up on {self._where} after {self._hub.policy.attempts} attempts without progress: {exc} "
                "(re-run to resume)"
            ) from None
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._response is not None:
            self._response.close()
            self._response = None

    # -- one attempt ------------------------------------------------------------------------------------------
    def _read_once(self, n: int) -> bytes:
        if self._response is None:
            self._response = self._open()
        remaining = self._end - self.offset
        try:
            while self._skip:
                dropped = len(self._response.raw.read(min(self._skip, SKIP_READ_SIZE), decode_content=False))
                if not dropped:
                    break
                self._skip -= dropped
            # At the file's end, one byte more than it can still hold, so a server sending too much is caught here.
            at_file_end = self._end == self._file.size
            data = self._response.raw.read(remaining + 1 if at_file_end and n >= remaining else min(n, remaining),
                                           decode_content=False)  # fmt: skip
        except (Urllib3Error, OSError, requests.RequestException) as exc:
            self.close()
            raise TransientError(f"download interrupted at byte {self.offset}: {type(exc).__name__}") from None
        if not data:
            self.close()
            raise TransientError(f"connection closed at byte {self.offset} of {self._file.size}")
        if len(data) > remaining:
            raise IntegrityError(
                f"the Hub sent more than the declared {self._file.size} bytes for {self._where}; nothing was "
                "written for it"
            )
        self.offset += len(data)
        if self.offset == self._end and not at_file_end:
            self.close()  # a range request ends exactly here; the server sent what was asked
        return data

    def _open(self) -> requests.Response:
        file = self._file
        source = self._source.get()
        whole = self.offset == 0 and self._end == file.size
        try:
            resp = self._hub.get_range(source, self.offset, None if self._end == file.size else self._end)
        except requests.RequestException as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from None
        try:
            if source.cdn and resp.status_code in (401, 403):
                self._source.expired(source)
                raise _Expired(source, resp.status_code)
            if resp.status_code >= 400:
                raise self._errors.from_response(resp, f"'{file.path}'", self._snapshot.revision)
            if resp.is_redirect:
                raise StageError(f"the Hub redirected the download of {self._where} again ({resp.status_code})")
            check_commit(resp.headers, self._snapshot, file.path)
            self._skip = 0
            if resp.status_code == 206:
                content_range = resp.headers.get("Content-Range", "")
                if not content_range.startswith(f"bytes {self.offset}-"):
                    raise TransientError(f"unexpected Content-Range {content_range!r} for byte {self.offset}")
            elif not whole:
                self._skip = self.offset  # the server ignored Range: discard the bytes before the one wanted
        except BaseException:
            resp.close()
            raise
        return resp
