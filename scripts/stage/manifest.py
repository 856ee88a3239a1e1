"""The staging manifest: the one object readers (`hfkit fit`, `hfkit serve`) trust.

A commit prefix `gs://BUCKET/PREFIX/ORG/MODEL/COMMIT/` is complete only when `MANIFEST_NAME` exists there. The stager
writes it last, once, with a generation precondition, after every listed object was verified; so a reader that finds
the manifest can load exactly the listed generations and check them by size and crc32c without asking the Hub.

Format (version 1, JSON, UTF-8; unknown keys are ignored by readers so fields can be added without a new version):
    {"format": "hfkit-manifest", "version": 1, "repo": "org/model", "revision": "main", "commit": "<40 hex>",
     "total_size": 123, "files": [{"path": "config.json", "size": 123, "hash": "git-sha1:<hex>",
                                   "generation": 1712345678901234, "crc32c": "<base64, as GCS reports it>"}]}
`files` is sorted by path; `hash` is `sha256:<hex>` for LFS files and `git-sha1:<hex>` (git blob id) otherwise;
`revision` is what the first successful run asked for (a branch, tag or commit).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scripts.stage.hashing import ContentHash

if TYPE_CHECKING:
    from google.cloud.storage import Bucket

MANIFEST_NAME = "hfkit-manifest.json"
MANIFEST_FORMAT = "hfkit-manifest"
MANIFEST_VERSION = 1
DEFAULT_PREFIX = "models"

_COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")


class ManifestError(ValueError):
    """The manifest object exists but is not a valid hfkit manifest of a version this reader understands."""


@dataclass(frozen=True)
class ManifestFile:
    """One staged object: `path` is relative to the commit prefix and equals the path in the Hub repo."""

    path: str
    size: int
    hash: ContentHash
    generation: int
    crc32c: str


@dataclass(frozen=True)
class Manifest:
    repo: str
    revision: str
    commit: str
    files: tuple[ManifestFile, ...]

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)

    def to_json(self) -> bytes:
        doc = {
            "format": MANIFEST_FORMAT,
            "version": MANIFEST_VERSION,
            "repo": self.repo,
            "revision": self.revision,
            "commit": self.commit,
            "total_size": self.total_size,
            "files": [
                {"path": f.path, "size": f.size, "hash": str(f.hash), "generation": f.generation, "crc32c": f.crc32c}
                for f in sorted(self.files, key=lambda f: f.path)
            ],
        }
        return (json.dumps(doc, indent=2, sort_keys=False) + "\n").encode()

    @classmethod
    def from_json(cls, data: bytes | str) -> Manifest:
        try:
            doc = json.loads(data)
            if doc.get("format") != MANIFEST_FORMAT:
                raise ManifestError(f"not an hfkit manifest (format {doc.get('format')!r})")
            if doc.get("version") != MANIFEST_VERSION:
                raise ManifestError(f"manifest version {doc.get('version')!r} is not supported (this reader: 1)")
            if not _COMMIT_RE.match(doc["commit"]):
                raise ManifestError(f"manifest commit {doc['commit']!r} is not a 40-hex commit id")
            files = tuple(_file_from_doc(f) for f in doc["files"])
            return cls(repo=str(doc["repo"]), revision=str(doc["revision"]), commit=doc["commit"], files=files)
        except ManifestError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ManifestError(f"malformed manifest: {exc}") from exc

    def by_path(self) -> dict[str, ManifestFile]:
        return {f.path: f for f in self.files}


def _file_from_doc(doc: dict[str, Any]) -> ManifestFile:
    return ManifestFile(
        path=str(doc["path"]),
        size=int(doc["size"]),
        hash=ContentHash.parse(doc["hash"]),
        generation=int(doc["generation"]),
        crc32c=str(doc["crc32c"]),
    )


def commit_prefix(prefix: str, repo_id: str, commit: str) -> str:
    """`PREFIX/ORG/MODEL/COMMIT/`: the folder a staged revision lives in (always ends with `/`)."""
    parts = [p for p in prefix.split("/") if p]
    return "/".join([*parts, repo_id, commit]) + "/"


def load_manifest(bucket: Bucket, prefix: str) -> Manifest | None:
    """Read the manifest under a commit prefix, or None when the revision is not (completely) staged there."""
    from google.api_core.exceptions import NotFound

    blob = bucket.blob(prefix + MANIFEST_NAME)
    try:
        data = blob.download_as_bytes()
    except NotFound:
        return None
    return Manifest.from_json(data)
