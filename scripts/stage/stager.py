"""The staging run: plan, skip what is done, transfer the rest in parallel, verify the prefix, write the manifest.

A run is idempotent and crash-safe by construction, not by bookkeeping: the only state is in GCS. Objects appear
only verified (see transfer.py), a re-run skips objects whose metadata proves them verified, and the manifest that
makes a prefix trustworthy is written last, once, after a final listing shows every selected file verified in place.
Killing a run at any point therefore leaves either no manifest (re-run completes it) or a complete one.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from scripts.stage.errors import StageError, UsageError
from scripts.stage.gcs import GcsTarget, StoredObject
from scripts.stage.hub import HubClient, RepoFile, RepoSnapshot
from scripts.stage.hub_download import Cancelled
from scripts.stage.manifest import MANIFEST_NAME, Manifest, ManifestFile, commit_prefix
from scripts.stage.progress import QuietReporter, Reporter
from scripts.stage.selection import select
from scripts.stage.transfer import FileOutcome, stage_file

if TYPE_CHECKING:
    from google.cloud.storage import Client

log = logging.getLogger("hfkit.stage")

# Loopback and in-region throughput on 2 cores peaks around 4 streams; 8 keeps a cloud VM's NIC busy while memory
# stays bounded (see gcs.CHUNK_SIZE).
DEFAULT_WORKERS = 8

Status = Literal["staged", "already-staged", "dry-run"]
FileAction = Literal["uploaded", "present", "adopted", "planned"]


@dataclass(frozen=True)
class StageRequest:
    repo_id: str
    revision: str
    bucket: str
    prefix: str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    workers: int = DEFAULT_WORKERS
    dry_run: bool = False


@dataclass(frozen=True)
class FileResult:
    path: str
    size: int
    hash: str
    action: FileAction


@dataclass(frozen=True)
class StageResult:
    status: Status
    repo: str
    revision: str
    commit: str
    destination: str
    manifest: str | None
    files: tuple[FileResult, ...]
    bytes_transferred: int = 0
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)


def plan(snapshot: RepoSnapshot, request: StageRequest) -> list[RepoFile]:
    """The selected files, largest first (the longest transfers start first, so the run ends sooner)."""
    by_path = {f.path: f for f in snapshot.files}
    chosen = select(list(by_path), request.include, request.exclude)
    if not chosen:
        patterns = " ".join(
            [f"--include '{p}'" for p in request.include] + [f"--exclude '{p}'" for p in request.exclude]
        )
        raise UsageError(
            f"{patterns or 'the default selection'} selected no files in {snapshot.repo_id}@{snapshot.commit[:12]} "
            f"({len(by_path)} files in the repo; patterns are globs on the path in the repo, e.g. "
            "--include '*.safetensors' or --include 'tokenizer/')"
        )
    if MANIFEST_NAME in chosen:
        raise UsageError(
            f"repository {snapshot.repo_id} has a top-level file named {MANIFEST_NAME}, which hfkit reserves for "
            f"its manifest; add --exclude '{MANIFEST_NAME}'"
        )
    return sorted((by_path[p] for p in chosen), key=lambda f: (-f.size, f.path))


def run(
    request: StageRequest,
    hub: HubClient,
    *,
    client: Client | None = None,
    reporter: Reporter | None = None,
) -> StageResult:
    """Stage `request`; raises StageError with the user-facing message on any permanent failure."""
    reporter = reporter or QuietReporter()
    started = time.monotonic()
    snapshot = hub.snapshot(request.repo_id, request.revision)
    files = plan(snapshot, request)
    hub.preflight(snapshot, min(files, key=lambda f: f.size))
    prefix = commit_prefix(request.prefix, snapshot.repo_id, snapshot.commit)
    destination = f"gs://{request.bucket}/{prefix}"

    def result(status: Status, outcomes: dict[str, FileAction], moved: int = 0, **extra: object) -> StageResult:
        return StageResult(
            status=status,
            repo=snapshot.repo_id,
            revision=request.revision,
            commit=snapshot.commit,
            destination=destination,
            files=tuple(FileResult(f.path, f.size, str(f.hash), outcomes[f.path]) for f in files),
            bytes_transferred=moved,
            seconds=round(time.monotonic() - started, 3),
            **extra,  # type: ignore[arg-type]
        )

    if request.dry_run:
        return result("dry-run", dict.fromkeys((f.path for f in files), "planned"), manifest=None)

    if client is None:
        from scripts.stage.gcs import make_client

        client = make_client()
    target = GcsTarget(client, request.bucket, prefix, hub.policy)
    target.check_bucket()

    existing_manifest = target.read_manifest()
    if existing_manifest is not None:
        _check_covers(existing_manifest, snapshot, files, target)
        return result("already-staged", dict.fromkeys((f.path for f in files), "present"), manifest=target.manifest_uri)

    existing = target.list_objects()
    outcomes = _transfer_all(hub, target, snapshot, files, existing, reporter, request.workers)
    manifest = _verified_manifest(target, snapshot, files, request.revision)
    notes: tuple[str, ...] = ()
    if not target.write_manifest(manifest):
        # Another stager finished first; accept its manifest only if it lists the same verified files.
        winner = target.read_manifest()
        if winner is None:
            raise StageError(f"{target.manifest_uri} was reported to exist but cannot be read; re-run")
        _check_covers(winner, snapshot, files, target)
        notes = ("manifest written concurrently by another run; its copy is kept",)
    actions: dict[str, FileAction] = {path: o.action for path, o in outcomes.items()}
    moved = sum(o.bytes_transferred for o in outcomes.values())
    return result("staged", actions, moved, manifest=target.manifest_uri, notes=notes)


def _transfer_all(
    hub: HubClient,
    target: GcsTarget,
    snapshot: RepoSnapshot,
    files: list[RepoFile],
    existing: dict[str, StoredObject],
    reporter: Reporter,
    workers: int,
) -> dict[str, FileOutcome]:
    """Run the transfers largest first; the first permanent failure stops the others and is raised."""
    failed = threading.Event()

    def one(file: RepoFile) -> FileOutcome:
        if failed.is_set():
            raise Cancelled()
        try:
            return stage_file(hub, target, snapshot, file, existing.get(file.path), reporter, failed.is_set, hub.policy)
        except BaseException:
            failed.set()
            raise
        finally:
            reporter.file_finished(file.path)

    reporter.start(len(files), sum(f.size for f in files))
    try:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(files))), thread_name_prefix="stage") as pool:
            futures = {file.path: pool.submit(one, file) for file in files}
    finally:
        reporter.stop()
    errors = [e for e in (f.exception() for f in futures.values()) if e is not None and not isinstance(e, Cancelled)]
    if errors:
        raise next((e for e in errors if isinstance(e, StageError)), errors[0])
    return {path: future.result() for path, future in futures.items()}


def _verified_manifest(target: GcsTarget, snapshot: RepoSnapshot, files: list[RepoFile], revision: str) -> Manifest:
    """List the prefix once more and build the manifest from what is really there, verified by metadata.

    Taking generations from this listing (not from our own uploads) keeps the manifest true even when a concurrent
    stager's object won a race on some file.
    """
    live = target.list_objects()
    entries = []
    for file in files:
        obj = live.get(file.path)
        if obj is None or not obj.matches(file, snapshot):
            raise StageError(
                f"{target.uri}{file.path} disappeared or changed before the manifest was written; "
                "check who else writes under that prefix and re-run"
            )
        entries.append(ManifestFile(file.path, file.size, file.hash, obj.generation, obj.crc32c))
    return Manifest(repo=snapshot.repo_id, revision=revision, commit=snapshot.commit, files=tuple(entries))


def _check_covers(manifest: Manifest, snapshot: RepoSnapshot, files: list[RepoFile], target: GcsTarget) -> None:
    """An existing manifest answers this run only if it lists every selected file with the same size and hash."""
    listed = manifest.by_path()
    missing = [f.path for f in files if f.path not in listed or listed[f.path].hash != f.hash]
    if manifest.commit != snapshot.commit or missing:
        raise UsageError(
            f"{target.manifest_uri} already exists for a different file selection (missing: "
            f"{', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''}); a staged commit is immutable: stage this "
            "selection under another --prefix"
        )
