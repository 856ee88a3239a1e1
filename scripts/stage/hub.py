"""The Hugging Face Hub side: pin a revision to a commit, list its files, and stream file bytes with resume.

Metadata goes through huggingface_hub's `HfApi` (model_info pins the revision to a commit; list_repo_tree pages
through the recursive listing). File bytes do NOT: `hf_hub_download` writes to local disk, checks only byte counts and
restarts a dropped chunk from zero, so files are read here with `requests` from the `resolve` URL pinned to the
commit, resuming a dropped stream with an HTTP Range request from the byte reached. requests drops `Authorization`
when the Hub redirects an LFS file to its CDN on another origin, so the token never leaves the Hub.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar
from urllib.parse import quote, urljoin, urlsplit

import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from scripts.stage.errors import AccessError, IntegrityError, NotFoundError, StageError
from scripts.stage.hashing import ContentHash
from scripts.stage.retry import TRANSIENT_STATUS, RetryPolicy, TransientError, parse_retry_after

log = logging.getLogger("hfkit.stage")
T = TypeVar("T")

DEFAULT_ENDPOINT = "https://huggingface.co"
_TIMEOUT = (10.0, 60.0)  # connect, read (seconds between bytes)
_INVALID_CREDENTIALS = "Invalid credentials in Authorization header"


@dataclass(frozen=True)
class RepoFile:
    """A file at a commit, with the hash the Hub declares for it."""

    path: str
    size: int
    hash: ContentHash

    @property
    def lfs(self) -> bool:
        return self.hash.algorithm == "sha256"


@dataclass(frozen=True)
class RepoSnapshot:
    """A repository pinned to one commit; every later request uses `commit`, never the branch name."""

    repo_id: str
    revision: str
    commit: str
    files: tuple[RepoFile, ...]


class HasStatusAndHeaders(Protocol):
    """A failed HTTP response from requests (file reads) or httpx (huggingface_hub's API calls)."""

    status_code: int
    headers: Mapping[str, str]


class HubErrors:
    """The one-line messages for Hub failures (tests assert them verbatim)."""

    def __init__(self, endpoint: str, repo_id: str, has_token: bool) -> None:
        self.endpoint = endpoint
        self.repo_id = repo_id
        self.has_token = has_token

    def repo_not_found(self) -> StageError:
        return NotFoundError(
            f"repository '{self.repo_id}' not found on {self.endpoint} (check the repo id; a private repository "
            "also needs HF_TOKEN or --token-secret with read access)"
        )

    def revision_not_found(self, revision: str) -> StageError:
        return NotFoundError(
            f"revision '{revision}' not found in repository '{self.repo_id}' "
            "(use an existing branch, tag or 40-hex commit)"
        )

    def gated(self, status: int) -> StageError:
        page = f"{self.endpoint}/{self.repo_id}"
        if not self.has_token:
            return AccessError(
                f"repository '{self.repo_id}' is gated and no Hugging Face token was given: accept the licence at "
                f"{page}, then set HF_TOKEN or pass --token-secret"
            )
        return AccessError(
            f"the Hugging Face token has not been granted access to gated repository '{self.repo_id}' "
            f"(HTTP {status}): accept the licence at {page} with the token's account, wait for approval, then re-run"
        )

    def invalid_token(self) -> StageError:
        return AccessError(
            f"the Hugging Face token was rejected as invalid (HTTP 401) by {self.endpoint}: create a new one at "
            f"{self.endpoint}/settings/tokens and update HF_TOKEN or the secret"
        )

    def classify(
        self, status: int, error_code: str | None, error_message: str | None, what: str, revision: str
    ) -> Exception:
        """Map a failed Hub response to a permanent StageError or a TransientError."""
        if status in TRANSIENT_STATUS:
            return TransientError(f"the Hub answered HTTP {status} for {what}")
        if error_code == "GatedRepo":
            return self.gated(status)
        if error_code == "RevisionNotFound":
            return self.revision_not_found(revision)
        if error_code == "EntryNotFound":
            return NotFoundError(f"file {what} not found in repository '{self.repo_id}'")
        if status == 401 and self.has_token and error_code != "RepoNotFound":
            return self.invalid_token()
        if error_code == "RepoNotFound" or status in (401, 404):
            if status == 401 and error_message == _INVALID_CREDENTIALS:
                return self.invalid_token()
            return self.repo_not_found()
        detail = f": {error_message}" if error_message else ""
        return StageError(f"the Hub answered HTTP {status} for {what}{detail}")

    def from_response(self, response: HasStatusAndHeaders, what: str, revision: str) -> Exception:
        """`classify` for a failed response (requests or httpx); a TransientError carries the Retry-After it sent."""
        headers = response.headers
        error = self.classify(
            response.status_code, headers.get("X-Error-Code"), headers.get("X-Error-Message"), what, revision
        )
        if isinstance(error, TransientError):
            error.retry_after = parse_retry_after(headers.get("Retry-After"))
        return error


class HubClient:
    """Reads one repository. Thread-safe: each worker thread gets its own requests.Session (connection pool)."""

    def __init__(self, endpoint: str, token: str | None, policy: RetryPolicy) -> None:
        self.endpoint = endpoint.rstrip("/")
        self._token = token
        self.policy = policy
        self._local = threading.local()

    @property
    def has_token(self) -> bool:
        return bool(self._token)

    # -- metadata ---------------------------------------------------------------------------------------------
    def snapshot(self, repo_id: str, revision: str) -> RepoSnapshot:
        """Pin `revision` to its commit and list every file at that commit (paged, recursive)."""
        from huggingface_hub import HfApi
        from huggingface_hub.hf_api import RepoFile as HfRepoFile

        api = HfApi(endpoint=self.endpoint, token=self._token or False)
        errors = HubErrors(self.endpoint, repo_id, self.has_token)
        info = self._api_call(lambda: api.model_info(repo_id, revision=revision), errors, revision)
        commit = info.sha
        if not commit:
            raise StageError(f"the Hub did not report a commit for revision '{revision}' of '{repo_id}'")
        canonical = info.id or repo_id
        entries = self._api_call(
            lambda: list(api.list_repo_tree(canonical, recursive=True, revision=commit)), errors, revision
        )
        files = []
        for entry in entries:
            if not isinstance(entry, HfRepoFile):
                continue
            if entry.lfs is not None:
                declared = ContentHash("sha256", entry.lfs.sha256)
            else:
                declared = ContentHash("git-sha1", entry.blob_id)
            files.append(RepoFile(path=entry.path, size=int(entry.size), hash=declared))
        return RepoSnapshot(repo_id=canonical, revision=revision, commit=commit, files=tuple(files))

    def _api_call(self, call: Callable[[], T], errors: HubErrors, revision: str) -> T:
        def attempt() -> T:
            try:
                return call()
            except Exception as exc:
                raise self._translate_api_error(exc, errors, revision) from exc

        try:
            for attempt_state in Retrying(
                stop=stop_after_attempt(self.policy.attempts),
                wait=lambda s: self.policy.wait_for(
                    s.attempt_number, getattr(s.outcome and s.outcome.exception(), "retry_after", None)
                ),
                retry=retry_if_exception_type(TransientError),
                before_sleep=lambda s: log.warning(
                    "Hub request: %s; retrying in %.1fs (attempt %d of %d)",
                    s.outcome.exception() if s.outcome else "",
                    s.upcoming_sleep,
                    s.attempt_number + 1,
                    self.policy.attempts,
                ),
                reraise=True,
            ):
                with attempt_state:
                    return attempt()
        except TransientError as exc:
            raise StageError(
                f"cannot reach the Hub at {self.endpoint}: {exc} (check HF_ENDPOINT and the network, then re-run)"
            ) from None
        raise AssertionError("unreachable")

    def _translate_api_error(self, exc: Exception, errors: HubErrors, revision: str) -> Exception:
        import httpx2
        from huggingface_hub.errors import HfHubHTTPError

        if isinstance(exc, httpx2.TransportError):
            return TransientError(f"{type(exc).__name__}: {exc}")
        if isinstance(exc, HfHubHTTPError) and exc.response is not None:
            return errors.from_response(exc.response, f"repository '{errors.repo_id}'", revision)
        return exc

    # -- file bytes -------------------------------------------------------------------------------------------
    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
        return session

    def _headers(self, source: Source | None = None) -> dict[str, str]:
        # identity: Range offsets must count the bytes we hash, not a compressed encoding of them.
        headers = {"Accept-Encoding": "identity", "User-Agent": "hfkit-stage"}
        if self._token and (source is None or not source.cdn):
            headers["Authorization"] = f"Bearer {self._token}"  # never to the CDN's origin
        return headers

    def resolve_url(self, snapshot: RepoSnapshot, file: RepoFile) -> str:
        return f"{self.endpoint}/{snapshot.repo_id}/resolve/{snapshot.commit}/{quote(file.path)}"

    def _head(self, snapshot: RepoSnapshot, file: RepoFile) -> Source:
        """One HEAD of the resolve URL, not following redirects: the CDN URL of an LFS file, or the URL itself."""
        errors = HubErrors(self.endpoint, snapshot.repo_id, self.has_token)
        url = self.resolve_url(snapshot, file)
        try:
            resp = self._session().head(url, headers=self._headers(), allow_redirects=False, timeout=_TIMEOUT)
        except requests.RequestException as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from None
        if resp.status_code >= 400:
            raise errors.from_response(resp, f"'{file.path}'", snapshot.revision)
        check_commit(resp.headers, snapshot, file)
        location = resp.headers.get("Location") if resp.is_redirect else None
        if not location:
            return Source(url, cdn=False)
        target = urljoin(url, location)
        return Source(target, cdn=urlsplit(target)[:2] != urlsplit(url)[:2])

    def resolve(self, snapshot: RepoSnapshot, file: RepoFile) -> Source:
        """Where `file`'s bytes are read from: for LFS files the CDN URL the Hub redirects to (asked once, then every
        range goes straight there), for regular files the resolve URL itself (the Hub serves them).

        The HEAD doubles as the access check: a gated or denied repo fails here, before anything is written.
        """
        if not file.lfs:
            return Source(self.resolve_url(snapshot, file), cdn=False)
        return self.preflight(snapshot, file)

    def preflight(self, snapshot: RepoSnapshot, file: RepoFile) -> Source:
        """HEAD one file before any upload starts, so gated/denied repos fail before anything is written.

        The Hub answers metadata (model_info, tree) for gated repos without a token; only file reads are refused.
        Returns where the file's bytes are, so the transfer does not ask again.
        """
        errors = HubErrors(self.endpoint, snapshot.repo_id, self.has_token)
        return self._api_call(lambda: self._head(snapshot, file), errors, snapshot.revision)

    def get_range(self, source: Source, start: int, end: int | None) -> requests.Response:
        """Start a streamed GET of bytes [start, end) of `source` (no Range header for a whole file from 0)."""
        headers = self._headers(source)
        if start or end is not None:
            headers["Range"] = f"bytes={start}-" + (str(end - 1) if end is not None else "")
        return self._session().get(source.url, headers=headers, stream=True, timeout=_TIMEOUT, allow_redirects=False)


@dataclass(frozen=True)
class Source:
    """Where a file's bytes are read: `cdn` URLs are on another origin, get no token and may expire."""

    url: str
    cdn: bool


def check_commit(headers: Mapping[str, str], snapshot: RepoSnapshot, file: RepoFile) -> None:
    """The Hub names the commit it resolved in X-Repo-Commit; anything but the pinned one would mix versions."""
    served = headers.get("X-Repo-Commit")
    if served and served != snapshot.commit:
        raise IntegrityError(
            f"the Hub served '{file.path}' from commit {served} instead of the pinned {snapshot.commit}; re-run"
        )
