"""The GCS side: the commit prefix a revision is staged under, its objects, the manifest, and the errors users can
act on. Reads, deletes and the manifest go through google-cloud-storage; object bytes are written by gcs_write.py.

Every object the stager writes carries this file's size and hash in its metadata (`hfkit-*`), set before it becomes
visible; `StoredObject.matches` is how any run recognises a verified copy.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from scripts.stage.errors import AccessError, NotFoundError, StageError
from scripts.stage.manifest import MANIFEST_NAME, Manifest, ManifestError
from scripts.stage.retry import RetryPolicy

if TYPE_CHECKING:
    from google.auth.credentials import Credentials
    from google.cloud.storage import Blob, Client

    from scripts.stage.hub import RepoFile, RepoSnapshot

DEFAULT_ENDPOINT = "https://storage.googleapis.com"
EMULATOR_ENV = "STORAGE_EMULATOR_HOST"
META_REPO = "hfkit-repo"
META_COMMIT = "hfkit-commit"
META_PATH = "hfkit-path"
META_HASH = "hfkit-hash"


@dataclass(frozen=True)
class StoredObject:
    """What GCS reports about an object under the commit prefix (`path` is relative to the prefix)."""

    path: str
    size: int
    generation: int
    crc32c: str
    metadata: dict[str, str]

    def matches(self, file: RepoFile, snapshot: RepoSnapshot) -> bool:
        """True when this object is the verified copy of `file` (what every writer records before finalising)."""
        return (
            self.size == file.size
            and self.metadata.get(META_HASH) == str(file.hash)
            and self.metadata.get(META_COMMIT) == snapshot.commit
            and self.metadata.get(META_PATH) in (file.path, _header_safe(file.path))
        )


def _header_safe(value: str) -> str:
    """`value` itself when it is printable ASCII, else percent-encoded UTF-8: XML API metadata travels in HTTP headers,
    which carry ASCII only (RFC 9110 section 5.5), and a repo path may hold any Unicode."""
    if value.isascii() and value.isprintable():
        return value
    return quote(value, safe="/ !#$&'()*+,:;=?@[]~")


def object_metadata(snapshot: RepoSnapshot, file: RepoFile) -> dict[str, str]:
    """The custom metadata every staged object carries (the same on every upload path)."""
    return {
        META_REPO: snapshot.repo_id,
        META_COMMIT: snapshot.commit,
        META_PATH: _header_safe(file.path),
        META_HASH: str(file.hash),
    }


def crc32c_text(value: int) -> str:
    """A crc32c as GCS reports it: base64 of the big-endian 32-bit value."""
    return base64.b64encode(value.to_bytes(4, "big")).decode()


def _stored(blob: Blob, prefix: str) -> StoredObject:
    return StoredObject(
        path=blob.name[len(prefix) :],
        size=int(blob.size or 0),
        generation=int(blob.generation or 0),
        crc32c=blob.crc32c or "",
        metadata=dict(blob.metadata or {}),
    )


def stored_from_resource(resource: dict[str, Any], prefix: str) -> StoredObject:
    """A StoredObject from the JSON object resource an upload answers with."""
    return StoredObject(
        path=str(resource["name"])[len(prefix) :],
        size=int(resource.get("size") or 0),
        generation=int(resource.get("generation") or 0),
        crc32c=str(resource.get("crc32c") or ""),
        metadata=dict(resource.get("metadata") or {}),
    )


def http_status(exc: BaseException) -> int | None:
    """The HTTP status behind an exception from google-cloud-storage's JSON calls or its media (upload) layer."""
    code = getattr(exc, "code", None)
    if isinstance(code, int):
        return code
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


@dataclass(frozen=True)
class GcsConnection:
    """A storage client for reads and metadata, and what the stager's own writes need: the same credentials (None
    for an emulator, which takes anonymous requests) and the endpoint both APIs are served from."""

    client: Client
    credentials: Credentials | None
    endpoint: str


def connect(endpoint: str | None = None) -> GcsConnection:
    """Application Default Credentials against GCS, or anonymous ones against `endpoint` / STORAGE_EMULATOR_HOST
    (`http://HOST:PORT`, scheme included), as google-cloud-storage itself treats that variable."""
    from google.auth.exceptions import DefaultCredentialsError
    from google.cloud import storage

    endpoint = endpoint or os.environ.get(EMULATOR_ENV)
    if endpoint:
        from google.auth.credentials import AnonymousCredentials

        client = storage.Client(
            project="<none>", credentials=AnonymousCredentials(), client_options={"api_endpoint": endpoint}
        )
        return GcsConnection(client, None, endpoint)
    try:
        import google.auth

        credentials, project = google.auth.default(scopes=storage.Client.SCOPE)
    except DefaultCredentialsError:
        raise StageError(
            "no Google Cloud credentials found: run `gcloud auth application-default login`, use Workload "
            "Identity, or set STORAGE_EMULATOR_HOST=http://HOST:PORT for a local GCS emulator"
        ) from None
    return GcsConnection(storage.Client(project=project, credentials=credentials), credentials, DEFAULT_ENDPOINT)


def make_client() -> Client:
    """A storage client for readers (`hfkit fit`): see `connect`."""
    return connect().client


class GcsTarget:
    """One commit prefix in one bucket: `gs://bucket/PREFIX/ORG/MODEL/COMMIT/`."""

    def __init__(self, client: Client, bucket_name: str, prefix: str, policy: RetryPolicy) -> None:
        self.bucket_name = bucket_name
        self.prefix = prefix
        self.bucket = client.bucket(bucket_name)
        self._retry: Any = policy.gcs_retry()

    @property
    def uri(self) -> str:
        return f"gs://{self.bucket_name}/{self.prefix}"

    @property
    def manifest_uri(self) -> str:
        return self.uri + MANIFEST_NAME

    # -- errors -----------------------------------------------------------------------------------------------
    def translate(self, exc: BaseException, action: str) -> StageError | None:
        """A StageError for failures the user must fix (missing bucket, IAM), None for anything else."""
        status = http_status(exc)
        if status == 404:
            return NotFoundError(
                f"bucket '{self.bucket_name}' does not exist (create it, e.g. with the hfkit storage stack, "
                "or fix --bucket)"
            )
        if status == 403:
            return AccessError(
                f"permission denied on bucket '{self.bucket_name}' (HTTP 403 when {action}): grant the identity "
                "running hfkit roles/storage.objectUser on the bucket"
            )
        if status == 401:
            return AccessError(
                f"Google Cloud rejected the credentials (HTTP 401) when {action} on bucket '{self.bucket_name}': "
                "refresh them with `gcloud auth application-default login` or check Workload Identity"
            )
        return None

    @contextmanager
    def _translated(self, action: str) -> Iterator[None]:
        try:
            yield
        except StageError:
            raise
        except Exception as exc:
            error = self.translate(exc, action)
            if error is None:
                raise
            raise error from None

    # -- reads ------------------------------------------------------------------------------------------------
    def list_prefix(self) -> dict[str, StoredObject]:
        """Every object under the prefix, the manifest included (one listing also checks bucket and access)."""
        with self._translated("listing objects"):
            blobs = self.bucket.list_blobs(prefix=self.prefix, retry=self._retry)
            return {o.path: o for o in (_stored(b, self.prefix) for b in blobs)}

    def list_objects(self) -> dict[str, StoredObject]:
        return {path: o for path, o in self.list_prefix().items() if path != MANIFEST_NAME}

    def stat(self, path: str) -> StoredObject | None:
        with self._translated("reading object metadata"):
            blob = self.bucket.get_blob(self.prefix + path, retry=self._retry)
        return None if blob is None else _stored(blob, self.prefix)

    def read_manifest(self) -> tuple[Manifest, int] | None:
        """The manifest under the prefix and its generation, or None (a missing bucket also answers 404: list
        the prefix first)."""
        from google.api_core.exceptions import NotFound

        blob = self.bucket.blob(self.prefix + MANIFEST_NAME)
        with self._translated("reading the manifest"):
            try:
                data = blob.download_as_bytes(retry=self._retry)
            except NotFound:
                return None
        try:
            return Manifest.from_json(data), int(blob.generation or 0)
        except ManifestError as exc:
            raise StageError(
                f"{self.manifest_uri} is not a valid hfkit manifest ({exc}); delete it and re-run"
            ) from None

    # -- writes -----------------------------------------------------------------------------------------------
    def delete(self, path: str, generation: int) -> None:
        """Delete exactly `generation` (never a newer object someone else wrote); already gone is fine."""
        from google.api_core.exceptions import NotFound, PreconditionFailed

        with suppress(NotFound, PreconditionFailed):
            self.bucket.blob(self.prefix + path).delete(if_generation_match=generation, retry=self._retry)

    def write_manifest(self, manifest: Manifest, if_generation_match: int = 0) -> bool:
        """Write the manifest if its generation is still `if_generation_match` (0: create it only if absent);
        False when that precondition failed (someone else wrote it first)."""
        from google.api_core.exceptions import PreconditionFailed

        blob = self.bucket.blob(self.prefix + MANIFEST_NAME)
        blob.cache_control = "no-cache"
        try:
            with self._translated("writing the manifest"):
                blob.upload_from_string(
                    manifest.to_json(),
                    content_type="application/json",
                    if_generation_match=if_generation_match,
                    retry=self._retry,
                )
        except PreconditionFailed:
            return False
        return True
