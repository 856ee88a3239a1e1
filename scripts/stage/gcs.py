"""The GCS side: the commit prefix a revision is staged under, its objects, and the errors users can act on.

Objects are written with `blob.upload_from_file` from a `VerifiedStream`: a resumable upload for files above 8 MiB
(a single request below) whose object appears only when the last chunk is sent, and the stream releases that chunk
only after size and hash matched, so a mismatched file leaves no object (the unfinished session expires on its own).
Every write carries `if_generation_match`: 0 for a new object, or the generation of an unverified object being
replaced, so two stagers never overwrite each other's verified work on GCS.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scripts.stage.errors import AccessError, NotFoundError, StageError
from scripts.stage.manifest import MANIFEST_NAME, Manifest, ManifestError
from scripts.stage.retry import RetryPolicy

if TYPE_CHECKING:
    from google.cloud.storage import Blob, Client

    from scripts.stage.hub import RepoFile, RepoSnapshot
    from scripts.stage.verified_stream import VerifiedStream

# Resumable upload chunk: a multiple of 256 KiB. Each worker holds one chunk (plus one Hub read, see
# verified_stream.READ_SIZE), so memory stays near 100 MiB + workers x 18 MiB (about 240 MiB at the default 8) however
# large the model. 16 MiB halves the per-request overhead of 8 MiB chunks, which on a 2-core machine was 8% of the
# wall time (interleaved A/B in bench/stage.py).
CHUNK_SIZE = 16 * 1024 * 1024

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
            and self.metadata.get(META_PATH) == file.path
        )


def _stored(blob: Blob, prefix: str) -> StoredObject:
    return StoredObject(
        path=blob.name[len(prefix) :],
        size=int(blob.size or 0),
        generation=int(blob.generation or 0),
        crc32c=blob.crc32c or "",
        metadata=dict(blob.metadata or {}),
    )


def http_status(exc: BaseException) -> int | None:
    """The HTTP status behind an exception from google-cloud-storage's JSON calls or its media (upload) layer."""
    code = getattr(exc, "code", None)
    if isinstance(code, int):
        return code
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def make_client() -> Client:
    """A storage client; honours STORAGE_EMULATOR_HOST (anonymous credentials) as google-cloud-storage does."""
    from google.auth.exceptions import DefaultCredentialsError
    from google.cloud import storage

    try:
        return storage.Client()
    except DefaultCredentialsError:
        raise StageError(
            "no Google Cloud credentials found: run `gcloud auth application-default login`, use Workload "
            "Identity, or set STORAGE_EMULATOR_HOST=http://HOST:PORT for a local GCS emulator"
        ) from None


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
    def check_bucket(self) -> None:
        """Fail early on a missing bucket or missing permission, needing only storage.objects.list."""
        with self._translated("listing objects"):
            next(iter(self.bucket.list_blobs(prefix=self.prefix, max_results=1, retry=self._retry).pages), None)

    def list_objects(self) -> dict[str, StoredObject]:
        with self._translated("listing objects"):
            blobs = self.bucket.list_blobs(prefix=self.prefix, retry=self._retry)
            objects = [_stored(b, self.prefix) for b in blobs]
        return {o.path: o for o in objects if o.path != MANIFEST_NAME}

    def stat(self, path: str) -> StoredObject | None:
        with self._translated("reading object metadata"):
            blob = self.bucket.get_blob(self.prefix + path, retry=self._retry)
        return None if blob is None else _stored(blob, self.prefix)

    def read_manifest(self) -> Manifest | None:
        """The manifest under the prefix, or None (call check_bucket first: a missing bucket also answers 404)."""
        from google.api_core.exceptions import NotFound

        blob = self.bucket.blob(self.prefix + MANIFEST_NAME)
        with self._translated("reading the manifest"):
            try:
                data = blob.download_as_bytes(retry=self._retry)
            except NotFound:
                return None
        try:
            return Manifest.from_json(data)
        except ManifestError as exc:
            raise StageError(
                f"{self.manifest_uri} is not a valid hfkit manifest ({exc}); delete it and re-run"
            ) from None

    # -- writes -----------------------------------------------------------------------------------------------
    def upload(
        self, file: RepoFile, snapshot: RepoSnapshot, stream: VerifiedStream, if_generation_match: int
    ) -> StoredObject:
        """Upload `stream` as `file`'s object (resumable above 8 MiB, one request below); returns what GCS stored.

        The object exists only once the stream's last chunk was sent, which the stream releases only after the
        Hub's hash matched. The library's own checksum is off because the stream hands out memoryviews (its crc32c
        extension accepts only bytes); the caller compares GCS's crc32c with `stream.crc32c` instead.
        """
        blob = self.bucket.blob(self.prefix + file.path, chunk_size=CHUNK_SIZE)
        blob.metadata = {
            META_REPO: snapshot.repo_id,
            META_COMMIT: snapshot.commit,
            META_PATH: file.path,
            META_HASH: str(file.hash),
        }
        blob.upload_from_file(
            stream,  # type: ignore[arg-type]
            size=file.size,
            content_type="application/octet-stream",
            if_generation_match=if_generation_match,
            checksum=None,
            retry=self._retry,
        )
        return _stored(blob, self.prefix)

    def delete(self, path: str, generation: int) -> None:
        """Delete exactly `generation` (never a newer object someone else wrote); already gone is fine."""
        from google.api_core.exceptions import NotFound, PreconditionFailed

        with suppress(NotFound, PreconditionFailed):
            self.bucket.blob(self.prefix + path).delete(if_generation_match=generation, retry=self._retry)

    def write_manifest(self, manifest: Manifest) -> bool:
        """Create the manifest if absent (single-request upload, generation 0 precondition); False if it existed."""
        from google.api_core.exceptions import PreconditionFailed

        blob = self.bucket.blob(self.prefix + MANIFEST_NAME)
        blob.cache_control = "no-cache"
        try:
            with self._translated("writing the manifest"):
                blob.upload_from_string(
                    manifest.to_json(), content_type="application/json", if_generation_match=0, retry=self._retry
                )
        except PreconditionFailed:
            return False
        return True
