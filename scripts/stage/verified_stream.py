"""The file object a GCS upload reads from: Hub bytes, hashed as they pass, released in the last chunk only if right.

google-cloud-storage's `upload_from_file` pulls the object from a file object, chunk by chunk (`read(chunk)`), and
a resumable upload becomes an object only when its last byte is sent. This stream hands out a chunk only once it
holds all of it, and computes the Hub's hash and GCS's crc32c over every byte on the way in. When the Hub's last byte
arrives, size and hash are compared BEFORE that last chunk is returned: on a mismatch `read` raises, the upload is
abandoned with its last chunk unsent, and no object ever appears.

Why not `blob.open("wb")`: its writer copies each byte into and out of an internal buffer, which on a two-core
machine was most of the stager's CPU beyond hashing. Here one preallocated buffer per file is filled from the socket's
bytes and handed to the upload as a memoryview (for large files; small files go in one request as `bytes`), so memory
per file is one chunk and the only copy is into that buffer.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Protocol

from scripts.stage.errors import IntegrityError

if TYPE_CHECKING:
    from scripts.stage.hub import RepoFile, RepoSnapshot
    from scripts.stage.progress import Reporter

# Largest piece asked of the Hub per read: big enough that per-call overhead (retry wrapper, urllib3) vanishes, small
# enough that the transient bytes object stays a fraction of the chunk.
READ_SIZE = 2 * 1024 * 1024


class ByteSource(Protocol):
    def read(self, n: int) -> bytes: ...


class VerifiedStream:
    """A read-only, forward-only file object over one Hub file (seek only within the chunk last handed out)."""

    def __init__(
        self,
        source: ByteSource,
        file: RepoFile,
        snapshot: RepoSnapshot,
        chunk_size: int,
        reporter: Reporter,
    ) -> None:
        import google_crc32c

        self._source = source
        self._file = file
        self._where = f"'{file.path}' from {snapshot.repo_id}@{snapshot.commit[:12]}"
        self._reporter = reporter
        self._buffer = bytearray(min(chunk_size, file.size))
        self._view = memoryview(self._buffer)
        self._start = 0  # file offset of _buffer[0]
        self._filled = 0  # bytes of _buffer holding data
        self._position = 0
        self._hasher = file.hash.new_hasher(file.size)
        self._crc32c = google_crc32c.Checksum()
        self.received = 0

    # -- the file object the upload uses --------------------------------------------------------------------
    def tell(self) -> int:
        return self._position

    def seek(self, position: int, whence: int = 0) -> int:
        """Rewind within the chunk last read (what an upload retry needs); anything else cannot be served."""
        if whence != 0 or not self._start <= position <= self._start + self._filled:
            raise OSError(
                f"cannot seek to byte {position} of {self._where}: only bytes {self._start}-"
                f"{self._start + self._filled} are still held"
            )
        self._position = position
        return position

    def read(self, size: int = -1) -> bytes | memoryview:
        """Up to `size` bytes from the current position; the file's last byte only after it was verified."""
        if size < 0:
            size = self._file.size - self._position
        if self._position == self._start + self._filled:
            self._fill(min(size, len(self._buffer)))
        offset = self._position - self._start
        count = min(size, self._filled - offset)
        self._position += count
        if count == self._file.size:
            return bytes(self._view[:count])  # a whole small file: one-request uploads need bytes
        return self._view[offset : offset + count]

    def readable(self) -> bool:
        return True

    @property
    def crc32c(self) -> str:
        """Base64 crc32c of every byte received, in the form GCS reports for an object."""
        return base64.b64encode(self._crc32c.digest()).decode()

    # -- filling ----------------------------------------------------------------------------------------------
    def _fill(self, want: int) -> None:
        """Replace the buffer's content with the next `want` bytes of the file (fewer only at its end)."""
        self._start = self.received
        self._filled = 0
        want = min(want, self._file.size - self.received)
        while self._filled < want:
            data = self._source.read(min(READ_SIZE, want - self._filled))
            if not data:
                break
            self._hasher.update(data)
            self._crc32c.update(data)
            self._buffer[self._filled : self._filled + len(data)] = data
            self._filled += len(data)
            self._reporter.advance(self._file.path, len(data))
        self.received += self._filled
        if self.received == self._file.size or self._filled < want:
            self._verify()

    def _verify(self) -> None:
        if self.received != self._file.size:
            raise IntegrityError(
                f"{self._where} has {self.received} bytes, the Hub declared {self._file.size}; nothing was written "
                "for it"
            )
        digest = self._hasher.hexdigest()
        if digest != self._file.hash.hex:
            raise IntegrityError(
                f"content of {self._where} does not match the Hub's {self._file.hash.algorithm} "
                f"(expected {self._file.hash.hex}, got {digest}); nothing was written for it. Re-run to retry; if it "
                "persists the Hub or its CDN is serving bad bytes"
            )
