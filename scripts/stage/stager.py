"""The staging run: plan, skip what is done, transfer the rest in parallel, verify the prefix, write the manifest.

A run is idempotent and crash-safe by construction, not by bookkeeping: the only state is in GCS. Objects appear
only verified (see pipeline.py), a re-run skips objects whose metadata proves them verified, and the manifest that
makes a prefix trustworthy is written last, once, after a final listing shows every selected file verified in place.
Killing a run at any point therefore leaves either no manifest (re-run completes it) or a complete one.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from scripts.stage.errors import StageError, UsageError
from scripts.stage.gcs import META_HASH, GcsConnection, GcsTarget, StoredObject
from scripts.stage.gcs_api import GcsApi
from scripts.stage.hub import HubClient, RepoFile, RepoSnapshot
from scripts.stage.manifest import MANIFEST_NAME, Manifest, ManifestFile, commit_prefix
from scripts.stage.pipeline import (
    DEFAULT_MAX_STREAMS,
    DEFAULT_STREAMS_PER_FILE,
    FILE_ATTEMPTS,
    PART_SIZE,
    FileOutcome,
    Pipeline,
)
from scripts.stage.progress import QuietReporter, Reporter
from scripts.stage.selection import select

if TYPE_CHECKING:
    from scripts.stage.hub import Revision, Source

WEIGHT_SUFFIXES = (".safetensors", ".gguf", ".bin", ".pth", ".pt")

log = logging.getLogger("hfkit.stage")

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
    max_streams: int = DEFAULT_MAX_STREAMS
    streams_per_file: int = DEFAULT_STREAMS_PER_FILE
    part_size: int = PART_SIZE
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
    gcs: GcsConnection | None = None,
    reporter: Reporter | None = None,
) -> StageResult:
    """Stage `request`; raises StageError with the user-facing message on any permanent failure.

    Round trips made in series cost time before the first byte moves, so the independent ones overlap: credentials
    are found while the Hub pins the revision; then the file listing, the access preflight (one file named with the
    revision) and the listing of the GCS prefix run together. Their failures are reported in that order.
    """
    reporter = reporter or QuietReporter()
    started = time.monotonic()
    with ThreadPoolExecutor(3, thread_name_prefix="meta") as meta:
        connecting = None if request.dry_run or gcs is not None else meta.submit(_connect)
        pinned = hub.revision(request.repo_id, request.revision)
        tree = meta.submit(hub.files, pinned)
        probe = _probe(pinned, request)
        preflight = meta.submit(hub.preflight, pinned, probe) if probe else None
        prefix = commit_prefix(request.prefix, pinned.repo_id, pinned.commit)
        destination = f"gs://{request.bucket}/{prefix}"
        listing = None
        if not request.dry_run:

            def list_prefix(gcs: GcsConnection | None = gcs) -> tuple[GcsTarget, dict[str, StoredObject]]:
                gcs = gcs or connecting.result()  # type: ignore[union-attr]
                target = GcsTarget(GcsApi(gcs.endpoint, request.bucket, gcs.credentials, hub.policy), prefix)
                return target, target.list_prefix()

            listing = meta.submit(list_prefix)
        snapshot = tree.result()
        files = plan(snapshot, request)
        if preflight is None or probe not in {f.path for f in files}:
            probe = files[0].path
            preflight = meta.submit(hub.preflight, snapshot, probe)
        sources: dict[str, Source] = {probe: preflight.result()}
        if listing is None:
            return _result(request, snapshot, files, destination, started, "dry-run", None, dict.fromkeys(
                (f.path for f in files), "planned"))  # fmt: skip
        target, existing = listing.result()

    if MANIFEST_NAME in existing:
        found = target.read_manifest()
        if found is not None:
            manifest, generation = found
            _check_covers(manifest, snapshot, files, target)
            _repair_generations(target, manifest, generation, existing)
            planned = dict.fromkeys((f.path for f in files), "present")
            return _result(request, snapshot, files, destination, started, "already-staged", target.manifest_uri,
                           planned)  # fmt: skip

    outcomes = _transfer_all(hub, target, snapshot, files, existing, reporter, request, sources)
    live = _check_crc32c(hub, target, snapshot, outcomes, reporter, request)
    manifest = _verified_manifest(target, snapshot, files, request.revision, live)
    notes: tuple[str, ...] = ()
    if not target.write_manifest(manifest):
        # Another stager finished first; accept its manifest only if it lists the same verified files.
        found = target.read_manifest()
        if found is None:
            raise StageError(f"{target.manifest_uri} was reported to exist but cannot be read; re-run")
        winner, generation = found
        _check_covers(winner, snapshot, files, target)
        _repair_generations(target, winner, generation, target.list_prefix())
        notes = ("manifest written concurrently by another run; its copy is kept",)
    actions: dict[str, FileAction] = {path: o.action for path, o in outcomes.items()}
    moved = sum(o.bytes_transferred for o in outcomes.values())
    return _result(request, snapshot, files, destination, started, "staged", target.manifest_uri, actions, moved,
                   notes)  # fmt: skip


def _probe(pinned: Revision, request: StageRequest) -> str | None:
    """The file the preflight asks for, chosen before sizes are known: a selected weights file if there is one
    (most likely the largest, whose download URL the transfer then needs first), else any selected file."""
    chosen = select(list(pinned.paths), request.include, request.exclude)
    return next((p for p in chosen if p.endswith(WEIGHT_SUFFIXES)), chosen[0] if chosen else None)


def _connect() -> GcsConnection:
    from scripts.stage.gcs import connect

    return connect()


def _result(
    request: StageRequest,
    snapshot: RepoSnapshot,
    files: list[RepoFile],
    destination: str,
    started: float,
    status: Status,
    manifest: str | None,
    actions: dict[str, FileAction],
    moved: int = 0,
    notes: tuple[str, ...] = (),
) -> StageResult:
    return StageResult(
        status=status,
        repo=snapshot.repo_id,
        revision=request.revision,
        commit=snapshot.commit,
        destination=destination,
        manifest=manifest,
        files=tuple(FileResult(f.path, f.size, str(f.hash), actions[f.path]) for f in files),
        bytes_transferred=moved,
        seconds=round(time.monotonic() - started, 3),
        notes=notes,
    )


def _transfer_all(
    hub: HubClient,
    target: GcsTarget,
    snapshot: RepoSnapshot,
    files: list[RepoFile],
    existing: dict[str, StoredObject],
    reporter: Reporter,
    request: StageRequest,
    sources: dict[str, Source],
) -> dict[str, FileOutcome]:
    """Keep the verified objects already there; move the rest through the pipeline (largest first)."""
    outcomes: dict[str, FileOutcome] = {}
    todo: list[tuple[RepoFile, int]] = []
    for file in files:
        obj = existing.get(file.path)
        if obj is not None and obj.matches(file, snapshot):
            outcomes[file.path] = FileOutcome(file, "present", obj.generation, obj.crc32c, 0)
        else:
            # An object without matching metadata under an unmanifested prefix is an unverified leftover: replace
            # exactly it.
            todo.append((file, obj.generation if obj is not None else 0))
    reporter.start(len(files), sum(f.size for f in files))
    for path, outcome in outcomes.items():
        reporter.file_skipped(path, outcome.file.size)
    try:
        pipeline = Pipeline(
            hub,
            target,
            snapshot,
            reporter,
            max_streams=request.max_streams,
            streams_per_file=request.streams_per_file,
            part_size=request.part_size,
            sources=sources,
        )
        outcomes.update(pipeline.run(todo))
    finally:
        reporter.stop()
    return outcomes


def _check_crc32c(
    hub: HubClient,
    target: GcsTarget,
    snapshot: RepoSnapshot,
    outcomes: dict[str, FileOutcome],
    reporter: Reporter,
    request: StageRequest,
) -> dict[str, StoredObject]:
    """List the prefix once more; compare the crc32c GCS reports for each completed multipart object with that of
    the bytes sent. A mismatch (the bytes GCS stored are not those sent) deletes exactly that generation and sends
    the file again. Returns the final listing."""
    for attempt in range(1, FILE_ATTEMPTS + 1):
        live = target.list_objects()
        redo = []
        for path, outcome in outcomes.items():
            obj = live.get(path)
            if outcome.stored or obj is None or obj.crc32c == outcome.crc32c:
                continue
            reason = (
                f"GCS stored '{path}' with crc32c {obj.crc32c}, the bytes sent have {outcome.crc32c}; "
                "the object was deleted"
            )
            if attempt == FILE_ATTEMPTS:
                raise StageError(
                    f"giving up on uploading '{path}' to {target.uri} after {FILE_ATTEMPTS} attempts: {reason} "
                    "(re-run to resume)"
                )
            log.warning("upload of '%s': %s; restarting the file", path, reason)
            target.delete(path, obj.generation)
            redo.append(outcome.file)
        if not redo:
            return live
        outcomes.update(_transfer_all(hub, target, snapshot, redo, {}, reporter, request, {}))
    raise AssertionError("unreachable")


def _verified_manifest(
    target: GcsTarget, snapshot: RepoSnapshot, files: list[RepoFile], revision: str, live: dict[str, StoredObject]
) -> Manifest:
    """Build the manifest from what the final listing shows is really there, verified by metadata.

    Taking generations from this listing (not from our own uploads) keeps the manifest true even when a concurrent
    stager's object won a race on some file.
    """
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


def _repair_generations(target: GcsTarget, manifest: Manifest, generation: int, live: dict[str, StoredObject]) -> None:
    """Point a manifest at the live generations of its (verified, unchanged) files if another run replaced them.

    XML multipart completion takes no precondition, so a concurrent stager can complete a file after this
    manifest was written, replacing the listed generation with an identical verified one. The manifest is then
    rewritten, guarded by its own generation, to name the live objects; nothing else in it changes.
    """
    entries = []
    for entry in manifest.files:
        obj = live.get(entry.path)
        if obj is None or obj.generation == entry.generation:
            entries.append(entry)
            continue
        if obj.size != entry.size or obj.metadata.get(META_HASH) != str(entry.hash) or obj.crc32c != entry.crc32c:
            raise StageError(
                f"{target.uri}{entry.path} no longer matches {target.manifest_uri} (generation {entry.generation} "
                f"was replaced by {obj.generation} with other content); check who else writes under that prefix"
            )
        entries.append(ManifestFile(entry.path, entry.size, entry.hash, obj.generation, obj.crc32c))
    repaired = Manifest(manifest.repo, manifest.revision, manifest.commit, tuple(entries))
    if repaired != manifest and target.write_manifest(repaired, if_generation_match=generation):
        log.info("%s named replaced generations; it now names the live objects", target.manifest_uri)


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
