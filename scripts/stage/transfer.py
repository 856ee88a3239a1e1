"""Stage one file: Hub bytes -> verifying stream -> GCS upload, finalised only when the bytes are proven right.

Memory stays bounded (one upload chunk per file) and nothing touches local disk. The order of checks is the point
of this module:
1. an object already present with this file's size and hash metadata is kept, not re-downloaded;
2. bytes are hashed as they stream; the last chunk is handed to the upload only after size and hash matched
   (`VerifiedStream`), so a mismatch abandons the upload and no object ever appears;
3. the upload finalises with a generation precondition; GCS's crc32c of the stored object is then compared with the
   crc32c of the bytes sent (a mismatch is deleted by generation and the file restarted);
4. losing a race (HTTP 412: another stager finalised first) is fine when the winner's object carries the same size
   and hash metadata: every writer finalises only verified bytes, so its object is as good as ours.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from scripts.stage.errors import StageError
from scripts.stage.gcs import CHUNK_SIZE, GcsTarget, StoredObject, http_status
from scripts.stage.hub import HubClient, RepoFile, RepoSnapshot
from scripts.stage.hub_download import Cancelled
from scripts.stage.progress import Reporter
from scripts.stage.retry import TRANSIENT_STATUS, RetryPolicy
from scripts.stage.verified_stream import VerifiedStream

log = logging.getLogger("hfkit.stage")

# Whole-file restarts after a GCS failure the client library could not recover from (its own retries come first).
FILE_ATTEMPTS = 3

Action = Literal["uploaded", "present", "adopted"]


@dataclass(frozen=True)
class FileOutcome:
    """`present`: verified object already there; `adopted`: a concurrent stager's verified object won the race."""

    file: RepoFile
    action: Action
    generation: int
    crc32c: str
    bytes_transferred: int


class GcsTransient(Exception):
    """A GCS failure after which restarting the file with a new upload session may succeed."""


class _LostRace(Exception):
    """The generation precondition failed: someone else created (or replaced) the object first."""


def _gcs_failure(exc: BaseException, target: GcsTarget, path: str) -> Exception:
    from google.api_core import exceptions as api_exceptions
    from google.auth.exceptions import TransportError

    error = target.translate(exc, f"uploading '{path}'")
    if error is not None:
        return error
    status = http_status(exc)
    if status == 412:
        return _LostRace()
    if status in TRANSIENT_STATUS or isinstance(
        exc,
        (
            requests.RequestException | TransportError | ConnectionError | TimeoutError,
            api_exceptions.ServerError | api_exceptions.TooManyRequests,
        ),
    ):
        return GcsTransient(f"{type(exc).__name__}: {exc}")
    return StageError(f"GCS failed while uploading '{path}' to {target.uri}: {type(exc).__name__}: {exc}")


def stage_file(
    hub: HubClient,
    target: GcsTarget,
    snapshot: RepoSnapshot,
    file: RepoFile,
    existing: StoredObject | None,
    reporter: Reporter,
    cancelled: Callable[[], bool],
    policy: RetryPolicy,
) -> FileOutcome:
    """Make `target` hold a verified copy of `file`, uploading only when no verified copy exists yet."""
    if existing is not None and existing.matches(file, snapshot):
        reporter.file_skipped(file.path, file.size)
        return FileOutcome(file, "present", existing.generation, existing.crc32c, 0)
    # An object without matching metadata under an unmanifested prefix is an unverified leftover: replace exactly it.
    replace_generation = existing.generation if existing is not None else 0
    try:
        for attempt in Retrying(
            stop=stop_after_attempt(FILE_ATTEMPTS),
            wait=lambda s: policy.wait_for(s.attempt_number),
            retry=retry_if_exception_type(GcsTransient),
            before_sleep=lambda s: log.warning(
                "upload of '%s': %s; restarting the file", file.path, s.outcome.exception() if s.outcome else ""
            ),
            reraise=True,
        ):
            with attempt:
                return _upload_once(hub, target, snapshot, file, replace_generation, reporter, cancelled)
    except GcsTransient as exc:
        raise StageError(
            f"giving up on uploading '{file.path}' to {target.uri} after {FILE_ATTEMPTS} attempts: {exc} "
            "(re-run to resume)"
        ) from None
    raise AssertionError("unreachable")


def _adopt(target: GcsTarget, snapshot: RepoSnapshot, file: RepoFile) -> FileOutcome:
    winner = target.stat(file.path)
    if winner is None or not winner.matches(file, snapshot):
        raise StageError(
            f"another writer replaced {target.uri}{file.path} with an object whose size or hash metadata does not "
            f"match {file.hash}; check who else writes under {target.uri}, delete the object and re-run"
        )
    log.info("'%s' was staged concurrently by another run; its verified object is kept", file.path)
    return FileOutcome(file, "adopted", winner.generation, winner.crc32c, 0)


def _upload_once(
    hub: HubClient,
    target: GcsTarget,
    snapshot: RepoSnapshot,
    file: RepoFile,
    if_generation_match: int,
    reporter: Reporter,
    cancelled: Callable[[], bool],
) -> FileOutcome:
    reporter.file_started(file.path, file.size)
    with hub.open_file(snapshot, file, cancelled) as source:
        stream = VerifiedStream(source, file, snapshot, CHUNK_SIZE, reporter)
        try:
            stored = target.upload(file, snapshot, stream, if_generation_match)
        except (StageError, Cancelled):
            raise  # from the Hub side or the stream's verification: nothing was finalised
        except Exception as exc:
            failure = _gcs_failure(exc, target, file.path)
            if isinstance(failure, _LostRace):
                return _adopt(target, snapshot, file)
            raise failure from exc
    if stored.crc32c != stream.crc32c:
        target.delete(file.path, stored.generation)
        raise GcsTransient(
            f"GCS stored '{file.path}' with crc32c {stored.crc32c}, the bytes sent have {stream.crc32c}; "
            "the object was deleted"
        )
    if not stored.matches(file, snapshot):
        raise StageError(
            f"after uploading '{file.path}', {target.uri}{file.path} carries other metadata; "
            "check who else writes under that prefix and re-run"
        )
    return FileOutcome(file, "uploaded", stored.generation, stored.crc32c, stream.received)
