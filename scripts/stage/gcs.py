"""The GCS side: the commit prefix a revision is staged under, its objects, the manifest, and the errors users can
act on. The requests themselves are made by gcs_api.py.

Every object the stager writes carries this file's size and hash in its metadata (`hfkit-*`), set before it becomes
visible; `StoredObject.matches` is how any run recognises a verified copy.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from scripts.stage.errors import AccessError, NotFoundError, StageError
from scripts.stage.manifest import MANIFEST_NAME, Manifest, ManifestError

if TYPE_CHECKING:
    from google.auth.credentials import Credentials
    from google.cloud.storage import Client

    from scripts.stage.gcs_api import GcsApi
    from scripts.stage.hub import RepoFile, RepoSnapshot

DEFAULT_ENDPOINT = "https://storage.googleapis.com"
EMULATOR_ENV = "STORAGE_EMULATOR_HOST"
# Objects read, created and deleted; nothing else (https://cloud.google.com/storage/docs/oauth-scopes).
READ_WRITE_SCOPE = "https://www.googleapis.com/auth/devstorage.read_write"
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
    """The HTTP status behind a failed GCS request: a `GcsHttpError` code, or the response a requests error carries."""
    code = getattr(exc, "code", None)
    if isinstance(code, int):
        return code
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


@dataclass(frozen=True)
class GcsConnection:
    """Where GCS is and who asks: the API endpoint and the credentials (None for an emulator, which takes anonymous
    requests)."""

    endpoint: str
    credentials: Credentials | None


def connect(endpoint: str | None = None) -> GcsConnection:
    """Application Default Credentials against GCS, or anonymous requests to `endpoint` / STORAGE_EMULATOR_HOST
    (`http://HOST:PORT`, scheme included), as google-cloud-storage itself treats that variable."""
    endpoint = endpoint or os.environ.get(EMULATOR_ENV)
    if endpoint:
        return GcsConnection(endpoint, None)
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        credentials, _ = google.auth.default(scopes=[READ_WRITE_SCOPE])
    except DefaultCredentialsError:
        raise StageError(
            "no Google Cloud credentials found: run `gcloud auth application-default login`, use Workload "
            "Identity, or set STORAGE_EMULATOR_HOST=http://HOST:PORT for a local GCS emulator"
        ) from None
    return GcsConnection(DEFAULT_ENDPOINT, credentials)


def make_client() -> Client:
    """A google-cloud-storage client for readers (`hfkit fit`); honours STORAGE_EMULATOR_HOST like `connect`."""
    from google.cloud import storage

    gcs = connect()
    if gcs.credentials is None:
        from google.auth.credentials import AnonymousCredentials

        return storage.Client(
            project="<none>", credentials=AnonymousCredentials(), client_options={"api_endpoint": gcs.endpoint}
        )
    return storage.Client(credentials=gcs.credentials)


class GcsTarget:
    """One commit prefix in one bucket: `gs://bucket/PREFIX/ORG/MODEL/COMMIT/`."""

    def __init__(self, api: GcsApi, prefix: str) -> None:
        self.api = api
        self.bucket_name = api.bucket
        self.prefix = prefix

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
        from scripts.stage.gcs_api import GcsHttpError, transient

        try:
            yield
        except StageError:
            raise
        except Exception as exc:
            error = self.translate(exc, action)
            if error is not None:
                raise error from None
            if transient(exc):
                answer = f"HTTP {exc.code}" if isinstance(exc, GcsHttpError) else type(exc).__name__
                raise StageError(
                    f"GCS did not answer when {action} on bucket '{self.bucket_name}' ({answer} after retries); "
                    "check the network (or STORAGE_EMULATOR_HOST) and re-run"
                ) from None
            raise

    # -- reads ------------------------------------------------------------------------------------------------
    def list_prefix(self) -> dict[str, StoredObject]:
        """Every object under the prefix, the manifest included (one listing also checks bucket and access)."""
        with self._translated("listing objects"):
            resources = self.api.list(self.prefix)
        return {o.path: o for o in (stored_from_resource(r, self.prefix) for r in resources)}

    def list_objects(self) -> dict[str, StoredObject]:
        return {path: o for path, o in self.list_prefix().items() if path != MANIFEST_NAME}

    def stat(self, path: str) -> StoredObject | None:
        with self._translated("reading object metadata"):
            resource = self.api.get(self.prefix + path)
        return None if resource is None else stored_from_resource(resource, self.prefix)

    def read_manifest(self) -> tuple[Manifest, int] | None:
        """The manifest under the prefix and its generation, or None (a missing bucket also answers 404: list
        the prefix first)."""
        with self._translated("reading the manifest"):
            found = self.api.download(self.prefix + MANIFEST_NAME)
        if found is None:
            return None
        data, generation = found
        try:
            return Manifest.from_json(data), generation
        except ManifestError as exc:
            raise StageError(
                f"{self.manifest_uri} is not a valid hfkit manifest ({exc}); delete it and re-run"
            ) from None

    # -- writes -----------------------------------------------------------------------------------------------
    def delete(self, path: str, generation: int) -> None:
        """Delete exactly `generation` (never a newer object someone else wrote); already gone is fine."""
        with self._translated("deleting an object"):
            self.api.delete(self.prefix + path, generation)

    def write_manifest(self, manifest: Manifest, if_generation_match: int = 0) -> bool:
        """Write the manifest if its generation is still `if_generation_match` (0: create it only if absent);
        False when that precondition failed (someone else wrote it first)."""
        from scripts.stage.gcs_api import BytesBody, GcsHttpError

        try:
            with self._translated("writing the manifest"):
                self.api.put_object(
                    self.prefix + MANIFEST_NAME,
                    {},
                    BytesBody(manifest.to_json()),
                    if_generation_match,
                    content_type="application/json",
                    cache_control="no-cache",
                )
        except GcsHttpError as exc:
            if exc.code == 412:
                return False
            raise
        return True
