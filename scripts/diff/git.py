"""The git side of `hfkit diff`: find the repository and the base commit, check the base out beside the work tree."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Branches tried, in order, for the default base (the merge base with main); CI checkouts often only have origin/.
MAIN_BRANCHES: tuple[str, ...] = ("main", "origin/main")


class GitError(Exception):
    """A git command failed; the message is git's own last line."""


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise GitError(f"git {' '.join(args)}: {last}")
    return result.stdout.strip()


def repo_root(cwd: Path) -> Path:
    return Path(git(cwd, "rev-parse", "--show-toplevel"))


def resolve_base(root: Path, ref: str | None) -> str:
    """The commit to compare against: `ref`, else the merge base of HEAD with main (or origin/main)."""
    if ref is not None:
        return git(root, "rev-parse", "--verify", f"{ref}^{{commit}}")
    for branch in MAIN_BRANCHES:
        try:
            return git(root, "merge-base", "HEAD", branch)
        except GitError:
            continue
    raise GitError(f"no merge base of HEAD with {' or '.join(MAIN_BRANCHES)}; pass --base REF")


@contextmanager
def checked_out(root: Path, commit: str) -> Iterator[Path]:
    """A detached worktree of `commit` in a temporary folder, removed afterwards (the user's checkout is untouched)."""
    with tempfile.TemporaryDirectory(prefix="hfkit-diff-") as tmp:
        tree = Path(tmp) / "base"
        git(root, "worktree", "add", "--detach", "--quiet", str(tree), commit)
        try:
            yield tree
        finally:
            git(root, "worktree", "remove", "--force", str(tree))
