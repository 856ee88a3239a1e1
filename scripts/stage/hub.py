"""The Hugging Face Hub side: pin a revision to a commit, list its files, and say where their bytes are.

Everything is plain HTTP with `requests` (one session per thread, so connections stay alive): the revision and the
tree come from the two Hub API calls huggingface_hub itself makes (see `HubClient.snapshot` for why not through it),
and file bytes from `/{repo}/resolve/{commit}/{path}`, pinned to the commit. `hf_hub_download` is not used: it
writes to local disk, checks only byte counts and restarts a dropped chunk from zero. An LFS file is resolved once
(a HEAD that does not follow the redirect) and its ranges are then read from the CDN URL directly; the token is sent
only to the Hub's own origin, never to the CDN (hub_download.py reads the ranges).
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


@dataclass(frozen=True)
class Revision:
    """A revision pinned to its commit, before its files are listed; `paths` are the names the Hub lists with it."""

    repo_id: str
    revision: str
    commit: str
    paths: tuple[str, ...]


class Pinned(Protocol):
    """What a request pinned to a commit needs (a Revision or a RepoSnapshot)."""

    @property
    def repo_id(self) -> str: ...

    @property
    def revision(self) -> str: ...

    @property
    def commit(self) -> str: ...


class HasStatusAndHeaders(Protocol):
    """A failed HTTP response."""

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
        """`classify` for a failed response; a TransientError carries the Retry-After it sent."""
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
        return self.files(self.revision(repo_id, revision))

    def revision(self, repo_id: str, revision: str) -> Revision:
        """Pin `revision` to its commit; also the repo's canonical id and the names of its files.

        The two Hub API calls (this one and `files`) are made here with requests exactly as huggingface_hub 2.4.0
        makes them (hf_api.py `model_info`: `/api/models/{repo_id}/revision/{quote(revision, safe="")}`, whose
        answer lists the files as `siblings`; `_iter_repo_tree_pages`: `/api/models/{repo_id}/tree/{revision}
        ?recursive=True&expand=False`, next pages from the `Link: rel="next"` header; `RepoFile`: `oid` is the git
        blob id, `lfs.oid` the sha256). Importing huggingface_hub for them cost ~350 ms of CPU before the first byte
        moved (python -X importtime, min of 5, 2026-12-02), 7% of a 512 MiB transfer at 100 MiB/s.
        """
        errors = HubErrors(self.endpoint, repo_id, self.has_token)
        what = f"repository '{repo_id}'"
        url = f"{self.endpoint}/api/models/{repo_id}/revision/{quote(revision, safe='')}"
        info = self._api_call(lambda: self._get(url, errors, what, revision)).json()
        commit = info.get("sha") if isinstance(info, dict) else None
        if not commit:
            raise StageError(f"the Hub did not report a commit for revision '{revision}' of '{repo_id}'")
        names = tuple(str(s["rfilename"]) for s in info.get("siblings") or () if "rfilename" in s)
        return Revision(info.get("id") or repo_id, revision, commit, names)

    def files(self, pinned: Revision) -> RepoSnapshot:
        """Every file at the pinned commit, with size and declared hash (the recursive tree, all pages)."""
        errors = HubErrors(self.endpoint, pinned.repo_id, self.has_token)
        what = f"repository '{pinned.repo_id}'"
        url: str | None = (
            f"{self.endpoint}/api/models/{pinned.repo_id}/tree/{pinned.commit}?recursive=True&expand=False"
        )
        files = []
        while url:
            page = self._api_call(lambda u=url: self._get(u, errors, what, pinned.revision))
            url = page.links.get("next", {}).get("url")
            for entry in page.json():
                if entry.get("type") != "file":
                    continue
                lfs = entry.get("lfs")
                declared = ContentHash("sha256", lfs["oid"]) if lfs else ContentHash("git-sha1", entry["oid"])
                files.append(RepoFile(path=entry["path"], size=int(entry["size"]), hash=declared))
        return RepoSnapshot(pinned.repo_id, pinned.revision, pinned.commit, tuple(files))

    def _get(self, url: str, errors: HubErrors, what: str, revision: str) -> requests.Response:
        try:
            resp = self._session().get(url, headers=self._headers(), timeout=_TIMEOUT)
        except requests.RequestException as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from None
        if resp.status_code >= 400:
            raise errors.from_response(resp, what, revision)
        return resp

    def _api_call(self, call: Callable[[], T]) -> T:
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
                    return call()
        except TransientError as exc:
            raise StageError(
                f"cannot reach the Hub at {self.endpoint}: {exc} (check HF_ENDPOINT and the network, then re-run)"
            ) from None
        raise AssertionError("unreachable")

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

    def resolve_url(self, pinned: Pinned, path: str) -> str:
        return f"{self.endpoint}/{pinned.repo_id}/resolve/{pinned.commit}/{quote(path)}"

    def _head(self, pinned: Pinned, path: str) -> Source:
        """One HEAD of the resolve URL, not following redirects: the CDN URL of an LFS file, or the URL itself."""
        errors = HubErrors(self.endpoint, pinned.repo_id, self.has_token)
        url = self.resolve_url(pinned, path)
        try:
            resp = self._session().head(url, headers=self._headers(), allow_redirects=False, timeout=_TIMEOUT)
        except requests.RequestException as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from None
        if resp.status_code >= 400:
            raise errors.from_response(resp, f"'{path}'", pinned.revision)
        check_commit(resp.headers, pinned, path)
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
            return Source(self.resolve_url(snapshot, file.path), cdn=False)
        return self.preflight(snapshot, file.path)

    def preflight(self, pinned: Pinned, path: str) -> Source:
        """HEAD one file before any upload starts, so gated/denied repos fail before anything is written.

        The Hub answers metadata (model_info, tree) for gated repos without a token; only file reads are refused.
        Returns where the file's bytes are, so the transfer does not ask again.
        """
        return self._api_call(lambda: self._head(pinned, path))

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


def check_commit(headers: Mapping[str, str], pinned: Pinned, path: str) -> None:
    """The Hub names the commit it resolved in X-Repo-Commit; anything but the pinned one would mix versions."""
    served = headers.get("X-Repo-Commit")
    if served and served != pinned.commit:
        raise IntegrityError(
            f"the Hub served '{path}' from commit {served} instead of the pinned {pinned.commit}; re-run"
        )
