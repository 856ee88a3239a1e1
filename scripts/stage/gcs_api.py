"""The GCS requests the stager makes: object listing, metadata, deletes, the manifest, streamed uploads.

Why not google-cloud-storage: its upload calls pull their body from a file object (`upload_from_file` reads a
one-request body whole before sending it) or a local file (`transfer_manager.upload_chunks_concurrently`, the
library's XML multipart upload, needs a filename and takes no preconditions), while the stager streams every body as
the Hub's bytes arrive and holds back what must wait for verification. And importing the library cost ~380 ms of CPU
before the first byte moved (python -X importtime, min of 5, 2026-12-02), for the four read calls left once uploads
are done here: 7% of a 512 MiB transfer at 100 MiB/s. So the stager sends its requests itself, with google-auth's
`AuthorizedSession` (the credentials and token refresh the library uses), one connection pool per thread so
connections stay alive between parts, and the run's retry policy on transient answers (408, 429, 5xx, resets), as
the library retries: every request here is idempotent (reads, deletes and uploads carry generation preconditions,
a part sent again replaces itself). `hfkit fit` and the manifest reader keep google-cloud-storage.

JSON API calls (https://cloud.google.com/storage/docs/json_api/v1/objects, read 2026-12-02): `objects.list`
(`prefix`, paged by `nextPageToken`), `objects.get` (metadata, or the bytes with `alt=media`, whose generation comes
in `X-Goog-Generation`), `objects.delete` (`ifGenerationMatch`).

Two kinds of write, both documented by GCS (read 2026-12-02):
- One-request ("multipart/related") upload, JSON API, for files of at most one part:
  https://cloud.google.com/storage/docs/uploading-objects#uploading-an-object (`uploadType=multipart`), with
  `ifGenerationMatch` so two stagers never overwrite each other; the response is the object resource.
- XML API multipart upload for larger files, https://cloud.google.com/storage/docs/multipart-uploads: initiate
  (`POST /BUCKET/OBJECT?uploads`, metadata as `x-goog-meta-*` headers), parts (`PUT ...?partNumber=N&uploadId=ID`,
  1 <= N <= 10,000, answered with an ETag), complete (`POST ...?uploadId=ID` listing parts and ETags in ascending
  order) or abort (`DELETE ...?uploadId=ID`). Parts are never objects: nothing is listed or readable until complete,
  and abort deletes them. Completing "overwrites any existing object" and preconditions are not supported on these
  requests (multipart-uploads page, Considerations), so the caller checks the object right before completing (see
  pipeline.py). Parts are billed as storage until completed or aborted, so every failure path aborts.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import quote

import requests
from tenacity import Retrying, retry_if_exception, stop_after_attempt

from scripts.stage.retry import TRANSIENT_STATUS, RetryPolicy

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

log = logging.getLogger("hfkit.stage")
T = TypeVar("T")

# (connect, read) seconds. The read timeout also bounds a body send that makes no progress.
TIMEOUT = (10.0, 120.0)
CONTENT_TYPE = "application/octet-stream"
_S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"  # GCS answers XML multipart calls in the S3 namespace


class Body(Protocol):
    """A request body requests can stream with a Content-Length: re-iterable (a retry sends it again)."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[bytes | memoryview]: ...


class GcsHttpError(Exception):
    """GCS answered a write with an error status. `code` is the HTTP status (as google-api-core names it), `reason`
    GCS's error code (`NoSuchUpload`, `conditionNotMet`, ...)."""

    def __init__(self, code: int, reason: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {code} {reason}: {message}".rstrip(": "))
        self.code = code
        self.reason = reason
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        return self.code in TRANSIENT_STATUS


@dataclass(frozen=True)
class BytesBody:
    """A body already in memory."""

    data: bytes

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self) -> Iterator[bytes]:
        yield self.data


@dataclass(frozen=True)
class _Framed:
    """A one-request upload body: the JSON metadata part, the object's bytes, the closing boundary."""

    head: bytes
    media: Body
    tail: bytes

    def __len__(self) -> int:
        return len(self.head) + len(self.media) + len(self.tail)

    def __iter__(self) -> Iterator[bytes | memoryview]:
        yield self.head
        yield from self.media
        yield self.tail


def _error(response: requests.Response) -> GcsHttpError:
    """GCS's error from a JSON ({"error": {...}}) or XML (<Error><Code>) body."""
    from scripts.stage.retry import parse_retry_after

    reason, message = "", response.reason or ""
    text = response.content[:4096]
    try:
        doc = json.loads(text)
        error = doc.get("error", {})
        message = error.get("message", message)
        reason = next((e.get("reason", "") for e in error.get("errors", [])), "")
    except (ValueError, AttributeError):
        try:
            root = ET.fromstring(text)
            reason = root.findtext("Code") or ""
            message = root.findtext("Message") or message
        except ET.ParseError:
            pass
    return GcsHttpError(response.status_code, reason, message, parse_retry_after(response.headers.get("Retry-After")))


def transient(exc: BaseException) -> bool:
    """A failure the same request may not meet again."""
    if isinstance(exc, GcsHttpError):
        return exc.transient
    return isinstance(exc, requests.ConnectionError | requests.Timeout)


class GcsApi:
    """Requests on one bucket. Thread-safe: each thread gets its own session (connection pool)."""

    def __init__(
        self, endpoint: str, bucket: str, credentials: Credentials | None, policy: RetryPolicy | None = None
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.bucket = bucket
        self.policy = policy or RetryPolicy()
        self._credentials = credentials
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            if self._credentials is None:
                session = requests.Session()
            else:
                from google.auth.transport.requests import AuthorizedSession

                session = AuthorizedSession(self._credentials)
            self._local.session = session
        return session

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """One request, sent again on transient failures with the run's backoff (a body is re-iterated)."""
        return self.retrying(lambda: self._once(method, url, **kwargs), f"{method} {url.split('?')[0]}")

    def _once(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        response = self._session().request(method, url, timeout=TIMEOUT, **kwargs)
        if response.status_code >= 300:
            raise _error(response)
        return response

    def retrying(self, call: Callable[[], T], what: str) -> T:
        policy = self.policy
        for attempt in Retrying(
            stop=stop_after_attempt(policy.attempts),
            wait=lambda s: policy.wait_for(s.attempt_number, getattr(s.outcome.exception(), "retry_after", None)),
            retry=retry_if_exception(transient),
            before_sleep=lambda s: log.warning(
                "GCS %s: %s; retrying", what, s.outcome.exception() if s.outcome else ""
            ),
            reraise=True,
        ):
            with attempt:
                return call()
        raise AssertionError("unreachable")

    def _xml_url(self, name: str) -> str:
        return f"{self.endpoint}/{quote(self.bucket, safe='')}/{quote(name, safe='/')}"

    def _object_url(self, name: str) -> str:
        return f"{self.endpoint}/storage/v1/b/{quote(self.bucket, safe='')}/o/{quote(name, safe='')}"

    # -- reads and deletes ------------------------------------------------------------------------------------
    def list(self, prefix: str) -> list[dict[str, Any]]:
        """Every object resource under `prefix` (all pages)."""
        items: list[dict[str, Any]] = []
        token = ""
        while True:
            params = {"prefix": prefix, **({"pageToken": token} if token else {})}
            url = f"{self.endpoint}/storage/v1/b/{quote(self.bucket, safe='')}/o"
            doc = self._request("GET", url, params=params).json()
            items += doc.get("items", [])
            token = doc.get("nextPageToken", "")
            if not token:
                return items

    def get(self, name: str) -> dict[str, Any] | None:
        """The object resource of `name`, or None when there is no such object."""
        try:
            return self._request("GET", self._object_url(name)).json()  # type: ignore[no-any-return]
        except GcsHttpError as exc:
            if exc.code == 404:
                return None
            raise

    def download(self, name: str) -> tuple[bytes, int] | None:
        """The bytes of `name` and their generation, or None when there is no such object."""
        try:
            response = self._request("GET", self._object_url(name), params={"alt": "media"})
        except GcsHttpError as exc:
            if exc.code == 404:
                return None
            raise
        generation = response.headers.get("X-Goog-Generation")
        if generation is None:  # not every emulator sends it: ask for the metadata of what was read
            resource = self.get(name)
            generation = resource.get("generation", 0) if resource else 0
        return response.content, int(generation)

    def delete(self, name: str, if_generation_match: int) -> bool:
        """Delete exactly that generation; False when it was already gone or replaced."""
        try:
            self._request("DELETE", self._object_url(name), params={"ifGenerationMatch": if_generation_match})
        except GcsHttpError as exc:
            if exc.code in (404, 412):
                return False
            raise
        return True

    # -- one request --------------------------------------------------------------------------------------------
    def put_object(
        self,
        name: str,
        metadata: Mapping[str, str],
        media: Body,
        if_generation_match: int,
        content_type: str = CONTENT_TYPE,
        cache_control: str | None = None,
    ) -> dict[str, Any]:
        """Create `name` from `media` in one request, only if its generation is `if_generation_match` (0: absent).

        The object exists only once GCS received the whole body; a body that raises part-way leaves none.
        Returns the object resource GCS answered with (generation, crc32c, metadata ...).
        """
        boundary = uuid.uuid4().hex
        resource: dict[str, Any] = {"name": name, "contentType": content_type, "metadata": dict(metadata)}
        if cache_control:
            resource["cacheControl"] = cache_control
        head = (
            f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{json.dumps(resource)}\r\n"
            f"--{boundary}\r\nContent-Type: {content_type}\r\n\r\n"
        ).encode()
        body = _Framed(head, media, f"\r\n--{boundary}--\r\n".encode())
        url = (
            f"{self.endpoint}/upload/storage/v1/b/{quote(self.bucket, safe='')}/o"
            f"?uploadType=multipart&ifGenerationMatch={if_generation_match}"
        )
        headers = {"Content-Type": f"multipart/related; boundary={boundary}"}
        return self._request("POST", url, data=body, headers=headers).json()  # type: ignore[no-any-return]

    # -- XML API multipart upload -------------------------------------------------------------------------------
    def start_multipart(self, name: str, metadata: Mapping[str, str]) -> str:
        """Initiate a multipart upload of `name` carrying `metadata`; returns its upload id."""
        headers = {"Content-Type": CONTENT_TYPE, **{f"x-goog-meta-{k}": v for k, v in metadata.items()}}
        response = self._request("POST", self._xml_url(name) + "?uploads", headers=headers, data=b"")
        upload_id = ET.fromstring(response.content).findtext(f"{_S3_NS}UploadId") or ""
        if not upload_id:
            raise GcsHttpError(response.status_code, "NoUploadId", "GCS did not return an upload id")
        return upload_id

    def put_part(self, name: str, upload_id: str, number: int, body: Body) -> str:
        """Upload part `number` (1-based) of `upload_id`; returns its ETag (needed to complete)."""
        url = f"{self._xml_url(name)}?partNumber={number}&uploadId={quote(upload_id, safe='')}"
        response = self._request("PUT", url, data=body, headers={"Content-Type": CONTENT_TYPE})
        etag = response.headers.get("ETag", "")
        if not etag:
            raise GcsHttpError(response.status_code, "NoETag", f"GCS answered part {number} without an ETag")
        return etag

    def complete(self, name: str, upload_id: str, etags: Iterable[str]) -> None:
        """Assemble the parts (numbered 1..n in the order given) into the object: it becomes visible now."""
        parts = "".join(
            f"<Part><PartNumber>{n}</PartNumber><ETag>{etag}</ETag></Part>" for n, etag in enumerate(etags, 1)
        )
        body = f"<CompleteMultipartUpload>{parts}</CompleteMultipartUpload>".encode()
        url = f"{self._xml_url(name)}?uploadId={quote(upload_id, safe='')}"
        self._request("POST", url, data=body, headers={"Content-Type": "application/xml"})

    def abort(self, name: str, upload_id: str) -> None:
        """Abort `upload_id`: its parts are deleted and no object is created. Already gone is fine."""
        url = f"{self._xml_url(name)}?uploadId={quote(upload_id, safe='')}"
        try:
            self._request("DELETE", url)
        except GcsHttpError as exc:
            if exc.code != 404:
                raise
