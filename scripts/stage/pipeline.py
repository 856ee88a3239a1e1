"""Moving the selected files at the link's limit: parts of every file over many streams, verified before visible.

Every file is cut into parts (`PART_SIZE`, larger only when a file would need more than GCS's 10,000 parts). A
*stream* moves one part: a ranged GET from the Hub whose bytes are sent on to GCS by a PUT while they arrive, so the
download and the upload of a part overlap and nothing waits for a whole part. A file of one part goes to GCS as one
request; a larger file as an XML API multipart upload whose parts travel on separate connections.

Verified before visible, across parts: the Hub's sha256 (git blob sha1 for regular files) is of the whole file, in
order, while parts arrive out of order. Each part keeps its bytes in a buffer until they are hashed in file order
(the head part is hashed as it fills; later parts wait in the reorder window) and, for a multipart upload, until GCS
acknowledged them. Only when every byte is hashed and the digest equals the Hub's is the object made visible: the
multipart upload is completed (aborted on a mismatch, so no part is ever an object), or the last bytes of a
one-request upload are sent (withheld on a mismatch, so the request never completes).

Memory: a part holds one buffer from a pool, from its first byte until GCS acknowledged it and the hash passed it;
at most 1.25 buffers per stream are held, so peak memory is about `1.25 x max_streams x part size` plus the
interpreter, whatever the number or size of files. The buffers are reused, never reallocated, so the allocator cannot
fragment them into a growing heap.

Scheduling: files largest first, parts of a file in order (the head part is always in flight, so the reorder window
always drains), at most `streams_per_file` parts of one file at once, and `StreamGovernor` deciding how many streams
run in total.
"""

from __future__ import annotations

import logging
import mmap
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

import google_crc32c
import requests

from scripts.stage.crc32c import combine
from scripts.stage.errors import IntegrityError, StageError
from scripts.stage.gcs import (
    GcsTarget,
    StoredObject,
    crc32c_text,
    http_status,
    object_metadata,
    stored_from_resource,
)
from scripts.stage.gcs_api import GcsApi, GcsHttpError
from scripts.stage.hub import HubClient, RepoFile, RepoSnapshot, Source
from scripts.stage.hub_download import Cancelled, FileSource, RangeReader
from scripts.stage.progress import Reporter
from scripts.stage.retry import RetryPolicy
from scripts.stage.streams import StreamGovernor

log = logging.getLogger("hfkit.stage")

MiB = 1024 * 1024
# Part size: each stream's buffer. 8 MiB parts keep 16 streams within 128 MiB of buffers; on a link with 25 MiB/s per
# connection and 20 ms per request a part's two requests cost ~6% of its time, which the other streams hide. GCS XML
# multipart parts must be at least 5 MiB except the last, at most 10,000 per upload (put-object-multipart and
# multipart-uploads pages, https://cloud.google.com/storage/docs/multipart-uploads, read 2026-12-02).
PART_SIZE = 8 * MiB
MIN_PART_SIZE = 5 * MiB
MAX_PARTS = 10_000
# Bytes asked of the Hub per read, adapted per part to what ~READ_TIME of its stream brings: a read's bytes go on to
# GCS only once the read completed, so on a slow stream large reads make the upload trail the download (at the end of
# a file, by a whole read: 1 MiB at 25 MiB/s is 40 ms, and 256 KiB reads reached 91.0% of the shaped limit where 1 MiB
# reads reached 89.4%), while on a fast one small reads cost CPU per byte (2 MiB reads staged 8% faster than 1 MiB
# ones on loopback, where the CPU is the limit). A/B runs of bench/stage_shaped.py and bench/stage.py, 2026-12-02.
READ_TIME = 0.02
MIN_READ = 256 * 1024
MAX_READ = 2 * MiB
DEFAULT_MAX_STREAMS = 16
# Files whose download URL is resolved ahead of their turn (one HEAD each, as when their turn comes).
PREFETCH = 4
DEFAULT_STREAMS_PER_FILE = 16
# Whole-file restarts after a failure a new upload may cure (a crc32c mismatch, an upload id GCS no longer knows).
FILE_ATTEMPTS = 3

Action = Literal["uploaded", "present", "adopted"]


@dataclass(frozen=True)
class FileOutcome:
    """`present`: verified object already there; `adopted`: a concurrent stager's verified object won the race.

    `stored` is False for a completed multipart upload: `crc32c` is then that of the bytes sent and `generation` 0,
    and the run compares them with what its final listing reports (see stager.py), which saves a round trip.
    """

    file: RepoFile
    action: Action
    generation: int
    crc32c: str
    bytes_transferred: int
    stored: bool = True


class Restart(Exception):
    """This attempt at a file failed in a way a fresh upload may cure."""


def part_size_for(size: int, part_size: int) -> int:
    """`part_size`, or the smallest whole MiB that keeps the file within GCS's 10,000 parts."""
    if size <= part_size * MAX_PARTS:
        return part_size
    return -(-size // (MAX_PARTS * MiB)) * MiB


class BufferPool:
    """Part buffers of `size` bytes, created on first use and reused, never freed during a run: the scheduler holds
    at most 1.25 per stream, so peak memory is fixed by the stream cap. Anonymous mmaps, so a small file's part makes
    only the pages it fills resident, and no allocator heap can fragment and grow under varied part sizes."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._free: list[mmap.mmap] = []
        self._lock = threading.Lock()

    def take(self) -> mmap.mmap:
        with self._lock:
            return self._free.pop() if self._free else mmap.mmap(-1, max(self.size, 1))

    def give(self, buffer: mmap.mmap) -> None:
        with self._lock:
            self._free.append(buffer)


@dataclass(eq=False)
class Part:
    """Bytes [start, start + length) of a file: part `number` (1-based) of its upload."""

    job: FileJob
    number: int
    start: int
    length: int
    buffer: mmap.mmap | None = None
    filled: int = 0
    hashed: int = 0
    crc: int = 0  # crc32c of the bytes filled so far (in order within the part)
    uploaded: bool = False
    hash_done: bool = False
    downloaded: bool = False  # its last byte arrived (or it failed): its stream is free for the next part
    released: bool = False
    running: bool = False
    etag: str = ""
    reader: RangeReader | None = None
    read_size: int = MIN_READ

    def view(self) -> memoryview:
        assert self.buffer is not None
        return memoryview(self.buffer)[: self.length]

    def fill(self) -> None:
        """Read the next piece of this part from the Hub into its buffer, then let the file's hash catch up."""
        assert self.reader is not None and self.buffer is not None
        started = time.monotonic()
        data = self.reader.read(min(self.read_size, self.length - self.filled))
        took = time.monotonic() - started
        if took > 0 and len(data) == self.read_size:
            self.read_size = min(MAX_READ, max(MIN_READ, int(len(data) / took * READ_TIME) & ~0xFFFF))
        if not data:
            raise StageError(f"the Hub ended '{self.job.file.path}' early at byte {self.start + self.filled}")
        end = self.filled + len(data)
        self.buffer[self.filled : end] = data
        self.crc = google_crc32c.extend(self.crc, data)
        self.filled = end
        self.job.moved(len(data))
        if end == self.length:
            self.job.shared.on_downloaded(self)
        self.job.advance_hash()

    def body(self) -> PartBody:
        return PartBody(self)


@dataclass(frozen=True)
class PartBody:
    """The upload body of a part: its buffer as it fills. Re-iterable, so a retried PUT sends it again from byte 0
    (what was already received is in the buffer; the rest keeps arriving from the Hub)."""

    part: Part

    def __len__(self) -> int:
        return self.part.length

    def __iter__(self) -> Iterator[memoryview]:
        part = self.part
        view = part.view()
        sent = 0
        while sent < part.length:
            if sent == part.filled:
                part.fill()  # raises on a mismatch before the bytes that completed the file are handed out
            if part.filled == part.length and part.job.single:
                part.job.require_verified()  # a one-request upload's last bytes create the object
            yield view[sent : part.filled]
            sent = part.filled
        if part.length == 0:
            part.job.advance_hash()  # an empty file is verified before its request completes


@dataclass
class Shared:
    """What every file of a run shares."""

    hub: HubClient
    target: GcsTarget
    api: GcsApi
    snapshot: RepoSnapshot
    policy: RetryPolicy
    reporter: Reporter
    pool: BufferPool
    governor: StreamGovernor
    control: ThreadPoolExecutor
    failed: threading.Event
    on_downloaded: Callable[[Part], None]
    on_release: Callable[[Part], None]
    sources: dict[str, Source] = field(default_factory=dict)  # resolved before the run (the preflight)


class FileJob:
    """One attempt at staging one file. A failure a new upload may cure makes a fresh job (`attempt` + 1)."""

    def __init__(self, shared: Shared, file: RepoFile, replace_generation: int, part_size: int, attempt: int = 1,
                 source: FileSource | None = None) -> None:  # fmt: skip
        self.shared = shared
        self.file = file
        self.replace_generation = replace_generation  # 0: create; else the unverified leftover being replaced
        self.attempt = attempt
        self.name = shared.target.prefix + file.path
        self.metadata = object_metadata(shared.snapshot, file)
        self.source = source or FileSource(shared.hub, shared.snapshot, file, shared.sources.get(file.path))
        size = part_size_for(file.size, part_size)
        self.single = file.size <= size
        starts = range(0, file.size, size) if file.size else [0]
        self.parts = [Part(self, n, start, min(size, file.size - start)) for n, start in enumerate(starts, 1)]
        self.next_part = 0
        self.position = 0  # in the run's order of files
        self.inflight = 0
        self.cancelled = False
        self.outcome: Future[FileOutcome] = Future()
        self.upload_id: Future[str] | None = None
        self._look: Future[StoredObject | None] | None = None
        self._lock = threading.Lock()  # part states and the job's outcome
        self._hash_lock = threading.Lock()  # the hasher and the head
        self._more = False
        self._head = 0
        self._hasher = file.hash.new_hasher(file.size)
        self._verified = False
        self._uploaded = 0
        self._finishing = False

    @property
    def where(self) -> str:
        return f"'{self.file.path}' from {self.shared.snapshot.repo_id}@{self.shared.snapshot.commit[:12]}"

    def is_cancelled(self) -> bool:
        return self.cancelled or self.shared.failed.is_set()

    def moved(self, nbytes: int) -> None:
        self.shared.governor.moved(nbytes)
        self.shared.reporter.advance(self.file.path, nbytes)

    # -- scheduling (called by the pipeline under its lock) -----------------------------------------------------
    @property
    def exhausted(self) -> bool:
        """No part of this attempt is left to start."""
        return self.next_part >= len(self.parts) or self.cancelled or self.outcome.done()

    def take_part(self) -> Part | None:
        if self.exhausted:
            return None
        if self.next_part == 0:
            self.shared.reporter.file_started(self.file.path, self.file.size)
            if not self.single:
                self.upload_id = self.shared.control.submit(self._start_upload)
        part = self.parts[self.next_part]
        self.next_part += 1
        self.inflight += 1
        return part

    def _start_upload(self) -> str:
        return self.shared.api.start_multipart(self.name, self.metadata)

    # -- one part (a stream thread) ----------------------------------------------------------------------------
    def run_part(self, part: Part) -> None:
        """Move one part. Its buffer stays held after success until the file's hash has passed it."""
        part.running = True
        ok = False
        try:
            if self.is_cancelled():
                raise Cancelled()
            part.reader = RangeReader(self.source, part.start, part.start + part.length, self.is_cancelled)
            if part.length:
                part.fill()  # the Hub answers before GCS is asked anything: Hub errors leave GCS untouched
            api = self.shared.api
            if self.single:
                resource = api.put_object(self.name, self.metadata, part.body(), self.replace_generation)
                self._part_uploaded(part)
                self._finish_single(stored_from_resource(resource, self.shared.target.prefix))
            else:
                assert self.upload_id is not None
                upload_id = self.upload_id.result()
                part.etag = api.put_part(self.name, upload_id, part.number, part.body())
                self._part_uploaded(part)
            ok = True
        except BaseException as exc:
            self.fail(exc)
        finally:
            if part.reader is not None:
                part.reader.close()
            with self._lock:
                part.running = False
                if not ok or self.cancelled:
                    self._release_locked(part)

    # -- in-order hashing (the reorder window) --------------------------------------------------------------
    def advance_hash(self) -> None:
        """Hash every byte that is now contiguous from the file's start; verify once the last one is hashed.

        One thread hashes at a time and the others never wait for it: they flag that bytes arrived and go back to
        their streams, and the hashing thread loops until no flag is left. (Waiting would stall every stream of the
        file while the head part's completion lets the backlog of the parts behind it be hashed.)
        """
        while True:
            self._more = True
            if not self._hash_lock.acquire(blocking=False):
                return  # the thread hashing now will see the flag
            try:
                while self._more and not self.cancelled:
                    self._more = False
                    self._hash_available()
            finally:
                self._hash_lock.release()
            if not self._more or self.cancelled:
                break
        self._maybe_finish()

    def _hash_available(self) -> None:
        while self._head < len(self.parts):
            part = self.parts[self._head]
            filled = part.filled  # read once: its filling thread moves it on while the hash runs without the GIL
            if part.hashed < filled:
                self._hasher.update(memoryview(part.buffer)[part.hashed : filled])  # type: ignore[arg-type]
                part.hashed = filled
            if part.hashed < part.length:
                return
            self._head += 1
            with self._lock:
                part.hash_done = True
                if part.uploaded:
                    self._release_locked(part)
        if not self._verified:
            self._verify()
            if not self.single:  # see _finish_multipart: look while the last parts' answers are on their way
                self._look = self.shared.control.submit(self.shared.target.stat, self.file.path)
            self._verified = True

    def require_verified(self) -> None:
        """The whole file's hash matched (hashing it here if another thread has not finished): or raise."""
        if not self._verified:
            with self._hash_lock:
                self._hash_available()
        if not self._verified:
            raise StageError(f"{self.where} was about to be finished before its hash was checked; re-run")

    def _verify(self) -> None:
        digest = self._hasher.hexdigest()
        if digest != self.file.hash.hex:
            raise IntegrityError(
                f"content of {self.where} does not match the Hub's {self.file.hash.algorithm} "
                f"(expected {self.file.hash.hex}, got {digest}); nothing was written for it. Re-run to retry; if it "
                "persists the Hub or its CDN is serving bad bytes"
            )

    def crc32c(self) -> str:
        """crc32c of every byte sent, composed from the parts' crc32c in part order."""
        crc = 0
        for part in self.parts:
            crc = combine(crc, part.crc, part.length)
        return crc32c_text(crc)

    # -- buffers -------------------------------------------------------------------------------------------------
    def _part_uploaded(self, part: Part) -> None:
        with self._lock:
            part.uploaded = True
            self._uploaded += 1
            if part.hash_done:
                self._release_locked(part)
        self._maybe_finish()

    def _release_locked(self, part: Part) -> None:
        if part.released:
            return
        part.released = True
        if part.buffer is not None:
            self.shared.pool.give(part.buffer)
            part.buffer = None
        self.shared.on_release(part)

    # -- finishing -----------------------------------------------------------------------------------------------
    def _maybe_finish(self) -> None:
        if self.single:
            return
        with self._lock:
            if self._finishing or not self._verified or self._uploaded < len(self.parts):
                return
            self._finishing = True
        self.shared.control.submit(self._finish_multipart)

    def _finish_single(self, stored: StoredObject) -> None:
        self._check_stored(stored)
        self._succeed(FileOutcome(self.file, "uploaded", stored.generation, stored.crc32c, self.file.size))

    def _finish_multipart(self) -> None:
        """Every part is at GCS and the file verified: make it visible, unless a verified copy already is."""
        try:
            assert self.upload_id is not None
            upload_id = self.upload_id.result()
            # XML multipart completion takes no precondition, so look just before it (the look starts when the last
            # byte arrived, one round trip before the last parts are acknowledged): adopt a verified copy that
            # appeared meanwhile (a concurrent stager), never overwrite someone else's unverified object.
            assert self._look is not None
            current = self._look.result()
            if current is not None and current.matches(self.file, self.shared.snapshot):
                self._abort_upload()
                self._succeed(self._adopted(current))
                return
            if current is not None and current.generation != self.replace_generation:
                self._abort_upload()
                raise self._replaced_error()
            # An upload GCS no longer knows (NoSuchUpload, also what a completion sent again after a lost answer
            # meets) restarts the file (see fail): the new attempt's look finds the object if the first one went
            # through, and keeps it.
            self.shared.api.complete(self.name, upload_id, [p.etag for p in self.parts])
            self._succeed(FileOutcome(self.file, "uploaded", 0, self.crc32c(), self.file.size, stored=False))
        except BaseException as exc:
            self.fail(exc)

    def _check_stored(self, stored: StoredObject) -> None:
        target = self.shared.target
        sent = self.crc32c()
        if stored.crc32c != sent:
            target.delete(self.file.path, stored.generation)
            raise Restart(
                f"GCS stored '{self.file.path}' with crc32c {stored.crc32c}, the bytes sent have {sent}; "
                "the object was deleted"
            )
        if not stored.matches(self.file, self.shared.snapshot):
            raise StageError(
                f"after uploading '{self.file.path}', {target.uri}{self.file.path} carries other metadata; "
                "check who else writes under that prefix and re-run"
            )

    def _adopted(self, winner: StoredObject) -> FileOutcome:
        log.info("'%s' was staged concurrently by another run; its verified object is kept", self.file.path)
        return FileOutcome(self.file, "adopted", winner.generation, winner.crc32c, 0)

    def _replaced_error(self) -> StageError:
        target = self.shared.target
        return StageError(
            f"another writer replaced {target.uri}{self.file.path} with an object whose size or hash metadata does "
            f"not match {self.file.hash}; check who else writes under {target.uri}, delete the object and re-run"
        )

    def _succeed(self, outcome: FileOutcome) -> None:
        if not self.outcome.done():
            self.outcome.set_result(outcome)
            self.shared.reporter.file_finished(self.file.path)

    # -- failure -------------------------------------------------------------------------------------------------
    def fail(self, exc: BaseException) -> None:
        """Record why this attempt failed (the first reason wins) and stop its other parts."""
        if isinstance(exc, GcsHttpError) and exc.code == 412 and self.single:
            self._lost_race()
            return
        if isinstance(exc, GcsHttpError) and exc.reason == "NoSuchUpload":
            exc = Restart(f"GCS no longer knows the multipart upload of '{self.file.path}' (it was aborted)")
        elif isinstance(exc, GcsHttpError | requests.RequestException):
            exc = self._gcs_failure(exc)
        with self._lock:
            if self.outcome.done():
                return
            self.cancelled = True
            self.outcome.set_exception(exc)
            for part in self.parts[: self.next_part]:
                if not part.running:
                    self._release_locked(part)  # held for hashing that will now never happen
        if self.upload_id is not None:
            self.shared.control.submit(self._abort_upload)
        self.shared.reporter.file_finished(self.file.path)

    def _lost_race(self) -> None:
        """Our one-request upload's precondition failed: another writer created the object first."""
        try:
            winner = self.shared.target.stat(self.file.path)
            if winner is None or not winner.matches(self.file, self.shared.snapshot):
                raise self._replaced_error()
            self._succeed(self._adopted(winner))
        except BaseException as exc:
            with self._lock:
                if not self.outcome.done():
                    self.cancelled = True
                    self.outcome.set_exception(exc)

    def _gcs_failure(self, exc: BaseException) -> BaseException:
        target = self.shared.target
        error = target.translate(exc, f"uploading '{self.file.path}'")
        if error is not None:
            return error
        if (isinstance(exc, GcsHttpError) and exc.transient) or isinstance(exc, requests.RequestException):
            return Restart(f"{type(exc).__name__}: {exc}")
        status = http_status(exc)
        return StageError(
            f"GCS failed while uploading '{self.file.path}' to {target.uri}: HTTP {status}: {exc}"
            if status
            else f"GCS failed while uploading '{self.file.path}' to {target.uri}: {type(exc).__name__}: {exc}"
        )

    def _abort_upload(self) -> None:
        if self.upload_id is None:
            return
        try:
            upload_id = self.upload_id.result()
            self.shared.api.abort(self.name, upload_id)
        except Exception as exc:  # best effort: a lifecycle rule removes what is left (docs/staging.md)
            log.warning("could not abort the multipart upload of '%s': %s", self.file.path, exc)


class Pipeline:
    """Runs the parts of many files over a governed number of streams; the first permanent failure stops all."""

    def __init__(
        self,
        hub: HubClient,
        target: GcsTarget,
        snapshot: RepoSnapshot,
        reporter: Reporter,
        *,
        max_streams: int = DEFAULT_MAX_STREAMS,
        streams_per_file: int = DEFAULT_STREAMS_PER_FILE,
        part_size: int = PART_SIZE,
        sources: dict[str, Source] | None = None,
    ) -> None:
        self.hub = hub
        self.target = target
        self.snapshot = snapshot
        self.reporter = reporter
        self.max_streams = max_streams
        self.streams_per_file = streams_per_file
        self.part_size = part_size
        self.sources = sources or {}
        self.governor = StreamGovernor(max_streams)
        self._cond = threading.Condition()
        self._downloading = 0  # parts whose bytes are still arriving: the streams
        self._held = 0  # parts holding a buffer: downloading, or waiting for GCS's answer or the hash
        self._done: deque[FileJob] = deque()  # files whose attempt ended, for the scheduler to settle
        self._jobs: list[FileJob] = []
        # A stream is free when its part's last byte arrived, not when GCS acknowledged it and the hash passed it:
        # otherwise every stream sits out a round trip per part, and streams started together stay in step, so
        # the whole link idles each time they finish together. The spare buffers hold parts in that state.
        self.max_buffers = self._buffers_for(max_streams)

    @staticmethod
    def _buffers_for(streams: int) -> int:
        return streams + max(1, streams // 4)

    def _downloaded(self, part: Part) -> None:
        with self._cond:
            if not part.downloaded:
                part.downloaded = True
                self._downloading -= 1
                self._cond.notify()

    def _released(self, part: Part) -> None:
        with self._cond:
            if not part.downloaded:
                part.downloaded = True
                self._downloading -= 1
            part.job.inflight -= 1
            self._held -= 1
            self._cond.notify()

    def _finished(self, job: FileJob) -> None:
        with self._cond:
            self._done.append(job)
            self._cond.notify()

    def run(self, todo: list[tuple[RepoFile, int]]) -> dict[str, FileOutcome]:
        """Stage `todo` (file, generation to replace or 0), largest first; returns each file's outcome."""
        buffer_size = max((min(part_size_for(f.size, self.part_size), f.size) for f, _ in todo), default=0)
        failed = threading.Event()
        error: BaseException | None = None
        with (
            ThreadPoolExecutor(self.max_streams, thread_name_prefix="stream") as streams,
            ThreadPoolExecutor(8, thread_name_prefix="control") as control,
        ):
            shared = Shared(self.hub, self.target, self.target.api, self.snapshot, self.hub.policy, self.reporter,
                            BufferPool(buffer_size), self.governor, control, failed, self._downloaded, self._released,
                            dict(self.sources))  # fmt: skip
            self._jobs = [self._job(shared, f, generation, position) for position, (f, generation) in enumerate(todo)]
            self.governor.start()
            try:
                error = self._schedule(shared, streams)
            except BaseException as exc:  # KeyboardInterrupt included: stop the streams, abort uploads
                error = exc
            if error is not None:
                failed.set()
                for job in self._jobs:
                    job.fail(Cancelled())
            with self._cond:
                while self._held:
                    self._cond.wait(0.1)
        if error is not None:
            raise error
        return {job.file.path: job.outcome.result() for job in self._jobs}

    def _job(self, shared: Shared, file: RepoFile, generation: int, position: int, attempt: int = 1,
             source: FileSource | None = None) -> FileJob:  # fmt: skip
        job = FileJob(shared, file, generation, self.part_size, attempt, source)
        job.position = position
        job.outcome.add_done_callback(lambda _: self._finished(job))
        return job

    def _schedule(self, shared: Shared, streams: ThreadPoolExecutor) -> BaseException | None:
        """Start parts while streams are free; returns the error that stopped the run, or None when all are done.

        Event-driven: finished files arrive in `_done`, and the search for the next part starts at the first file
        that may still have one, so each decision costs O(1) whatever the number of files.
        """
        remaining = len(self._jobs)
        first = 0  # files before this one have no part left to start
        while True:
            with self._cond:
                while self._done:
                    job = self._done.popleft()
                    error, replacement = self._settle(shared, job)
                    if error is not None:
                        return error
                    if replacement is None:
                        remaining -= 1
                    else:
                        self._jobs[job.position] = replacement
                        first = min(first, job.position)
                if remaining == 0:
                    return None
                part = None
                limit = self.governor.limit
                if self._downloading < limit and self._held < self._buffers_for(limit):
                    while first < len(self._jobs) and self._jobs[first].exhausted:
                        first += 1
                    # Files with parts left to start but at their stream cap each hold a buffer, so the next part
                    # is within max_buffers + 1 files of `first`.
                    for job in self._jobs[first : first + self.max_buffers + 1]:
                        part = job.take_part() if job.inflight < self.streams_per_file else None
                        if part is not None:
                            break
                    if part is None:
                        self.governor.starved()
                    elif part.number == 1:
                        for ahead in self._jobs[part.job.position + 1 : part.job.position + 1 + PREFETCH]:
                            ahead.source.prefetch(shared.control)
                if part is None:
                    self._cond.wait(0.05)
                    self.governor.tick()
                    continue
                self._downloading += 1
                self._held += 1
                part.buffer = shared.pool.take()
            streams.submit(part.job.run_part, part)
            self.governor.tick()

    def _settle(self, shared: Shared, job: FileJob) -> tuple[BaseException | None, FileJob | None]:
        """For a file whose attempt ended: the permanent failure it ended in, or the attempt that replaces it."""
        exc = job.outcome.exception()
        if exc is None or isinstance(exc, Cancelled):
            return None, None
        path = job.file.path
        if not isinstance(exc, Restart):
            return exc, None
        if job.attempt >= FILE_ATTEMPTS:
            return StageError(
                f"giving up on uploading '{path}' to {self.target.uri} after {FILE_ATTEMPTS} attempts: {exc} "
                "(re-run to resume)"
            ), None
        log.warning("upload of '%s': %s; restarting the file", path, exc)
        current = self.target.stat(path)
        if current is not None and current.matches(job.file, self.snapshot):
            done = self._job(shared, job.file, current.generation, job.position)
            done.outcome.set_result(FileOutcome(job.file, "adopted", current.generation, current.crc32c, 0))
            return None, done
        generation = current.generation if current is not None else 0
        return None, self._job(shared, job.file, generation, job.position, job.attempt + 1, job.source)
