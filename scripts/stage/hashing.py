"""Content hashes as the Hub declares them, and incremental hashers that check streamed bytes against them.

LFS files are identified by the sha256 of their content; regular (non-LFS) files only by their git blob id, which is
sha1 over `blob <size>\\0` followed by the content. Both are computed while bytes stream through, so verification
costs no extra pass and no local copy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal, Protocol

HashAlgorithm = Literal["sha256", "git-sha1"]


class _Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


@dataclass(frozen=True)
class ContentHash:
    """A declared hash. Its string form `algorithm:hex` is what object metadata and the manifest store."""

    algorithm: HashAlgorithm
    hex: str

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.hex}"

    @classmethod
    def parse(cls, text: str) -> ContentHash:
        algorithm, _, hex_digest = text.partition(":")
        if algorithm not in ("sha256", "git-sha1") or not hex_digest:
            raise ValueError(f"not a content hash: {text!r} (expected 'sha256:<hex>' or 'git-sha1:<hex>')")
        return cls(algorithm, hex_digest.lower())  # type: ignore[arg-type]

    def new_hasher(self, size: int) -> _Hasher:
        """A hasher primed for a file of `size` bytes (git blob ids hash a header that includes the size)."""
        if self.algorithm == "sha256":
            return hashlib.sha256()
        hasher = hashlib.sha1(usedforsecurity=False)
        hasher.update(b"blob %d\0" % size)
        return hasher
