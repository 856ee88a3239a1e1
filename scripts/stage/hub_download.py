"""Read one file's bytes from the Hub as a pull stream that survives dropped connections.

The GCS upload pulls bytes (`read(n)`) as it fills each chunk, so the download is a reader rather than a loop that
pushes: no thread and no queue sit between the two sides. A dropped or stalled connection is reopened with an HTTP
Range request from the byte reached, so a resume never re-reads what was already handed out; a server that ignores
Range has the bytes already delivered skipped. Failures are retried only while they come without progress (see
`ProgressAwareBackoff`); Hub answers that need the user (gated, missing) stop at once.

Bytes are read from urllib3 without content decoding (`Accept-Encoding: identity` is asked for): each `read`
returns the socket's bytes with no re-buffering, which is what keeps the stager's CPU per byte low.
"""

from __future__ import annotations

from collections.abc import Callable

import requests
from tenacity import Retrying, retry_if_exception_type
from urllib3.exceptions import HTTPError as Urllib3Error

from scripts.stage.errors import IntegrityError, StageError
from scripts.stage.hub import HubClient, HubErrors, RepoFile, RepoSnapshot
from scripts.stage.retry import ProgressAwareBackoff, TransientError

SKIP_READ_SIZE = 1024 * 1024  # bytes discarded per read when a server ignored Range


class Cancelled(Exception):
    """Another file failed permanently; this transfer stops so the run can end quickly."""


class HubFileReader:
    """`read(n)` returns the next 1..n bytes of the file (b"" only after its declared size), in order, exactly once."""

    def __init__(self, hub: HubClient, snapshot: RepoSnapshot, file: RepoFile, cancelled: Callable[[], bool]) -> None:
        self._hub = hub
        self._snapshot = snapshot
        self._file = file
        self._cancelled = cancelled
        self._where = f"'{file.path}' from {snapshot.repo_id}@{snapshot.commit[:12]}"
        self._errors = HubErrors(hub.endpoint, snapshot.repo_id, hub.has_token)
        self.offset = 0
        self._response: requests.Response | None = None
        self._skip = 0
        backoff = ProgressAwareBackoff(hub.policy, lambda: self.offset, f"download of '{file.path}'")
        self._retrying = Retrying(
            stop=backoff.stop,
            wait=backoff.wait,
            retry=retry_if_exception_type(TransientError),
            before_sleep=backoff.before_sleep,
            reraise=True,
        )

    def read(self, n: int) -> bytes:
        if self.offset >= self._file.size:
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

    def __enter__(self) -> HubFileReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one attempt ------------------------------------------------------------------------------------------
    def _read_once(self, n: int) -> bytes:
        if self._response is None:
            self._response = self._open()
        remaining = self._file.size - self.offset
        try:
            while self._skip:
                dropped = len(self._response.raw.read(min(self._skip, SKIP_READ_SIZE), decode_content=False))
                if not dropped:
                    break
                self._skip -= dropped
            # At the end, one byte more than the file can still hold, so a server sending too much is caught here.
            data = self._response.raw.read(n if n < remaining else remaining + 1, decode_content=False)
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
        if self.offset == self._file.size:
            self.close()
        return data

    def _open(self) -> requests.Response:
        snapshot, file = self._snapshot, self._file
        try:
            resp = self._hub.get_file(snapshot, file, self.offset)
        except requests.RequestException as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from None
        try:
            if resp.status_code >= 400:
                raise self._errors.from_response(resp, f"'{file.path}'", snapshot.revision)
            first_hop = resp.history[0] if resp.history else resp
            served_commit = first_hop.headers.get("X-Repo-Commit")
            if served_commit and served_commit != snapshot.commit:
                raise IntegrityError(
                    f"the Hub served '{file.path}' from commit {served_commit} instead of the pinned "
                    f"{snapshot.commit}; re-run"
                )
            self._skip = 0
            if self.offset:
                if resp.status_code == 206:
                    content_range = resp.headers.get("Content-Range", "")
                    if not content_range.startswith(f"bytes {self.offset}-"):
                        raise TransientError(f"unexpected Content-Range {content_range!r} for byte {self.offset}")
                else:
                    self._skip = self.offset  # the server ignored Range: discard what was already handed out
        except BaseException:
            resp.close()
            raise
        return resp
