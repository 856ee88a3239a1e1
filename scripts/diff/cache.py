"""Synthesized stacks of a committed base, cached by everything that determines them.

Every push to a pull request diffs against the same merge base: caching its synthesis turns two ~10 s synths into
one. The key is the base commit (its code and, for an in-repo environment file, its config), the environment file's
bytes (it may live outside the repository) and the versions of the cdktf packages that produce the JSON. The working
tree is never cached: it may hold uncommitted changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

CACHE_ENV = "HFKIT_CACHE_DIR"
Stacks = dict[str, dict[str, Any]]


def cache_dir() -> Path:
    """$HFKIT_CACHE_DIR, else $XDG_CACHE_HOME/hfkit, else ~/.cache/hfkit; diffs keep theirs under `diff/`."""
    root = os.environ.get(CACHE_ENV) or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hfkit"
    return Path(root) / "diff"


def _producers() -> list[str]:
    return sorted(
        f"{dist.metadata['Name']}=={dist.version}"
        for dist in metadata.distributions()
        if (dist.metadata["Name"] or "").lower().startswith(("cdktf", "constructs", "jsii"))
    )


def cache_key(commit: str, config: Path) -> str:
    digest = hashlib.sha256()
    for part in (commit, config.name, config.read_bytes().hex(), *_producers()):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def load(key: str) -> Stacks | None:
    """The cached stacks, or None when absent or unreadable (a broken entry is just a cache miss)."""
    try:
        stacks = json.loads((cache_dir() / f"{key}.json").read_text())
    except (OSError, ValueError):
        return None
    return stacks if isinstance(stacks, dict) else None


def store(key: str, stacks: Stacks) -> None:
    """Write atomically, so a concurrent or killed run never leaves half an entry; a cache that cannot be written
    only costs speed."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".tmp", delete=False) as handle:
            json.dump(stacks, handle)
        os.replace(handle.name, folder / f"{key}.json")
    except OSError:
        return
